"""`schedlab generate memory`."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import InstanceError
from ..models.memory import generate_allocation, generate_mapping, to_csv
from .common import user_errors


@click.command(help="Random memory instances: mapping programs (JSON) or allocation (CSV/JSON).")
@click.option(
    "--kind",
    type=click.Choice(["mapping", "allocation"]),
    default="mapping",
    show_default=True,
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
    default="step",
    show_default=True,
    help="Mapping: a weight buffer lives on its step, or from step 0 (an entry parameter).",
)
@click.option("--n", "n", type=int, default=50, show_default=True, help="Allocation: buffers.")
@click.option(
    "--slack",
    type=float,
    default=0.0,
    show_default=True,
    help="Allocation: capacity = max load x (1 + slack); negative: no capacity.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out", "-o", type=click.Path(dir_okay=False), default=None, help="JSON, or .csv (allocation)."
)
@user_errors
def command(
    kind: str,
    steps: int,
    structure: str,
    capacity_fraction: float,
    bandwidth_ratio: float,
    intensity: tuple[str, ...],
    weights: str,
    n: int,
    slack: float,
    seed: int,
    out: str | None,
) -> None:
    if kind == "mapping":
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
        inst = generate_mapping(
            steps,
            structure,
            capacity_fraction,
            seed,
            bandwidth_ratio=bandwidth_ratio,
            intensity=spans or None,
            weights=weights,
        )
    else:
        inst = generate_allocation(n, max(2, 2 * n), slack, seed)
    if out and out.endswith(".csv"):
        if kind != "allocation":
            raise click.UsageError("only allocation instances can be written as CSV")
        Path(out).write_text(to_csv(inst))
        return
    text = inst.to_json()
    if out:
        Path(out).write_text(text + "\n")
    else:
        click.echo(text)
