"""The fjsp command-line extras: ``schedlab generate fjsp``."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.common import user_errors
from .formats import write_fjs
from .generate import generate as generate_instance


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
def generate_command(
    jobs: int, machines: int, ops: int, seed: int, p_low: int, p_high: int, out: str | None
) -> None:
    """Write a generated instance (JSON on stdout or to a file, or the ``.fjs`` layout)."""
    inst = generate_instance(jobs, machines, ops, seed=seed, p_low=p_low, p_high=p_high)
    if out and Path(out).suffix.lower() == ".fjs":
        write_fjs(inst, out)
    elif out:
        Path(out).write_text(inst.to_json() + "\n")
    else:
        click.echo(inst.to_json())


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``schedlab generate fjsp`` (fjsp has no other commands)."""
    generate.add_command(generate_command, "fjsp")
