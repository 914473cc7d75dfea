# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The queue between real workers: each with its own database transaction, one of them
a separate Odoo process that is really killed mid-handler.

These tests need committed rows (another transaction cannot see uncommitted ones), so
they work in their own cursors and remove everything they committed at the end, as
``test_parallel_workers`` does. In a ``TransactionCase`` every cursor shares the test's
transaction, and none of this could happen.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from unittest.mock import patch

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config, mute_logger

# Cron workers of their own, as in prefork mode: a server process loads the registry
# once (that is slow), then forks a worker for each line read; the worker drains the
# inbound queue committing, as the cron does, and says its pid.
WORKERS = """
import os
import signal
import sys

import odoo
from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry

odoo.tools.config.parse_config(sys.argv[1:-1])
registry = Registry(sys.argv[-1])
sql_db.close_all()  # each worker opens its own connections
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # reap the killed workers
print("ready", flush=True)
for _line in sys.stdin:
    pid = os.fork()
    if not pid:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["integration.event"]._process_pending("inbound", commit=True)
        os._exit(0)
    print("worker", pid, flush=True)
"""
LEASE_SECONDS = 5


@contextmanager
def connection_method(registry, name, function):
    """Give ``integration.connection`` a handler method (in this process only)."""
    with patch.object(registry["integration.connection"], name, function, create=True):
        yield


