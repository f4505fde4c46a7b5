"""The solver service: ``schedlab serve`` (JSON lines on stdin/stdout or a Unix socket) and
its Python :class:`Client`."""

from .client import Client
from .protocol import PROTOCOL_VERSION, RequestError

__all__ = ["PROTOCOL_VERSION", "Client", "RequestError"]
