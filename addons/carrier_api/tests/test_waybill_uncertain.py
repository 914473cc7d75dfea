# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An order whose outcome is unknown, on a carrier that cannot look it up (the real
Biteship client): the next click does not post it again; the delivery says to check
the carrier's portal, and *Send again* posts the same order id on purpose."""

import re

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestWaybillUncertain(CarrierShipCase):
    def _posts(self):
        return len(self.gateway.requests_to("/v1/orders", "POST"))

    def test_uncertain_order_waits_for_send_again(self):
        picking = self._ready_picking()
        # answered 500: the carrier may or may not have stored it
        self.gateway.faults.add(ORDERS, Fault(status=500))
        with self.assertRaisesRegex(UserError, "may have booked it") as caught:
            picking.action_carrier_api_create_waybill()
        self.assertIn("check the carrier's portal", str(caught.exception))
        self.assertEqual(self._posts(), 1)
        self.env.invalidate_all()
        self.assertTrue(picking.carrier_api_send_again)
        # the next click: no second post, the user is told what to check
        with self.assertRaisesRegex(UserError, "check the carrier's portal") as caught:
            picking.action_carrier_api_create_waybill()
        self.assertIn(picking.carrier_api_reference, str(caught.exception))
        self.assertIn("Send again", str(caught.exception))
        self.assertEqual(self._posts(), 1)
        self.env.invalidate_all()
        self.assertTrue(picking.carrier_api_send_again)
        # checked, nothing there: sent again on purpose, with the same order id
        self.assertTrue(picking.action_carrier_api_send_again())
        self.assertEqual(self._posts(), 2)
        self.assertEqual(picking.carrier_api_state, "sent")
        shipments = self._shipments()
        self.assertEqual(len(shipments), 1)
        self.assertEqual(shipments[0]["reference"], picking.carrier_api_reference)
        self.assertEqual(picking.carrier_tracking_ref, shipments[0]["waybill"])
        self.env.invalidate_all()
        self.assertFalse(picking.carrier_api_send_again)
