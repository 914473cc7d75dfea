# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier pickup for a batch of ready deliveries."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .ship_common import CarrierShipCase


@tagged("post_install", "-at_install")
class TestPickup(CarrierShipCase):
    def _wizard(self, pickings, **vals):
        action = pickings.action_carrier_api_request_pickup()
        self.assertEqual(action["res_model"], "carrier.api.pickup.wizard")
        return (
            self.env["carrier.api.pickup.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create(vals)
        )

    def test_window_defaults_and_must_end_after_it_starts(self):
        picking = self._ready_picking()
        wizard = self._wizard(picking)
        self.assertEqual(wizard.picking_ids, picking)
        self.assertLess(wizard.start, wizard.end)
        now = fields.Datetime.now()
        with self.assertRaises(ValidationError):
            self._wizard(picking, start=now, end=now - timedelta(hours=1))

    def test_deliveries_without_a_waybill_are_refused(self):
        picking = self._ready_picking()
        wizard = self._wizard(picking)
        with self.assertRaisesRegex(UserError, "with a waybill and no pickup yet"):
            wizard.action_request()
        self.assertEqual(picking.carrier_api_pickup_state, "none")

    def test_biteship_books_the_courier_with_the_order(self):
        """Biteship's orders ask for the pickup themselves (origin_collection_method,
        §5.3): the wizard records that, without a call and without a window."""
        first, second = self._ready_picking(), self._ready_picking()
        (first | second).action_carrier_api_create_waybill()
        orders = {s["reference"]: s["order_id"] for s in self._shipments()}
        calls = len(self.gateway.requests)
        action = self._wizard(first | second).action_request()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(len(self.gateway.requests), calls)
        for picking in first | second:
            self.assertEqual(picking.carrier_api_pickup_state, "with_order")
            self.assertEqual(
                picking.carrier_api_pickup_ref, orders[picking.carrier_api_reference]
            )
            self.assertFalse(picking.carrier_api_pickup_start)
        with self.assertRaisesRegex(UserError, "no pickup yet"):
            self._wizard(first).action_request()
