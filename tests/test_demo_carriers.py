# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo set-up (scripts/setup_demo.py) run against the bundled gateway servers
(real HTTP), then the README's carrier steps for each direct carrier, as the README's
warehouse user (``warehouse``, a stock user with the carrier role, who may not read the
salesperson's order lines): *Create waybill* on the carrier's demo delivery, *Print
label*, the panel moves the shipment and *Refresh tracking* follows it to delivered.
The cache is emptied before each user action, so that the user's own reads (and
their access rights) are what runs, not values the set-up left in memory."""

import os
from unittest.mock import patch

import requests

from odoo.tests import TransactionCase, tagged

from odoo.addons.base_integration.tests.gateway_servers import GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.__main__ import (
    discover_handlers,
)
from odoo.addons.base_integration.tests.gateway_servers.panel import DemoPanel

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "setup_demo.py")
# A closed port: the panel's pushes to Odoo fail at once, as before Odoo serves.
ODOO_URL = "http://127.0.0.1:9"
# provider -> (sale order of its demo delivery, what the server's booking route holds)
DIRECT = {
    "jne": ("DEMO-KURIR-JNE", "/jne/tracing/api/generatecnote"),
    "jnt": ("DEMO-KURIR-JNT", "/jnt/jts-idn-ecommerce-api/api/order/create"),
    "sicepat": ("DEMO-KURIR-SICEPAT", "/sicepat/api/partner/requestpickuppackage"),
    "anteraja": ("DEMO-KURIR-ANTERAJA", "/anteraja/satoe/order"),
}
# The state after one step on (picked up): J&T's code 100 covers pickup and transit,
# Anteraja's pickup code is not a documented one (kept, flagged, no state yet).
AFTER_PICKUP = {
    "jne": "picked_up",
    "jnt": "in_transit",
    "sicepat": "picked_up",
    "anteraja": False,
}
# What a second run must not add to.
COUNTED = {
    "integration.connection": [("provider", "in", list(DIRECT))],
    "delivery.carrier": [("delivery_type", "in", list(DIRECT))],
    "carrier_api.area": [],
    "sale.order": [("client_order_ref", "like", "DEMO-KURIR-")],
    "stock.picking": [("origin", "!=", False)],
    "res.partner": [("name", "=", "Dewi Lestari")],  # the direct carriers' customer
}


@tagged("post_install", "-at_install")
class TestDemoCarriers(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The waybill ledger is written in side transactions (registry.cursor()):
        # in test mode they share the test's transaction (as ship_common does).
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.server = GatewayServer(*discover_handlers())
        cls.server.mount(DemoPanel(odoo_url=ODOO_URL))
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        with open(SCRIPT, encoding="utf-8") as handle:
            cls.source = compile(handle.read(), SCRIPT, "exec")

    def _setup_demo(self):
        # The script commits between its parts (its own cursors must see them): in
        # a test everything stays in the test's transaction.
        with (
            patch.object(self.env.cr, "commit", lambda: None),
            patch.dict(
                os.environ, {"GATEWAY_BASE_URL": self.server.url, "ODOO_URL": ODOO_URL}
            ),
        ):
            exec(self.source, {"env": self.env, "__name__": "setup_demo"})  # noqa: S102  # pylint: disable=exec-used
        self.env.invalidate_all()

    def _panel(self, action, **body):
        answer = requests.post(
            f"{self.server.url}/panel/carriers/{action}",
            json=body,
            headers={"Accept": "application/json"},
            timeout=30,
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        return answer.json()

    def _demo_picking(self, order_ref):
        order = self.env["sale.order"].search([("client_order_ref", "=", order_ref)])
        self.assertEqual(len(order), 1, order_ref)
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")

    def test_each_direct_carrier_ships_and_tracks_in_the_demo(self):
        self._setup_demo()
        Area = self.env["carrier_api.area"]
        for code in ("jne", "sicepat"):
            # synced from the server's list (the area name is the carrier's own)
            self.assertEqual(
                set(Area.search([("carrier_code", "=", code)]).mapped("code")),
                {"CGK10101", "BDO10102"},
                code,
            )
            self.assertTrue(
                all(Area.search([("carrier_code", "=", code)]).mapped("synced_at"))
            )
        user = self.env["res.users"].search([("login", "=", "warehouse")])
        self.assertTrue(user.has_group("carrier_api.group_carrier_user"))
        for provider, (order_ref, booking_path) in DIRECT.items():
            with self.subTest(provider=provider):
                picking = self._demo_picking(order_ref)
                self.assertEqual(picking.state, "assigned")
                self.assertEqual(picking.carrier_id.delivery_type, provider)
                self.assertEqual(
                    picking.partner_id.region_district_id.code, "32.73.02"
                )  # Coblong
                # priced at the carrier's live rate, not left without a price
                self.assertTrue(picking.sale_id.order_line.filtered("is_delivery"))
                booked = len(self.server.requests_to(booking_path, "POST"))
                picking = picking.with_user(user)
                self.env.invalidate_all()
                picking.action_carrier_api_create_waybill()
                self.assertEqual(
                    picking.carrier_api_state, "sent", picking.carrier_api_message
                )
                waybill = picking.carrier_tracking_ref
                self.assertTrue(waybill)
                self.assertGreater(
                    len(self.server.requests_to(booking_path, "POST")), booked
                )
                action = picking.action_carrier_api_print_labels()
                report = self.env["ir.actions.report"].with_user(user)
                html = report._render_qweb_html(action["report_name"], picking.ids)[0]
                self.assertIn(waybill, html.decode())
                pdf, kind = report.with_context(
                    force_report_rendering=True
                )._render_qweb_pdf(action["report_name"], picking.ids)
                self.assertEqual((kind, pdf[:5]), ("pdf", b"%PDF-"))
                # The panel moves the shipment; Odoo reads it on Refresh tracking.
                picking.action_carrier_api_refresh_tracking()
                events = len(picking.carrier_api_tracking_event_ids)
                self._panel("advance", carrier=provider, waybill=waybill)
                picking.action_carrier_api_refresh_tracking()
                self.assertEqual(
                    picking.carrier_api_delivery_state, AFTER_PICKUP[provider]
                )
                self.assertGreater(len(picking.carrier_api_tracking_event_ids), events)
                self._panel("deliver", carrier=provider, waybill=waybill)
                picking.action_carrier_api_refresh_tracking()
                self.assertEqual(picking.carrier_api_delivery_state, "delivered")

    def test_setup_is_idempotent(self):
        self._setup_demo()
        counts = {m: self.env[m].search_count(d) for m, d in COUNTED.items()}
        self.assertEqual(counts["integration.connection"], 4)
        self.assertEqual(counts["sale.order"], 5)  # Biteship's and the four
        self.assertEqual(counts["res.partner"], 1)
        self._setup_demo()
        for model, domain in COUNTED.items():
            self.assertEqual(self.env[model].search_count(domain), counts[model], model)
