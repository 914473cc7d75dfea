# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The queue's rules within one transaction (savepoint mode, as in tests and *Retry
now*): what a handler's errors do to its event, what it may not do, what is masked.

What needs several transactions (a killed worker, coalescing beside a running handler,
a real serialization failure, commits on a real cursor) is in ``test_queue_workers``.
"""

import json
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import psycopg2.errors
import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from ..api.exceptions import (
    AuthenticationError,
    CircuitOpenError,
    PermanentError,
    RetryableError,
    TokenExpiredError,
)
from .common import IntegrationTestMixin

LOGGER = "odoo.addons.base_integration.models.integration_event"
TOKEN = "shpk-ACCESS-7f3a9c1e5b2d4068"
# What requests puts in a ConnectionError (see the review, D2).
LEAKY_MESSAGE = (
    "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: "
    f"/api/v2/order/get_order_detail?access_token={TOKEN}&sign=5e1f0c2b9a77d3 "
    "(Caused by NewConnectionError('Connection refused'))"
)


@contextmanager
def connection_method(env, name, function):
    """Give ``integration.connection`` a handler method for the duration of a test."""
    with patch.object(type(env["integration.connection"]), name, function, create=True):
        yield


@tagged("post_install", "-at_install")
class TestQueueSemantics(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(
            event_max_attempts=2,
            access_token=TOKEN,
            responsible_user_id=cls.env.ref("base.user_admin").id,
        )
        cls.Event = cls.env["integration.event"]

    def _store(self, key, handler="_queue_test_handler", connection=None):
        event_id, _created = self.Event._store_inbound(
            connection or self.connection,
            handler=handler,
            event_type="test",
            external_id=key,
            dedupe_key=key,
            body=json.dumps({"id": key}),
        )
        return self.Event.browse(event_id)

    def _make_due(self, event):
        event.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)

    def _partners(self, name):
        return self.env["res.partner"].search_count([("name", "=", name)])

    # ------------------------------------------------------------------ the claim
    def test_handler_runs_on_a_claimed_event(self):
        seen = {}

        def handler(connection, event):
            seen.update(
                state=event.state, attempts=event.attempts, lease=event.lease_until
            )

        event = self._store("claimed")
        before = fields.Datetime.now()
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
        self.assertEqual((seen["state"], seen["attempts"]), ("processing", 1))
        self.assertGreaterEqual(seen["lease"], before + timedelta(seconds=299))
        self.assertEqual(event.state, "done")
        self.assertFalse(event.lease_until, "the lease ends with the attempt")

    # ------------------------------------------------------------------ retryable
    def test_expired_token_is_retried_and_never_a_dead_letter(self):
        def handler(connection, event):
            raise TokenExpiredError("access token expired", status_code=403)

        event = self._store("token")
        delays = []
        with connection_method(self.env, "_queue_test_handler", handler):
            for _attempt in range(5):  # more than event_max_attempts (2)
                self.Event._process_pending("inbound")
                delays.append(event.next_attempt_at - fields.Datetime.now())
                self._make_due(event)
        self.assertEqual((event.state, event.dead_letter), ("failed", False))
        self.assertEqual((event.attempts, event.token_retries), (5, 5))
        self.assertIn("TokenExpiredError", event.error)
        self.assertGreater(delays[-1], delays[0] * 4, "the backoff still grows")
        self.assertFalse(self.connection.activity_ids, "nobody is asked to act")

    def test_open_circuit_is_retried_without_spending_attempts(self):
        def handler(connection, event):
            raise CircuitOpenError("circuit open: call not sent")

        event = self._store("circuit")
        with connection_method(self.env, "_queue_test_handler", handler):
            for _attempt in range(4):  # more than event_max_attempts (2)
                self.Event._process_pending("inbound")
                self._make_due(event)
        self.assertEqual((event.state, event.dead_letter), ("failed", False))
        self.assertEqual((event.attempts, event.token_retries), (4, 4))

    def test_retry_follows_the_error_class(self):
        cases = [
            (RetryableError("gateway timeout"), False),
            (UserError("a record is being edited"), False),
            (PermanentError("order not found"), True),
            (AuthenticationError("wrong API key", status_code=401), True),
        ]
        for number, (exc, dead_at_once) in enumerate(cases):
            with self.subTest(error=type(exc).__name__):

                def handler(connection, event, exc=exc):
                    raise exc

                event = self._store(f"class-{number}")
                with connection_method(self.env, "_queue_test_handler", handler):
                    self.Event._process_pending("inbound")
                self.assertEqual(event.attempts, 1)
                self.assertEqual(event.dead_letter, dead_at_once)
                if not dead_at_once:
                    # Retried until the attempts are spent, then a dead letter.
                    self._make_due(event)
                    with connection_method(self.env, "_queue_test_handler", handler):
                        self.Event._process_pending("inbound")
                    self.assertEqual((event.attempts, event.dead_letter), (2, True))

    # ------------------------------------------------------------------ concurrency
    def test_concurrency_errors_are_retried_soon_for_free(self):
        """A conflict with another transaction spends no attempt: the work is rolled
        back and the event is due again a few seconds later."""
        # A row nothing else in the test touches (the dead-letter activity of the old
        # code links the admin's partner: locking that one would hang it).
        country = self.env.ref("base.id")
        registry = Registry(self.env.cr.dbname)

        def lock_not_available(connection, event):
            connection.env["res.partner"].create({"name": "conflict effect"})
            # A real one: another transaction holds this row.
            connection.env.cr.execute(
                "SELECT id FROM res_country WHERE id = %s FOR UPDATE NOWAIT",
                [country.id],
            )

        def serialization_failure(connection, event):
            connection.env["res.partner"].create({"name": "conflict effect"})
            raise psycopg2.errors.SerializationFailure("concurrent update")

        def deadlock(connection, event):
            connection.env["res.partner"].create({"name": "conflict effect"})
            raise psycopg2.errors.DeadlockDetected("deadlock detected")

        other = registry.cursor()
        self.addCleanup(other.close)
        other.execute(
            "SELECT id FROM res_country WHERE id = %s FOR UPDATE", [country.id]
        )
        for handler in (lock_not_available, serialization_failure, deadlock):
            with self.subTest(handler=handler.__name__):
                event = self._store(handler.__name__)
                event.write({"attempts": 1, "state": "failed", "error": "earlier"})
                before = fields.Datetime.now()
                with (
                    connection_method(self.env, "_queue_test_handler", handler),
                    mute_logger("odoo.sql_db"),
                ):
                    self.Event._process_pending("inbound")
                self.assertEqual(event.attempts, 1, "no attempt spent")
                self.assertEqual((event.state, event.dead_letter), ("failed", False))
                self.assertEqual(event.error, "earlier")
                self.assertFalse(event.lease_until)
                self.assertTrue(
                    before < event.next_attempt_at <= before + timedelta(seconds=10),
                    "due again in a few seconds",
                )
                self.assertEqual(self._partners("conflict effect"), 0, "rolled back")
        other.rollback()

    def test_concurrency_error_of_a_new_event_leaves_it_queued(self):
        def handler(connection, event):
            raise psycopg2.errors.SerializationFailure("concurrent update")

        event = self._store("fresh")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
        self.assertEqual((event.state, event.attempts), ("received", 0))

    # ------------------------------------------------------------------ commits
    def test_handler_may_not_commit(self):
        def handler(connection, event):
            connection.env["res.partner"].create({"name": "half done"})
            connection.env.cr.commit()

        event = self._store("commit")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
        self.assertTrue(event.dead_letter, "a bug in the handler: retrying is useless")
        self.assertEqual(event.attempts, 1)
        self.assertIn("must not commit", event.error)
        self.assertEqual(self._partners("half done"), 0)

    # ------------------------------------------------------------------ masking
    def test_failure_texts_hold_no_secret(self):
        def user_error(connection, event):
            raise UserError(LEAKY_MESSAGE)

        def connection_error(connection, event):
            raise requests.ConnectionError(LEAKY_MESSAGE)

        for handler in (user_error, connection_error):
            with self.subTest(handler=handler.__name__):
                event = self._store(handler.__name__)
                with (
                    connection_method(self.env, "_queue_test_handler", handler),
                    self.assertLogs(LOGGER, logging.INFO) as logs,
                ):
                    self.Event._process_pending("inbound")
                    self._make_due(event)
                    self.Event._process_pending("inbound")
                self.assertTrue(event.dead_letter)
                self.assertIn("Max retries exceeded", event.error)
                texts = [
                    event.error,
                    *logs.output,
                    *self.connection.activity_ids.mapped("note"),
                ]
                for text in texts:
                    self.assertNotIn(TOKEN, text)
                    self.assertNotIn("5e1f0c2b9a77d3", text, "sign is masked by name")

    def test_ignored_reason_is_masked(self):
        from ..api.exceptions import IgnoreEvent

        def handler(connection, event):
            raise IgnoreEvent(f"nothing to do for token {TOKEN}")

        event = self._store("ignored")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
        self.assertEqual(event.state, "ignored")
        self.assertNotIn(TOKEN, event.error)

    # ------------------------------------------------------------------ redelivery
    def test_redelivery_brings_a_waiting_retry_forward(self):
        attempts = []

        def handler(connection, event):
            attempts.append(event.attempts)
            if len(attempts) == 1:
                raise RetryableError("status API not ready")

        cron = self.env.ref("base_integration.ir_cron_process_inbound")
        Trigger = self.env["ir.cron.trigger"]
        event = self._store("redelivered")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
            self.assertEqual(event.state, "failed")
            self.assertGreater(
                event.next_attempt_at, fields.Datetime.now() + timedelta(seconds=30)
            )
            triggers = Trigger.search_count([("cron_id", "=", cron.id)])
            again = self._store("redelivered")
            self.assertEqual(again, event)
            self.assertLessEqual(event.next_attempt_at, fields.Datetime.now())
            self.assertEqual(
                Trigger.search_count([("cron_id", "=", cron.id)]),
                triggers + 1,
                "the inbound cron is woken",
            )
            self.Event._process_pending("inbound")
        self.assertEqual(event.state, "done")
        self.assertEqual(attempts, [1, 2])

    def test_redelivery_leaves_dead_letters_and_finished_events_alone(self):
        def handler(connection, event):
            raise PermanentError("refused")

        dead = self._store("dead")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
        self.assertTrue(dead.dead_letter)
        self._store("dead")
        self.assertEqual((dead.state, dead.dead_letter), ("failed", True))
        self.assertFalse(dead.next_attempt_at)
        finished = self._store("finished")
        with connection_method(self.env, "_queue_test_handler", lambda c, e: None):
            self.Event._process_pending("inbound")
        self._store("finished")
        self.assertEqual((finished.state, finished.attempts), ("done", 1))
        self.assertFalse(finished.next_attempt_at)

    # ------------------------------------------------------------------ Retry now
    def test_retry_now_runs_the_handler_beyond_the_clicking_users_rights(self):
        """An integration manager who may not create contacts retries an event whose
        handler creates one: the handler runs as the cron would, in their name."""
        manager = new_test_user(
            self.env,
            login="queue_integration_manager",
            groups="base.group_user,base_integration.group_integration_manager",
        )
        self.assertFalse(
            self.env["res.partner"].with_user(manager).has_access("create"),
            "the test needs a manager without the handler's rights",
        )

        calls = []

        def handler(connection, event):
            calls.append(event.attempts)
            if len(calls) == 1:
                raise RetryableError("gateway busy")
            return connection.env["res.partner"].create({"name": "made by handler"})

        event = self._store("retry-now")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
            self.assertEqual(event.state, "failed")
            event.with_user(manager).action_process_now()
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(event.attempts, 1, "a fresh attempt budget")
        partner = self.env["res.partner"].browse(event.res_id)
        self.assertEqual(partner.name, "made by handler")
        self.assertEqual(partner.create_uid, manager, "done in the manager's name")
        self.assertEqual(event.write_uid, manager)

    def test_retry_now_needs_the_right_to_change_the_event(self):
        viewer = new_test_user(
            self.env,
            login="queue_integration_viewer",
            groups="base.group_user,base_integration.group_integration_user",
        )
        calls = []

        def handler(connection, event):
            calls.append(event.id)
            raise RetryableError("gateway busy")

        event = self._store("no-rights")
        with connection_method(self.env, "_queue_test_handler", handler):
            self.Event._process_pending("inbound")
            with self.assertRaises(AccessError):
                event.with_user(viewer).action_process_now()
        self.assertEqual(calls, [event.id])
        self.assertEqual((event.state, event.attempts), ("failed", 1))

    # ------------------------------------------------------------------ batches
    def test_batch_keeps_the_claim_and_its_attempt(self):
        seen = {}

        def batch(connection, events):
            seen.update(
                states=set(events.mapped("state")),
                attempts=set(events.mapped("attempts")),
                leases=all(events.mapped("lease_until")),
            )
            return {events[0].id: connection.env["res.partner"].create({"name": "b"})}

        def single(connection, event):
            seen.setdefault("single", []).append(event.attempts)

        events = self._store("b1") | self._store("b2") | self._store("b3")
        with (
            connection_method(self.env, "_queue_test_handler", single),
            connection_method(self.env, "_queue_test_handler_batch", batch),
        ):
            self.assertEqual(self.Event._process_pending("inbound"), 3)
        self.assertEqual(seen["states"], {"processing"})
        self.assertEqual(seen["attempts"], {1})
        self.assertTrue(seen["leases"])
        self.assertEqual(
            seen["single"], [1, 1], "the rest: same attempt, not a new one"
        )
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(set(events.mapped("attempts")), {1})
        self.assertFalse(any(events.mapped("lease_until")))

    def test_batch_results_concurrency_error_and_masked_failure(self):
        def batch(connection, events):
            first, second = events
            return {
                first.id: psycopg2.errors.SerializationFailure("concurrent update"),
                second.id: RetryableError(LEAKY_MESSAGE),
            }

        first, second = self._store("r1"), self._store("r2")
        with connection_method(self.env, "_queue_test_handler_batch", batch):
            self.Event._process_pending("inbound")
        self.assertEqual((first.state, first.attempts), ("received", 0), "for free")
        self.assertEqual((second.state, second.attempts), ("failed", 1))
        self.assertNotIn(TOKEN, second.error)

    def test_failing_batch_is_logged_masked_and_processed_one_by_one(self):
        def batch(connection, events):
            connection.env["res.partner"].create({"name": "batch effect"})
            raise requests.ConnectionError(LEAKY_MESSAGE)

        def single(connection, event):
            pass

        events = self._store("f1") | self._store("f2")
        with (
            connection_method(self.env, "_queue_test_handler", single),
            connection_method(self.env, "_queue_test_handler_batch", batch),
            self.assertLogs(LOGGER, logging.INFO) as logs,
        ):
            self.Event._process_pending("inbound")
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(self._partners("batch effect"), 0)
        self.assertTrue(
            any("processing them one by one" in line for line in logs.output)
        )
        self.assertNotIn(TOKEN, "".join(logs.output))

    def test_batch_rest_after_the_deadline_gives_its_attempts_back(self):
        def batch(connection, events):
            return {}

        def single(connection, event):
            time.sleep(0.3)

        events = self._store("d1") | self._store("d2") | self._store("d3")
        with (
            connection_method(self.env, "_queue_test_handler", single),
            connection_method(self.env, "_queue_test_handler_batch", batch),
        ):
            done = self.Event._process_pending(
                "inbound", deadline=time.monotonic() + 0.2
            )
        self.assertEqual(done, 1, "no event is started after the deadline")
        self.assertEqual(events[0].state, "done")
        for event in events[1:]:
            self.assertEqual((event.state, event.attempts), ("received", 0))
            self.assertFalse(event.lease_until)
        with (
            connection_method(self.env, "_queue_test_handler", lambda c, e: None),
            connection_method(self.env, "_queue_test_handler_batch", batch),
        ):
            self.assertEqual(self.Event._process_pending("inbound"), 2, "still due")
        self.assertEqual(set(events.mapped("attempts")), {1})

    # ------------------------------------------------------------------ priority
    def test_lower_cron_priority_only_for_the_drain(self):
        """The drain runs in its own thread, reniced; the cron worker's thread keeps
        its priority for the other crons it runs afterwards (D23)."""
        seen = {}

        def handler(connection, event):
            tid = threading.get_native_id()
            seen.update(tid=tid, nice=os.getpriority(os.PRIO_PROCESS, tid))

        main_tid = threading.get_native_id()
        main_nice = os.getpriority(os.PRIO_PROCESS, main_tid)
        Event = self.Event.with_context(
            cron_id=self.env.ref("base_integration.ir_cron_process_inbound").id
        )
        with (
            connection_method(self.env, "_queue_test_handler", handler),
            patch.dict(config.options, {"workers": 2, "integration_cron_niceness": 1}),
        ):
            self._store("nice")
            self.assertEqual(Event._cron_process_inbound(), 1)
        self.assertNotEqual(seen["tid"], main_tid)
        self.assertEqual(seen["nice"], min(19, main_nice + 1))
        self.assertEqual(os.getpriority(os.PRIO_PROCESS, main_tid), main_nice)

    def test_cron_priority_untouched_in_threaded_mode_or_unset(self):
        seen = []

        def handler(connection, event):
            seen.append(threading.get_native_id())

        Event = self.Event.with_context(
            cron_id=self.env.ref("base_integration.ir_cron_process_inbound").id
        )
        options = [
            {"workers": 0, "integration_cron_niceness": 10},
            {"workers": 2, "integration_cron_niceness": 0},
        ]
        with connection_method(self.env, "_queue_test_handler", handler):
            for number, values in enumerate(options):
                with patch.dict(config.options, values):
                    self._store(f"not-niced-{number}")
                    Event._cron_process_inbound()
        self.assertEqual(seen, [threading.get_native_id()] * 2, "ran in place")

    def test_a_signal_in_the_cron_thread_waits_for_the_drain(self):
        """``limit_time_cpu`` raises in the cron worker's main thread: the drain thread
        still uses the cursor, so the cron waits for it before it fails."""
        if threading.current_thread() is not threading.main_thread():
            self.skipTest("signals are handled by the main thread only")

        class CpuTimeLimit(Exception):
            pass

        def on_signal(signum, frame):
            raise CpuTimeLimit()

        previous = signal.signal(signal.SIGUSR1, on_signal)
        self.addCleanup(signal.signal, signal.SIGUSR1, previous)
        main = threading.main_thread().ident
        seen = []

        def handler(connection, event):
            signal.pthread_kill(main, signal.SIGUSR1)
            time.sleep(0.3)  # meanwhile the main thread runs the signal handler
            seen.append("finished")

        event = self._store("signal")
        Event = self.Event.with_context(
            cron_id=self.env.ref("base_integration.ir_cron_process_inbound").id
        )
        raised = None
        with (
            connection_method(self.env, "_queue_test_handler", handler),
            patch.dict(config.options, {"workers": 2, "integration_cron_niceness": 1}),
        ):
            # Not assertRaises: Odoo's rolls back what happened inside it.
            try:
                Event._cron_process_inbound()
            except CpuTimeLimit as exc:
                raised = exc
        self.assertIsInstance(raised, CpuTimeLimit, "the cron still fails")
        self.assertEqual(seen, ["finished"], "the drain ended before the cron failed")
        self.assertEqual(event.state, "done")
