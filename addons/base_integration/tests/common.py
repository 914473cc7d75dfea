# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test helpers shared by every addon of the suite.

The local gateway test servers live in ``tests/gateway_servers`` of this addon (plain
Python, no Odoo import), so every addon of the suite can run its tests wherever
base_integration is installed: ``odoo.addons.base_integration.tests.gateway_servers``.
"""

import hashlib
import hmac
import json

from ..api.http import CircuitBreaker
from .gateway_servers import GatewayServer


class IntegrationTestMixin:
    """Mixin for ``TransactionCase``/``HttpCase`` classes of the integration addons."""

    def setUp(self):
        super().setUp()
        # Circuit breakers live per process: failures injected by one test must not
        # open the circuit of a connection the next test uses.
        CircuitBreaker.forget()

    @classmethod
    def _start_gateway_server(cls, *handlers):
        """Start a real HTTP server on 127.0.0.1 (random port) for the whole class."""
        server = GatewayServer(*handlers).start()
        cls.addClassCleanup(server.stop)
        return server

    @classmethod
    def _create_connection(cls, **vals):
        values = {
            "name": "Test connection",
            "provider": "generic",
            "webhook_secret": "whsec-test-0123456789",
            "api_key": "echo-secret-key",
        }
        values.update(vals)
        return cls.env["integration.connection"].create(values)

    @staticmethod
    def _sign(secret, body):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        return body, hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

    def _events(self, connection, **domain):
        return self.env["integration.event"].search(
            [("connection_id", "=", connection.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )
