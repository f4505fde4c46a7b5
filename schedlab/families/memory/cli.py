"""The memory family's command line: ``schedlab generate memory`` and the ``schedlab memory``
group (MiniMalloc CSV helpers: a capacity override, solved CSVs)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ... import api
from ...cli.common import parse_params, summary, user_errors
from ...core.errors import InstanceError
from . import formats
from .generate import generate_allocation, generate_mapping, generate_msa, generate_zero_slack
from .model import MemoryInstance
from .trace_to_msa import DEFAULT_INTENSITY, trace_to_msa


@click.command(
    "memory",
    help="Random memory instances: mapping programs (JSON), msa programs with copies (JSON) "
    "or allocation (CSV/JSON).",
)
@click.option(
    "--kind",
    type=click.Choice(["mapping", "allocation", "msa"]),
    default="mapping",
    show_default=True,
    help="msa: a mapping program with prefetches and evictions (also implied by --copies).",
)
@click.option(
    "--copies",
    type=int,
    default=None,
    metavar="ENGINES",
    help="Msa: copy engines (asynchronous copies at a time; 0: copies disabled); default 1.",
)
@click.option(
    "--copy-ratio",
    type=float,
    default=1.0,
    show_default=True,
    help="Msa: copy bandwidth / slow memory bandwidth.",
)
@click.option(
    "--max-outstanding",
    type=int,
    default=None,
    help="Msa: most prefetches outstanding at one step (default: no limit).",
)
@click.option(
    "--evictions/--no-evictions",
    default=True,
    show_default=True,
    help="Msa: whether a buffer may be evicted and prefetched again.",
)
@click.option("--steps", type=int, default=200, show_default=True, help="Mapping: program steps.")
@click.option(
    "--structure",
    type=click.Choice(["chain", "transformer", "mixed"]),
    default="mixed",
    show_default=True,
    help="Mapping: program shape.",
)
@click.option(
    "--capacity-fraction",
    type=float,
    default=0.25,
    show_default=True,
    help="Mapping: fast memory capacity as a fraction of the max load.",
)
@click.option(
    "--bandwidth-ratio",
    type=float,
    default=8.0,
    show_default=True,
    help="Mapping: fast / slow memory bandwidth.",
)
@click.option(
    "--intensity",
    multiple=True,
    metavar="KIND=LOW-HIGH",
    help="Mapping: arithmetic intensity range of an op kind (eltwise, matmul, attention), "
    "e.g. matmul=0.03-0.1 for memory-bound batch-1 decoding; repeatable.",
)
@click.option(
    "--weights",
    type=click.Choice(["step", "parameter"]),
    default=None,
    help="Mapping: a weight buffer lives on its step, or from step 0 (an entry parameter); "
    "default step (msa: parameter).",
)
@click.option("--n", "n", type=int, default=50, show_default=True, help="Allocation: buffers.")
@click.option(
    "--slack",
    type=float,
    default=0.0,
    show_default=True,
    help="Allocation: capacity = max load x (1 + slack); negative: no capacity.",
)
@click.option(
    "--max-life",
    type=int,
    default=None,
    help="Allocation: longest buffer lifetime (default n / 2 + 1, over a horizon of 2 n); "
    "a small one gives the bounded overlap of long traces (e.g. 200 for 200,000 buffers).",
)
@click.option(
    "--zero-slack",
    is_flag=True,
    default=False,
    help="Allocation with no slack: a time x address rectangle (capacity 2^20) cut at "
    "random into --pieces buffers, a perfect packing by construction (implies allocation).",
)
@click.option(
    "--pieces",
    type=int,
    default=None,
    help="Zero-slack: buffers the rectangle is cut into (default 200).",
)
@click.option(
    "--removed",
    type=float,
    default=None,
    help="Zero-slack: fraction of the pieces dropped at random, in [0, 1) (default 0).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False), default=None, help="JSON, or .csv (allocation)."
)
@user_errors
def generate_command(
    kind: str,
    copies: int | None,
    copy_ratio: float,
    max_outstanding: int | None,
    evictions: bool,
    steps: int,
    structure: str,
    capacity_fraction: float,
    bandwidth_ratio: float,
    intensity: tuple[str, ...],
    weights: str | None,
    n: int,
    slack: float,
    max_life: int | None,
    zero_slack: bool,
    pieces: int | None,
    removed: float | None,
    seed: int,
    out: str | None,
) -> None:
    """Write a generated instance's JSON (or, for allocation, CSV) to ``out`` (or standard
    output)."""
    inst: MemoryInstance
    if copies is not None and kind == "allocation":
        raise click.UsageError("--copies is for msa (or mapping) programs, not allocation")
    if not zero_slack and (pieces is not None or removed is not None):
        raise click.UsageError("--pieces and --removed are for --zero-slack instances")
    if zero_slack:
        if copies is not None or kind == "msa":
            raise click.UsageError("--zero-slack makes allocation instances, not msa programs")
        kind = "allocation"
    elif copies is not None:
        kind = "msa"
    if zero_slack:
        if pieces is not None and pieces < 1:
            raise click.UsageError(f"--pieces must be at least 1, got {pieces}")
        if removed is not None and not 0 <= removed < 1:
            raise click.UsageError(f"--removed must lie in [0, 1), got {removed}")
        inst = generate_zero_slack(
            200 if pieces is None else pieces, seed, 0.0 if removed is None else removed
        )
    elif kind in ("mapping", "msa"):
        spans = {}
        for item in intensity:
            key, _, span = item.partition("=")
            low, _, high = span.partition("-")
            try:
                spans[key.strip()] = (float(low), float(high))
            except ValueError:
                raise InstanceError(
                    f"--intensity {item!r}: expected KIND=LOW-HIGH, e.g. matmul=0.03-0.1"
                ) from None
        if kind == "msa":
            inst = generate_msa(
                steps,
                structure,
                capacity_fraction,
                seed,
                copy_ratio=copy_ratio,
                copy_engines=1 if copies is None else copies,
                max_outstanding_prefetches=max_outstanding,
                evictions=evictions,
                bandwidth_ratio=bandwidth_ratio,
                intensity=spans or None,
                weights=weights or "parameter",
            )
        else:
            inst = generate_mapping(
                steps,
                structure,
                capacity_fraction,
                seed,
                bandwidth_ratio=bandwidth_ratio,
                intensity=spans or None,
                weights=weights or "step",
            )
    else:
        inst = generate_allocation(n, max(2, 2 * n), slack, seed, max_life=max_life)
    if out and out.endswith(".csv"):
        if kind != "allocation":
            raise click.UsageError("only allocation instances can be written as CSV")
        Path(out).write_text(formats.to_csv(inst))
        return
    text = inst.to_json()
    if out:
        Path(out).write_text(text + "\n")
    else:
        click.echo(text)


@click.group("memory")
def memory_group() -> None:
    """Memory allocation helpers (MiniMalloc CSV)."""


@memory_group.command("solve")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--capacity", type=int, default=None, help="Capacity (overrides the name's).")
@click.option("--no-capacity", is_flag=True, help="Ignore the file name's capacity: min peak.")
@click.option("--method", "-m", default="auto", show_default=True)
@click.option("--time-limit", "-t", type=float, default=None)
@click.option(
    "--work-limit",
    type=float,
    default=None,
    help="Deterministic work budget in the method's unit (see `schedlab methods`).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A method parameter (JSON values), e.g. -p pinned='{\"b1\": 0}'.",
)
@click.option(
    "--out-csv", type=click.Path(dir_okay=False), default=None, help="Solved CSV (offsets)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the Result as JSON.")
@user_errors
def solve_command(
    csv_file: str,
    capacity: int | None,
    no_capacity: bool,
    method: str,
    time_limit: float | None,
    work_limit: float | None,
    params: tuple[str, ...],
    out_csv: str | None,
    as_json: bool,
) -> None:
    """Solve a MiniMalloc CSV, optionally writing the solved CSV."""
    inst: MemoryInstance = formats.read(csv_file, capacity=capacity)
    if no_capacity:
        inst = inst.with_capacity(None)
    res = api.solve(
        inst, method, time_limit=time_limit, work_limit=work_limit, **parse_params(params)
    )
    if out_csv and res.solution is not None:
        formats.write_csv(inst, out_csv, res.solution)
    if as_json:
        click.echo(res.to_json())
        return
    click.echo(summary(res))


@memory_group.command("to-csv")
@click.argument("instance")
@click.argument("solution", type=click.Path(dir_okay=False))
@click.option("--out", "-o", type=click.Path(dir_okay=False), required=True)
@user_errors
def to_csv_command(instance: str, solution: str, out: str) -> None:
    """Write INSTANCE with SOLUTION's offsets as a MiniMalloc CSV."""
    inst = api.read(instance, family="memory")
    sol = json.loads(Path(solution).read_text())
    if isinstance(sol, dict) and "solution" in sol and "problem" in sol:
        sol = sol["solution"]
    if not isinstance(inst, MemoryInstance):
        raise InstanceError("not a memory instance", instance)
    api.check(inst, sol)
    formats.write_csv(inst, out, sol)
    click.echo(f"wrote {out}")


