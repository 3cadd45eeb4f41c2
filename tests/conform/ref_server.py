"""Every reference system and each planted violation on one real uvicorn server, in a thread:
the conforming system at /BLOCK/ok, each violation at /BLOCK/VIOLATION."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

import ref_booking
import ref_identity
import ref_notifications
import ref_payments

SYSTEMS = {"payments": ref_payments, "notifications": ref_notifications, "identity": ref_identity,
           "booking": ref_booking}


def conforming(module) -> dict[str, str]:
    """A block's variants that differ from its reference system and still conform."""
    return getattr(module, "ALSO_CONFORMING", {})


def root_app() -> Starlette:
    routes = []
    for block, module in SYSTEMS.items():
        routes.append(Mount(f"/{block}/ok", app=module.app(None)))
        routes += [Mount(f"/{block}/{name}", app=module.app(name)) for name in conforming(module)]
        routes += [Mount(f"/{block}/{name}", app=module.app(name)) for name in module.VIOLATIONS]
    return Starlette(routes=routes)


@contextmanager
def serving(app=None):
    """Yield the server's base URL (http://127.0.0.1:PORT) while it serves `app` (all of them by default)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app or root_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the reference server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
