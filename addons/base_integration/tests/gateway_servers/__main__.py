# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Serve every gateway imitation on one port, for the demo (docker-compose, run.sh),
with the demo control panel at ``/``.

python -m gateway_servers --host 0.0.0.0 --port 8070 [--odoo-url URL] [--state FILE]

``--odoo-url`` (default ``$ODOO_URL``) is where the panel sends pushes and
notifications. ``--state`` keeps the servers' state (tokens, orders, VAs, panel
settings) in a file across restarts, so that the demo database and the servers keep
agreeing; it is a pickle written by this process only: point it at a private
directory.
"""

import argparse
import importlib
import inspect
import itertools
import logging
import os
import pickle
import signal
import tempfile
import threading

from .framework import GatewayHandler, GatewayServer
from .panel import DemoPanel

MODULES = (
    "echo",
    "midtrans",
    "xendit",
    "shopee",
    "tiktok",
    "jne",
    "jnt",
    "sicepat",
    "anteraja",
    "biteship",
)
# Attributes that are the handler's wiring, not its state.
NOT_STATE = ("server", "lock", "_routes")
KEEP_REQUESTS = 1000  # the demo runs for days: keep the request log bounded


def discover_handlers():
    handlers = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ImportError as exc:
            logging.warning("gateway %s not available: %s", name, exc)
            continue
        for _attr, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, GatewayHandler)
                and cls is not GatewayHandler
                and cls.__module__ == module.__name__
                and cls.prefix
            ):
                handlers.append(cls())
    return handlers


def _snapshot(handler):
    with handler.lock:
        state = {}
        for key, value in vars(handler).items():
            if key in NOT_STATE:
                continue
            if isinstance(value, itertools.count):
                # counters do not pickle on every Python: keep their next value
                value = ("__count__", int(repr(value)[6:-1]))
            try:
                pickle.dumps(value)
            except (TypeError, AttributeError, pickle.PicklingError):
                # wiring a handler builds itself (locks, threads): not state
                continue
            state[key] = value
        return pickle.dumps(state)


def _restore(handler, blob):
    state = pickle.loads(blob)  # noqa: S301 (our own file, see the module docstring)
    with handler.lock:
        for key, value in state.items():
            if isinstance(value, tuple) and len(value) == 2 and value[0] == "__count__":
                value = itertools.count(value[1])
            setattr(handler, key, value)


def load_state(server, path):
    if not path or not os.path.exists(path):
        return False
    try:
        with open(path, "rb") as handle:
            blobs = pickle.load(handle)  # noqa: S301 (our own file)
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        logging.warning("state file %s unreadable, starting empty: %s", path, exc)
        return False
    for handler in server.handlers:
        if handler.name in blobs:
            _restore(handler, blobs[handler.name])
    return True


def save_state(server, path):
    blobs = {handler.name: _snapshot(handler) for handler in server.handlers}
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("wb", dir=directory, delete=False) as handle:
        pickle.dump(blobs, handle)
    os.replace(handle.name, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--odoo-url", default=os.environ.get("ODOO_URL"))
    parser.add_argument("--state", default=os.environ.get("GATEWAY_STATE_FILE"))
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    server = GatewayServer(*discover_handlers(), host=args.host, port=args.port)
    panel = server.mount(DemoPanel(odoo_url=args.odoo_url))
    if args.state and load_state(server, args.state):
        logging.info("state restored from %s", args.state)
        if args.odoo_url:  # the command line wins over the saved setting
            panel.settings["odoo_url"] = args.odoo_url.rstrip("/")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    for handler in server.handlers:
        logging.info("%-10s %s%s", handler.name, server.url, handler.prefix or "/")
    saved_after = None  # the last request the saved state has seen
    while not stop.wait(1.0):
        with server._requests_lock:
            del server.requests[:-KEEP_REQUESTS]
            last = server.requests[-1] if server.requests else None
        if args.state and last is not saved_after:
            save_state(server, args.state)
            saved_after = last
    server.stop()
    if args.state:
        save_state(server, args.state)


if __name__ == "__main__":
    main()
