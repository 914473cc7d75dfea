# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Cancel: a cancellation the ledger already holds (the carrier cancelled, the
request that asked was rolled back) is not asked again; a new waybill after a cancel
starts its tracking and pickup afresh."""

import re

from odoo import fields
from odoo.tests import tagged

from .ship_common import CarrierShipCase

CANCEL = re.compile(r"/v1/orders/[^/]+/cancel$")


@tagged("post_install", "-at_install")
class TestWaybillCancel(CarrierShipCase):
    def _cancels(self):
        return [r for r in self.gateway.requests if CANCEL.search(r.path)]

    def test_cancelled_in_the_ledger_is_not_asked_again(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        waybill = picking.carrier_tracking_ref
        self.assertTrue(waybill)
        # what a cancel whose request was rolled back after the carrier's answer
        # leaves: the ledger row "cancelled" (committed aside), the picking as before
        self.env.cr.execute(
            "UPDATE carrier_api_waybill SET state = 'cancelled' WHERE picking_id = %s",
            [picking.id],
        )
        picking.cancel_shipment()
        self.assertEqual(self._cancels(), [])  # the carrier is not asked again
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertIn(
            f"Shipment {waybill} cancelled",
            " ".join(picking.message_ids.mapped("body")),
        )

    def test_new_waybill_after_cancel_starts_tracking_afresh(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        old = picking.carrier_tracking_ref
        # tracking and pickup of the first waybill (written by the cron, the wizard)
        picking.sudo().write(
            {
                "carrier_api_delivery_state": "in_transit",
                "carrier_api_tracking_stopped": True,
                "carrier_api_poll_failures": 4,
                "carrier_api_next_poll": fields.Datetime.now(),
                "carrier_api_pickup_ref": "PU-OLD",
            }
        )
        picking.cancel_shipment()
        self.assertEqual(len(self._cancels()), 1)
        picking.sudo().write(
            {"carrier_api_tracking_stopped": True, "carrier_api_poll_failures": 2}
        )
        picking.action_carrier_api_create_waybill()
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertNotEqual(picking.carrier_tracking_ref, old)
        self.assertFalse(picking.carrier_api_delivery_state)
        self.assertFalse(picking.carrier_api_tracking_stopped)
        self.assertEqual(picking.carrier_api_poll_failures, 0)
        self.assertFalse(picking.carrier_api_next_poll)
        self.assertFalse(picking.carrier_api_pickup_ref)
