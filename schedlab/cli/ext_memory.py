"""`schedlab memory ...`: MiniMalloc CSV helpers (a capacity override, CSV solutions)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..core import api
from ..models import memory
from .common import parse_params, summary, user_errors


def register(main: click.Group) -> None:
    """Add the ``memory`` command group."""

    @main.group("memory")
    def group() -> None:
        """Memory allocation helpers (MiniMalloc CSV)."""

    @group.command("solve")
    @click.argument("csv_file", type=click.Path(dir_okay=False))
    @click.option("--capacity", type=int, default=None, help="Capacity (overrides the name's).")
    @click.option("--no-capacity", is_flag=True, help="Ignore the file name's capacity: min peak.")
    @click.option("--method", "-m", default="auto", show_default=True)
    @click.option("--time-limit", "-t", type=float, default=None)
    @click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE")
    @click.option(
        "--out-csv", type=click.Path(dir_okay=False), default=None, help="Solved CSV (offsets)."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the Result as JSON.")
    @user_errors
    def solve(
        csv_file: str,
        capacity: int | None,
        no_capacity: bool,
        method: str,
        time_limit: float | None,
        params: tuple[str, ...],
        out_csv: str | None,
        as_json: bool,
    ) -> None:
        """Solve a MiniMalloc CSV, optionally writing the solved CSV."""
        inst = memory.read(csv_file, capacity=capacity)
        if no_capacity:
            inst = inst.with_capacity(None)
        res = api.solve(inst, method, time_limit=time_limit, **parse_params(params))
        if out_csv and res.solution is not None:
            memory.write_csv(inst, out_csv, res.solution)
        if as_json:
            click.echo(res.to_json())
            return
        click.echo(summary(res))

    @group.command("to-csv")
    @click.argument("instance")
    @click.argument("solution", type=click.Path(dir_okay=False))
    @click.option("--out", "-o", type=click.Path(dir_okay=False), required=True)
    @user_errors
    def to_csv(instance: str, solution: str, out: str) -> None:
        """Write INSTANCE with SOLUTION's offsets as a MiniMalloc CSV."""
        inst = api.read(instance)
        sol = json.loads(Path(solution).read_text())
        if isinstance(sol, dict) and "solution" in sol and "problem" in sol:
            sol = sol["solution"]
        api.check(inst, sol)
        memory.write_csv(inst, out, sol)
        click.echo(f"wrote {out}")
