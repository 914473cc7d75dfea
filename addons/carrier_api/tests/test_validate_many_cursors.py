# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The validation of many deliveries on real transactions (``button_validate`` →
``_send_confirmation_email`` → one batch, ``_PREBOOKINGS`` → each
``send_to_shipper``): a validation rolled back after the carrier answered leaves the
orders in the committed ledger, so the next one books nothing twice; two users
validating overlapping deliveries at once book each delivery once, without a
deadlock: the second stops at the first delivery whose claim the first holds (a
UserError, "being created right now", its validation rolled back, what it booked of
its own kept in the ledger), and its "try again" over the same selection, two of them
done meanwhile, restores its own without a call and sends the done ones to
``send_to_shipper`` no second time.

Committed rows in cursors of their own, cleaned up at the end (cursor_common.py).
"""

import re
import threading
import time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .cursor_common import BiteshipRealCursorCase, Rollback

ORDERS = re.compile(r"/v1/orders$")


@tagged("post_install", "-at_install")
class TestValidateManyRealCursors(BiteshipRealCursorCase):
    tag = "validate_many"
    user_count = 2
    picking_count = 4

    def setUp(self):
        super().setUp()
        self.gateway.requests.clear()  # the calls of this test only

    def _cleanup(self):
        # Odoo deletes no validated delivery: its move lines and valuation are
        # removed by SQL and its moves put back to cancelled, then the common
        # cleanup removes the rest as for deliveries never validated.
        with self.cursor_env() as env:
            ids = [self.ids["pickings"]]
            if "stock.valuation.layer" in env:
                env.cr.execute(
                    "DELETE FROM stock_valuation_layer WHERE stock_move_id IN "
                    "(SELECT id FROM stock_move WHERE picking_id = ANY(%s))",
                    ids,
                )
            env.cr.execute(
                "DELETE FROM stock_move_line WHERE picking_id = ANY(%s)", ids
            )
            env.cr.execute(
                "UPDATE stock_move SET state = 'cancel' WHERE picking_id = ANY(%s)", ids
            )
            env.cr.execute(
                "UPDATE stock_picking SET state = 'cancel' WHERE id = ANY(%s)", ids
            )
        return super()._cleanup()

    def _posts(self):
        return len(self.gateway.requests_to("/v1/orders", "POST"))

    def _validate(self, env, ids):
        pickings = env["stock.picking"].browse(ids)
        pickings.move_ids.picked = True
        return pickings.button_validate()

    @staticmethod
    def _waybills(pickings):
        return {picking.id: picking.carrier_tracking_ref for picking in pickings}

    def _by_reference(self):
        return {s["reference"]: w for w, s in self.gateway_api.shipments.items()}

    def _ledger(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT picking_id, state, waybill FROM carrier_api_waybill "
                "WHERE picking_id = ANY(%s)",
                [self.ids["pickings"]],
            )
            return cr.fetchall()

    def _assert_booked_once(self):
        """One order per delivery at the carrier, its waybill on the delivery, the
        delivery done, one "sent" ledger row each."""
        by_reference = self._by_reference()
        self.assertEqual(len(by_reference), self.picking_count)
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count)
        with self.cursor_env() as env:
            for picking in env["stock.picking"].browse(self.ids["pickings"]):
                self.assertEqual(picking.state, "done", picking.name)
                self.assertEqual(picking.carrier_api_state, "sent", picking.name)
                self.assertEqual(
                    picking.carrier_tracking_ref,
                    by_reference[picking.carrier_api_reference],
                )
                # Odoo's send_to_shipper once each (its price, its cost on the
                # order), whatever was validated twice or rolled back
                sent = picking.message_ids.filtered(
                    lambda m: "Shipment sent to carrier" in (m.body or "")
                )
                self.assertEqual(len(sent), 1, picking.name)
        ledger = self._ledger()
        self.assertEqual(len(ledger), self.picking_count)
        self.assertEqual({state for _p, state, _w in ledger}, {"sent"})

    def test_a_validation_rolled_back_after_the_answers_books_nothing_twice(self):
        with self.assertRaises(Rollback):
            with self.cursor_env(self.ids["user"]) as env:
                self.assertIs(self._validate(env, self.ids["pickings"]), True)
                pickings = env["stock.picking"].browse(self.ids["pickings"])
                self.assertEqual(set(pickings.mapped("state")), {"done"})
                first = self._waybills(pickings)
                raise Rollback  # e.g. a later error in the same request
        # the carrier booked each once; the ledger kept them
        self.assertEqual(self._posts(), self.picking_count)
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count)
        self.assertEqual(set(first.values()), set(self.gateway_api.shipments))
        with self.cursor_env(self.ids["user"]) as env:
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            # the validation is undone
            self.assertEqual(set(pickings.mapped("state")), {"assigned"})
            self.assertFalse(any(pickings.mapped("carrier_tracking_ref")))
            self.assertIs(self._validate(env, self.ids["pickings"]), True)
            second = self._waybills(pickings)
        # restored from the committed ledger: no second order, the same waybills
        self.assertEqual(self._posts(), self.picking_count)
        self.assertEqual(second, first)
        self._assert_booked_once()

    def _wait_for_claims(self, count, timeout=20):
        """Until ``count`` order ids of these deliveries are "sending" (committed
        claims whose calls are out); False when they never were."""
        deadline = time.monotonic() + timeout
        with self.registry.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(
                    "SELECT count(*) FROM carrier_api_waybill "
                    "WHERE picking_id = ANY(%s) AND state = 'sending'",
                    [self.ids["pickings"]],
                )
                if cr.fetchone()[0] >= count:
                    return True
                cr.rollback()  # a new snapshot
                time.sleep(0.02)
        return False

    def test_two_users_validating_overlapping_deliveries_book_each_once(self):
        first, second = self.ids["users"]
        picking_ids = self.ids["pickings"]
        selections = {first: picking_ids[:3], second: picking_ids[1:]}
        # the first user's three bookings are slow: the second validates while
        # they are out
        self.gateway.faults.add(ORDERS, Fault(delay=1.5), times=3)
        outcomes, claimed = {}, {}

        def validate(uid):
            # as the test's own thread: Odoo's SMS on validation (stock_sms) is
            # neither asked for nor sent from a test
            threading.current_thread().testing = True
            if uid == second:
                claimed[uid] = self._wait_for_claims(3)
            try:
                with self.cursor_env(uid) as env:
                    outcomes[uid] = self._validate(env, selections[uid])
            except Exception as exc:  # noqa: BLE001 - asserted below
                outcomes[uid] = exc

        self.run_at_once(validate, [first, second], "a validation never returned")
        self.assertTrue(claimed[second], "the first user's claims were never out")
        self.assertIs(outcomes[first], True)
        # the second stops at the first delivery the first user is booking, told
        # so; its validation is rolled back
        self.assertIsInstance(outcomes[second], UserError)
        self.assertIn("is being created right now", str(outcomes[second]))
        with self.cursor_env() as env:
            pickings = env["stock.picking"].browse(picking_ids)
            self.assertIn(pickings[1].name, str(outcomes[second]))
            self.assertEqual(pickings.mapped("state"), ["done"] * 3 + ["assigned"])
        # Its own delivery was booked meanwhile and stays in the ledger ("sent"):
        # one order per delivery at the carrier, none twice.
        self.assertEqual(self._posts(), self.picking_count)
        self.assertEqual(len(self._by_reference()), self.picking_count)
        own = self._by_reference()
        # "try again": the same selection, two of them done by the first user now
        with self.cursor_env(second) as env:
            self.assertIs(self._validate(env, selections[second]), True)
        self.assertEqual(self._posts(), self.picking_count)  # restored, no call
        self.assertEqual(self._by_reference(), own)
        self._assert_booked_once()
