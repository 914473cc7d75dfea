# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Serve every gateway imitation on one port, for the demo (docker-compose, run.sh).

python -m gateway_servers --host 0.0.0.0 --port 8070
"""

import argparse
import importlib
import inspect
import logging
import signal
import threading

from .framework import GatewayHandler, GatewayServer

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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8070)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    server = GatewayServer(*discover_handlers(), host=args.host, port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    for handler in server.handlers:
        logging.info("%-10s %s%s", handler.name, server.url, handler.prefix)
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
