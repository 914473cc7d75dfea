# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment plumbing is for accounting roles (review D9): sales roles neither see nor
manage payment connections and notifications; invoicing users see them without raw
bodies; accounting managers manage them. Hosts are for Settings administrators (D1)."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestPerimeterPaymentRbac(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {
            "company_id": cls.env.company.id,
            "company_ids": cls.env.company.ids,
        }
        cls.invoicing = new_test_user(
            cls.env,
            login="perimeter_va_invoicing",
            groups="account.group_account_invoice",
            **common,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="perimeter_va_accountant",
            groups="account.group_account_manager",
            **common,
        )
        Event = cls.env["integration.event"].sudo()
        cls.payment_event = Event.browse(
            Event._store_inbound(
                cls.midtrans,
                handler="_midtrans_process_notification",
                event_type="settlement",
                external_id="perimeter-tx",
                dedupe_key="perimeter:midtrans:1",
                body='{"signature_key": "abc", "customer": "Budi 0812"}',
                headers={"User-Agent": "Veritrans"},
                state="failed",
                error="boom",
            )[0]
        )

    def _sales_user(self, login, group):
        if not self.env.ref(group, raise_if_not_found=False):
            self.skipTest("sales_team is not installed")
        return new_test_user(
            self.env,
            login=login,
            groups=group,
            company_id=self.env.company.id,
            company_ids=self.env.company.ids,
        )

    def test_combined_roles_read_only_their_own_addons_bodies(self):
        """A sales manager who also bills can see payment events (the billing rule),
        but their raw bodies belong to the accounting managers."""
        user = self._sales_user(
            "perimeter_va_sales_manager_billing", "sales_team.group_sale_manager"
        )
        user.groups_id = [(4, self.env.ref("account.group_account_invoice").id)]
        event = self.payment_event.with_user(user)
        self.assertEqual(event.read(["state"])[0]["state"], "failed")
        for field in ("body", "headers"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                event.read([field])
        with self.assertRaises(AccessError):
            event.invalidate_recordset()
            # Attribute access goes through the same check.
            self.assertFalse(event.body)
        # The form still opens, without them.
        values = event.web_read({"state": {}, "body": {}, "headers": {}})
        self.assertEqual(
            (values[0]["state"], values[0]["body"], values[0]["headers"]),
            ("failed", False, False),
        )

    def test_salesperson_cannot_read_a_payment_event_body(self):
        salesman = self._sales_user(
            "perimeter_va_salesman", "sales_team.group_sale_salesman"
        )
        event = self.payment_event.with_user(salesman)
        with self.assertRaises(AccessError):
            event.read(["body"])
        with self.assertRaises(AccessError):
            event.read(["state"])  # nor the event at all
        Event = self.env["integration.event"].with_user(salesman)
        Connection = self.env["integration.connection"].with_user(salesman)
        if Event.has_access("read"):  # a marketplace user: own shops only
            self.assertNotIn(self.payment_event, Event.search([]))
            self.assertFalse(
                Connection.search([("provider", "in", ("midtrans", "xendit"))])
            )
        else:
            self.assertFalse(Connection.has_access("read"))

    def test_sales_manager_cannot_ignore_a_payment_event(self):
        manager = self._sales_user(
            "perimeter_va_sales_mgr", "sales_team.group_sale_manager"
        )
        event = self.payment_event.with_user(manager)
        for action in ("action_ignore", "action_retry", "unlink"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(event, action)()
        with self.assertRaises(AccessError):
            self.midtrans.with_user(manager).write({"va_expiry_hours": 1})
        self.assertEqual(self.payment_event.state, "failed")

    def test_invoicing_user_sees_payment_events_without_bodies(self):
        event = self.payment_event.with_user(self.invoicing)
        self.assertEqual(event.read(["state", "error"])[0]["state"], "failed")
        for field in ("body", "headers"):
            with self.assertRaises(AccessError):
                event.read([field])
        for action in ("action_ignore", "action_retry"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(event, action)()
        self.assertEqual(
            set(
                self.env["integration.connection"]
                .with_user(self.invoicing)
                .search([])
                .mapped("provider")
            ),
            {"midtrans", "xendit"},
        )

    def test_accountant_retries_a_payment_event(self):
        event = self.payment_event.with_user(self.accountant)
        self.assertIn("signature_key", event.body)
        event.action_retry()
        self.assertEqual((event.state, event.attempts), ("received", 0))
        event.action_ignore()
        self.assertEqual(event.state, "ignored")
        logs = self.env["integration.log"].with_user(self.accountant)
        self.assertTrue(logs.has_access("read"))
        # The gateway's host is not theirs to change.
        with self.assertRaises(AccessError):
            self.midtrans.with_user(self.accountant).write(
                {"base_url": "https://attacker.example"}
            )
        self.midtrans.with_user(self.accountant).write({"va_expiry_hours": 48})