@memory_group.command("from-trace")
@click.argument("trace")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None, help="JSON file.")
@click.option(
    "--intensity",
    type=float,
    default=DEFAULT_INTENSITY,
    show_default=True,
    help="FLOP per byte accessed at every step.",
)
@click.option(
    "--capacity", type=int, default=None, help="Fast memory bytes (default: the A100's L2)."
)
@click.option(
    "--copies",
    type=int,
    default=None,
    metavar="ENGINES",
    help="Copy engines (0: copies disabled); default 1.",
)
@click.option("--name", default=None, help="The program's name (default: the trace's + _a100).")
@user_errors
def from_trace_command(
    trace: str,
    out: str | None,
    intensity: float,
    capacity: int | None,
    copies: int | None,
    name: str | None,
) -> None:
    """An msa program of a buffer TRACE (MiniMalloc CSV, e.g. an idealloc trace): each buffer
    written at its first step and read at its last, compute at INTENSITY FLOP/byte, on an
    NVIDIA A100 (L2 as the fast memory, HBM as the slow one; see
    schedlab.families.memory.trace_to_msa)."""
    inst = api.read(trace, family="memory")
    if not isinstance(inst, MemoryInstance):
        raise InstanceError("not a memory instance", trace)
    prog = trace_to_msa(
        inst, intensity=intensity, capacity=capacity, copy_engines=copies, name=name
    )
    text = prog.to_json()
    if out:
        Path(out).write_text(text + "\n")
        click.echo(f"wrote {out}: {prog.n} buffers, {len(prog.steps)} steps")
    else:
        click.echo(text)


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``schedlab generate memory`` and the ``schedlab memory`` group."""
    generate.add_command(generate_command)
    main.add_command(memory_group)
