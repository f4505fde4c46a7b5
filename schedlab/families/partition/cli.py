"""The partition family's command line: ``schedlab generate partition``."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.common import user_errors
from .generate import generate


@click.command(
    "partition", help="Random pipeline partitioning instances (layers, device types, devices)."
)
@click.option("--layers", type=int, required=True, help="Number of layers.")
@click.option("--types", type=int, default=2, show_default=True, help="Device types.")
@click.option("--devices", type=int, default=3, show_default=True, help="Devices (round-robin).")
@click.option(
    "--mem-tightness",
    type=float,
    default=0.6,
    show_default=True,
    help="Device memory as a share of the model's (memory binds below 1).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None, help="JSON file.")
@user_errors
def generate_command(
    layers: int, types: int, devices: int, mem_tightness: float, seed: int, out: str | None
) -> None:
    """Write a generated instance's JSON to ``out`` (or standard output)."""
    inst = generate(layers, types, devices, seed, mem_tightness=mem_tightness)
    if out:
        Path(out).write_text(inst.to_json() + "\n")
    else:
        click.echo(inst.to_json())


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``generate partition`` to the command line."""
    generate.add_command(generate_command)
