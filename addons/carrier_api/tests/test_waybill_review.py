# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Waybill review findings: a cancel that stops half-way over several packages, order
ids when the packages change after an uncertain booking, weights and values in the
right units."""

import json
import re

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestWaybillReview(CarrierShipCase):
    def _posts(self):
        return [
            r
            for r in self.gateway.requests
            if ORDERS.search(r.path) and r.method == "POST"
        ]

    def _ledger(self, picking):
        self.env.invalidate_all()  # written by SQL in the side transactions
        return self.env["carrier.api.waybill"].search(
            [("picking_id", "=", picking.id)], order="part"
        )

    def _two_packages(self, picking):
        line = picking.sudo().move_line_ids
        line.quantity = line.quantity / 2
        other = line.copy({"quantity": line.quantity})
        boxes = self.env["stock.quant.package"].create([{}, {}])
        line.result_package_id, other.result_package_id = boxes
        return boxes

    def test_cancel_stopping_half_way_keeps_what_the_carrier_kept(self):
        picking = self._ready_picking(quantity=2)
        self._two_packages(picking)
        picking.action_carrier_api_create_waybill()
        first, second = picking.carrier_tracking_ref.split(",")
        prices = {row.waybill: row.price for row in self._ledger(picking)}
        self.assertTrue(all(prices.values()), prices)
        self.assertEqual(picking.carrier_api_price, sum(prices.values()))
        self.biteship_api.advance(second, to=cc.PICKED_UP)  # too late to cancel
        action = picking.cancel_shipment()
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn(f"{first} cancelled", message)
        self.assertIn(second, message)
        self.assertIn("can not be cancelled", message)
        # the delivery keeps exactly what the carrier still holds
        self.assertEqual(picking.carrier_tracking_ref, second)
        self.assertEqual(picking.carrier_api_state, "sent")
        self.assertEqual(self.biteship_api.shipments[first].step, cc.CANCELLED)
        self.assertEqual(self.biteship_api.shipments[second].step, cc.PICKED_UP)
        self.assertEqual(self._ledger(picking).mapped("state"), ["cancelled", "sent"])
        self.assertIn(message, picking.message_ids[0].body)
        # what validation bills (send_to_shipper's exact_price): the kept one only
        self.assertEqual(picking.carrier_api_price, prices[second])

    def test_cancel_all_clears_the_delivery(self):
        picking = self._ready_picking(quantity=2)
        self._two_packages(picking)
        picking.action_carrier_api_create_waybill()
        self.assertTrue(picking.cancel_shipment())
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertEqual(
            {s.step for s in self.biteship_api.shipments.values()}, {cc.CANCELLED}
        )

    def test_packages_changed_after_an_uncertain_booking_book_nothing_new(self):
        picking = self._ready_picking(quantity=2)
        self.connection.http_timeout = 1
        # booked as one parcel, the answer lost: the carrier may hold <ref>
        self.biteship_api.late_faults.add(ORDERS, Fault(delay=2))
        # (no assertRaises: its savepoint would undo the ledger row committed aside)
        try:
            picking.action_carrier_api_create_waybill()
            self.fail("the lost answer was not reported")
        except UserError as exc:
            self.assertIn("may have booked it", str(exc))
        self.assertEqual(len(self._shipments()), 1)
        posts = len(self._posts())
        self._two_packages(picking)
        try:
            picking.action_carrier_api_create_waybill()
            self.fail("the new package layout was booked")
        except UserError as exc:
            self.assertIn("packages of", str(exc))
            self.assertIn(picking.carrier_api_reference, str(exc))
        self.assertEqual(len(self._posts()), posts)  # nothing sent
        self.assertEqual(len(self._shipments()), 1)

    def test_a_skipped_package_stays_uncertain(self):
        """Two packages whose earlier attempt is unknown (say, a worker killed after
        both were posted): the first is held for a check of the portal, so the second
        is not tried now; it must stay uncertain, or the next attempt would post it
        again without a look-up."""
        picking = self._ready_picking(quantity=2)
        self._two_packages(picking)
        self.gateway.faults.add(ORDERS, Fault(status=500))
        try:
            picking.action_carrier_api_create_waybill()
            self.fail("the 500 was not reported")
        except UserError as exc:
            self.assertIn("may have booked it", str(exc))
        self.env.cr.execute(
            "UPDATE carrier_api_waybill SET uncertain = true WHERE picking_id = %s",
            [picking.id],
        )
        posts = len(self._posts())
        try:
            picking.action_carrier_api_create_waybill()
            self.fail("an uncertain order was not held")
        except UserError as exc:
            self.assertIn("check the carrier's portal", str(exc))
        self.assertEqual(len(self._posts()), posts)
        self.assertEqual(self._ledger(picking).mapped("uncertain"), [True, True])

    def test_weights_in_kg_when_the_database_weighs_in_pounds(self):
        self.env["ir.config_parameter"].sudo().set_param("product.weight_in_lbs", "1")
        self.product.weight = 2.0  # lb
        picking = self._ready_picking(quantity=1)
        picking.action_carrier_api_create_waybill()
        sent = json.loads(self._posts()[-1].body)
        # 2 lb = 0.907 kg (Biteship takes grams)
        self.assertAlmostEqual(sent["items"][0]["weight"], 907, delta=1)

    def test_packages_of_dozens_weigh_their_units(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        order = self.env["sale.order"].create(
            {
                "user_id": self.user.id,
                "partner_id": self.customer.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom": dozen.id,
                            "product_uom_qty": 2,
                            "price_unit": 1200000,  # per dozen
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.carrier_id = self.jne_reg
        order.action_confirm()
        picking = order.picking_ids
        picking.carrier_id = self.jne_reg
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self._two_packages(picking)
        picking.with_user(self.user).action_carrier_api_create_waybill()
        for request in self._posts():
            item = json.loads(request.body)["items"][0]
            # one dozen of 1.5 kg each = 18 kg; its price 1,200,000
            self.assertEqual(item["weight"], 18000)
            self.assertEqual(item["value"], 1200000)

    def test_rate_weight_in_kg_when_the_database_weighs_in_pounds(self):
        self.env["ir.config_parameter"].sudo().set_param("product.weight_in_lbs", "1")
        self.product.weight = 5.0  # lb = 2.27 kg
        order = self._order(quantity=1).with_user(self.user)
        result = self.jne_reg.with_user(self.user).rate_shipment(order)
        # JKT -> BDG Rp 11,000 per started kg (Biteship test map): 3 kg, not 5
        self.assertEqual(result["price"], 33000)
