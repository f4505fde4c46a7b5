"""The pipelining command-line extras: ``schedlab generate pipelining``."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.common import user_errors
from .generate import generate as generate_instance


@click.command(
    help="Seeded random loop bodies for modulo scheduling: a DAG of ops on limited unit "
    "kinds plus loop-carried back edges (one JSON instance per seed)."
)
@click.option("--n", "n", type=int, default=10, show_default=True, help="Number of ops.")
@click.option(
    "--units", type=int, default=2, show_default=True, help="Limited unit kinds (plus an ALU)."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--count",
    type=int,
    default=1,
    show_default=True,
    help="Instances (seeds seed, seed+1, ...); more than one needs --out with {seed} or a "
    "directory.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(),
    default=None,
    help="JSON file (may contain {seed}), or an existing directory; stdout when omitted.",
)
@user_errors
def generate_command(n: int, units: int, seed: int, count: int, out: str | None) -> None:
    """Write seeded random loop bodies as JSON instances."""
    if count < 1:
        raise click.BadParameter("must be at least 1", param_hint="--count")
    if units < 1:
        raise click.BadParameter("must be at least 1", param_hint="--units")
    insts = [generate_instance(n, units, seed + k) for k in range(count)]
    if out is None:
        if count != 1:
            raise click.UsageError("--count > 1 needs --out (a directory or a name with {seed})")
        click.echo(insts[0].to_json(indent=1))
        return
    target = Path(out)
    for k, inst in enumerate(insts):
        if target.is_dir():
            path = target / f"{inst.name}.json"
        elif "{seed}" in out:
            path = Path(out.format(seed=seed + k))
        elif count == 1:
            path = target
        else:
            raise click.UsageError("--count > 1 needs --out (a directory or a name with {seed})")
        path.write_text(inst.to_json(indent=1) + "\n")


def register(main: click.Group, generate: click.Group) -> None:
    """Add ``schedlab generate pipelining`` (pipelining has no other commands)."""
    generate.add_command(generate_command, "pipelining")
