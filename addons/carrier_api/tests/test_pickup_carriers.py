# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier pickup of a batch of deliveries, per carrier, as a warehouse user, against
the local carrier servers over HTTP: JNE's pickup call, the carriers that book the
courier with the order, the one without a pickup API, and every refusal."""

import re
from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import BaseCase, tagged

from odoo.addons.base_integration.api.http import CircuitBreaker, IntegrationSession
from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi

from ..api import base, jne
from .carriers_common import MultiCarrierMixin
from .ship_common import CarrierShipCase

PICKUP = re.compile(r"/jne/pickupcashless$")
WIB = timezone(timedelta(hours=7))


def wib_to_utc(day_offset, hour):
    """Naive UTC of ``hour``:00 WIB, ``day_offset`` days from today (WIB)."""
    local = datetime.now(WIB) + timedelta(days=day_offset)
    local = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestPickupCarriers(MultiCarrierMixin, CarrierShipCase):
    def setUp(self):
        super().setUp()
        # Tomorrow 10:00-14:00 WIB: inside the JNE server's courier hours.
        self.start, self.end = wib_to_utc(1, 10), wib_to_utc(1, 14)

    def _request(self, pickings, start=None, end=None):
        action = pickings.action_carrier_api_request_pickup()
        wizard = (
            self.env["carrier.api.pickup.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({"start": start or self.start, "end": end or self.end})
        )
        return wizard.action_request()

    def _pickup_calls(self):
        return [r for r in self.carrier_server.requests if PICKUP.search(r.path)]

    def test_the_warehouse_user_is_a_stock_user(self):
        self.assertTrue(self.user.has_group("stock.group_stock_user"))
        self.assertFalse(self.user.has_group("stock.group_stock_manager"))
        self.assertFalse(self.user.has_group("carrier_api.group_carrier_manager"))

    def test_jne_pickup_is_requested_with_the_window(self):
        first = self._shipped(self.jne_direct_reg)
        second = self._shipped(self.jne_direct_reg)
        action = self._request(first | second)
        self.assertEqual(action["params"]["type"], "success", action["params"])
        self.assertIn(first.name, action["params"]["message"])
        calls = self._pickup_calls()
        self.assertEqual(len(calls), 2)  # one per waybill (§1.3)
        form = calls[0].form()
        self.assertEqual(form["AWB"], first.carrier_tracking_ref)
        self.assertEqual(form["ORDER_ID"], first.carrier_api_reference)
        local = self.start.replace(tzinfo=timezone.utc).astimezone(WIB)
        self.assertEqual(form["PICKUP_DATE"], local.strftime("%d-%m-%Y"))
        self.assertEqual(form["PICKUP_TIME"], "10:00")
        self.assertEqual(form["COD_FLAG"], "NO")  # pickupcashless spelling
        for picking in first | second:
            booked = self.jne_api.pickups[picking.carrier_tracking_ref]
            self.assertEqual(picking.carrier_api_pickup_state, "requested")
            self.assertEqual(picking.carrier_api_pickup_ref, booked["pickup_no"])
            self.assertEqual(picking.carrier_api_pickup_start, self.start)
            self.assertEqual(picking.carrier_api_pickup_end, self.end)
        self.assertNotEqual(first.carrier_api_pickup_ref, second.carrier_api_pickup_ref)
        # asked again: refused before any call
        with self.assertRaisesRegex(UserError, "no pickup yet"):
            self._request(first)
        self.assertEqual(len(self._pickup_calls()), 2)

    def test_a_refusal_after_an_acceptance_keeps_the_acceptance(self):
        """Review finding: the second carrier's failure rolled back the first
        carrier's recorded pickup although the carrier had booked it."""
        accepted = self._shipped(self.jne_direct_reg)
        refused = self._shipped(self.jne_direct_yes)
        # the first pickup call passes, the second one gets a 500
        self.carrier_server.faults.add(PICKUP, Fault())
        self.carrier_server.faults.add(PICKUP, Fault(status=500))
        action = self._request(accepted | refused)
        params = action["params"]
        self.assertEqual(params["type"], "warning")
        self.assertTrue(params["sticky"])
        self.assertIn(f"Refused ({refused.name})", params["message"])
        self.assertIn("JNE YES", params["message"])
        self.assertEqual(accepted.carrier_api_pickup_state, "requested")
        self.assertTrue(accepted.carrier_api_pickup_ref)
        self.assertEqual(list(self.jne_api.pickups), [accepted.carrier_tracking_ref])
        # a 500 after the request was sent is unclear (JNE may have booked it):
        # blocked until a person checked; nothing else recorded
        self.assertEqual(refused.carrier_api_pickup_state, "uncertain")
        self.assertFalse(refused.carrier_api_pickup_ref)
        self.assertFalse(refused.carrier_api_pickup_start)
        with self.assertRaisesRegex(UserError, "unclear"):
            self._request(refused)
        refused.action_carrier_api_pickup_checked()
        action = self._request(refused)
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(refused.carrier_api_pickup_state, "requested")

    def test_mixed_batch_each_carrier_its_way(self):
        jne = self._shipped(self.jne_direct_reg)
        sicepat = self._shipped(self.sicepat_reg)
        biteship = self._shipped(self.jne_reg)  # Biteship's JNE REG
        anteraja = self._shipped(self.anteraja_reg)
        jnt = self._shipped(self.jnt_ez)
        self.carrier_server.faults.add(PICKUP, Fault(status=500))
        calls = len(self.carrier_server.requests) + len(self.gateway.requests)
        action = self._request(jne | sicepat | biteship | anteraja | jnt)
        message = action["params"]["message"]
        # JNE's 500: shown, unclear (a person checks before asking again)
        self.assertIn(f"Refused ({jne.name})", message)
        self.assertEqual(jne.carrier_api_pickup_state, "uncertain")
        self.assertFalse(jne.carrier_api_pickup_ref)
        # booked with the order: recorded, no call, no window (none was sent)
        sicepat_order = self.sicepat_api.shipments[sicepat.carrier_tracking_ref]
        biteship_order = self._shipments()[0]
        for picking, ref in (
            (sicepat, sicepat_order["request_number"]),
            (biteship, biteship_order["order_id"]),
        ):
            self.assertEqual(picking.carrier_api_pickup_state, "with_order")
            self.assertEqual(picking.carrier_api_pickup_ref, ref)
            self.assertFalse(picking.carrier_api_pickup_start)
        self.assertEqual(jnt.carrier_api_pickup_state, "with_order")
        self.assertIn("Courier booked with the order", message)
        # Anteraja: no pickup call in its API (§4.2): listed, unchanged
        self.assertIn("Anteraja REG takes no pickup request", message)
        self.assertIn(anteraja.name, message)
        self.assertEqual(anteraja.carrier_api_pickup_state, "none")
        # only JNE was called (once: a POST without idempotency is not repeated)
        made = len(self.carrier_server.requests) + len(self.gateway.requests) - calls
        self.assertEqual(made, 1)
        self.assertEqual(len(self._pickup_calls()), 1)

    def test_window_outside_the_courier_hours_is_refused(self):
        picking = self._shipped(self.jne_direct_reg)
        action = self._request(picking, wib_to_utc(1, 22), wib_to_utc(1, 23))
        self.assertIn("outside the courier hours", action["params"]["message"])
        self.assertEqual(picking.carrier_api_pickup_state, "failed")
        self.assertEqual(self.jne_api.pickups, {})

    def test_window_in_the_past_or_backwards_is_refused_before_any_call(self):
        picking = self._shipped(self.jne_direct_reg)
        past = fields.Datetime.now() - timedelta(hours=2)
        with self.assertRaisesRegex(UserError, "starts in the past"):
            self._request(picking, past, past + timedelta(hours=1))
        with self.assertRaises(ValidationError):
            self._request(picking, self.end, self.start)
        self.assertEqual(self._pickup_calls(), [])

    def test_cancelled_or_collected_waybill_is_refused(self):
        cancelled = self._shipped(self.jne_direct_reg)
        collected = self._shipped(self.jne_direct_reg)
        self._advance(self.jne_api, cancelled.carrier_tracking_ref, cc.CANCELLED)
        self._advance(self.jne_api, collected.carrier_tracking_ref)  # picked up
        message = self._request(cancelled | collected)["params"]["message"]
        self.assertIn("AWB is cancelled", message)
        self.assertIn("AWB is already picked_up", message)
        self.assertEqual(
            set((cancelled | collected).mapped("carrier_api_pickup_state")),
            {"failed"},
        )

    def test_wrong_key_is_refused_and_masked(self):
        picking = self._shipped(self.jne_direct_reg)
        self.jne_connection.api_key = "wrong-jne-key-000"
        message = self._request(picking)["params"]["message"]
        self.assertIn("Invalid Username Or API KEY", message)
        self.assertNotIn("wrong-jne-key-000", message)
        self.assertEqual(picking.carrier_api_pickup_state, "failed")

    def test_field_names_and_path_come_from_the_endpoint_overrides(self):
        """JNE's pickup contract is [secondary]: path and field names are set on
        the connection; the server here refuses the renamed form, which proves the
        names were sent as configured."""
        picking = self._shipped(self.jne_direct_reg)
        self.jne_connection.carrier_api_endpoints = (
            "pickup = /pickupcashless\n"
            "pickup_field.AWB = CNOTE_NO\n"
            "pickup_value.PICKUP_VEHICLE = MOBIL"
        )
        message = self._request(picking)["params"]["message"]
        self.assertIn("Some mandatory fields are empty: AWB", message)
        form = self._pickup_calls()[-1].form()
        self.assertEqual(form["CNOTE_NO"], picking.carrier_tracking_ref)
        self.assertNotIn("AWB", form)
        self.assertEqual(form["PICKUP_VEHICLE"], "MOBIL")
        self.assertEqual(picking.carrier_api_pickup_state, "failed")

    def test_deliveries_of_another_state_are_refused_before_any_call(self):
        shipped = self._shipped(self.jne_direct_reg)
        unshipped = self._ready_picking(carrier=self.jne_direct_reg)
        with self.assertRaisesRegex(UserError, unshipped.name):
            self._request(shipped | unshipped)
        self.assertEqual(self._pickup_calls(), [])
        self.assertEqual(shipped.carrier_api_pickup_state, "none")