@tagged("post_install", "-at_install")
class TestQueueWorkers(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            action = env["ir.actions.server"].create(
                {
                    "name": "queue workers test",
                    "model_id": env.ref("base_integration.model_integration_event").id,
                    "state": "code",
                    # The killed worker's handler: long enough to be killed in it.
                    "code": "time.sleep(120)",
                }
            )
            connection = env["integration.connection"].create(
                {
                    "name": "Queue workers",
                    "generic_action_id": action.id,
                    "event_max_attempts": 2,
                    "responsible_user_id": env.ref("base.user_admin").id,
                }
            )
            self.connection_id, self.action_id = connection.id, action.id
            params = env["ir.config_parameter"]
            self.saved_params = {
                key: params.get_param(key)
                for key in (
                    "base_integration.lease_seconds",
                    "base_integration.retry_base_seconds",
                )
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for key, value in self.saved_params.items():
                env["ir.config_parameter"].set_param(key, value or False)
            env["res.partner"].search([("name", "=like", "queue workers %")]).unlink()
            env["integration.connection"].browse(self.connection_id).unlink()
            env["ir.actions.server"].browse(self.action_id).unlink()

    @contextmanager
    def _env(self, context=None):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, context or {})

    def _store(self, key, handler="_generic_process_event"):
        with self._env() as env:
            event_id, _created = env["integration.event"]._store_inbound(
                env["integration.connection"].browse(self.connection_id),
                handler=handler,
                event_type="test",
                external_id=key,
                dedupe_key=key,
                body=json.dumps({"id": key}),
            )
        return event_id

    def _read(self, event_id):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, attempts, lease_until, now() at time zone 'UTC',"
                " worker_deaths, dead_letter, next_attempt_at, error, body"
                " FROM integration_event WHERE id = %s",
                [event_id],
            )
            keys = "state attempts lease now deaths dead next error body".split()
            return dict(zip(keys, cr.fetchone(), strict=True))

    def _is_locked(self, event_id):
        with self.registry.cursor() as cr:
            try:
                cr.execute(
                    "SELECT id FROM integration_event WHERE id = %s FOR UPDATE NOWAIT",
                    [event_id],
                    log_exceptions=False,
                )
            except psycopg2.errors.LockNotAvailable:
                return True
            return False

    def _wait_for(self, condition, timeout, message):
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                self.fail(message)
            time.sleep(0.1)

    def _drain(self, direction="inbound", **kwargs):
        with self._env() as env:
            return env["integration.event"]._process_pending(
                direction, commit=True, **kwargs
            )

    def _partners(self, name):
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM res_partner WHERE name = %s", [name])
            return cr.fetchone()[0]

    # ------------------------------------------------------------------ killed worker
    def _start_workers(self):
        """A separate Odoo server process that forks a worker when asked."""
        args = ["--addons-path", config["addons_path"], "--log-level", "warn"]
        if config.rcfile:
            args = ["-c", config.rcfile, *args]
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by addCleanup
        self.addCleanup(log.close)
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", WORKERS, *args, get_db_name()],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.addCleanup(lambda: server.poll() is None and server.kill())
        self.addCleanup(server.stdin.close)
        server.log = log
        return server

    def _kill_in_handler(self, server, event_id, attempt):
        """Fork a worker, wait until it runs the handler of ``event_id`` and SIGKILL it
        there."""

        def output():
            server.log.seek(0)
            return server.log.read().decode(errors="replace")

        def workers():
            return [
                int(line.split()[1])
                for line in output().splitlines()
                if line.startswith("worker ")
            ]

        def in_handler():
            if server.poll() is not None:
                self.fail(f"the worker process ended:\n{output()[-3000:]}")
            row = self._read(event_id)
            # The claim is committed (another transaction sees it) and the row is
            # held: the handler runs.
            return (
                row["state"] == "processing"
                and row["attempts"] == attempt
                and self._is_locked(event_id)
            )

        self._wait_for(lambda: "ready" in output(), 180, "the registry never loaded")
        forked = len(workers())
        server.stdin.write(b"go\n")
        server.stdin.flush()
        self._wait_for(lambda: len(workers()) > forked, 30, "no worker forked")
        pid = workers()[-1]
        try:
            self._wait_for(
                in_handler, 30, "the claim was never committed before the handler"
            )
        finally:
            os.kill(pid, signal.SIGKILL)
        # PostgreSQL ends the dead worker's session and rolls its transaction back.
        self._wait_for(lambda: not self._is_locked(event_id), 30, "row still locked")

    def test_killed_worker_is_found_by_its_lease_and_ends_as_dead_letter(self):
        with self._env() as env:
            params = env["ir.config_parameter"]
            params.set_param("base_integration.lease_seconds", LEASE_SECONDS)
            params.set_param("base_integration.retry_base_seconds", 1)
        event_id = self._store("poison")
        server = self._start_workers()
        for attempt in (1, 2):
            self._kill_in_handler(server, event_id, attempt)
            row = self._read(event_id)
            self.assertEqual((row["state"], row["attempts"]), ("processing", attempt))
            remaining = (row["lease"] - row["now"]).total_seconds()
            self.assertTrue(
                0 < remaining <= LEASE_SECONDS, f"lease ends in {remaining} s"
            )
            # Within the lease the event is not taken over...
            self._drain()
            self.assertEqual(self._read(event_id)["state"], "processing")
            # ...after it, the dead worker's attempt is recorded as failed.
            # (+1.5 s: the ORM's clock has whole seconds.)
            time.sleep(remaining + 1.5)
            with self.assertLogs(
                "odoo.addons.base_integration.models.integration_event", logging.WARNING
            ):
                self._drain()
            row = self._read(event_id)
            self.assertEqual((row["attempts"], row["deaths"]), (attempt, attempt))
            self.assertIsNone(row["lease"])
            if attempt == 1:
                self.assertEqual((row["state"], row["dead"]), ("failed", False))
                self.assertIn("died during attempt 1", row["error"])
                self.assertTrue(row["next"])
                # The backoff (1 s here) passes before the next worker claims it.
                time.sleep(max(0, (row["next"] - row["now"]).total_seconds()) + 1.2)
        self.assertEqual((row["state"], row["dead"]), ("failed", True))
        self.assertIn("died 2 times", row["error"])
        self.assertFalse(row["next"], "never claimed again")
        with self._env() as env:
            connection = env["integration.connection"].browse(self.connection_id)
            self.assertIn("died 2 times", connection.activity_ids.note)

    # ------------------------------------------------------------------ coalescing
    def test_enqueue_beside_the_running_event_neither_waits_nor_fails(self):
        """D11: while worker A runs event K, workers that enqueue the same key return at
        once, with a new event, whether their snapshot is older than A's claim or not."""
        started, release = threading.Event(), threading.Event()

        def push(connection, event):
            started.set()
            release.wait(20)
            connection.env["res.partner"].create(
                {"name": f"queue workers {event._get_payload()['qty']}"}
            )

        with self._env() as env:
            connection = env["integration.connection"].browse(self.connection_id)
            event_k = connection._enqueue_outbound(
                "_generic_process_event", {"qty": 1}, dedupe_key="stock:SKU"
            ).id
        errors = []

        def worker_a():
            try:
                self._drain("outbound", limit=1)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        def enqueue(env, qty):
            connection = env["integration.connection"].browse(self.connection_id)
            begin = time.monotonic()
            event = connection._enqueue_outbound(
                "_generic_process_event", {"qty": qty}, dedupe_key="stock:SKU"
            )
            return event.id, time.monotonic() - begin

        with connection_method(self.registry, "_generic_process_event", push):
            old = self.registry.cursor()
            self.addCleanup(old.close)
            old_env = api.Environment(old, SUPERUSER_ID, {})
            # This transaction's snapshot predates A's claim.
            old_env["integration.event"].search_count([])
            thread = threading.Thread(target=worker_a)
            thread.start()
            try:
                self.assertTrue(started.wait(20), "worker A never ran its handler")
                # After the claim, with A holding K.
                old_id, old_wait = enqueue(old_env, 2)
                old.commit()
                with self._env() as env:
                    new_id, new_wait = enqueue(env, 3)
            finally:
                release.set()
                thread.join(30)
        self.assertEqual(errors, [])
        self.assertLess(old_wait, 1, "an old snapshot does not wait for A")
        self.assertLess(new_wait, 1, "a new snapshot does not wait for A")
        self.assertNotEqual(old_id, event_k, "K is running: a new event")
        self.assertEqual(new_id, old_id, "merged into the new event, which waits")
        self.assertEqual(self._read(event_k)["state"], "done")
        self.assertEqual(self._partners("queue workers 1"), 1, "K ran its own payload")
        row = self._read(new_id)
        self.assertEqual(row["state"], "received")
        self.assertEqual(json.loads(row["body"]), {"qty": 3})

    def test_enqueue_coalesces_into_a_waiting_event(self):
        with self._env() as env:
            connection = env["integration.connection"].browse(self.connection_id)
            first = connection._enqueue_outbound(
                "_generic_process_event", {"qty": 1}, dedupe_key="stock:W", delay=600
            ).id
        with self._env() as env:
            connection = env["integration.connection"].browse(self.connection_id)
            second = connection._enqueue_outbound(
                "_generic_process_event", {"qty": 4}, dedupe_key="stock:W"
            ).id
        self.assertEqual(first, second)
        self.assertEqual(json.loads(self._read(first)["body"]), {"qty": 4})

    # ------------------------------------------------------------------ serialization
    def test_real_serialization_failure_is_retried_for_free(self):
        with self._env() as env:
            partner_id = env["res.partner"].create({"name": "queue workers target"}).id
        started, release = threading.Event(), threading.Event()
        calls = []

        def handler(connection, event):
            calls.append(event.attempts)
            started.set()
            release.wait(20)
            connection.env["res.partner"].browse(partner_id).write(
                {"comment": "from the handler"}
            )

        event_id = self._store("conflict", handler="_queue_test_handler")
        errors = []

        def worker():
            try:
                self._drain()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        with (
            connection_method(self.registry, "_queue_test_handler", handler),
            mute_logger("odoo.sql_db"),
        ):
            thread = threading.Thread(target=worker)
            thread.start()
            try:
                self.assertTrue(started.wait(30))
                # Someone else changes the row after the handler's snapshot.
                with self._env() as env:
                    env["res.partner"].browse(partner_id).write({"comment": "user"})
            finally:
                release.set()
                thread.join(30)
            self.assertEqual(errors, [])
            row = self._read(event_id)
            self.assertEqual((row["state"], row["attempts"]), ("received", 0))
            self.assertIsNone(row["lease"])
            wait = (row["next"] - row["now"]).total_seconds()
            self.assertTrue(0 < wait <= 10, f"due again in {wait} s")
            time.sleep(wait + 0.5)
            self.assertEqual(self._drain(), 1)
        row = self._read(event_id)
        self.assertEqual((row["state"], row["attempts"]), ("done", 1))
        self.assertEqual(calls, [1, 1])

    # ------------------------------------------------------------------ commits
    def test_handlers_cannot_commit_on_a_real_cursor(self):
        def single(connection, event):
            connection.env["res.partner"].create({"name": "queue workers single"})
            connection.env.cr.commit()

        def batch(connection, events):
            connection.env["res.partner"].create({"name": "queue workers batch"})
            connection.env.cr.commit()
            return {}

        single_id = self._store("commit-single", handler="_queue_test_single")
        batch_ids = [
            self._store(f"commit-batch-{n}", handler="_queue_test_batched")
            for n in range(2)
        ]
        with (
            connection_method(self.registry, "_queue_test_single", single),
            connection_method(self.registry, "_queue_test_batched", single),
            connection_method(self.registry, "_queue_test_batched_batch", batch),
        ):
            self._drain()
        self.assertEqual(self._partners("queue workers single"), 0)
        self.assertEqual(self._partners("queue workers batch"), 0)
        for event_id in (single_id, *batch_ids):
            row = self._read(event_id)
            self.assertEqual((row["state"], row["dead"]), ("failed", True))
            self.assertIn("must not commit", row["error"])

    # ------------------------------------------------------------------ redelivery
    def test_redelivery_never_waits_for_a_locked_event(self):
        event_id = self._store("redelivery")
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE integration_event SET state = 'failed', attempts = 1,"
                " next_attempt_at = now() at time zone 'UTC' + interval '1 hour'"
                " WHERE id = %s",
                [event_id],
            )
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        holder.execute(
            "SELECT id FROM integration_event WHERE id = %s FOR UPDATE", [event_id]
        )
        begin = time.monotonic()
        self.assertEqual(self._store("redelivery"), event_id)
        self.assertLess(time.monotonic() - begin, 1, "the webhook answer never waits")
        row = self._read(event_id)
        self.assertGreater(row["next"], row["now"], "a held row is left alone")
        holder.rollback()
        self._store("redelivery")
        row = self._read(event_id)
        self.assertLessEqual(row["next"], row["now"], "free row: due now")
