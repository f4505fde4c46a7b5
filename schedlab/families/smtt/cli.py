"""The smtt command-line extras: ``schedlab generate smtt``."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.common import user_errors
from ...core.errors import SchedlabError
from .formats import write_orlib
from .generate import generate as generate_instance


@click.command(help="Potts & Van Wassenhove random instances of 1||Σ(w)T.")
@click.option("--n", "n", type=int, required=True, help="Number of jobs.")
@click.option("--tf", type=float, default=0.6, show_default=True, help="Tardiness factor.")
@click.option("--rdd", type=float, default=0.6, show_default=True, help="Range of due dates.")
@click.option("--weighted", is_flag=True, help="Draw weights w ~ U[1,10].")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--count",
    type=int,
    default=1,
    show_default=True,
    help="Instances (seeds seed, seed+1, ...); more than one needs --out wt<n>*.txt.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="JSON file, or wt<n>*.txt for OR-Library layout.",
)
@user_errors
def generate_command(
    n: int, tf: float, rdd: float, weighted: bool, seed: int, count: int, out: str | None
) -> None:
    """Write ``count`` generated instances (JSON on stdout or to a file, or OR-Library)."""
    insts = [generate_instance(n, tf, rdd, weighted, seed + k) for k in range(count)]
    if out and Path(out).name.lower().startswith("wt") and out.endswith(".txt"):
        write_orlib(insts, out)
        return
    if count != 1:
        raise SchedlabError("--count > 1 writes the OR-Library layout: give --out wt<n>_name.txt")
    if out:
        Path(out).write_text(insts[0].to_json() + "\n")
    else:
        click.echo(insts[0].to_json())


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``schedlab generate smtt`` (smtt has no other commands)."""
    generate.add_command(generate_command, "smtt")