@tagged("post_install", "-at_install")
class TestJnePickupClient(BaseCase):
    """JNE's pickup answer is not documented (§1.3): every shape is read without a
    crash, and what is not an acceptance is a refusal, never an exception after an
    earlier waybill was accepted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jne = JneApi()
        cls.server = GatewayServer(cls.jne).start()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        super().setUp()
        CircuitBreaker.forget()
        self.server.reset()
        self.session = IntegrationSession(
            timeout=(2, 2), max_attempts=2, sleep=lambda s: None
        )
        self.client = jne.JneClient(
            self.session,
            self.server.url + "/jne",
            username=JneApi.username,
            api_key=JneApi.api_key,
            branch="CGK000",
            customer="TESTAKUN",
        )
        self.sender = base.Address(
            name="Toko Maju",
            phone="62215551234",
            street="Jl. Kebayoran Lama No. 1",
            city="Jakarta Selatan",
            district="Kebayoran Lama",
            postal_code="12240",
            area_code="CGK10101",
        )
        recipient = base.Address(
            name="Budi",
            phone="6281298765432",
            street="Jl. Dago 10",
            city="Bandung",
            postal_code="40132",
            area_code="BDO10000",
        )
        self.shipments = {}
        for index in range(2):
            request = base.ShipmentRequest(
                reference=f"PU-TEST-{index}",
                service_code="REG",
                sender=self.sender,
                recipient=recipient,
                parcels=[base.Parcel(weight_kg=1.0, description="Baju")],
            )
            result = self.client.create_shipment(request)
            self.shipments[result.waybill] = request
        self.waybills = list(self.shipments)
        self.start = wib_to_utc(1, 10)

    def _pickup(self):
        return self.client.request_pickup(
            self.waybills, self.sender, self.start, self.start, self.shipments
        )

    def test_both_accepted_with_their_numbers(self):
        result = self._pickup()
        self.assertEqual(result.waybills, self.waybills)
        self.assertEqual(result.refused, {})
        self.assertEqual(
            [result.numbers[w] for w in self.waybills],
            [self.jne.pickups[w]["pickup_no"] for w in self.waybills],
        )

    def test_answer_shapes(self):
        cases = [
            # an acceptance without a number: accepted, no number
            ({"status": "true"}, True),
            ({"detail": [{"status": "sukses"}]}, True),
            # the documented error envelope and a refusal in the detail
            ({"error": "Some mandatory fields are empty", "status": "false"}, False),
            ({"detail": [{"status": "Error", "reason": "Area not covered"}]}, False),
            # neither: not taken for an acceptance (it may be booked: say so)
            ({"status": "pending"}, False),
            (["not", "an", "object"], False),
        ]
        for body, accepted in cases:
            with self.subTest(body=body):
                self.server.faults.add(PICKUP, Fault(status=200, body=body))
                result = self._pickup()
                first, second = self.waybills
                self.assertEqual(first in result.waybills, accepted, result)
                if not accepted:
                    self.assertIn(first, result.refused)
                    self.assertTrue(result.refused[first])
                # the second waybill was still asked, and the server booked it
                self.assertIn(second, result.waybills)
                self.jne.pickups.clear()

    def test_malformed_or_dropped_answer_is_a_refusal(self):
        for fault in (Fault(malformed=True), Fault(drop=True), Fault(status=503)):
            with self.subTest(fault=fault):
                self.server.faults.add(PICKUP, fault)
                result = self._pickup()
                first, second = self.waybills
                self.assertNotIn(first, result.waybills)
                self.assertIn(first, result.refused)
                self.assertIn(second, result.waybills)
                self.jne.pickups.clear()

    def test_wrong_key_refuses_every_waybill_after_one_call(self):
        self.client.api_key = "wrong"
        result = self._pickup()
        self.assertEqual(result.waybills, [])
        self.assertEqual(set(result.refused), set(self.waybills))
        self.assertEqual(len(self.server.requests_to("/pickupcashless")), 1)

    def test_a_missing_order_is_refused_without_a_call(self):
        result = self.client.request_pickup(
            self.waybills, self.sender, self.start, self.start, {}
        )
        self.assertEqual(result.waybills, [])
        self.assertEqual(self.server.requests_to("/pickupcashless"), [])
