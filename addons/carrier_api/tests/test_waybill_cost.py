# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A waybill created before validation ends up as if Odoo's ``send_to_shipper`` had
booked it at validation: the price with margin or ``free_over``, one "Shipment sent"
message, the reference on the related pickings, the cost on an invoice-policy "real"
order (at validation only: a waybill cancelled before leaves none). Carriers whose
booking answer has no price (JNE) are priced at their tariff for the booked parcel.
All as the warehouse user, over the local test servers."""

import re

from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .carriers_common import MultiCarrierMixin
from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")
SENT = "Shipment sent to carrier"
MARGIN = 0.10  # Odoo keeps the percentage as a fraction (_apply_margins)


class WaybillCostMixin:
    def _real(self, carrier, **vals):
        carrier.write({"invoice_policy": "real", "margin": MARGIN, **vals})
        return carrier

    def _ready_with_line(self, carrier, estimate=20000):
        """A ready delivery of an order whose delivery line Odoo made for an
        invoice-policy "real" carrier (price 0, the estimate in its label)."""
        order = self._order(carrier=carrier)
        order.set_delivery_line(carrier, estimate)
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.carrier_id, carrier)
        return picking.with_user(self.user)

    def _delivery_lines(self, picking):
        return picking.sudo().sale_id.order_line.filtered("is_delivery")

    def _validate(self, pickings):
        for picking in pickings:
            picking.move_ids.quantity = picking.move_ids.product_uom_qty
            picking.move_ids.picked = True
        self.assertEqual(pickings.env.user, self.user)
        pickings.button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"done"})

    def _sent_messages(self, picking):
        return picking.sudo().message_ids.filtered(lambda m: SENT in (m.body or ""))


@tagged("post_install", "-at_install")
class TestWaybillCost(WaybillCostMixin, CarrierShipCase):
    def _posts(self):
        return [
            r
            for r in self.gateway.requests
            if ORDERS.search(r.path) and r.method == "POST"
        ]

    def test_early_waybill_then_validate_prices_it_once(self):
        carrier = self._real(self.jne_reg)
        picking = self._ready_with_line(carrier)
        picking.action_carrier_api_create_waybill()
        price = self._shipments()[0]["price"]
        self.assertTrue(price)
        self.assertEqual(picking.carrier_api_price, price)
        # nothing on the order before validation (the waybill may still be cancelled)
        line = self._delivery_lines(picking)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.price_unit, 0)
        self.assertFalse(self._sent_messages(picking))

        self._validate(picking)
        self.assertEqual(len(self._posts()), 1, "validation booked again")
        self.assertAlmostEqual(picking.carrier_price, price * (1 + MARGIN))
        self.assertEqual(self._delivery_lines(picking), line, "a second line")
        self.assertAlmostEqual(line.price_unit, price * (1 + MARGIN))
        self.assertNotIn("Estimated Cost", line.name)
        sent = self._sent_messages(picking)
        self.assertEqual(len(sent), 1)
        self.assertIn(picking.carrier_tracking_ref, sent.body)

    def test_order_without_delivery_line_gets_one(self):
        carrier = self._real(self.jne_reg)
        picking = self._ready_picking(carrier=carrier)
        self.assertFalse(self._delivery_lines(picking))
        picking.action_carrier_api_create_waybill()
        self._validate(picking)
        line = self._delivery_lines(picking)
        self.assertEqual(len(line), 1)
        self.assertAlmostEqual(
            line.price_unit, self._shipments()[0]["price"] * (1 + MARGIN)
        )
        self.assertAlmostEqual(line.price_unit, picking.carrier_price)

    def test_free_over_makes_it_free(self):
        # the order's 150,000 is over the 100,000
        carrier = self._real(self.jne_reg, free_over=True, amount=100000)
        picking = self._ready_with_line(carrier)
        picking.action_carrier_api_create_waybill()
        self.assertTrue(picking.carrier_api_price)
        self._validate(picking)
        self.assertEqual(picking.carrier_price, 0)
        self.assertEqual(self._delivery_lines(picking).price_unit, 0)
        self.assertEqual(len(self._sent_messages(picking)), 1)

    def test_pick_and_ship_the_pick_gets_the_reference(self):
        self.warehouse.delivery_steps = "pick_ship"
        carrier = self._real(self.jne_reg)
        order = self._order(carrier=carrier)
        order.set_delivery_line(carrier, 20000)
        order.action_confirm()
        # Odoo 18: the pick first, the ship made from it when it is done (push)
        pick = order.picking_ids
        self.assertEqual(pick.picking_type_code, "internal")
        self._validate(pick.with_user(self.user))
        self.assertFalse(self._posts(), "the pick step was booked")
        ship = order.picking_ids - pick
        self.assertEqual(ship.picking_type_code, "outgoing")
        self.assertEqual(ship.move_ids.move_orig_ids.picking_id, pick)
        ship.carrier_id = carrier
        ship.action_assign()
        self.assertEqual(ship.state, "assigned")
        ship = ship.with_user(self.user)
        ship.action_carrier_api_create_waybill()
        waybill = ship.carrier_tracking_ref
        self.assertTrue(waybill)
        self.assertFalse(pick.carrier_tracking_ref, "before validation, as Odoo")
        self._validate(ship)
        self.assertEqual(pick.carrier_tracking_ref, waybill)
        self.assertEqual(ship.carrier_tracking_ref, waybill, "the ref was repeated")
        self.assertEqual(len(self._posts()), 1)
        self.assertEqual(len(self._sent_messages(ship)), 1)
        self.assertAlmostEqual(
            self._delivery_lines(ship).price_unit, ship.carrier_price
        )
        self.assertTrue(ship.carrier_price)

    def test_cancelled_early_waybill_leaves_no_cost(self):
        carrier = self._real(self.jne_reg)
        picking = self._ready_with_line(carrier)
        picking.action_carrier_api_create_waybill()
        self.assertTrue(picking.carrier_api_price)
        picking.cancel_shipment()
        self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertEqual(self._delivery_lines(picking).price_unit, 0)
        self.assertFalse(picking.carrier_api_price)
        # validated without a new waybill, where validation books none
        picking.picking_type_id.sudo().print_label = False
        self._validate(picking)
        self.assertEqual(len(self._posts()), 1)
        self.assertEqual(picking.carrier_price, 0)
        self.assertEqual(self._delivery_lines(picking).price_unit, 0)
        self.assertFalse(self._sent_messages(picking))

    def test_validation_of_many_one_price_each(self):
        """Two booked at validation (the batch, then Odoo's send_to_shipper each) and
        one booked before: one order, one price, one message each."""
        carrier = self._real(self.jne_reg)
        early = self._ready_with_line(carrier)
        early.action_carrier_api_create_waybill()
        later = self._ready_with_line(carrier) | self._ready_with_line(carrier)
        pickings = early | later
        self._validate(pickings)
        self.assertEqual(len(self._posts()), 3)
        by_ref = {s["reference"]: s for s in self._shipments()}
        for picking in pickings:
            shipment = by_ref[picking.carrier_api_reference]
            self.assertEqual(picking.carrier_tracking_ref, shipment["waybill"])
            self.assertAlmostEqual(
                picking.carrier_price, shipment["price"] * (1 + MARGIN)
            )
            line = self._delivery_lines(picking)
            self.assertEqual(len(line), 1)
            self.assertAlmostEqual(line.price_unit, picking.carrier_price)
            self.assertEqual(len(self._sent_messages(picking)), 1)

    def test_list_of_early_waybills_then_validation_of_many(self):
        carrier = self._real(self.jne_reg)
        pickings = self._ready_with_line(carrier) | self._ready_with_line(carrier)
        self.assertTrue(pickings.action_carrier_api_create_waybill())
        self._validate(pickings)
        self.assertEqual(len(self._posts()), 2)
        for picking in pickings:
            self.assertAlmostEqual(
                picking.carrier_price, picking.carrier_api_price * (1 + MARGIN)
            )
            self.assertAlmostEqual(
                self._delivery_lines(picking).price_unit, picking.carrier_price
            )
            self.assertEqual(len(self._sent_messages(picking)), 1)

    def test_manual_reference_is_left_to_odoo(self):
        """A waybill typed in by hand (none booked through Odoo): Odoo skips it at
        validation, and so do we (no booking, no price)."""
        carrier = self._real(self.jne_reg)
        picking = self._ready_with_line(carrier)
        picking.carrier_tracking_ref = "MANUAL123"
        self._validate(picking)
        self.assertFalse(self._posts())
        self.assertEqual(picking.carrier_price, 0)
        self.assertFalse(self._sent_messages(picking))


@tagged("post_install", "-at_install")
class TestWaybillCostUnpriced(WaybillCostMixin, MultiCarrierMixin, CarrierShipCase):
    """JNE answers a booking with its waybill only: the price is its tariff for the
    parcel, asked right after the booking."""

    TARIFF = re.compile(r"/tracing/api/pricedev$")

    def _tariff_calls(self):
        return [r for r in self.carrier_server.requests if self.TARIFF.search(r.path)]

    def test_jne_priced_at_its_tariff(self):
        carrier = self._real(self.jne_direct_reg)
        picking = self._ready_with_line(carrier)
        picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent", picking.carrier_api_message)
        self.assertEqual(len(self._tariff_calls()), 1)
        # the rate of the same 1.5 kg between the same areas
        quoted = carrier._carrier_api_rate_shipment(picking.sudo().sale_id)
        self.assertTrue(quoted["success"], quoted["error_message"])
        self.assertTrue(quoted["price"])
        self.assertEqual(picking.carrier_api_price, quoted["price"])
        ledger = self.env["carrier.api.waybill"].search(
            [("picking_id", "=", picking.id)]
        )
        self.assertEqual(ledger.price, quoted["price"])
        self._validate(picking)
        self.assertAlmostEqual(picking.carrier_price, quoted["price"] * (1 + MARGIN))
        self.assertAlmostEqual(
            self._delivery_lines(picking).price_unit, picking.carrier_price
        )
        self.assertEqual(len(self._sent_messages(picking)), 1)

    def test_other_direct_carriers_priced_at_their_tariff(self):
        # J&T quotes from the sender's city name, which its test server knows
        # as "Jakarta" (gateway_servers/jnt.py SITES)
        self.company.partner_id.city = "Jakarta"
        for carrier in (self.jnt_ez, self.sicepat_reg, self.anteraja_reg):
            with self.subTest(carrier=carrier.name):
                picking = self._ready_with_line(self._real(carrier))
                picking.action_carrier_api_create_waybill()
                self.assertEqual(
                    picking.carrier_api_state, "sent", picking.carrier_api_message
                )
                quoted = carrier._carrier_api_rate_shipment(picking.sudo().sale_id)
                self.assertTrue(quoted["success"], quoted["error_message"])
                self.assertTrue(picking.carrier_api_price)
                self.assertEqual(picking.carrier_api_price, quoted["price"])

    def test_jne_tariff_refused_the_waybill_stays(self):
        carrier = self._real(self.jne_direct_reg)
        picking = self._ready_with_line(carrier)
        self.carrier_server.faults.add(
            self.TARIFF, Fault(status=400, body={"error": "Tarif tidak ditemukan"})
        )
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent", picking.carrier_api_message)
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertFalse(picking.carrier_api_price)
        # unknown price: Odoo's "nothing to add" (no cost of 0 on the order)
        self._validate(picking)
        self.assertEqual(picking.carrier_price, 0)
        self.assertEqual(self._delivery_lines(picking).price_unit, 0)
        self.assertEqual(len(self._sent_messages(picking)), 1)
