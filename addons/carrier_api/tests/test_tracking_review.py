# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking after the review: a configuration problem pauses tracking (never gives
up), a Biteship waybill issued after the order is picked up, terminal statuses and
the aggregate of a package given up on. Biteship test server over HTTP, shipments
made and refreshed by the carrier user, the cron as the system."""

import re
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import biteship as bs_server
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from .ship_common import CarrierTrackingCase

TRACKING = re.compile(r"/v1/trackings/")
ORDER_READ = re.compile(r"^/biteship/v1/orders/[0-9a-f]+$")


@tagged("post_install", "-at_install")
class TestTrackingReview(CarrierTrackingCase):
    def _paused_activities(self):
        return self.connection.sudo().activity_ids.filtered(
            lambda a: a.summary == "Tracking paused: carrier account to fix"
        )

    def test_missing_key_pauses_tracking_one_activity(self):
        first, second = self._shipped(), self._shipped()
        key = self.connection.sudo().api_key
        self.connection.sudo().api_key = False
        self._make_due(first, second)
        summary = self._cron()
        self.assertEqual(summary["calls"], 0)
        self.assertEqual(summary["unconfigured"], first | second)
        for picking in first | second:
            self.assertFalse(picking.carrier_api_tracking_stopped)
            self.assertGreater(picking.carrier_api_next_poll, fields.Datetime.now())
            self.assertEqual(picking.carrier_api_poll_failures, 1)
        # a second run: still one activity, for the connection's responsible user
        self._make_due(first, second)
        self._cron()
        activity = self._paused_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.user_id,
            self.connection.responsible_user_id or self.env.ref("base.user_admin"),
        )
        self.assertIn("API key", activity.note)
        self.assertFalse(
            (first | second)
            .sudo()
            .activity_ids.filtered(lambda a: "Tracking" in (a.summary or ""))
        )
        # the button says what to fix
        with self.assertRaisesRegex(UserError, "API key"):
            first.action_carrier_api_refresh_tracking()
        # key restored: tracked again
        self.connection.sudo().api_key = key
        self._make_due(first, second)
        summary = self._cron()
        self.assertEqual(summary["calls"], 2)
        for picking in first | second:
            self.assertEqual(picking.carrier_api_delivery_state, "recorded")
            self.assertEqual(picking.carrier_api_poll_failures, 0)
            self.assertFalse(picking.carrier_api_tracking_stopped)

    def test_carrier_without_connection_is_not_given_up(self):
        picking = self._shipped()
        self.jne_reg.sudo().carrier_api_connection_id = False
        self._make_due(picking)
        summary = self._cron()
        self.assertIn(picking, summary["unconfigured"])
        self.assertFalse(picking.carrier_api_tracking_stopped)
        self.assertGreater(picking.carrier_api_next_poll, fields.Datetime.now())
        self.jne_reg.sudo().carrier_api_connection_id = self.connection
        self._make_due(picking)
        self._cron()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")

    # ------------------------------------------------------------------ B
    def _shipped_without_waybill(self):
        self.biteship_api.defer_waybill = True
        picking = self._shipped()
        order_id = picking.carrier_tracking_ref
        shipment = self.biteship_api._by_order_id(order_id)
        self.assertTrue(shipment, "the stand-in is Biteship's order id")
        self.assertNotEqual(order_id, shipment["waybill"])
        return picking, order_id, shipment

    def test_waybill_issued_later_is_recorded_and_tracked(self):
        picking, order_id, shipment = self._shipped_without_waybill()
        # no waybill yet: the order's own status, not "unknown" (never given up)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_tracking_ref, order_id)
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertFalse(picking.carrier_api_unknown_since)
        self.assertEqual(picking.carrier_api_poll_failures, 0)
        # the courier issues the waybill; the cron re-reads the order
        waybill = self.biteship_api.issue_waybill(order_id)
        self.biteship_api.advance(waybill)  # picked
        self.gateway.requests.clear()
        self._make_due(picking)
        self._cron()
        self.assertTrue(
            any(ORDER_READ.search(r.path) for r in self.gateway.requests),
            "GET /v1/orders/:id",
        )
        self.assertEqual(picking.carrier_tracking_ref, waybill)
        row = picking.sudo().carrier_api_package_ids
        self.assertEqual(row.waybill, waybill)
        self.assertEqual(row.carrier_order_id, order_id)
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        self.assertEqual(row.delivery_state, "picked_up")
        self.assertIn(waybill, picking.carrier_api_tracking_event_ids.mapped("waybill"))
        # from now on tracked by the waybill, the order not read again
        self.gateway.requests.clear()
        self._make_due(picking)
        self._cron()
        self.assertFalse(any(ORDER_READ.search(r.path) for r in self.gateway.requests))
        self.assertTrue(any(TRACKING.search(r.path) for r in self.gateway.requests))

    # ------------------------------------------------------------------ D, E
    def _append_status(self, picking, status):
        """The server's order moves to a Biteship status outside its generic
        steps (appended to its history, as test_tracking does)."""
        shipment = self.biteship_api.shipments[picking.carrier_tracking_ref]
        step = f"x_{status}"
        patches = (
            patch.dict(bs_server.STATUS, {step: status}),
            patch.dict(bs_server.NOTES, {step: status.replace("_", " ")}),
        )
        for started in patches:
            started.start()
            self.addCleanup(started.stop)
        shipment["history"].append((step, cc.now_utc()))

    def test_disposed_and_rejected_are_terminal(self):
        self.customer.email = "budi@example.com"
        for status in ("disposed", "rejected"):
            picking = self._shipped()
            self.biteship_api.advance(picking.carrier_tracking_ref)  # picked
            picking.action_carrier_api_refresh_tracking()
            self._append_status(picking, status)
            mails = self.env["mail.mail"].sudo().search_count([])
            self._make_due(picking)
            self._cron()
            self.assertEqual(picking.carrier_api_delivery_state, "lost", status)
            self.assertFalse(picking.carrier_api_next_poll)
            self.assertFalse(picking.carrier_api_status_unknown)
            # the customer is told once, and the cron polls it no more
            self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails + 1)
            calls = len([r for r in self.gateway.requests if TRACKING.search(r.path)])
            self._make_due(picking)
            self.assertEqual(self._cron()["calls"], 0)
            self.assertEqual(
                len([r for r in self.gateway.requests if TRACKING.search(r.path)]),
                calls,
            )

    def test_unknown_status_after_delivered_is_flagged_not_polled(self):
        """Decision (review D): a closed shipment is not polled by the cron again;
        a later status the map does not know is flagged and read by the button."""
        picking = self._shipped()
        self.biteship_api.advance(picking.carrier_tracking_ref, cc.DELIVERED)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self._append_status(picking, "customs_hold")
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertTrue(picking.carrier_api_status_unknown)
        self.assertFalse(picking.carrier_api_next_poll)
        self._make_due(picking)
        self.assertEqual(self._cron()["calls"], 0)
        self.assertNotIn(
            picking,
            self.env["stock.picking"].search(picking._carrier_api_track_domain()),
        )

    # ------------------------------------------------------------------ F
    def test_cron_goes_by_chunks_and_sums_them(self):
        pickings = [self._shipped() for _i in range(3)]
        self._make_due(*pickings)
        locked = []
        real = type(self.env["stock.picking"])._carrier_api_track_lock

        def lock(records, wait="skip"):
            locked.append(len(records))
            return real(records, wait)

        with patch.object(
            type(self.env["stock.picking"]), "_carrier_api_track_lock", lock
        ):
            summary = self.env["stock.picking"]._carrier_api_track_due(chunk=2)
        self.assertEqual(locked, [2, 1])  # never every shipment of the run at once
        self.assertEqual(summary["calls"], 3)
        self.assertEqual(summary["updated"], 3)
        for picking in pickings:
            self.assertEqual(picking.carrier_api_delivery_state, "recorded")
