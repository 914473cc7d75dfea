# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carrier roles reach the carrier accounts and nothing else; waybill requests and
tracking events stay in their delivery's company."""

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.base_integration.tests.common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestCarrierSecurity(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {"company_id": cls.env.company.id, "company_ids": cls.env.company.ids}
        cls.carrier_user = new_test_user(
            cls.env,
            login="crsec_user",
            groups="carrier_api.group_carrier_user",
            **common,
        )
        cls.carrier_manager = new_test_user(
            cls.env,
            login="crsec_manager",
            groups="carrier_api.group_carrier_manager",
            **common,
        )
        cls.jne = cls._create_connection(name="JNE account", provider="jne")
        cls.generic = cls._create_connection(name="Someone else's webhook")
        cls.other_company = cls.env["res.company"].create({"name": "Other PT"})

    def _visible(self, user):
        return self.env["integration.connection"].with_user(user).search([])

    def test_carrier_user_reads_carrier_accounts_only(self):
        visible = self._visible(self.carrier_user)
        self.assertIn(self.jne, visible)
        self.assertNotIn(self.generic, visible)
        with self.assertRaises(AccessError):
            self.jne.with_user(self.carrier_user).write({"name": "Renamed"})

    def test_carrier_manager_manages_carrier_accounts_only(self):
        visible = self._visible(self.carrier_manager)
        self.assertIn(self.jne, visible)
        self.assertNotIn(self.generic, visible)
        self.jne.with_user(self.carrier_manager).write({"name": "JNE Jakarta"})
        self.assertEqual(self.jne.name, "JNE Jakarta")
        with self.assertRaises(AccessError):
            self.generic.with_user(self.carrier_manager).write({"name": "Mine now"})

    def test_biteship_webhook_url_carries_the_token_for_administrators_only(self):
        biteship = self._create_connection(
            name="Biteship account", provider="biteship", webhook_secret="tok/en+1"
        )
        path = f"/carrier_api/biteship/webhook/{biteship.id}"
        self.assertTrue(biteship.webhook_url.endswith(f"{path}?token=tok%2Fen%2B1"))
        seen = biteship.with_user(self.carrier_manager)
        self.assertTrue(seen.webhook_url.endswith(path), seen.webhook_url)
        for text in (seen.webhook_url, seen.webhook_url_warning):
            self.assertNotIn("tok%2Fen", text)
            self.assertNotIn("tok/en", text)
        self.assertIn("ask one to register it", seen.webhook_url_warning)

    def test_stock_user_without_carrier_role_sees_no_connection(self):
        stock_user = new_test_user(
            self.env, login="crsec_stock", groups="stock.group_stock_user"
        )
        with self.assertRaises(AccessError):
            self._visible(stock_user)

    def test_plain_stock_user_opens_a_shipped_delivery(self):
        """Warehouse staff without the carrier role still open every delivery, with its
        tracking history (read-only); the ledger stays with carrier users."""
        stock_user = new_test_user(
            self.env, login="crsec_stock_form", groups="stock.group_stock_user"
        )
        picking_type = self.env["stock.picking.type"].search(
            [("code", "=", "outgoing"), ("company_id", "=", self.env.company.id)],
            limit=1,
        )
        picking = self.env["stock.picking"].create(
            {"picking_type_id": picking_type.id, "carrier_tracking_ref": "WB-1"}
        )
        self.env["carrier.api.waybill"].create(
            {"picking_id": picking.id, "reference": "SEC-1", "state": "sent"}
        )
        self.env["carrier.api.tracking.event"].create(
            {"picking_id": picking.id, "status_raw": "PICKED", "waybill": "WB-1"}
        )
        Picking = self.env["stock.picking"].with_user(stock_user)
        # What the web client reads: the fields of the form as this user gets it
        # (nodes of groups they lack are already removed), sub-views left out.
        arch = etree.fromstring(Picking.get_view(view_type="form")["arch"])
        names = {
            node.get("name")
            for node in arch.iter("field")
            if not any(
                p is not arch and p.tag in ("list", "kanban", "form")
                for p in node.iterancestors()
            )
        }
        fields_spec = {}
        for name in names:
            field = Picking._fields[name]
            relational = field.type in ("one2many", "many2many")
            fields_spec[name] = {"fields": {"display_name": {}}} if relational else {}
        values = Picking.browse(picking.id).web_read(fields_spec)[0]
        self.assertEqual(len(values["carrier_api_tracking_event_ids"]), 1)
        with self.assertRaises(AccessError):
            self.env["carrier.api.waybill"].with_user(stock_user).search([])

    def test_waybill_requests_and_events_stay_in_their_company(self):
        picking_type = self.env["stock.picking.type"].search(
            [("code", "=", "outgoing"), ("company_id", "=", self.other_company.id)],
            limit=1,
        )
        picking = self.env["stock.picking"].create(
            {"picking_type_id": picking_type.id, "company_id": self.other_company.id}
        )
        waybill = self.env["carrier.api.waybill"].create(
            {"picking_id": picking.id, "reference": "OTHER-1", "state": "sent"}
        )
        event = self.env["carrier.api.tracking.event"].create(
            {"picking_id": picking.id, "status_raw": "PICKED"}
        )
        self.assertFalse(
            self.env["carrier.api.waybill"]
            .with_user(self.carrier_manager)
            .search([("id", "=", waybill.id)])
        )
        self.assertFalse(
            self.env["carrier.api.tracking.event"]
            .with_user(self.carrier_manager)
            .search([("id", "=", event.id)])
        )
        # The same manager, once allowed in that company, sees them.
        self.carrier_manager.write({"company_ids": [(4, self.other_company.id)]})
        found = (
            self.env["carrier.api.waybill"]
            .with_user(self.carrier_manager)
            .with_context(allowed_company_ids=[self.other_company.id])
            .search([("id", "=", waybill.id)])
        )
        self.assertEqual(found, waybill)
