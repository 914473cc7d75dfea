# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestSecurity(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(
            api_key="key-123456",
            api_secret="secret-123456",
            access_token="token-123456",
        )
        cls.manager = new_test_user(
            cls.env,
            login="integration_manager",
            groups="base.group_user,base_integration.group_integration_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="integration_user",
            groups="base.group_user,base_integration.group_integration_user",
        )

    def test_credentials_hidden_from_non_admins(self):
        for user in (self.manager, self.user):
            connection = self.connection.with_user(user)
            self.assertEqual(connection.name, "Test connection")
            for field in ("api_key", "api_secret", "webhook_secret", "access_token"):
                with self.assertRaises(AccessError):
                    connection.read([field])
            self.assertNotIn("api_key", connection.fields_get())

    def test_user_cannot_change_connections(self):
        with self.assertRaises(AccessError):
            self.connection.with_user(self.user).write({"name": "x"})
        self.connection.with_user(self.manager).write({"name": "renamed"})

    def test_other_company_invisible(self):
        other = self.env["res.company"].create({"name": "Other PT"})
        foreign = self._create_connection(name="Foreign", company_id=other.id)
        visible = self.env["integration.connection"].with_user(self.manager).search([])
        self.assertIn(self.connection, visible)
        self.assertNotIn(foreign, visible)

    def test_neutralize_blanks_credentials(self):
        self.connection.environment = "production"
        outbound = self.connection._enqueue_outbound("_generic_process_event", {"x": 1})
        queries = get_neutralization_queries(["base_integration"])
        self.env.flush_all()
        for query in queries:
            self.env.cr.execute(query)
        self.env.invalidate_all()
        row = self.connection.sudo().read(
            ["api_key", "api_secret", "webhook_secret", "access_token", "environment"]
        )[0]
        self.assertEqual(
            (
                row["api_key"],
                row["api_secret"],
                row["webhook_secret"],
                row["access_token"],
            ),
            (False, False, False, False),
        )
        self.assertEqual(row["environment"], "test")
        self.assertEqual(outbound.state, "ignored")
