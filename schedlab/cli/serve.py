"""`schedlab serve`: the long-lived JSON-lines solver service."""

from __future__ import annotations

import click

from .common import user_errors


@click.command()
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes (0: solve in the server's own process, one request at a time).",
)
@click.option(
    "--family",
    "families",
    multiple=True,
    metavar="NAME",
    help="Warm up only these families at start (repeatable; default: all).",
)
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Serve a Unix domain socket (several clients at once) instead of stdin/stdout.",
)
@click.option(
    "--hang-margin",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds past a request's time limit after which a worker counts as hung.",
)
@user_errors
def serve(
    workers: int, families: tuple[str, ...], socket_path: str | None, hang_margin: float
) -> None:
    """Serve solve, check, methods, warm_up, cancel, ping and shutdown requests as JSON
    lines (one request a line, one response a line with the same id); `ready` on stderr."""
    from ..serve.server import serve as run

    run(
        workers=workers,
        families=list(families) or None,
        socket_path=socket_path,
        hang_margin=hang_margin,
    )


def register(main: click.Group) -> None:
    """Add `serve` to the CLI."""
    main.add_command(serve, "serve")
