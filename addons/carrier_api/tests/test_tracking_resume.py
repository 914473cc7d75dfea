# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking paused on a carrier account's problem resumes when the account works
again: the next successful poll of the account, or a passed *Test connection*,
closes the "Tracking paused" activity and polls the paused shipments at once. A key
the carrier refuses at call time (HTTP 401) pauses the account like a missing one.
Biteship test server over HTTP; shipments made by the carrier user, the cron as the
system, the connection test by an integration manager."""

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .ship_common import CarrierTrackingCase

PAUSED = "Tracking paused: carrier account to fix"


@tagged("post_install", "-at_install")
class TestTrackingResume(CarrierTrackingCase):
    def _open_activities(self):
        return self.connection.sudo().activity_ids.filtered(
            lambda a: a.summary == PAUSED
        )

    def _closing_messages(self):
        """The chatter notes that closed a "Tracking paused" activity."""
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "integration.connection"),
                    ("res_id", "=", self.connection.id),
                    ("mail_activity_type_id", "!=", False),
                ]
            )
            .filtered(lambda m: "tracking resumed" in str(m.body))
        )

    def _assert_paused(self, *pickings):
        now = fields.Datetime.now()
        for picking in pickings:
            self.assertTrue(picking.carrier_api_tracking_paused, picking.name)
            self.assertFalse(picking.carrier_api_tracking_stopped)
            self.assertGreater(picking.carrier_api_next_poll, now)
            self.assertGreaterEqual(picking.carrier_api_poll_failures, 1)
        self.assertEqual(len(self._open_activities()), 1)
        self.assertTrue(self.connection.carrier_api_tracking_paused)

    def _assert_resumed(self, *waiting, polled=()):
        """The activity closed; ``polled`` just tracked, ``waiting`` due now."""
        self.assertFalse(self._open_activities())
        self.assertEqual(len(self._closing_messages()), 1)
        self.assertFalse(self.connection.carrier_api_tracking_paused)
        for picking in (*waiting, *polled):
            self.assertFalse(picking.carrier_api_tracking_paused, picking.name)
            self.assertEqual(picking.carrier_api_poll_failures, 0)
        for picking in waiting:
            self.assertLessEqual(
                picking.carrier_api_next_poll, fields.Datetime.now(), picking.name
            )

    def test_next_successful_poll_closes_the_activity_and_resumes(self):
        first, second = self._shipped(), self._shipped()
        key = self.connection.sudo().api_key
        self.connection.sudo().api_key = False
        self._make_due(first, second)
        self.assertEqual(self._cron()["unconfigured"], first | second)
        self._assert_paused(first, second)
        # fixed: the first shipment due is polled, the other one waits no more
        self.connection.sudo().api_key = key
        self._make_due(first)
        summary = self._cron()
        self.assertEqual(summary["calls"], 1)
        self.assertEqual(first.carrier_api_delivery_state, "recorded")
        self._assert_resumed(second, polled=[first])
        self.assertIn("succeeded", str(self._closing_messages().body))
        self.assertFalse(second.carrier_api_delivery_state)
        summary = self._cron()  # the cron was woken for it
        self.assertEqual(summary["calls"], 1)
        self.assertEqual(second.carrier_api_delivery_state, "recorded")

    def test_passed_connection_test_closes_the_activity_and_resumes(self):
        picking = self._shipped()
        key = self.connection.sudo().api_key
        self.connection.sudo().api_key = False
        self._make_due(picking)
        self._cron()
        self._assert_paused(picking)
        self.connection.sudo().api_key = key
        manager = new_test_user(
            self.env,
            login="carrier_connection_manager",
            groups="base_integration.group_integration_manager",
        )
        self.connection.with_user(manager).action_test_connection()
        self._assert_resumed(picking)
        self.assertIn("connection test", str(self._closing_messages().body))
        self.assertEqual(self._cron()["calls"], 1)
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        # a connection test of an account that is not paused changes nothing
        self.connection.with_user(manager).action_test_connection()
        self.assertEqual(len(self._closing_messages()), 1)

    def test_key_refused_at_call_time_pauses_the_account(self):
        """Decision: a 401/403 (or the carrier's wrong-key answer) at call time is
        the account's problem, like a missing key: every other shipment of the
        account would get the same answer. Paused (back-off, never given up),
        one activity for the account, resumed when a poll passes again."""
        first, second = self._shipped(), self._shipped()
        key = self.connection.sudo().api_key
        self.connection.sudo().api_key = "biteship_test.WRONG-KEY"
        self._make_due(first, second)
        summary = self._cron()
        self.assertEqual(summary["calls"], 2)
        self.assertEqual(summary["updated"], 2)
        self._assert_paused(first, second)
        activity = self._open_activities()
        self.assertIn("refused the account's credentials", activity.note)
        self.assertIn("2 shipments", activity.note)
        self.assertNotIn("WRONG-KEY", activity.note)
        self.assertEqual(
            activity.user_id,
            self.connection.responsible_user_id or self.env.ref("base.user_admin"),
        )
        self.assertFalse(
            (first | second)
            .sudo()
            .activity_ids.filtered(lambda a: "Tracking" in (a.summary or ""))
        )
        # again: still one activity; the button says what to fix
        self._make_due(first, second)
        self._cron()
        self.assertEqual(len(self._open_activities()), 1)
        self.assertEqual(first.carrier_api_poll_failures, 2)
        with self.assertRaisesRegex(UserError, "refused the account's credentials"):
            first.action_carrier_api_refresh_tracking()
        # the key fixed: one poll passes, the account resumes
        self.connection.sudo().api_key = key
        self._make_due(first)
        self._cron()
        self._assert_resumed(second, polled=[first])
        self._cron()
        for picking in first | second:
            self.assertEqual(picking.carrier_api_delivery_state, "recorded")
            self.assertFalse(picking.carrier_api_tracking_stopped)
