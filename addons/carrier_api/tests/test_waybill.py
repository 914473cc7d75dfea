# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Waybills: created once, problems listed before any call, faults, cancel, COD,
several packages."""

import json
import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestWaybill(CarrierShipCase):
    def _orders_posted(self):
        return [r for r in self.gateway.requests if ORDERS.search(r.path)]

    def test_create_waybill_on_ready_delivery(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        shipments = self._shipments()
        self.assertEqual(len(shipments), 1)
        self.assertEqual(picking.carrier_tracking_ref, shipments[0]["waybill"])
        self.assertEqual(picking.carrier_api_state, "sent")
        # the stable external order id is what the carrier holds
        self.assertEqual(shipments[0]["reference"], picking.carrier_api_reference)
        self.assertTrue(picking.carrier_api_reference.endswith(f"-{picking.id}"))
        sent = json.loads(self._orders_posted()[-1].body)
        self.assertEqual(sent["destination_contact_phone"], "6281234567890")
        self.assertEqual(sent["courier_company"], "jne")
        self.assertEqual(sent["courier_type"], "reg")
        # 1 x 1.5 kg in grams, declared value 1 x 150,000
        self.assertEqual(sent["items"][0]["weight"], 1500)
        self.assertEqual(sent["items"][0]["value"], 150000)
        self.assertNotIn("destination_cash_on_delivery", sent)

    def test_warehouse_salesman_ships_a_colleague_s_order(self):
        """The warehouse user is also a salesman who sees only their own orders (the
        demo's `warehouse` user): the order of another salesperson still ships, with
        its declared value and COD read from the order they may not open."""
        picking = self._ready_picking()
        picking.sale_id.sudo().user_id = self.env.ref("base.user_admin")
        picking.sale_id.invalidate_recordset()
        self.assertFalse(
            self.env["sale.order"]
            .with_user(self.user)
            .search([("id", "=", picking.sale_id.sudo().id)]),
            "the order is not theirs to read",
        )
        picking.carrier_api_cod = True
        picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent")
        sent = json.loads(self._orders_posted()[-1].body)
        self.assertEqual(sent["items"][0]["value"], 150000)
        self.assertEqual(sent["destination_cash_on_delivery"], 150000)
        # and the label, which prints the same parcels
        self.assertTrue(picking._carrier_api_label_lines())

    def test_double_click_makes_one_waybill(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        first = picking.carrier_tracking_ref
        picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._orders_posted()), 1)
        self.assertEqual(picking.carrier_tracking_ref, first)

    def test_picking_lost_the_waybill_the_ledger_restores_it(self):
        """What a rollback after the carrier answered leaves: the committed ledger
        row "sent", a picking without the waybill (the real rollback is in
        test_waybill_concurrency)."""
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        first = picking.carrier_tracking_ref
        picking.sudo().write(
            {"carrier_tracking_ref": False, "carrier_api_state": "none"}
        )
        picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._orders_posted()), 1)
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(picking.carrier_tracking_ref, first)

    def test_problems_listed_at_once_before_any_call(self):
        careless = self.customer.copy(
            {"phone": False, "mobile": False, "street": False}
        )
        picking = self._ready_picking(
            quantity=1, partner=careless, carrier=self.jne_yes
        )
        calls = len(self.gateway.requests)
        with self.assertRaises(UserError) as caught:
            picking.action_carrier_api_create_waybill()
        message = str(caught.exception)
        self.assertIn("has no phone number", message)
        self.assertIn("has no street address", message)
        # 1.5 kg over the 1 kg of the YES service
        self.assertIn("1.50 kg exceeds the 1.00 kg limit", message)
        self.assertEqual(len(self.gateway.requests), calls)
        self.assertEqual(picking.carrier_api_state, "none")

    def _error_of(self, method):
        """The UserError text, without assertRaises' savepoint: the ledger rows
        committed aside must survive, as they do outside tests."""
        try:
            method()
        except UserError as exc:
            return str(exc)
        self.fail("no UserError raised")

    def _ledger(self, picking):
        return self.env["carrier.api.waybill"].search([("picking_id", "=", picking.id)])

    def test_timeout_after_the_order_was_created_never_books_twice(self):
        picking = self._ready_picking()
        self.connection.http_timeout = 1
        # the server stores the order, then answers after the client gave up
        self.biteship_api.late_faults.add(ORDERS, Fault(delay=2))
        message = self._error_of(picking.action_carrier_api_create_waybill)
        self.assertIn("may have booked it", message)
        self.assertEqual(len(self._shipments()), 1)  # the carrier did book it
        row = self._ledger(picking)
        self.assertEqual((row.state, row.uncertain), ("failed", True))
        # Biteship has no look-up by our reference and no documented refusal of a
        # second order: the retry does not post; the user checks the portal.
        message = self._error_of(picking.action_carrier_api_create_waybill)
        self.assertIn("check the carrier's portal", message)
        self.assertEqual(len(self.gateway.requests_to("/v1/orders", "POST")), 1)
        # *Send again* anyway: the same order id, refused as a duplicate by the
        # test server, and nothing is booked twice.
        message = self._error_of(picking.action_carrier_api_send_again)
        self.assertIn("already holds order", message)
        self.assertEqual(len(self._shipments()), 1)
        self.assertFalse(picking.carrier_tracking_ref)

    def test_attempt_in_progress_stops_a_second_one(self):
        picking = self._ready_picking()
        ref = f"{picking._carrier_api_reference_prefix()}-{picking.id}"
        self.env["carrier.api.waybill"].create(
            {
                "picking_id": picking.id,
                "reference": ref,
                "state": "sending",
                "sending_at": fields.Datetime.now(),
            }
        )
        message = self._error_of(picking.action_carrier_api_create_waybill)
        self.assertIn("is being created right now", message)
        self.assertEqual(len(self.gateway.requests), 0)

    def test_attempt_whose_worker_died_is_retried_after_the_lease(self):
        picking = self._ready_picking()
        ref = f"{picking._carrier_api_reference_prefix()}-{picking.id}"
        self.env["carrier.api.waybill"].create(
            {
                "picking_id": picking.id,
                "reference": ref,
                "state": "sending",
                "sending_at": fields.Datetime.now() - timedelta(minutes=10),
            }
        )
        # the worker died: the carrier may hold it and Biteship cannot say, so the
        # next click does not post; the user checks the portal and sends again
        message = self._error_of(picking.action_carrier_api_create_waybill)
        self.assertIn("check the carrier's portal", message)
        self.assertEqual(len(self._shipments()), 0)
        picking.action_carrier_api_send_again()
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(self._shipments()[0]["reference"], ref)

    def test_refusal_is_shown_and_can_be_retried(self):
        picking = self._ready_picking()
        self.gateway.faults.add(
            ORDERS,
            Fault(
                status=400,
                body={"success": False, "error": "Courier is busy", "code": 40002099},
            ),
        )
        with self.assertRaises(UserError) as caught:
            picking.action_carrier_api_create_waybill()
        self.assertIn("Courier is busy", str(caught.exception))
        self.assertEqual(len(self._shipments()), 0)
        picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(picking.carrier_tracking_ref, self._shipments()[0]["waybill"])

    def test_validation_sends_and_skips_when_a_waybill_exists(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        waybill = picking.carrier_tracking_ref
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_tracking_ref, waybill)
        self.assertEqual(len(self._shipments()), 1)
        # a delivery validated without a waybill gets one from the standard send
        other = self._ready_picking()
        other.move_ids.quantity = 1
        other.move_ids.picked = True
        other.button_validate()
        self.assertEqual(len(self._shipments()), 2)
        self.assertEqual(other.carrier_tracking_ref, self._shipments()[1]["waybill"])
        self.assertEqual(other.carrier_api_state, "sent")

    def test_cancel_before_pickup_then_a_new_order_id(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        first_ref = picking.carrier_api_reference
        picking.cancel_shipment()
        self.assertFalse(picking.carrier_tracking_ref)
        self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertEqual(self._shipments()[0].step, cc.CANCELLED)
        picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._shipments()), 2)
        self.assertEqual(picking.carrier_api_reference, f"{first_ref}-R1")

    def test_cancel_after_pickup_is_refused_and_nothing_changes(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        waybill = picking.carrier_tracking_ref
        self.biteship_api.advance(waybill, to=cc.PICKED_UP)
        with self.assertRaises(UserError) as caught:
            picking.cancel_shipment()
        self.assertIn("can not be cancelled", str(caught.exception))
        self.assertEqual(picking.carrier_tracking_ref, waybill)
        self.assertEqual(picking.carrier_api_state, "sent")

    def test_cod_proposed_from_the_order_and_passed(self):
        picking = self._ready_picking(quantity=2)
        self.assertTrue(picking.carrier_api_cod_available)
        picking.carrier_api_cod = True
        # 2 x 150,000, no tax, no delivery line
        self.assertEqual(picking.carrier_api_cod_amount, 300000)
        picking.carrier_api_cod_amount = 310000  # editable
        picking.action_carrier_api_create_waybill()
        sent = json.loads(self._orders_posted()[-1].body)
        self.assertEqual(sent["destination_cash_on_delivery"], 310000)
        self.assertEqual(self._shipments()[0]["cod"], 310000)

    def test_cod_refused_where_the_service_has_none(self):
        picking = self._ready_picking(quantity=1)
        picking.carrier_id = self.jne_yes.copy({"carrier_api_max_weight": 0})
        self.assertFalse(picking.carrier_api_cod_available)
        picking.carrier_api_cod = True
        with self.assertRaises(UserError) as caught:
            picking.action_carrier_api_create_waybill()
        self.assertIn("does not offer cash on delivery", str(caught.exception))
        self.assertEqual(len(self._shipments()), 0)

    def test_insurance_passed(self):
        self.jne_reg.shipping_insurance = 10
        picking = self._ready_picking(quantity=2)
        picking.action_carrier_api_create_waybill()
        sent = json.loads(self._orders_posted()[-1].body)
        # 10 % of the declared 300,000
        self.assertEqual(sent["courier_insurance"], 30000)

    def test_one_waybill_per_package(self):
        picking = self._ready_picking(quantity=2)
        line = picking.sudo().move_line_ids
        line.quantity = 1
        other = line.copy({"quantity": 1})
        first_box, second_box = self.env["stock.quant.package"].create([{}, {}])
        line.result_package_id = first_box
        other.result_package_id = second_box
        self.assertEqual(len(picking.move_line_ids.result_package_id), 2)
        picking.action_carrier_api_create_waybill()
        shipments = self._shipments()
        self.assertEqual(len(shipments), 2)
        # one parcel of 1 x 1.5 kg each
        for request in self._orders_posted():
            self.assertEqual(json.loads(request.body)["items"][0]["weight"], 1500)
        self.assertEqual(
            picking.carrier_tracking_ref.split(","),
            [s["waybill"] for s in shipments],
        )
        base = picking.carrier_api_reference
        self.assertEqual(
            sorted(s["reference"] for s in shipments), [f"{base}-1", f"{base}-2"]
        )

    def test_many_from_the_list_book_the_good_ones_and_list_the_rest(self):
        good = self._ready_picking()
        careless = self.customer.copy({"phone": False, "mobile": False})
        bad = self._ready_picking(partner=careless)
        action = (good | bad).action_carrier_api_create_waybill()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(bad.name, action["params"]["message"])
        self.assertIn("has no phone number", action["params"]["message"])
        self.assertEqual(good.carrier_api_state, "sent")
        self.assertEqual(good.carrier_tracking_ref, self._shipments()[0]["waybill"])
        self.assertEqual(bad.carrier_api_state, "none")
        self.assertEqual(len(self._shipments()), 1)

    def test_list_action_runs_for_many(self):
        first, second = self._ready_picking(), self._ready_picking()
        action = self.env.ref("carrier_api.action_server_carrier_api_create_waybill")
        action.with_user(self.user).with_context(
            active_model="stock.picking", active_ids=(first | second).ids
        ).run()
        self.assertEqual(len(self._shipments()), 2)
        self.assertEqual({first.carrier_api_state, second.carrier_api_state}, {"sent"})
