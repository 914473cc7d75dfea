# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Waybills of many deliveries at once: the carrier calls overlap (a server that only
answers when two bookings are in flight together), each delivery gets exactly one
waybill, faults on some are retried without a second order.

The look-up by our reference that Biteship lacks is added by a test client over a
test-only route of the test server (real HTTP both ways), so that the "look up before
sending again" branch of the ledger runs against a server that can answer it.
"""

import re
import threading
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault, Response
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

from ..api import CLIENTS
from ..api.base import CAP_FIND, UnknownShipmentError
from ..api.biteship import BiteshipClient
from ..models import stock_picking
from .ship_common import CarrierShipCase

ORDERS = re.compile(r"/v1/orders$")


class OverlapBiteshipApi(BiteshipApi):
    """Biteship whose first two bookings each wait (at most 10 s) for the other:
    ``overlapped`` says whether two were ever in flight at once. A booking made one
    after the other breaks the barrier instead (and is still answered)."""

    def reset(self):
        result = super().reset()
        self.barrier = threading.Barrier(2, timeout=10)
        self.overlapped = None
        self.waiting = 0
        self._overlap_lock = threading.Lock()
        return result

    def register_carrier_routes(self):
        result = super().register_carrier_routes()
        self.route("GET", "/_test/by_reference/{reference}", self.by_reference)
        return result

    def create_order(self, request):
        with self._overlap_lock:
            self.waiting += 1
            mine = self.waiting <= 2
        if mine:
            try:
                self.barrier.wait()
                self.overlapped = self.overlapped is not False
            except threading.BrokenBarrierError:
                self.overlapped = False
        return super().create_order(request)

    def by_reference(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self.find(request.params["reference"])
        if not shipment:
            return self._error(404, 40402001, "Order not found")
        return Response(200, self._order_body(shipment))


class FindingBiteshipClient(BiteshipClient):
    capabilities = BiteshipClient.capabilities | {CAP_FIND}

    def find_shipment(self, reference):
        try:
            data = self._call("GET", f"/_test/by_reference/{reference}", safe=True)
        except UnknownShipmentError:
            return None
        return self._result(data, reference)


@tagged("post_install", "-at_install")
class TestWaybillBatch(CarrierShipCase):
    server_class = OverlapBiteshipApi

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "carrier_api.waybill_workers", "3"
        )
        patcher = patch.dict(CLIENTS, {"biteship": FindingBiteshipClient})
        patcher.start()
        self.addCleanup(patcher.stop)
        # chunks of two: the batch's pipeline (the next chunk prepared while the
        # calls of the last are out) runs with a handful of deliveries
        chunk = patch.object(stock_picking, "WAYBILL_CHUNK", 2)
        chunk.start()
        self.addCleanup(chunk.stop)

    def _posts(self):
        return [
            r
            for r in self.gateway.requests
            if ORDERS.search(r.path) and r.method == "POST"
        ]

    def _ready_pickings(self, count):
        pickings = self.env["stock.picking"].with_user(self.user)
        for _i in range(count):
            pickings |= self._ready_picking()
        return pickings

    def _ledger(self, pickings):
        self.env.invalidate_all()  # written by SQL in the side transactions
        return (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("picking_id", "in", pickings.ids)])
        )

    def _assert_one_waybill_each(self, pickings):
        shipments = {s["reference"]: s["waybill"] for s in self._shipments()}
        self.assertEqual(len(shipments), len(self._shipments()))  # no reference twice
        self.assertEqual(len(shipments), len(pickings))
        for picking in pickings:
            self.assertEqual(picking.carrier_api_state, "sent", picking.name)
            self.assertEqual(
                picking.carrier_tracking_ref,
                shipments[picking.carrier_api_reference],
            )
        self.assertEqual(
            len(set(pickings.mapped("carrier_tracking_ref"))), len(pickings)
        )
        ledger = self._ledger(pickings)
        self.assertEqual(len(ledger), len(pickings))
        self.assertEqual(set(ledger.mapped("state")), {"sent"})

    def test_slow_carrier_with_faults_makes_one_waybill_per_delivery(self):
        pickings = self._ready_pickings(6)
        self.connection.http_timeout = 1
        # One booking is stored but answered after the client gave up; one is
        # answered 500 before the carrier stored anything. Either way the outcome
        # is unknown to us.
        self.biteship_api.late_faults.add(ORDERS, Fault(delay=2))
        self.gateway.faults.add(ORDERS, Fault(status=500))
        action = pickings.action_carrier_api_create_waybill()
        self.assertTrue(self.biteship_api.overlapped, "the bookings never overlapped")
        self.assertEqual(len(self._posts()), 6)
        self.assertEqual(action["tag"], "display_notification")
        failed = pickings.filtered(lambda p: p.carrier_api_state != "sent")
        self.assertEqual(len(failed), 2)
        for picking in failed:
            self.assertIn("may have booked it", picking.carrier_api_message)
            self.assertIn(picking.name, action["params"]["message"])
        self.assertEqual(len(self._shipments()), 5)  # the 500 one was not stored
        uncertain = self._ledger(failed)
        self.assertEqual(set(uncertain.mapped("uncertain")), {True})
        # The list again on all six: the booked ones are skipped, the two are looked
        # up first; the stored one is found, the other booked now.
        self.assertTrue(pickings.action_carrier_api_create_waybill())
        self.assertEqual(len(self._posts()), 7)
        self._assert_one_waybill_each(pickings)

    def test_validation_of_many_books_them_together_then_odoo_sends_each(self):
        pickings = self._ready_pickings(6)
        for picking in pickings.sudo():
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
        pickings.button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertTrue(self.biteship_api.overlapped, "the bookings never overlapped")
        self.assertEqual(len(self._posts()), 6)
        self._assert_one_waybill_each(pickings)
        for picking in pickings:
            # Odoo's send_to_shipper followed: its price and its message
            self.assertTrue(picking.carrier_price)
            self.assertIn(
                "Shipment sent to carrier",
                " ".join(picking.message_ids.mapped("body")),
            )

    def test_validation_sends_the_first_ones_while_the_next_calls_are_out(self):
        """Odoo's send_to_shipper of the first delivery does not wait for the calls
        of the last ones (their latency hides behind its price and message)."""
        pickings = self._ready_pickings(8)
        for picking in pickings.sudo():
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
        posts_when_sent = []
        send_to_shipper = type(self.env["stock.picking"]).send_to_shipper

        def counting_send(picking):
            result = send_to_shipper(picking)
            posts_when_sent.append(len(self._posts()))
            return result

        with patch.object(
            type(self.env["stock.picking"]), "send_to_shipper", counting_send
        ):
            pickings.button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(len(posts_when_sent), 8)
        # 3 workers, at most 6 claimed ahead: the first delivery is written while
        # the last ones are not even sent (booked all first, it would see 8)
        self.assertLess(posts_when_sent[0], 8, posts_when_sent)
        self._assert_one_waybill_each(pickings)

    def test_a_flushing_savepoint_in_odoos_loop_keeps_the_batch(self):
        """A savepoint (any addon's, in send_to_shipper or message_post) runs the
        cursor's precommit hooks and empties their data: the batch and what it
        answered must survive it, so that no delivery is validated without its
        booked waybill and none is told "being created right now"."""
        pickings = self._ready_pickings(6)
        for picking in pickings.sudo():
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
        send_to_shipper = type(self.env["stock.picking"]).send_to_shipper

        def send_then_savepoint(picking):
            result = send_to_shipper(picking)
            with picking.env.cr.savepoint():  # flush=True: runs the precommit hooks
                pass
            return result

        with patch.object(
            type(self.env["stock.picking"]), "send_to_shipper", send_then_savepoint
        ):
            pickings.button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(len(self._posts()), 6)
        self._assert_one_waybill_each(pickings)
        self.assertFalse(pickings.activity_ids)
        for picking in pickings:
            # in Odoo's own "Shipment sent" message, not in a message of its own
            with_ref = picking.message_ids.filtered(
                lambda m, p=picking: p.carrier_api_reference in (m.body or "")
            )
            self.assertEqual(len(with_ref), 1, picking.name)
            self.assertIn("Shipment sent to carrier", with_ref.body)
            self.assertIn("order id", with_ref.body)

    def test_validation_stops_at_a_refusal_and_books_nothing_after_it(self):
        """A refusal is raised by its send_to_shipper: the validation is rolled back;
        the calls already out are settled (a next attempt restores them), the
        deliveries never claimed are not sent."""
        self.env["ir.config_parameter"].sudo().set_param(
            "carrier_api.waybill_workers", "1"
        )
        pickings = self._ready_pickings(8)
        for picking in pickings.sudo():
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
        self.biteship_api.barrier.abort()  # one call at a time: no pair to wait for
        self.gateway.faults.add(
            ORDERS,
            Fault(
                status=400,
                body={
                    "success": False,
                    "error": "Alamat tidak valid",
                    "code": 40002001,
                },
            ),
        )
        with self.assertRaisesRegex(UserError, "refused"):
            with self.env.cr.savepoint():
                pickings.button_validate()
        # the first refused; one worker, at most one more claimed ahead of it
        self.assertLessEqual(len(self._posts()), 3)
        ledger = self._ledger(pickings)
        self.assertLessEqual(len(ledger), 3)
        self.assertEqual(
            ledger.filtered(lambda w: w.state == "sending"), ledger.browse()
        )

    def test_a_busy_package_leaves_no_claim_on_the_other(self):
        picking = self._ready_picking(quantity=2)
        line = picking.sudo().move_line_ids
        line.quantity = 1
        other = line.copy({"quantity": 1})
        boxes = self.env["stock.quant.package"].create([{}, {}])
        line.result_package_id, other.result_package_id = boxes
        base = f"{picking._carrier_api_reference_prefix()}-{picking.id}"
        self.env["carrier.api.waybill"].create(
            {
                "picking_id": picking.id,
                "reference": f"{base}-2",
                "part": 2,
                "state": "sending",
                "sending_at": "2100-01-01 00:00:00",  # an attempt running now
            }
        )
        second = self._ready_picking()
        action = (picking | second).action_carrier_api_create_waybill()
        self.assertIn("is being created right now", action["params"]["message"])
        self.assertEqual(second.carrier_api_state, "sent")
        # nothing sent for the busy delivery, and its first package not left claimed
        self.assertEqual(len(self._posts()), 1)
        self.assertFalse(
            self._ledger(picking).filtered(lambda r: r.reference == f"{base}-1")
        )
