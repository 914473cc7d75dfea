# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where a connection sends its requests (and with them its credentials) is decided by
administrators only, and every change of it is in the chatter (review D1)."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestPerimeterRouting(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(base_url="https://api.example.com")
        # An integration manager who is not a Settings administrator.
        cls.manager = new_test_user(
            cls.env,
            login="perimeter_integration_manager",
            groups="base.group_user,base_integration.group_integration_manager",
        )
        cls.admin = new_test_user(
            cls.env, login="perimeter_admin", groups="base.group_user,base.group_system"
        )

    def test_manager_cannot_redirect_a_connection(self):
        connection = self.connection.with_user(self.manager)
        for values in (
            {"base_url": "https://attacker.example"},
            {"environment": "production"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                connection.write(values)
        self.assertEqual(self.connection.base_url, "https://api.example.com")
        self.assertEqual(self.connection.environment, "test")
        # The rest of the connection is theirs to manage, and the host stays readable
        # (the form shows it, the test ribbon uses the environment).
        connection.write({"name": "Renamed", "http_timeout": 20})
        self.assertEqual(
            connection.read(["base_url", "environment"])[0]["base_url"],
            "https://api.example.com",
        )

    def test_manager_cannot_create_a_redirected_connection(self):
        Connection = self.env["integration.connection"].with_user(self.manager)
        with self.assertRaises(AccessError):
            Connection.create({"name": "Mine", "base_url": "https://attacker.example"})
        with self.assertRaises(AccessError):
            Connection.create({"name": "Live", "environment": "production"})
        # The defaults (the provider's own test host) are fine.
        created = Connection.create({"name": "Default host", "environment": "test"})
        self.assertFalse(created.base_url)

    def test_manager_cannot_redirect_through_context_defaults(self):
        """Defaults from the context reach the row without being in the values."""
        Connection = self.env["integration.connection"].with_user(self.manager)
        for context in (
            {"default_base_url": "https://attacker.example"},
            {"default_environment": "production"},
        ):
            with self.subTest(context=context), self.assertRaises(AccessError):
                Connection.with_context(**context).create({"name": "Sneaky"})

    def test_manager_cannot_change_the_provider(self):
        """Another provider sends the same keys to another gateway, and moves the
        connection out of its addon's record rules."""
        providers = self.env["integration.connection"]._fields["provider"]
        others = [p for p in providers.get_values(self.env) if p != "generic"]
        if not others:
            self.skipTest("no other provider installed")
        with self.assertRaises(AccessError):
            self.connection.with_user(self.manager).write({"provider": others[0]})
        self.assertEqual(self.connection.provider, "generic")

    def test_admin_change_is_tracked(self):
        connection = self.connection.with_user(self.admin).with_context(
            tracking_disable=False
        )
        connection.write(
            {"base_url": "https://sandbox.example.com", "environment": "production"}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        tracked = connection.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name in ("base_url", "environment")
        )
        self.assertEqual(
            set(tracked.mapped("field_id.name")), {"base_url", "environment"}
        )
        url_change = tracked.filtered(lambda t: t.field_id.name == "base_url")
        self.assertEqual(url_change.old_value_char, "https://api.example.com")
        self.assertEqual(url_change.new_value_char, "https://sandbox.example.com")
        self.assertEqual(url_change.mail_message_id.author_id, self.admin.partner_id)
