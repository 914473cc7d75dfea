# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the user reads of a waybill attempt: a bug in a call is a masked message,
not the raw exception; a shortened address is noted once, not on every attempt."""

import re
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from ..api.biteship import BiteshipClient
from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestWaybillMessages(CarrierShipCase):
    def test_a_bug_in_the_call_is_a_masked_user_error(self):
        picking = self._ready_picking()
        with (
            patch.object(
                BiteshipClient,
                "create_shipment",
                side_effect=RuntimeError("token sk_live_SECRET in the text"),
            ),
            self.assertRaises(UserError) as caught,
            self.assertLogs("odoo.addons.carrier_api", level="ERROR"),
        ):
            picking.action_carrier_api_create_waybill()
        self.assertIn("unexpected error", str(caught.exception))
        self.assertIn(picking.name, str(caught.exception))
        self.assertNotIn("SECRET", str(caught.exception))

    def test_shortened_address_is_noted_once(self):
        partner = self.customer.copy({"street": "Jl. Dago " + "Blok Panjang " * 30})
        picking = self._ready_picking(partner=partner)
        self.gateway.faults.add(
            ORDERS,
            Fault(
                status=400,
                body={"success": False, "error": "Courier is busy", "code": 40002099},
            ),
        )
        with self.assertRaisesRegex(UserError, "Courier is busy"):
            picking.action_carrier_api_create_waybill()
        picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent")
        notes = picking.message_ids.filtered(lambda m: "shortened" in (m.body or ""))
        self.assertEqual(len(notes), 1)
