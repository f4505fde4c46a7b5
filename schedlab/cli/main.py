"""The ``schedlab`` command line: solve, methods, generate, check, plot, warm-up (and sweeps).

Families add their own commands (``schedlab generate <family>``, extra groups) through
``Family.cli``; this module names no family.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from .. import __version__, api
from ..core.errors import ClaimError, InstanceError, SchedlabError, SolutionError
from ..core.timing import CancelToken
from .common import fail, fmt_value, parse_params, summary, user_errors
from .plotting import check_image_path, family_of_solution, save_plot

FAMILY_OPTION = click.option(
    "--family",
    "-f",
    default=None,
    metavar="NAME",
    help="The instance's family, where the file alone does not tell.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="schedlab")
def main() -> None:
    """schedlab: scheduling and allocation problems solved exactly, and measured honestly."""


@main.command()
@click.argument("instance")
@click.option(
    "--method",
    "-m",
    default="auto",
    show_default=True,
    help="Method name (see `schedlab methods`).",
)
@click.option("--time-limit", "-t", type=float, default=None, help="Wall-clock seconds.")
@click.option(
    "--work-limit",
    "-w",
    type=float,
    default=None,
    help="Deterministic work budget in the method's unit (see `schedlab methods`); with one "
    "thread and a seed the result repeats exactly.",
)
@click.option("--threads", type=int, default=1, show_default=True, help="Worker threads.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A method parameter (repeatable).",
)
@click.option(
    "--hint",
    "hint_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Initial solution JSON.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the solution JSON here.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the Result as JSON on stdout and nothing else."
)
@click.option("--log", "show_log", is_flag=True, help="Print the solver's log on stderr.")
@click.option(
    "--plot",
    "plot_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Draw the solution (PNG/SVG/PDF).",
)
@FAMILY_OPTION
@user_errors
def solve(
    instance: str,
    method: str,
    time_limit: float | None,
    work_limit: float | None,
    threads: int,
    seed: int,
    params: tuple[str, ...],
    hint_file: str | None,
    out: str | None,
    as_json: bool,
    show_log: bool,
    plot_file: str | None,
    family: str | None,
) -> None:
    """Solve INSTANCE (a file, FILE#k for instance k of a multi-instance file, or - for a
    JSON instance on stdin)."""
    if plot_file:
        check_image_path(plot_file)
    inst = api.read(instance, family=family)
    hint = _load_json(hint_file, "hint") if hint_file else None
    log = (lambda line: click.echo(line, err=True)) if show_log else None
    res, interrupted = _solve_interruptibly(
        inst,
        method,
        time_limit=time_limit,
        work_limit=work_limit,
        threads=threads,
        seed=seed,
        log=log,
        hint=hint,
        **parse_params(params),
    )
    try:
        _report(res, inst, out, plot_file, as_json)
    finally:
        if interrupted:
            sys.stdout.flush()
            sys.exit(130)


def _warm_up_with_notice(inst: Any, method: str, time_limit: float | None) -> None:
    """Load (or compile, on first use) the method's kernels before the solve, saying so on
    stderr when it takes more than a second."""
    name = api.pick_auto(inst, time_limit).name if method == "auto" else method
    notice = threading.Timer(
        1.0,
        lambda: click.echo(
            f"compiling {name}'s kernels before the solve (once per installation; "
            "`schedlab warm-up` does it ahead of time) ...",
            err=True,
        ),
    )
    notice.daemon = True
    notice.start()
    try:
        api.warm_up(inst.problem, name)
    finally:
        notice.cancel()


def _solve_interruptibly(inst: Any, method: str, **kwargs: Any) -> tuple[Any, bool]:
    """The warm-up, then ``api.solve``, on a thread while this one waits: Ctrl-C (SIGINT) or
    SIGTERM cancels the solve, which returns its best solution so far (``info.interrupted``);
    a second Ctrl-C gives up on it."""
    token = CancelToken()
    box: dict[str, Any] = {}
    done = threading.Event()  # (an interrupted Thread.join can report a live thread dead)

    def work() -> None:
        try:
            _warm_up_with_notice(inst, method, kwargs.get("time_limit"))
            # cancelled meanwhile: the solve starts cancelled and returns at once
            box["res"] = api.solve(inst, method, cancel=token, **kwargs)
        except BaseException as e:  # re-raised in the main thread
            box["err"] = e
        finally:
            done.set()

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    thread = threading.Thread(target=work, name="schedlab-solve", daemon=True)
    previous = signal.signal(signal.SIGTERM, on_term)
    interrupted = False
    try:
        thread.start()
        while not done.is_set():
            try:
                done.wait(0.1)
            except KeyboardInterrupt:
                if interrupted:
                    click.echo("error: interrupted twice; no result", err=True)
                    os._exit(130)
                interrupted = True
                click.echo("interrupted: stopping with the best solution so far", err=True)
                token.cancel()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if "err" in box:
        raise box["err"]
    return box["res"], interrupted


def _report(res: Any, inst: Any, out: str | None, plot_file: str | None, as_json: bool) -> None:
    if out:
        Path(out).write_text(json.dumps(res.solution) + "\n")
    if plot_file:
        if res.solution is None:
            fail("no solution to plot")
        save_plot(inst.problem, inst, res.solution, plot_file, f"{inst.name} / {res.method}")
    if as_json:
        click.echo(res.to_json())
        return
    click.echo(summary(res))
    describe = getattr(inst, "describe", None)
    if describe is not None and res.solution is not None:
        click.echo(describe(res.solution))


def _load_json(path: str, what: str) -> Any:
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise InstanceError(f"cannot read {what}: {e.strerror}", path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SolutionError(
            f"{path}, line {e.lineno}: {what} is not valid JSON ({e.msg})"
        ) from None


@main.command()
@click.argument("family", required=False)
@user_errors
def methods(family: str | None) -> None:
    """List the methods (of FAMILY, or of every family)."""
    if family is not None:
        api.family(family)  # a clear error for an unknown family
    rows = api.methods(family)
    width = max((len(m.name) for m in rows), default=6)
    current = None
    for m in rows:
        if m.family != current:
            if current is not None:
                click.echo("")
            click.echo(f"{m.family}:")
            current = m.family
        click.echo(f"  {m.name:<{width}}  {m.kind:<9}  {m.help}")
        if m.work is not None:
            click.echo(f"  {'':<{width}}  {'':<9}  work limit: {m.work}")


@main.command()
@click.argument("family")
@click.argument(
    "kind",
    required=False,
    default="instance",
    type=click.Choice(["instance", "solution", "result"]),
)
@user_errors
def schema(family: str, kind: str) -> None:
    """Print the JSON Schema (draft 2020-12) of FAMILY's instance, solution or result documents
    (every document carries its ``schema_version``)."""
    api.family(family)  # a clear error for an unknown family
    click.echo(json.dumps(api.schema(family, kind), indent=2))


@main.command("warm-up")
@click.argument("families", nargs=-1)
@user_errors
def warm_up(families: tuple[str, ...]) -> None:
    """Compile the JIT kernels of every method (of FAMILIES, or of every family) once after
    an installation, so that the first timed solve does not spend its limit compiling."""
    for family in families:
        api.family(family)  # a clear error for an unknown family
    for family in families or tuple(api.family_names()):
        t0 = time.perf_counter()
        done = api.warm_up(family)
        names = ", ".join(done) if done else "nothing to compile"
        click.echo(f"{family}: {names} ({time.perf_counter() - t0:.1f} s)")


@main.command()
@click.argument("instance")
@click.argument("solution", type=click.Path(dir_okay=False))
@FAMILY_OPTION
@user_errors
def check(instance: str, solution: str, family: str | None) -> None:
    """Check SOLUTION (a solution JSON, or a Result JSON) against INSTANCE; print its
    objective. A Result's claims (instance, status, objective, bound) are compared with the
    recomputed ones: a mismatch prints one line and exits with status 1."""
    inst = api.read(instance, family=family)
    sol = _load_json(solution, "solution")
    try:
        if isinstance(sol, dict) and "solution" in sol and "problem" in sol:
            value = api.verify(inst, sol)
            if sol.get("solution") is None:
                click.echo(f"no solution; status {sol.get('status')}")
                return
        else:
            value = api.check(inst, sol)
    except ClaimError as e:
        click.echo(f"error: {solution}: {e}", err=True)
        sys.exit(1)
    except SolutionError as e:
        raise SolutionError(f"{solution}: {e}") from None
    click.echo(f"feasible; objective {fmt_value(value)}")


@main.group()
def generate() -> None:
    """Generate random instances (JSON on stdout, or --out FILE)."""


@main.command()
@click.argument("solution", type=click.Path(dir_okay=False))
@click.option(
    "--instance", "-i", "instance", default=None, help="The instance (needed by some families)."
)
@click.option(
    "--out", "-o", required=True, type=click.Path(dir_okay=False), help="Image file to write."
)
@FAMILY_OPTION
@user_errors
def plot(solution: str, instance: str | None, out: str, family: str | None) -> None:
    """Draw SOLUTION (a solution or Result JSON) to an image."""
    check_image_path(out)
    data = _load_json(solution, "solution")
    inst = api.read(instance, family=family) if instance else None
    title = None
    if isinstance(data, dict) and "solution" in data and "problem" in data:
        title = f"{data.get('instance')} / {data.get('method')}"
        problem = data["problem"]
        data = data["solution"]
    else:
        problem = inst.problem if inst is not None else family
    if not isinstance(data, dict):
        raise SolutionError(f"{solution}: a solution must be a JSON object")
    problem = problem or family_of_solution(data)
    if problem is None:
        raise SchedlabError("cannot tell the family of this solution: pass --instance or --family")
    save_plot(problem, inst, data, out, title)
    click.echo(f"wrote {out}")


def _load_plugins() -> None:
    """The sweep commands, and each family's commands (``Family.cli``)."""
    from . import serve, sweep

    serve.register(main)
    sweep.register(main)
    for name in api.family_names():
        extension = api.family(name).cli_extension()
        if extension is not None:
            extension(main, generate)


def run() -> None:
    """The ``schedlab`` command: click's usage errors as one ``error:`` line (exit 2), a
    closed output pipe (``schedlab ... | head``) ends quietly."""
    try:
        main.main(standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's final flush
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        click.echo(f"error: {e.format_message()}", err=True)
        sys.exit(e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush must not fail again
        sys.exit(141)


if __name__ == "__main__":  # pragma: no cover
    # `python -m schedlab.cli.main`: run the importable module, so that plugins importing
    # `schedlab.cli.main` see one module, not a second copy named __main__.
    from schedlab.cli.main import run as _run

    _run()
else:
    _load_plugins()
