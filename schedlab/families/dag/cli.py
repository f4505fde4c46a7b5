"""The dag command line: ``schedlab generate dag`` and the ``schedlab dag`` group (``convert``:
a native file, with its processor count, SoC or platform, as dag JSON; ``online``: replay an
arrival trace of DS3 jobs with the online policies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ...cli.common import user_errors
from ...core.errors import InstanceError
from . import formats
from .generate import generate as generate_topcuoglu
from .generate import generate_hoft


@click.command(
    "dag",
    help="Random task graphs: Topcuoglu et al.'s generator (--scheme topcuoglu: v tasks, CCR, "
    "shape alpha, heterogeneity beta, out-degree) or HOFT's CPU/GPU costs (--scheme hoft).",
)
@click.option(
    "--scheme",
    type=click.Choice(["topcuoglu", "hoft"]),
    default="topcuoglu",
    show_default=True,
)
@click.option("--v", "v", type=int, default=20, show_default=True, help="Number of tasks.")
@click.option("--processors", type=int, default=3, show_default=True, help="topcuoglu: processors.")
@click.option(
    "--ccr",
    type=float,
    default=None,
    help="topcuoglu: communication / computation (default 1); hoft: computation / "
    "communication (default 10).",
)
@click.option("--alpha", type=float, default=1.0, show_default=True, help="Shape of the graph.")
@click.option(
    "--beta", type=float, default=0.5, show_default=True, help="topcuoglu: heterogeneity."
)
@click.option("--out-degree", type=float, default=2.0, show_default=True)
@click.option("--cpus", type=int, default=7, show_default=True, help="hoft: CPU processors.")
@click.option("--gpus", type=int, default=1, show_default=True, help="hoft: GPU processors.")
@click.option(
    "--acceleration",
    type=float,
    default=5.0,
    show_default=True,
    help="hoft: mean GPU acceleration (5 low, 50 high).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON here (default: stdout).",
)
@user_errors
def generate_command(
    scheme: str,
    v: int,
    processors: int,
    ccr: float | None,
    alpha: float,
    beta: float,
    out_degree: float,
    cpus: int,
    gpus: int,
    acceleration: float,
    seed: int,
    out: str | None,
) -> None:
    """Write a generated instance as JSON."""
    if scheme == "hoft":
        inst = generate_hoft(
            v,
            cpus=cpus,
            gpus=gpus,
            acceleration=acceleration,
            ccr=10.0 if ccr is None else ccr,
            alpha=alpha,
            out_degree=out_degree,
            seed=seed,
        )
    else:
        inst = generate_topcuoglu(
            v,
            processors,
            ccr=1.0 if ccr is None else ccr,
            alpha=alpha,
            beta=beta,
            out_degree=out_degree,
            seed=seed,
        )
    _write(inst.to_json(), out)


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text + "\n")
    else:
        click.echo(text)


@click.group("dag", help="Task-graph extras: convert native files, replay online traces.")
def dag_group() -> None:
    """The ``schedlab dag`` group."""


@dag_group.command(
    "convert",
    help="Read a native file (STG, DS3 job, WfFormat, DAX, Topcuoglu JSON) and write it as dag "
    "JSON: --processors for STG, --soc for a DS3 job, --platform for a workflow.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--processors", "-P", type=int, default=None, help="STG: identical processors.")
@click.option("--soc", type=click.Path(exists=True, dir_okay=False), default=None, help="DS3 SoC.")
@click.option(
    "--platform",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Workflows: a platform JSON (processors with speeds, bandwidth, latency, time unit).",
)
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None)
@user_errors
def convert_command(
    file: str, processors: int | None, soc: str | None, platform: str | None, out: str | None
) -> None:
    """Convert one file."""
    from ... import api

    head = api.readers_for(file, family="dag")
    if not head:
        raise InstanceError("not in any format of family dag", file)
    fmt = head[0][1].format
    inst: Any
    if fmt == "stg":
        inst = formats.read_stg(file, processors)
    elif fmt == "ds3" and soc is not None:
        inst = formats.read_ds3(file, soc)
    elif fmt == "wfformat":
        inst = formats.read_wfformat(file, platform)
    elif fmt == "dax":
        inst = formats.read_dax(file, platform)
    else:
        inst = head[0][1].read(file, None)
    _write(inst.to_json(), out)


@dag_group.command(
    "online",
    help="Replay an arrival trace of jobs on one SoC with the online policies (heft: HEFT on "
    "the ready tasks; eft: earliest finish time; heft-plan: each arriving job planned by HEFT "
    "around the plan so far; cpsat: rolling CP-SAT re-optimisation) and "
    "print the mean job completion time, slowdown and makespan of each. The jobs are DS3 job "
    "files on --soc, or dag JSON instances on one platform.",
)
@click.argument("jobs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--soc", type=click.Path(exists=True, dir_okay=False), default=None, help="DS3 SoC.")
@click.option("--count", "-n", type=int, default=50, show_default=True, help="Jobs in the trace.")
@click.option(
    "--load",
    type=float,
    default=1.0,
    show_default=True,
    help="Jobs arriving, on average, while one runs alone.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Choice(["heft", "eft", "heft-plan", "cpsat"]),
    help="Policies to run (repeatable; default all).",
)
@click.option(
    "--epoch-limit",
    type=float,
    default=1.0,
    show_default=True,
    help="cpsat: seconds a re-plan.",
)
@click.option(
    "--epoch-work",
    type=float,
    default=None,
    help="cpsat: deterministic time a re-plan instead (runs repeat exactly).",
)
@click.option("--threads", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON summary a policy.")
@user_errors
def online_command(
    jobs: tuple[str, ...],
    soc: str | None,
    count: int,
    load: float,
    seed: int,
    policies: tuple[str, ...],
    epoch_limit: float,
    epoch_work: float | None,
    threads: int,
    as_json: bool,
) -> None:
    """Replay one trace with each policy."""
    from ... import api
    from . import online
    from .model import Instance

    if soc is not None:
        trace = online.ds3_trace(list(jobs), soc, jobs=count, load=load, seed=seed)
    else:
        templates = []
        for f in jobs:
            got = api.read(f, family="dag")
            assert isinstance(got, Instance)
            templates.append(got)
        trace = online.make_trace(templates, jobs=count, load=load, seed=seed)
    for pol in policies or online.POLICIES:
        res = online.simulate(
            trace, pol, epoch_limit=epoch_limit, epoch_work=epoch_work, threads=threads, seed=seed
        )
        s = res.summary()
        if as_json:
            click.echo(json.dumps(s))
        else:
            click.echo(
                f"{pol:9s}  mean job completion {s['mean_response']:.1f}  "
                f"slowdown {s['mean_slowdown']:.3f}  makespan {s['makespan']}"
            )


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``schedlab generate dag`` and the ``schedlab dag`` group."""
    generate.add_command(generate_command, "dag")
    main.add_command(dag_group)
