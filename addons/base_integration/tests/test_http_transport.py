# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One ``requests.Session`` per connection and transaction, closed when the
transaction ends (D22). Real cursors: a test transaction never commits."""

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from .gateway_servers import GatewayServer
from .gateway_servers.echo import EchoApi

AUTH = {"Authorization": f"Bearer {EchoApi.api_key}"}


@tagged("post_install", "-at_install")
class TestHttpTransport(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = GatewayServer(EchoApi()).start()
        cls.addClassCleanup(cls.server.stop)
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.connection_id = (
                env["integration.connection"]
                .create(
                    {
                        "name": "HTTP transport test",
                        "base_url": self.server.url + "/echo",
                        "api_key": EchoApi.api_key,
                    }
                )
                .id
            )
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["integration.connection"].browse(self.connection_id).unlink()

    def _call(self, connection):
        connection._get_http_session().request(
            "GET", connection._get_base_url() + "/items", headers=AUTH
        )
        return self.server.requests_to("/echo/items")[-1].client_port

    def test_reused_within_a_transaction_closed_at_its_end(self):
        for end in ("commit", "rollback"):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                connection = env["integration.connection"].browse(self.connection_id)
                first, second = self._call(connection), self._call(connection)
                self.assertEqual(first, second, "the second call reuses the socket")
                transport = connection._get_http_transport()
                self.assertTrue(transport.adapters["http://"].poolmanager.pools)
                getattr(cr, end)()
                self.assertFalse(
                    transport.adapters["http://"].poolmanager.pools,
                    f"closed at the {end}",
                )
                self.assertIsNot(connection._get_http_transport(), transport)
                self.assertNotEqual(self._call(connection), second, "a new socket")
