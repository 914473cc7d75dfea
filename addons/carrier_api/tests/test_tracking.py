# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking until delivered, against the local Biteship server over HTTP, the
*Refresh tracking* button pressed by a warehouse user and the cron as the system."""

import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.base_integration.tests.gateway_servers import biteship as bs_server
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from ..api.base import CAP_TRACK
from ..api.biteship import BiteshipClient
from ..models import const
from .ship_common import CarrierTrackingCase

TRACKING = re.compile(r"/v1/trackings/")


@tagged("post_install", "-at_install")
class TestStatusMap(TransactionCase):
    def test_biteship_statuses_map_explicitly(self):
        # carriers.md §8: picking_up is still "recorded", dropping_off is on the way.
        self.assertEqual(const.map_status("biteship", "picking_up"), "recorded")
        self.assertEqual(const.map_status("biteship", "picked"), "picked_up")
        self.assertEqual(const.map_status("biteship", "dropping_off"), "in_transit")
        self.assertEqual(const.map_status("biteship", "DELIVERED"), "delivered")
        self.assertEqual(const.map_status("biteship", "return_in_transit"), "returning")

    def test_jne_keywords(self):
        # §1.4 history texts of the examples
        self.assertEqual(
            const.map_status("jne", "RECEIVED AT SORTING CENTER [JAKARTA]"),
            "in_transit",
        )
        self.assertEqual(
            const.map_status("jne", "WITH DELIVERY COURIER [BANDUNG]"),
            "out_for_delivery",
        )
        self.assertEqual(const.map_status("jne", "RETURN TO SHIPPER [X]"), "returning")
        self.assertEqual(
            const.map_status("jne", "RETURNED TO SHIPPER [JAKARTA]"), "returned"
        )
        self.assertEqual(const.map_status("jne", "DELIVERED"), "delivered")

    def test_no_silent_default(self):
        self.assertIsNone(const.map_status("biteship", "customs_hold"))
        self.assertIsNone(const.map_status("jnt", "999"))
        self.assertIsNone(const.map_status("jne", "SOMETHING NEW"))
        self.assertIsNone(const.map_status("unknown_carrier", "delivered"))
        self.assertIsNone(const.map_status("biteship", ""))

    def test_every_server_status_is_mapped(self):
        """Each status the Biteship server can answer is in the map, to the same
        generic step (out for delivery and in transit share "dropping_off")."""
        for step, status in bs_server.STATUS.items():
            expected = "in_transit" if step == cc.OUT_FOR_DELIVERY else step
            if step == cc.FAILED_ATTEMPT:
                expected = "failed_attempt"
            self.assertEqual(const.map_status("biteship", status), expected, status)


@tagged("post_install", "-at_install")
class TestTracking(CarrierTrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "budi@example.com"

    def _tracking_calls(self):
        return [r for r in self.gateway.requests if TRACKING.search(r.path)]

    def test_statuses_move_forward_until_delivered(self):
        picking = self._shipped()
        waybill = picking.carrier_tracking_ref
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertEqual(picking.carrier_api_status_raw, "confirmed")
        self.assertFalse(picking.carrier_api_status_unknown)
        self.assertEqual(len(picking.carrier_api_tracking_event_ids), 1)

        self.biteship_api.advance(waybill)  # picked
        self.biteship_api.advance(waybill)  # in transit (dropping_off)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "in_transit")
        self.assertEqual(
            picking.carrier_api_tracking_event_ids.mapped("status_raw"),
            ["confirmed", "picked", "dropping_off"],
        )
        # a refresh without news adds no event twice
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(len(picking.carrier_api_tracking_event_ids), 3)

        self.biteship_api.advance(waybill, cc.DELIVERED)
        mails_before = self.env["mail.mail"].sudo().search_count([])
        self._make_due(picking)
        summary = self._cron()
        self.assertEqual(summary["calls"], 1)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertTrue(picking.carrier_api_delivered_at)
        self.assertFalse(picking.carrier_api_next_poll)
        mails = self.env["mail.mail"].sudo().search([], order="id desc")
        self.assertEqual(len(mails) - mails_before, 1)
        self.assertIn(self.customer, mails[0].recipient_ids)
        self.assertIn("delivered", mails[0].subject)
        self.assertIn(waybill, mails[0].subject)

        # terminal: the cron does not poll it any more
        calls = len(self._tracking_calls())
        picking.sudo().carrier_api_next_poll = False
        self._cron()
        self.assertEqual(len(self._tracking_calls()), calls)

    def test_failed_attempt_mails_the_customer(self):
        picking = self._shipped()
        self.biteship_api.advance(picking.carrier_tracking_ref)
        self.biteship_api.advance(picking.carrier_tracking_ref, cc.FAILED_ATTEMPT)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "failed_attempt")
        mail = self.env["mail.mail"].sudo().search([], order="id desc", limit=1)
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn("on_hold", mail.body_html)

    def test_unknown_status_kept_flagged_state_unchanged(self):
        picking = self._shipped()
        waybill = picking.carrier_tracking_ref
        self.biteship_api.advance(waybill)  # picked
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        # The carrier answers a status nobody documented.
        shipment = self.biteship_api.shipments[waybill]
        with (
            patch.dict(bs_server.STATUS, {"customs": "customs_hold"}),
            patch.dict(bs_server.NOTES, {"customs": "Held at customs."}),
        ):
            shipment["history"].append(("customs", cc.now_utc()))
            picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        self.assertEqual(picking.carrier_api_status_raw, "customs_hold")
        self.assertTrue(picking.carrier_api_status_unknown)
        event = picking.carrier_api_tracking_event_ids.filtered("unknown")
        self.assertEqual(event.status_raw, "customs_hold")
        self.assertFalse(event.delivery_state)
        # still open: polled again
        self.assertTrue(picking.carrier_api_next_poll)

    def test_unknown_number_backs_off_then_gives_up_with_activity(self):
        picking = self._shipped()
        picking.sudo().carrier_tracking_ref = "NEVERKNOWN1"
        self.env["ir.config_parameter"].sudo().set_param(
            "carrier_api.tracking_interval_minutes", "60"
        )
        before = fields.Datetime.now()
        picking.action_carrier_api_refresh_tracking()
        self.assertFalse(picking.carrier_api_delivery_state)
        self.assertEqual(picking.carrier_api_poll_failures, 1)
        self.assertTrue(picking.carrier_api_unknown_since)
        # back-off: 60 min x 2^1 after the first miss
        delay = picking.carrier_api_next_poll - before
        self.assertGreaterEqual(delay, timedelta(minutes=119))
        self.assertLessEqual(delay, timedelta(minutes=121))
        # not due: the cron leaves it alone
        calls = len(self._tracking_calls())
        self._cron()
        self.assertEqual(len(self._tracking_calls()), calls)
        # second miss doubles the delay
        self._make_due(picking)
        before = fields.Datetime.now()
        self._cron()
        self.assertEqual(picking.carrier_api_poll_failures, 2)
        self.assertGreaterEqual(
            picking.carrier_api_next_poll - before, timedelta(minutes=239)
        )
        self.assertFalse(picking.carrier_api_tracking_stopped)
        # 8 days later (give-up after 7 by default): stopped, an activity
        picking.sudo().carrier_api_unknown_since = fields.Datetime.now() - timedelta(
            days=8
        )
        self._make_due(picking)
        self._cron()
        self.assertTrue(picking.carrier_api_tracking_stopped)
        activity = picking.sudo().activity_ids.filtered(
            lambda a: a.summary == "Tracking given up"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("NEVERKNOWN1", activity.note)
        calls = len(self._tracking_calls())
        self._make_due(picking)
        self._cron()
        self.assertEqual(len(self._tracking_calls()), calls)

    def test_no_polling_without_tracking_api(self):
        picking = self._shipped()
        without = BiteshipClient.capabilities - {CAP_TRACK}
        with patch.object(BiteshipClient, "capabilities", without):
            summary = self._cron()
            self.assertEqual(summary["calls"], 0)
            self.assertEqual(self._tracking_calls(), [])
            self.assertIn(picking, summary["untrackable"])
            with self.assertRaises(UserError):
                picking.action_carrier_api_refresh_tracking()
        self.assertTrue(picking.carrier_api_tracking_stopped)

    def test_server_error_backs_off_nothing_changes(self):
        picking = self._shipped()
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        # max_attempts=2 in the cron: two 500 answers fail the poll
        self.gateway.faults.add(TRACKING, Fault(status=500), times=2)
        self.biteship_api.advance(picking.carrier_tracking_ref)
        self._make_due(picking)
        self._cron()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertEqual(picking.carrier_api_poll_failures, 1)
        self.assertGreater(picking.carrier_api_next_poll, fields.Datetime.now())

    def test_user_without_carrier_group_cannot_refresh(self):
        picking = self._shipped()
        outsider = new_test_user(self.env, login="no_stock", groups="base.group_user")
        with self.assertRaises(Exception):  # noqa: B017 - AccessError from read/write
            picking.with_user(outsider).action_carrier_api_refresh_tracking()
