# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A double click on *Request pickup* books one courier, and the cron and a manual
poll (or webhook) at once read one tracking answer once: committed rows in cursors of
their own, cleaned up at the end (cursor_common.py)."""

import re
import threading
from types import SimpleNamespace

import psycopg2

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi

from .cursor_common import CarrierRealCursorCase, Rollback
from .test_pickup_carriers import PICKUP, wib_to_utc

TRACK = re.compile(r"/jne/tracing/api/list/v1/cnote/")
# The districts of the sender and of the customer: JNE area code of the test server.
AREAS = {"31.74.05": "CGK10101", "32.73.02": "BDO10000"}


class PickupRealCursorsCase(CarrierRealCursorCase):
    """A JNE delivery with its waybill, committed (real cursors), removed at the
    end; also the base of test_pickup_uncertain_commit.py."""

    gateway_api_class = JneApi
    area_carrier = "jne"
    area_codes = AREAS
    tag = "pickup"
    user_count = 2

    def setUp(self):
        super().setUp()
        # the delivery has its waybill: what a pickup is booked for
        with self.cursor_env(self.ids["users"][0]) as env:
            picking = env["stock.picking"].browse(self.ids["picking"])
            picking.action_carrier_api_create_waybill()
            self.assertEqual(picking.carrier_api_state, "sent")

    def _connection_values(self):
        return {
            "name": "JNE pickup parallel",
            "provider": "jne",
            "base_url": self.gateway_api.base_url,
            "jne_username": JneApi.username,
            "api_key": JneApi.api_key,
            "jne_branch_code": "CGK000",
            "jne_customer_number": "TESTAKUN",
        }

    def _carrier_values(self):
        return {
            "name": "JNE REG pickup parallel",
            "delivery_type": "jne",
            "carrier_api_service_code": "REG",
        }


@tagged("post_install", "-at_install")
class TestPickupRealCursors(PickupRealCursorsCase):
    def test_double_click_books_one_pickup(self):
        # a slow carrier: the second click comes while the first call is out
        self.gateway.faults.add(PICKUP, Fault(delay=0.5))
        start, end = wib_to_utc(1, 10), wib_to_utc(1, 12)
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        outcomes = []

        def click(uid):
            try:
                with self.cursor_env(uid) as env:
                    wizard = env["carrier.api.pickup.wizard"].create(
                        {
                            "picking_ids": [Command.set([self.ids["picking"]])],
                            "start": start,
                            "end": end,
                        }
                    )
                    barrier.wait()
                    action = wizard.action_request()
                outcomes.append(action["params"]["type"])
            except UserError as exc:
                outcomes.append(str(exc))

        self.run_at_once(click, self.ids["users"], "a click never returned")
        self.assertEqual(outcomes.count("success"), 1, outcomes)
        other = next(o for o in outcomes if o != "success")
        self.assertRegex(other, "being requested right now|requested meanwhile")
        self.assertEqual(len(self.gateway.requests_to("/jne/pickupcashless")), 1)
        self.assertEqual(len(self.gateway_api.pickups), 1)
        with self.cursor_env() as env:
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_pickup_state, "requested")
            booked = next(iter(self.gateway_api.pickups.values()))
            self.assertEqual(picking.carrier_api_pickup_ref, booked["pickup_no"])

    def test_cron_and_a_manual_poll_at_once_apply_the_answer_once(self):
        """The cron holds the rows during its calls: a second cron run skips them
        (SKIP LOCKED), a manual poll or the Biteship webhook path (NOWAIT) stops at
        once - the webhook's inbox event is retried - so one answer is applied
        once. Shown with JNE's tracking (same engine and lock for every carrier)."""
        self.gateway.faults.add(TRACK, Fault(delay=3.0))
        started = threading.Event()
        outcomes = {}

        def cron():
            try:
                with self.cursor_env() as env:
                    picking = env["stock.picking"].browse(self.ids["picking"])
                    locked = picking._carrier_api_track_lock("skip")
                    started.set()
                    outcomes["cron"] = locked._carrier_api_track()["updated"]
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                outcomes["cron"] = repr(exc)
                started.set()

        thread = threading.Thread(target=cron)
        thread.start()
        try:
            self.assertTrue(started.wait(30), "the cron never started")
            with self.cursor_env() as env:
                picking = env["stock.picking"].browse(self.ids["picking"])
                # a second cron run meanwhile: nothing to do, nothing waited for
                summary = picking._carrier_api_track()
                self.assertEqual((summary["calls"], summary["updated"]), (0, 0))
                env.cr.rollback()
                user_env = env(user=self.ids["users"][1])
                with self.assertRaisesRegex(UserError, "being read right now"):
                    user_env["stock.picking"].browse(
                        self.ids["picking"]
                    ).action_carrier_api_refresh_tracking()
                env.cr.rollback()
                # the webhook handler's path: a concurrency error, which the inbox
                # answers with a retry of the event (integration_event)
                waybill = picking.carrier_tracking_ref
                event = SimpleNamespace(
                    _get_payload=lambda: {"order_id": "", "courier_waybill_id": waybill}
                )
                connection = env["integration.connection"].browse(
                    self.ids["connection"]
                )
                with self.assertRaises(psycopg2.errors.LockNotAvailable):
                    connection._carrier_api_biteship_webhook(event)
                env.cr.rollback()
        finally:
            thread.join(60)
        self.assertFalse(thread.is_alive(), "the cron never returned")
        self.assertEqual(outcomes["cron"], 1, outcomes)
        self.assertEqual(len(self.gateway.requests_to("/cnote/")), 1)
        with self.cursor_env() as env:
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_delivery_state, "recorded")
            self.assertEqual(len(picking.carrier_api_tracking_event_ids), 1)

    def test_rollback_after_the_carrier_accepted_books_no_second_courier(self):
        start, end = wib_to_utc(1, 10), wib_to_utc(1, 12)
        uid = self.ids["users"][0]

        def request(env):
            wizard = env["carrier.api.pickup.wizard"].create(
                {
                    "picking_ids": [Command.set([self.ids["picking"]])],
                    "start": start,
                    "end": end,
                }
            )
            return wizard.action_request()

        with self.assertRaises(Rollback):
            with self.cursor_env(uid) as env:
                request(env)
                raise Rollback  # e.g. a later error in the same request
        self.assertEqual(len(self.gateway_api.pickups), 1)
        calls = len(self.gateway.requests_to("/jne/pickupcashless"))
        with self.cursor_env(uid) as env:
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_pickup_state, "none")  # undone
            # later, another window: restored from the committed ledger, no call
            action = request(env)
            self.assertEqual(action["params"]["type"], "success")
            self.assertEqual(picking.carrier_api_pickup_state, "requested")
            booked = self.gateway_api.pickups[picking.carrier_tracking_ref]
            self.assertEqual(picking.carrier_api_pickup_ref, booked["pickup_no"])
            self.assertEqual(picking.carrier_api_pickup_start, start)
        self.assertEqual(len(self.gateway.requests_to("/jne/pickupcashless")), calls)
