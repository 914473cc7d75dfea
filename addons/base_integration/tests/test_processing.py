# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .common import IntegrationTestMixin

# Fails until the third attempt, then creates a partner: a real, countable effect.
FLAKY_CODE = """
if record.attempts < 3:
    raise UserError("gateway busy, attempt %s" % record.attempts)
env['res.partner'].create({'name': 'hook %s' % record.external_id})
"""
ALWAYS_FAILING_CODE = """
raise UserError("the handler always fails")
"""


@tagged("post_install", "-at_install")
class TestProcessing(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls.env["ir.actions.server"].create(
            {
                "name": "Flaky handler",
                "model_id": cls.env.ref("base_integration.model_integration_event").id,
                "state": "code",
                "code": FLAKY_CODE,
            }
        )
        cls.connection = cls._create_connection(
            generic_action_id=cls.action.id,
            event_max_attempts=4,
            responsible_user_id=cls.env.ref("base.user_admin").id,
        )
        cls.Event = cls.env["integration.event"]

    def _store(self, external_id, connection=None):
        event_id, created = self.Event._store_inbound(
            connection or self.connection,
            handler="_generic_process_event",
            event_type="test",
            external_id=external_id,
            dedupe_key=external_id,
            body=json.dumps({"id": external_id}),
        )
        return self.Event.browse(event_id), created

    def _make_due(self, event):
        """Let the backoff delay pass (freezegun is too slow with Odoo loaded)."""
        wait = event.next_attempt_at - fields.Datetime.now()
        event.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        return wait

    def _partners(self, external_id):
        return self.env["res.partner"].search_count(
            [("name", "=", f"hook {external_id}")]
        )

    def test_store_is_idempotent_and_triggers_cron(self):
        cron = self.env.ref("base_integration.ir_cron_process_inbound")
        triggers_before = self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id)]
        )
        first, created = self._store("evt-1")
        again, created_again = self._store("evt-1")
        self.assertTrue(created)
        self.assertFalse(created_again)
        self.assertEqual(first, again)
        self.assertEqual(len(self._events(self.connection)), 1)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers_before + 1,
        )

    def test_fails_twice_then_succeeds_with_backoff(self):
        event, _created = self._store("evt-flaky")
        self.Event._process_pending("inbound")
        self.assertEqual((event.state, event.attempts), ("failed", 1))
        self.assertIn("gateway busy", event.error)
        first_wait = event.next_attempt_at - fields.Datetime.now()
        self.assertGreater(first_wait, timedelta(seconds=30))
        # Not due yet: nothing happens.
        self.Event._process_pending("inbound")
        self.assertEqual(event.attempts, 1)
        self._make_due(event)
        self.Event._process_pending("inbound")
        self.assertEqual((event.state, event.attempts), ("failed", 2))
        second_wait = self._make_due(event)
        self.assertGreater(second_wait, first_wait, "exponential backoff")
        self.Event._process_pending("inbound")
        self.assertEqual((event.state, event.attempts), ("done", 3))
        self.assertFalse(event.error)
        self.assertEqual(
            self._partners("evt-flaky"), 1, "one effect, failed attempts rolled back"
        )
        self.assertFalse(self.connection.activity_ids)

    def test_always_failing_becomes_dead_letter_with_activity(self):
        self.action.code = ALWAYS_FAILING_CODE
        event, _created = self._store("evt-dead")
        self.Event._process_pending("inbound")
        while event.next_attempt_at:
            self._make_due(event)
            self.Event._process_pending("inbound")
        self.assertEqual(event.state, "failed")
        self.assertTrue(event.dead_letter)
        self.assertEqual(event.attempts, 4)
        self.assertFalse(event.next_attempt_at)
        activity = self.connection.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.env.ref("base.user_admin"))
        self.assertEqual(self.connection.health_state, "error")
        # Never picked up again...
        self.assertEqual(self.Event._process_pending("inbound"), 0)
        # ...until a person fixes the cause and presses Retry.
        self.action.code = FLAKY_CODE.replace("< 3", "< 0")
        event.action_retry()
        self.assertEqual(
            (event.state, event.attempts, event.dead_letter), ("received", 0, False)
        )
        self.Event._process_pending("inbound")
        self.assertEqual(event.state, "done")
        self.assertEqual(self._partners("evt-dead"), 1)

    def test_no_action_configured_is_ignored(self):
        connection = self._create_connection(name="No action")
        event, _created = self._store("evt-ignored", connection)
        self.Event._process_pending("inbound")
        self.assertEqual(event.state, "ignored")
        self.assertIn("No action", event.error)

    def test_unknown_handler_is_dead_letter_at_once(self):
        event, _created = self._store("evt-bad-handler")
        event.handler = "_no_such_handler"
        self.Event._process_pending("inbound")
        self.assertTrue(event.dead_letter)
        self.assertEqual(event.attempts, 1)

    def test_outbound_queue_coalesces_and_keeps_idempotency_key(self):
        first = self.connection._enqueue_outbound(
            "_generic_process_event", {"qty": 1}, dedupe_key="stock:SKU1"
        )
        second = self.connection._enqueue_outbound(
            "_generic_process_event", {"qty": 5}, dedupe_key="stock:SKU1"
        )
        self.assertEqual(first, second)
        self.assertEqual(first._get_payload(), {"qty": 5})
        key = first.idempotency_key
        self.assertTrue(key)
        self.action.code = (
            "qty = record._get_payload()['qty']\n"
            "env['res.partner'].create({'name': 'out %s' % qty})"
        )
        self.Event._process_pending("outbound")
        self.assertEqual(first.state, "done")
        self.assertEqual(first.idempotency_key, key)
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "=", "out 5")]), 1
        )
        # Once done, the same key queues new work.
        third = self.connection._enqueue_outbound(
            "_generic_process_event", {"qty": 7}, dedupe_key="stock:SKU1"
        )
        self.assertNotEqual(third, first)

    def test_delayed_outbound_waits(self):
        self.action.code = "pass"
        event = self.connection._enqueue_outbound(
            "_generic_process_event", {}, delay=600
        )
        self.assertEqual(self.Event._process_pending("outbound"), 0)
        self.assertGreater(
            event.next_attempt_at, fields.Datetime.now() + timedelta(minutes=9)
        )
        self._make_due(event)
        self.assertEqual(self.Event._process_pending("outbound"), 1)
        self.assertEqual(event.state, "done")

    def test_cron_entry_point(self):
        self._store("evt-cron")
        self.action.code = "pass"
        self.assertEqual(self.Event._cron_process_inbound(), 1)

    def test_backlog_wakes_the_other_drain_crons(self):
        first = self.env.ref("base_integration.ir_cron_process_inbound")
        second = self.env.ref("base_integration.ir_cron_process_inbound_2")
        Trigger = self.env["ir.cron.trigger"]
        self.action.code = "pass"
        for number in range(25):
            self._store(f"backlog-{number}")
        before = Trigger.search_count([("cron_id", "=", second.id)])
        self.Event.with_context(cron_id=first.id)._cron_process_inbound()
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", second.id)]), before + 1
        )
        self.assertFalse(self._events(self.connection, state="received"))

    def test_dashboard_figures(self):
        self._store("evt-a")
        self._store("evt-b")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.waiting_event_count, 2)
        self.assertEqual(self.connection.health_state, "new")
        self.action.code = "pass"
        self.Event._process_pending("inbound")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.waiting_event_count, 0)
        self.assertEqual(self.connection.health_state, "ok")
        self.assertTrue(self.connection.last_success_at)
