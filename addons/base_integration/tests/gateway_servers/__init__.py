# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Local HTTP servers that imitate the gateways' documented contracts.

Used by the addons' tests, the benchmarks and the docker-compose demo. Plain Python:
nothing here imports Odoo.
"""

from .framework import Fault, GatewayHandler, GatewayServer, Request, Response

__all__ = ["Fault", "GatewayHandler", "GatewayServer", "Request", "Response"]
