"""`schedlab generate fjsp`."""

from __future__ import annotations

from pathlib import Path

import click

from ..models.fjsp import generate, write_fjs
from .common import user_errors


@click.command(help="SD2 random flexible job shops: J jobs x K operations on M machines.")
@click.option("--jobs", type=int, required=True, help="Number of jobs J.")
@click.option("--machines", type=int, required=True, help="Number of machines M.")
@click.option("--ops", type=int, required=True, help="Operations per job K.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--p-low", type=int, default=1, show_default=True, help="Least processing time.")
@click.option("--p-high", type=int, default=99, show_default=True, help="Largest processing time.")
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write here: .fjs for the .fjs layout, else JSON (default: JSON on stdout).",
)
@user_errors
def command(
    jobs: int, machines: int, ops: int, seed: int, p_low: int, p_high: int, out: str | None
) -> None:
    inst = generate(jobs, machines, ops, seed=seed, p_low=p_low, p_high=p_high)
    if out and Path(out).suffix.lower() == ".fjs":
        write_fjs(inst, out)
    elif out:
        Path(out).write_text(inst.to_json() + "\n")
    else:
        click.echo(inst.to_json())
