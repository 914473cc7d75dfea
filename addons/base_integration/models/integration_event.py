# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One model for the inbox (verified webhook deliveries) and the outbox (outbound work
that must survive failures), drained by Odoo's own scheduler.

How an event is processed borrows OCA ``queue_job``'s lessons:

- **Claim, commit, then work.** A drain locks a due event (``FOR UPDATE SKIP LOCKED``),
  marks it ``processing``, counts the attempt and sets a lease (``lease_until``). In a
  cron it commits that before the handler runs, as ``queue_job`` commits
  ``set_started()`` before it performs a job, then locks the row again for the
  handler's transaction. A worker killed mid-handler (SIGKILL, out of memory,
  ``limit_time_real``) can no longer roll its attempt back.
- **Dead workers are found by lease and lock.** A ``processing`` event past its lease
  whose row no transaction holds was left by a dead worker (``queue_job`` probes the
  lock of a started job with ``SKIP LOCKED`` the same way when it requeues dead jobs).
  The next drain records that attempt as failed; once the attempts are spent the event
  is a dead letter ("found dead", ``queue_job``'s ``JobFoundDead``), so that a poison
  event cannot kill worker after worker forever.
- **Concurrency errors are free.** A serialization failure, a deadlock or a lock
  timeout only says that another transaction changed the same rows meanwhile: the
  event's work is rolled back and retried a few seconds later without spending an
  attempt (``queue_job`` postpones a job on ``PG_CONCURRENCY_ERRORS_TO_RETRY``
  without counting it).
- **Handlers never commit.** The queue commits the handler's work together with the
  event's outcome; ``cr.commit()`` raises while a handler runs (``queue_job``'s
  ``_prevent_commit``).
- **Retry or give up by the error's ``retryable`` attribute** (``api/exceptions.py``).
- Outside crons (tests, *Retry now*) the same steps run in savepoints of one
  transaction, which then holds the row locks throughout.
"""

import functools
import json
import logging
import os
import random
import re
import sys
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, config

from ..api.exceptions import (
    IgnoreEvent,
    IntegrationError,
    PermanentError,
)
from .cron_wakeup import wake_cron

_logger = logging.getLogger(__name__)

RAW_DELIVERY_FIELDS = frozenset({"body", "headers"})
HANDLER_NAME = re.compile(r"_[a-z][a-z0-9_]*")
DEFAULT_BATCH = 200
# Events handed at once to a connection's ``<handler>_batch`` method.
BATCH_HANDLER_SIZE = 25
# Above this many due events, the other drain crons of the direction are woken too.
FANOUT_BACKLOG = 20
# Seconds one cron run may spend starting new events.
CRON_SECONDS = 45
# Seconds a claim holds without its worker's row lock; see ``_lease_seconds``.
LEASE_SECONDS = 300
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600
# A concurrency error is retried this much later (queue_job's PG_RETRY is 5 s too):
# soon, but not in the same drain run, which would meet the same conflict again.
CONCURRENCY_RETRY_SECONDS = 5
# Dead workers' events recorded per drain run at most.
RECLAIM_BATCH = 100
# "Someone else changed these rows meanwhile": Odoo retries a request on these, the
# queue retries the event (LockNotAvailable, SerializationFailure, DeadlockDetected).
CONCURRENCY_ERRORS = PG_CONCURRENCY_EXCEPTIONS_TO_RETRY


class CommitForbiddenError(RuntimeError):
    """A handler called ``commit()`` on the queue's cursor. A bug in the handler:
    retrying it cannot help, so the event is a dead letter at once."""

    retryable = False


@contextmanager
def _prevent_commit(cr):
    """Make ``cr.commit()`` raise while an event handler runs (``queue_job``'s
    ``_prevent_commit``).

    A handler's commit would make half of its work final while the event still says
    ``processing``; a failure after it would retry work that was partly done, and the
    outcome would no longer be written with the work. Side cursors stay free to commit
    (e.g. a refreshed single-use token that must survive a rollback). Rollbacks are not
    intercepted; handlers must not call them either.
    """

    def forbidden(*args, **kwargs):
        raise CommitForbiddenError(
            "Integration event handlers must not commit: the queue commits the work "
            "together with the event's outcome. Write what must survive a rollback "
            "in a separate cursor."
        )

    patched = "commit" in vars(cr)  # e.g. a test case's own guard
    original = vars(cr).get("commit")
    cr.commit = forbidden
    try:
        yield
    finally:
        if patched:
            cr.commit = original
        else:
            del cr.commit


def _drain_niceness():
    """How much lower the drain's CPU priority is (``integration_cron_niceness``).

    Prefork mode on Linux only: threaded crons share the HTTP process and its GIL, so
    a slower drain thread could hold the GIL that the webhook threads wait for.
    """
    niceness = int(config.get("integration_cron_niceness") or 0)
    if niceness <= 0 or not config.get("workers") or sys.platform != "linux":
        return 0
    return niceness


def _run_at_lower_priority(niceness, function):
    """Run ``function()`` in a short-lived thread ``niceness`` steps nicer; wait for it.

    Webhook acknowledgements and the drain crons share the same cores; gateways time
    out (Xendit does not retry a timed-out callback), bookings can wait a little. On
    Linux the nice value belongs to a thread, and an unprivileged thread can raise it
    but never lower it again (``RLIMIT_NICE``). Renicing the cron worker itself would
    slow down every later job of that worker, other addons' crons included, for the
    rest of its life. A thread made for one drain takes its lower priority with it
    when it ends.

    The caller only waits, so the thread uses the caller's cursor and environment:
    the two never run at the same time, not even when a signal handler raises in the
    caller (``limit_time_cpu`` does): the caller then waits for the drain, which stops
    at its deadline, and raises after it. The thread is a daemon: a worker process that
    exits (or is killed at ``limit_time_real``) does not wait for it, and the event it
    was processing is found by its lease.
    """
    outcome = {}
    finished = threading.Event()
    caller = threading.current_thread()

    def run():
        tid = threading.get_native_id()
        try:
            # PRIO_PROCESS with a thread id: only this thread on Linux.
            os.setpriority(
                os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness
            )
        except OSError:
            _logger.warning("Could not lower the drain's CPU priority", exc_info=True)
        try:
            outcome["result"] = function()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            outcome["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=run, name=f"{caller.name}-drain", daemon=True)
    # What Odoo's logging and test guards read from the current thread.
    for attribute in ("dbname", "uid", "url", "testing"):
        if hasattr(caller, attribute):
            setattr(thread, attribute, getattr(caller, attribute))
    thread.start()
    interrupted = None
    # Not thread.join(): interrupted by an exception, it may take a running thread for
    # finished (CPython bpo-45274).
    while not finished.is_set():
        try:
            finished.wait()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            # A signal handler's exception (``limit_time_cpu`` raises one in the main
            # thread): the drain still uses the cursor, so it must end first.
            interrupted = exc
    if interrupted is not None:
        raise interrupted
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _is_testing(env):
    """True inside Odoo's (or pytest-odoo's) tests, where committing is forbidden."""
    return env.registry.in_test_mode() or getattr(
        threading.current_thread(), "testing", False
    )


def _last_line(text):
    """The last non-empty line of an error (a traceback's exception line)."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "-"


class Idle:
    """What a handler returns when it succeeded without doing real work (a poll that
    found nothing new): the event is done, but the dashboard does not count it as a
    success ("Working" means the integration did something). ``record``: the record
    to link, as a handler's usual result."""

    __slots__ = ("record",)

    def __init__(self, record=None):
        self.record = record


class IntegrationEvent(models.Model):
    _name = "integration.event"
    _description = "Integration Event"
    _order = "id desc"
    _check_company_auto = True

    connection_id = fields.Many2one(
        "integration.connection",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    provider = fields.Selection(related="connection_id.provider", string="Service")
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="inbound",
        help="Inbound: a notification the provider sent. Outbound: work Odoo sends "
        "to the provider.",
    )
    event_type = fields.Char(string="Type", index=True)
    external_id = fields.Char(string="External ID", index=True)
    dedupe_key = fields.Char(
        string="Deduplication key",
        help="Two inbound deliveries with the same key on one connection are one event.",
    )
    handler = fields.Char(
        required=True,
        help="Method of the connection that does the work.",
    )
    # Raw deliveries carry signatures, buyer names, addresses and phones: for managers
    # of every connection, or of their addon's. Field groups cannot tell addons apart
    # (a sales manager who is also a billing user reads payment events), so a scoped
    # manager reads them only on the events they may write, which the addons' write
    # rules scope by provider (``check_field_access_rights``). Their own prefetch
    # group makes every read of them go through that check.
    body = fields.Text(
        string="Raw body",
        groups="base_integration.group_integration_manager,"
        "base_integration.group_integration_scoped_manager",
        prefetch="raw_delivery",
    )
    headers = fields.Text(
        string="Request headers",
        help="Selected request headers, without secrets (JSON).",
        groups="base_integration.group_integration_manager,"
        "base_integration.group_integration_scoped_manager",
        prefetch="raw_delivery",
    )
    received_at = fields.Datetime(
        string="Received", default=fields.Datetime.now, required=True, index=True
    )
    state = fields.Selection(
        [
            ("received", "Received / queued"),
            ("processing", "Processing"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("ignored", "Ignored"),
        ],
        string="Status",
        default="received",
        required=True,
        index=True,
    )
    attempts = fields.Integer(
        default=0,
        readonly=True,
        help="Attempts started, counted when the event is claimed (before its handler "
        "runs).",
    )
    next_attempt_at = fields.Datetime(string="Next attempt", readonly=True)
    lease_until = fields.Datetime(
        string="Claimed until",
        readonly=True,
        copy=False,
        help="While processing: the worker's claim holds until then. An event still "
        "processing after its lease, which no worker holds, was left by a worker that "
        "died; the next run counts that attempt as failed.",
    )
    worker_deaths = fields.Integer(
        string="Lost workers",
        default=0,
        readonly=True,
        copy=False,
        help="Attempts whose worker died before it finished (killed, out of memory, "
        "over its time limit).",
    )
    token_retries = fields.Integer(
        default=0,
        readonly=True,
        copy=False,
        string="Uncounted retries",
        help="Attempts that met an expired access token or an open circuit breaker "
        "(the call was not sent). They are retried with backoff and do not count "
        "toward the dead letter: a token refresh or the gateway's recovery fixes them.",
    )
    dead_letter = fields.Boolean(
        string="Dead letter",
        readonly=True,
        help="Failed for good: a person must fix the cause and retry.",
    )
    error = fields.Text(readonly=True)
    processed_at = fields.Datetime(string="Processed", readonly=True)
    productive = fields.Boolean(
        string="Did real work",
        readonly=True,
        copy=False,
        help="Done, and its handler did something (imported, booked, pushed); a "
        "poll that found nothing is done without it.",
    )
    idempotency_key = fields.Char(
        string="Idempotency key",
        default=lambda self: str(uuid.uuid4()),
        readonly=True,
        copy=False,
        help="Sent with outbound calls so that a retried call is applied once.",
    )
    res_model = fields.Char(string="Result model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Result record",
        model_field="res_model",
        readonly=True,
    )

    def init(self):
        # Inbound deliveries are unique per connection; outbound keys only coalesce
        # queued work and may repeat once the earlier work is done.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS integration_event_inbound_dedupe_uniq
                ON integration_event (connection_id, dedupe_key)
             WHERE direction = 'inbound'
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_event_due_idx
                ON integration_event (direction, id)
             WHERE state IN ('received', 'failed') AND dead_letter IS NOT TRUE
            """
        )
        # Claimed events, searched by each drain for the leases of dead workers.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_event_processing_idx
                ON integration_event (direction, lease_until)
             WHERE state = 'processing'
            """
        )

    def web_read(self, specification):
        """The form of an event a person may read but not manage (a sales manager who
        also bills, on a payment event) opens without the raw body and headers,
        instead of failing on them."""
        hidden = RAW_DELIVERY_FIELDS.intersection(specification)
        if not hidden or self._may_read_raw_deliveries():
            return super().web_read(specification)
        kept = {key: spec for key, spec in specification.items() if key not in hidden}
        values = super().web_read(kept)
        for row in values:
            row.update(dict.fromkeys(hidden, False))
        return values

    def _may_read_raw_deliveries(self):
        return (
            self.env.su
            or self.env.user.has_group("base_integration.group_integration_manager")
            or self._filtered_access("write") == self
        )

    def check_field_access_rights(self, operation, field_names):
        """Raw bodies and headers: a manager of one addon's connections reads them
        only on the events that addon lets them manage (write access)."""
        allowed = super().check_field_access_rights(operation, field_names)
        names = allowed if field_names is None else field_names
        if (
            operation == "read"
            and self
            and not self.env.su
            and RAW_DELIVERY_FIELDS.intersection(names or ())
            and not self.env.user.has_group(
                "base_integration.group_integration_manager"
            )
        ):
            self.check_access("write")
        return allowed

    @api.depends("event_type", "external_id")
    def _compute_display_name(self):
        for event in self:
            parts = [event.event_type, event.external_id]
            event.display_name = " ".join(p for p in parts if p) or f"#{event.id}"

    # ------------------------------------------------------------------ storing
    @api.model
    def _store_inbound(
        self,
        connection,
        *,
        handler,
        event_type,
        external_id,
        dedupe_key,
        body,
        headers=None,
        state="received",
        error=None,
    ):
        """Store a verified delivery once. Safe under concurrent duplicates.

        A duplicate of an event that waits for a retry makes it due now (see
        ``_bring_retry_forward``).

        :returns: ``(event_id, created)``; ``created`` is False for a duplicate.
        """
        if not HANDLER_NAME.fullmatch(handler or ""):
            raise ValueError(f"Invalid handler name {handler!r}")
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        now = fields.Datetime.now()
        uid = self.env.uid
        # INSERT ... ON CONFLICT: the second of two concurrent duplicates waits for the
        # first to commit, then inserts nothing; neither request fails.
        query = SQL(
            """
                INSERT INTO integration_event
                       (connection_id, company_id, direction, event_type, external_id,
                        dedupe_key, handler, body, headers, received_at, state, error,
                        attempts, worker_deaths, token_retries, dead_letter,
                        idempotency_key, create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, 'inbound', %s, %s, %s, %s, %s, %s, %s, %s, %s,
                        0, 0, 0, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (connection_id, dedupe_key) WHERE direction = 'inbound'
                DO NOTHING
                RETURNING id
                """,
            connection.id,
            connection.company_id.id,
            event_type,
            external_id,
            dedupe_key,
            handler,
            body,
            json.dumps(headers or {}),
            now,
            state,
            error,
            state == "failed",
            str(uuid.uuid4()),
            uid,
            now,
            uid,
            now,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            # REPEATABLE READ: the same delivery was committed by a concurrent request
            # after this transaction started. It is a duplicate, just not visible here.
            return None, False
        if not row:
            duplicate_id = self._find_duplicate(connection, dedupe_key)
            if duplicate_id:
                self.browse(duplicate_id)._bring_retry_forward()
            return duplicate_id, False
        if state == "received":
            wake_cron(self.env, "base_integration.ir_cron_process_inbound")
        elif state == "failed":
            connection._notify_dead_letter(self.browse(row[0]))
        return row[0], True

    def _find_duplicate(self, connection, dedupe_key):
        self.env.cr.execute(
            "SELECT id FROM integration_event WHERE connection_id = %s AND dedupe_key = %s"
            " AND direction = 'inbound'",
            [connection.id, dedupe_key],
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _bring_retry_forward(self):
        """The gateway delivered this event again: if it waits for a retry, make it due
        now and wake the inbound cron.

        A gateway redelivers because it has not had the answer it wants yet (a payment
        notification is resent for hours); the event's own backoff (a minute and more)
        then only keeps the customer waiting. This runs while the webhook waits for its
        answer, so it never waits itself: a row that a worker (or anyone) holds locked
        is left alone, and so is a row changed since this transaction's snapshot.

        :return: whether the retry was brought forward.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    UPDATE integration_event
                       SET next_attempt_at = %s, write_uid = %s, write_date = %s
                     WHERE id = (SELECT id FROM integration_event
                                  WHERE id = %s
                                    AND state = 'failed'
                                    AND dead_letter IS NOT TRUE
                                    AND next_attempt_at > %s
                                    FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    [now, self.env.uid, now, self.id, now],
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except CONCURRENCY_ERRORS:
            return False
        if not row:
            return False
        self.invalidate_recordset(["next_attempt_at", "write_uid", "write_date"])
        wake_cron(self.env, "base_integration.ir_cron_process_inbound")
        return True

    @api.model
    def _enqueue(
        self, connection, handler, payload, *, dedupe_key=None, record=None, delay=0
    ):
        """Queue outbound work for ``connection.<handler>(event)``.

        A queued event with the same ``dedupe_key`` that has not started yet gets the
        new payload instead of a second event (debounce, see ``_find_coalescible``).
        Returns the event.
        """
        if not HANDLER_NAME.fullmatch(handler or "") or not hasattr(
            connection, handler
        ):
            raise ValueError(f"Invalid handler {handler!r} for {connection._name}")
        when = fields.Datetime.now() + timedelta(seconds=delay) if delay else False
        body = json.dumps(payload, default=str)
        vals = {"body": body}
        if record:
            vals.update(res_model=record._name, res_id=record.id)
        if dedupe_key:
            queued = self._find_coalescible(connection, dedupe_key)
            if queued:
                queued.sudo().write(vals)
                return queued
        event = self.sudo().create(
            {
                **vals,
                "connection_id": connection.id,
                "company_id": connection.company_id.id,
                "direction": "outbound",
                "handler": handler,
                "event_type": handler.lstrip("_"),
                "dedupe_key": dedupe_key,
                "next_attempt_at": when,
            }
        )
        cron = self.env.ref("base_integration.ir_cron_process_outbound").sudo()
        cron._trigger(at=when or None)
        return event

    def _find_coalescible(self, connection, dedupe_key):
        """The queued outbound event with this key that new work can be merged into,
        locked by this transaction; or an empty recordset.

        Only an event that has not started (``received``, no lease) and whose row this
        transaction can lock at once. Work is enqueued from stock moves, picking
        validations and webhook handlers, which must never wait for a worker's event
        (D11): ``SKIP LOCKED`` passes over a row someone holds. A row changed since this
        transaction's snapshot (REPEATABLE READ: claimed or done meanwhile) raises a
        serialization failure when it is locked, which means the same. In both cases
        the new work gets a new event: the running handler may have read the old
        payload already.
        """
        self.flush_model(
            ["connection_id", "direction", "dedupe_key", "state", "lease_until"]
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM integration_event
                     WHERE connection_id = %s
                       AND direction = 'outbound'
                       AND dedupe_key = %s
                       AND state = 'received'
                       AND lease_until IS NULL
                     ORDER BY id
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED
                    """,
                    [connection.id, dedupe_key],
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
        except CONCURRENCY_ERRORS:
            return self.browse()
        return self.browse(row[0]) if row else self.browse()

    def _get_payload(self):
        self.ensure_one()
        try:
            return json.loads(self.body or "null")
        except ValueError as exc:
            raise PermanentError(
                _("The stored body is not valid JSON: %s", exc)
            ) from exc

    # ------------------------------------------------------------------ processing
    @api.model
    def _process_pending(
        self, direction, limit=DEFAULT_BATCH, commit=False, deadline=None
    ):
        """Process due events; returns how many were processed.

        Each step of an event (its claim, its handler with its outcome) runs in a
        savepoint, so a failure rolls back only its own work. When the connection has a
        ``<handler>_batch`` method, due events of the same connection and handler are
        claimed together (``batch_handler_size``) and handed to it at once (see
        ``_process_batch``). Events left by dead workers are recorded first
        (``_reclaim_expired``).

        With ``commit`` (crons only) the claim is committed before the handler runs,
        and the work with its outcome after it: each is then final, and the row locks
        released for other workers. No new event is started after ``deadline`` (a
        ``time.monotonic()`` value).
        """
        processed = 0
        seen = []
        batch_size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base_integration.batch_handler_size", BATCH_HANDLER_SIZE)
        )
        self._reclaim_expired(direction, commit=commit)
        while processed < limit and (deadline is None or time.monotonic() < deadline):
            try:
                with self.env.cr.savepoint(flush=False):
                    claimed, lease = self._claim(
                        direction, min(batch_size, limit - processed), exclude=seen
                    )
            except CONCURRENCY_ERRORS:
                # Another worker committed a row after our snapshot was taken
                # (REPEATABLE READ). A new transaction sees it; this one never will.
                if not commit:
                    break
                self.env.cr.rollback()  # pylint: disable=invalid-commit
                continue
            if not claimed:
                break
            seen += claimed.ids
            if commit:
                # The attempt is spent before the handler runs: a worker killed from
                # here on leaves a ``processing`` event, found by its lease. Then the
                # rows are locked again for the handlers' transaction.
                self.env.cr.commit()  # pylint: disable=invalid-commit
                claimed = claimed._lock_claimed(lease)
            if len(claimed) > 1:
                processed += claimed._process_batch(
                    lease, commit=commit, deadline=deadline
                )
            elif claimed:
                claimed._process_claimed()
                processed += 1
            if commit:
                # Safe: only crons pass commit=True, and each event's work is complete.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return processed

    def _lease_seconds(self):
        """How long a claim holds without its worker's row lock.

        A live worker holds its event's row lock while the handler runs, so the drain
        never takes that event over, however long the handler lasts. The lease only
        covers the moments without the lock: from the claim's commit to the lock, and
        for the events of a batch that wait for their one-by-one turn, which start
        until the cron's deadline and then last one handler. So the lease must be
        longer than ``base_integration.cron_seconds`` plus the longest handler (the
        total time budget of its HTTP calls). The default, 5 minutes, also outlasts
        Odoo's ``limit_time_real`` (120 s), which kills the worker anyway.
        """
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base_integration.lease_seconds", LEASE_SECONDS)
        )

    def _claim(self, direction, size, exclude=()):
        """Claim the next due event and, for a batch handler, up to ``size - 1`` due
        companions of its connection and handler; leave out ``exclude`` (ids).

        :return: ``(events, lease)``, ``lease`` being their ``lease_until``.
        """
        now = fields.Datetime.now()
        event = self._claim_next(direction, now, exclude)
        events = event
        if event and size > 1 and event._batch_method(event.connection_id):
            events |= event._claim_companions(now, size - 1, exclude)
        return events, events._mark_claimed()

    def _claim_next(self, direction, now, exclude=()):
        """Lock one due event that no other worker holds."""
        self.flush_model(["state", "dead_letter", "next_attempt_at"])
        self.env.cr.execute(
            """
            SELECT id FROM integration_event
             WHERE direction = %s
               AND state IN ('received', 'failed')
               AND dead_letter IS NOT TRUE
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
               AND id != ALL(%s::int[])
             ORDER BY id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
            """,
            [direction, now, list(exclude)],
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _claim_companions(self, now, size, exclude=()):
        """Lock up to ``size`` more due events for the same connection and handler as
        this one (which is already locked), for a batch handler."""
        self.ensure_one()
        self.env.cr.execute(
            """
            SELECT id FROM integration_event
             WHERE direction = %s
               AND connection_id = %s
               AND handler = %s
               AND id != %s
               AND state IN ('received', 'failed')
               AND dead_letter IS NOT TRUE
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
               AND id != ALL(%s::int[])
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [
                self.direction,
                self.connection_id.id,
                self.handler,
                self.id,
                now,
                list(exclude),
                size,
            ],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _mark_claimed(self):
        """Start an attempt on these locked events: ``processing``, one attempt more,
        and a lease. Returns the lease (``lease_until``)."""
        if not self:
            return False
        lease = fields.Datetime.now() + timedelta(seconds=self._lease_seconds())
        self.env.cr.execute(
            """
            UPDATE integration_event
               SET state = 'processing',
                   attempts = COALESCE(attempts, 0) + 1,
                   lease_until = %s,
                   write_uid = %s,
                   write_date = %s
             WHERE id = ANY(%s)
            """,
            [lease, self.env.uid, self.env.cr.now(), self.ids],
        )
        self.invalidate_recordset(
            ["state", "attempts", "lease_until", "write_uid", "write_date"]
        )
        return lease

    def _lock_claimed(self, lease):
        """Lock these events again (a commit released them) while they are still the
        claim that set ``lease``; returns those.

        An event is no longer ours if a drain took it over after its lease (the lease
        was too short) or someone holds it. It is left alone, never run twice.
        """
        if not self:
            return self
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM integration_event
                     WHERE id = ANY(%s) AND state = 'processing' AND lease_until = %s
                     ORDER BY id
                       FOR UPDATE SKIP LOCKED
                    """,
                    [self.ids, lease],
                    log_exceptions=False,
                )
                ids = {row[0] for row in self.env.cr.fetchall()}
        except CONCURRENCY_ERRORS:
            ids = set()
        self.invalidate_recordset()
        return self.filtered(lambda event: event.id in ids)

    def _lock_if_due(self):
        """Lock this event unless it is gone, locked by another worker or no longer
        waiting."""
        self.ensure_one()
        self.flush_recordset(["state", "dead_letter"])
        self.env.cr.execute(
            """
            SELECT id FROM integration_event
             WHERE id = %s AND state IN ('received', 'failed')
               AND dead_letter IS NOT TRUE
               FOR UPDATE SKIP LOCKED
            """,
            [self.id],
        )
        self.invalidate_recordset()
        return bool(self.env.cr.fetchone())

    def _release_claim(self, lease, delay=None):
        """Give the attempt of these events, claimed with ``lease``, back: their work
        was rolled back (a concurrency error) or never started (the deadline passed).
        They wait again, ``delay`` seconds from now or, without it, as they waited
        before. An event that another drain has taken over since is not touched."""
        if not self:
            return
        when = fields.Datetime.now() + timedelta(seconds=delay) if delay else None
        self.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE integration_event
               SET attempts = attempts - 1,
                   state = CASE WHEN attempts > 1 THEN 'failed' ELSE 'received' END,
                   lease_until = NULL,
                   next_attempt_at = COALESCE(%s, next_attempt_at),
                   write_uid = %s,
                   write_date = %s
             WHERE id = ANY(%s) AND state = 'processing' AND lease_until = %s
            """,
            [when, self.env.uid, self.env.cr.now(), self.ids, lease],
        )
        self.invalidate_recordset()
        if when:
            for direction in set(self.mapped("direction")):
                self.env.ref(
                    f"base_integration.ir_cron_process_{direction}"
                ).sudo()._trigger(at=when)

    def _batch_method(self, connection):
        """The connection's ``<handler>_batch`` method, if it has one."""
        name = f"{self.handler}_batch"
        if HANDLER_NAME.fullmatch(self.handler or "") and hasattr(connection, name):
            return getattr(connection, name)
        return None

    def _resolve_handler(self, connection):
        if not HANDLER_NAME.fullmatch(self.handler or "") or not hasattr(
            connection, self.handler
        ):
            raise PermanentError(_("Unknown event handler %s.", self.handler))
        return getattr(connection, self.handler)

    def _process_claimed(self):
        """Run the handler of this claimed event and record the outcome.

        The handler runs in a savepoint with commits forbidden. The outcome is written
        in an outer savepoint with it: on a concurrency error anywhere in there (the
        handler, or writing a dead letter's activity beside another worker), all of it
        is rolled back and the event retried soon without spending an attempt.
        """
        self.ensure_one()
        connection = self.connection_id.with_company(self.company_id)
        try:
            with self.env.cr.savepoint():
                try:
                    method = self._resolve_handler(connection)
                    with self.env.cr.savepoint(), _prevent_commit(self.env.cr):
                        result = method(self)
                except CONCURRENCY_ERRORS:
                    raise
                except IgnoreEvent as exc:
                    self.env.invalidate_all()
                    self._record_ignored(connection, exc)
                except Exception as exc:  # noqa: BLE001 - every failure is recorded
                    self.env.invalidate_all()
                    self._record_failure(connection, exc)
                else:
                    self._record_done(result)
        except CONCURRENCY_ERRORS as exc:
            self._retry_concurrent(exc)

    def _retry_concurrent(self, exc):
        """Another transaction changed the same rows meanwhile (the savepoint of this
        event's work is already rolled back): retry soon, for free."""
        self.env.invalidate_all()
        lease = self.lease_until  # ours: this transaction holds the row
        _logger.info(
            "Integration event %s met a concurrent update, retried in %s s: %s",
            self.id,
            CONCURRENCY_RETRY_SECONDS,
            type(exc).__name__,
        )
        self._release_claim(lease, delay=CONCURRENCY_RETRY_SECONDS)

    def _process_batch(self, lease, commit=False, deadline=None):
        """Hand several claimed events of one connection and handler to its batch
        method, ``connection.<handler>_batch(events) -> {event_id: result}``.

        A result is the record produced (the event is done) or an exception, recorded
        as that event's failure with the usual backoff (e.g. the gateway is down: no
        point in calling it again for each event now). Events left out of the answer go
        through the one-by-one handler, in the same attempt. The batch method's work
        runs in one savepoint with commits forbidden; if it raises, nothing of it is
        kept and every event is processed one by one, so a batch never does less than
        single processing. The one-by-one rest stops at ``deadline`` (the others give
        their attempt back and stay due) and, with ``commit``, is committed event by
        event like ``_process_pending``: each event is locked again before its turn.

        :return: how many events were processed.
        """
        first = self[:1]
        connection = first.connection_id.with_company(first.company_id)
        method = first._batch_method(connection)
        results = {}
        try:
            with self.env.cr.savepoint(), _prevent_commit(self.env.cr):
                results = method(self) or {}
        except Exception as exc:  # noqa: BLE001 - fall back to one by one
            self.env.invalidate_all()
            _logger.info(
                "Batch handler %s failed for %s events, processing them one by one: %s",
                first.handler,
                len(self),
                connection._mask_text(str(exc))[:300],
            )
            results = {}
        answered = self.filtered(lambda event: event.id in results)
        for event in answered:
            result = results[event.id]
            if not isinstance(result, Exception):
                event._record_done(result)
                continue
            if isinstance(result, CONCURRENCY_ERRORS):
                event._retry_concurrent(result)
                continue
            if isinstance(result, IgnoreEvent):
                event._record_ignored(connection, result)
                continue
            try:
                with self.env.cr.savepoint():
                    event._record_failure(connection, result)
            except CONCURRENCY_ERRORS as exc:
                event._retry_concurrent(exc)
        processed = len(answered)
        rest = self - answered
        for index, event in enumerate(rest):
            if commit:
                # Keeps each event's work final; the commit also releases the row
                # locks of the batch, so each event is locked again before its turn.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if deadline is not None and time.monotonic() >= deadline:
                rest[index:]._release_claim(lease)  # not started: due again
                break
            if commit and not event._lock_claimed(lease):
                continue
            event._process_claimed()
            processed += 1
        return processed

    # ------------------------------------------------------------------ outcomes
    def _record_done(self, result):
        productive = not isinstance(result, Idle)
        if not productive:
            result = result.record
        vals = {
            "state": "done",
            "error": False,
            "next_attempt_at": False,
            "lease_until": False,
            "processed_at": fields.Datetime.now(),
            "productive": productive,
        }
        if isinstance(result, models.BaseModel) and len(result) == 1:
            vals.update(res_model=result._name, res_id=result.id)
        self.write(vals)

    def _record_ignored(self, connection, exc):
        self.write(
            {
                "state": "ignored",
                "error": connection._mask_text(str(exc)),
                "next_attempt_at": False,
                "lease_until": False,
                "processed_at": fields.Datetime.now(),
            }
        )

    def _record_failure(self, connection, exc):
        """Record a failed attempt: retried with backoff, or a dead letter.

        The error's ``retryable`` attribute decides (every ``IntegrationError`` has
        one): a ``PermanentError`` is a dead letter at once. Errors without it
        (``UserError``, a bug) are retried until the connection's attempts are spent:
        their cause may pass (a record being edited, a setting being fixed). An expired
        token is retryable and does not count toward the dead letter at all
        (``token_retries``): the token refresh fixes it, and it must never ask a person
        to act; its backoff still grows with every attempt, up to six hours. The same
        holds for an open circuit breaker (``CircuitOpenError``): the call was never
        sent, so a long outage does not turn every waiting event into a dead letter.

        Everything written or logged is masked with the connection's secrets: request
        errors quote URLs with tokens and signatures in their query.
        """
        if isinstance(exc, (IntegrationError, UserError)):
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = "".join(traceback.format_exception(exc, limit=6))
        error = connection._mask_text(error)
        _logger.info(
            "Integration event %s failed (attempt %s): %s",
            self.id,
            self.attempts,
            connection._mask_text(str(exc))[:300],
        )
        if not getattr(exc, "counts_as_attempt", True):
            self.token_retries += 1
        if not getattr(exc, "retryable", True) or self._attempts_spent(connection):
            self._record_dead_letter(connection, error)
        else:
            self._schedule_retry(error)

    def _attempts_spent(self, connection):
        return self.attempts - self.token_retries >= connection.event_max_attempts

    def _schedule_retry(self, error):
        when = fields.Datetime.now() + timedelta(seconds=self._retry_delay())
        self.write(
            {
                "state": "failed",
                "error": error,
                "next_attempt_at": when,
                "lease_until": False,
            }
        )
        cron = f"ir_cron_process_{self.direction}"
        self.env.ref(f"base_integration.{cron}").sudo()._trigger(at=when)

    def _record_dead_letter(self, connection, error):
        self.write(
            {
                "state": "failed",
                "error": error,
                "dead_letter": True,
                "next_attempt_at": False,
                "lease_until": False,
            }
        )
        connection.sudo()._notify_dead_letter(self)

    def _retry_delay(self):
        params = self.env["ir.config_parameter"].sudo()
        base = int(
            params.get_param("base_integration.retry_base_seconds", RETRY_BASE_SECONDS)
        )
        ceiling = min(RETRY_MAX_SECONDS, base * 2 ** max(0, self.attempts - 1))
        return random.uniform(ceiling * 0.75, ceiling)

    # ------------------------------------------------------------------ dead workers
    @api.model
    def _reclaim_expired(self, direction, commit=False):
        """Record the attempts of workers that died while they processed an event.

        Such an event is still ``processing`` after its lease, and no transaction holds
        its row: a live worker keeps it locked while its handler runs, so ``SKIP
        LOCKED`` passes over it however long the handler takes. (A ``processing`` event
        without a lease predates leases and is treated as expired.)

        :return: how many events were recorded.
        """
        self.flush_model(["state", "lease_until"])
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM integration_event
                     WHERE direction = %s
                       AND state = 'processing'
                       AND (lease_until IS NULL OR lease_until < %s)
                     ORDER BY id
                     LIMIT %s
                       FOR UPDATE SKIP LOCKED
                    """,
                    [direction, fields.Datetime.now(), RECLAIM_BATCH],
                    log_exceptions=False,
                )
                events = self.browse([row[0] for row in self.env.cr.fetchall()])
        except CONCURRENCY_ERRORS:
            # One finished just now, after our snapshot: the next run looks again.
            return 0
        for event in events:
            event._record_lost_worker()
        if commit and events:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(events)

    def _record_lost_worker(self):
        """This event's worker died mid-attempt: that attempt failed. Once the attempts
        are spent the event is a dead letter, so that an event that kills its worker
        (memory, a hung call past ``limit_time_real``) cannot stop the queue forever
        (``queue_job``'s ``JobFoundDead``)."""
        self.ensure_one()
        connection = self.connection_id.with_company(self.company_id)
        self.worker_deaths += 1
        _logger.warning(
            "Integration event %s: its worker died during attempt %s",
            self.id,
            self.attempts,
        )
        if self._attempts_spent(connection):
            self._record_dead_letter(
                connection,
                _(
                    "The worker processing this event died %(count)s times (killed, "
                    "out of memory or over its time limit), the last time at attempt "
                    "%(attempts)s. The event is set aside so that it cannot stop the "
                    "queue again: look for the cause in the server log, then retry.",
                    count=self.worker_deaths,
                    attempts=self.attempts,
                ),
            )
        else:
            self._schedule_retry(
                _(
                    "The worker processing this event died during attempt %s (killed, "
                    "out of memory or over its time limit); it is tried again later.",
                    self.attempts,
                )
            )

    # ------------------------------------------------------------------ crons
    def _count_due(self, direction):
        self.flush_model(["state", "dead_letter", "next_attempt_at"])
        self.env.cr.execute(
            """
            SELECT count(*) FROM integration_event
             WHERE direction = %s AND state IN ('received', 'failed')
               AND dead_letter IS NOT TRUE
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
            """,
            [direction, fields.Datetime.now()],
        )
        return self.env.cr.fetchone()[0]

    def _wake_sibling_crons(self, direction):
        """Odoo runs one cron record in one worker at a time: a backlog is shared with
        the other drain crons of this direction (duplicate one to add a worker)."""
        siblings = (
            self.env["ir.cron"]
            .sudo()
            .search(
                [
                    ("code", "=", f"model._cron_process_{direction}()"),
                    ("id", "!=", self.env.context.get("cron_id") or 0),
                ]
            )
        )
        for cron in siblings:
            cron._trigger()
        return siblings

    def _cron_drain(self, direction):
        params = self.env["ir.config_parameter"].sudo()
        batch = int(params.get_param("base_integration.batch_size", DEFAULT_BATCH))
        # Well below Odoo's default limit_time_real (120 s) for one cron job; the
        # lease (``_lease_seconds``) must be longer than this plus one handler.
        budget = int(params.get_param("base_integration.cron_seconds", CRON_SECONDS))
        cron_id = self.env.context.get("cron_id")
        if cron_id and self._count_due(direction) > FANOUT_BACKLOG:
            self._wake_sibling_crons(direction)
        drain = functools.partial(
            self._process_pending,
            direction,
            limit=batch,
            commit=not _is_testing(self.env),
            deadline=time.monotonic() + budget,
        )
        niceness = _drain_niceness() if cron_id else 0
        done = _run_at_lower_priority(niceness, drain) if niceness else drain()
        if cron_id and self._count_due(direction):
            # More is waiting: run again as a new job (with a fresh time limit)
            # rather than loop inside this one.
            self.env["ir.cron"].browse(cron_id)._trigger()
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    @api.model
    def _cron_process_inbound(self):
        return self._cron_drain("inbound")

    @api.model
    def _cron_process_outbound(self):
        return self._cron_drain("outbound")

    # ------------------------------------------------------------------ actions
    def action_retry(self):
        """Put events back in the queue now, with a fresh attempt budget.

        :returns: a notification saying how many were queued, then a reload.
        """
        self._integration_retry()
        retryable = self.filtered(lambda e: e.state == "received")
        Connection = self.env["integration.connection"]
        if not retryable:
            return Connection._integration_notification(
                _(
                    "Nothing to retry: only failed, ignored or queued events can be "
                    "retried (done or processing events are left alone)."
                ),
                kind="warning",
            )
        return Connection._integration_notification(
            _(
                "%(count)s event(s) queued for a retry: they are processed within a "
                "minute. Refresh the list to see their outcome.",
                count=len(retryable),
            )
        )

    def _integration_retry(self):
        """Requeue the retryable events among these (the work of *Retry*)."""
        self.check_access("write")  # managers of these events only
        retryable = self.filtered(
            lambda e: e.state in ("failed", "ignored", "received")
        )
        retryable.write(
            {
                "state": "received",
                "attempts": 0,
                "worker_deaths": 0,
                "token_retries": 0,
                "dead_letter": False,
                "next_attempt_at": False,
                "lease_until": False,
                "error": False,
            }
        )
        for direction in set(retryable.mapped("direction")):
            self.env.ref(
                f"base_integration.ir_cron_process_{direction}"
            ).sudo()._trigger()
        return retryable

    def action_process_now(self):
        """Retry and process at once (for a person watching the result).

        The person must be allowed to change these events (access rights and record
        rules). The handlers then run as the drain cron runs them: as superuser, in the
        event's company (one of the person's, or the record rules would have refused),
        still in the person's name (``sudo()`` keeps the user, so what the handler
        creates shows who asked). The person manages the integration, not necessarily
        what its handlers book (a payment, a picking): a right they lack must not be
        recorded as a failed attempt (D23). Failures are recorded and masked as in the
        cron; the person reads the outcome on the event.

        :returns: a notification with the outcome, then a reload of the form.
        """
        self.check_access("write")
        self._integration_retry()
        for event in self.sudo():
            if event.state == "received" and event._lock_if_due():
                event._mark_claimed()
                event._process_claimed()
        return self._integration_outcome_notification()

    def _run_now_in_own_cursor(self):
        """Process these queued events at once, as a drain cron would: each claim is
        committed before its handler runs, each outcome committed after it.

        Only for an environment on a cursor of its own (a post-commit callback that
        opened it): it commits. Events another worker holds, or that are no longer
        waiting, are left alone.
        """
        for event in self.sudo():
            if event.state != "received" or not event._lock_if_due():
                continue
            lease = event._mark_claimed()
            # Safe: this cursor was opened for this work alone (see the docstring);
            # the claim is committed first, as the cron commits it.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            if event._lock_claimed(lease):
                event._process_claimed()
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _integration_outcome_notification(self):
        """A notification saying how these events ended, for the person who ran them."""
        Connection = self.env["integration.connection"]
        events = self.sudo()
        events.invalidate_recordset(["state", "error", "dead_letter"])
        if len(events) == 1:
            event = events
            if event.state == "done":
                return Connection._integration_notification(
                    _("Event %s processed.", event.display_name)
                )
            if event.state == "ignored":
                return Connection._integration_notification(
                    _(
                        "Event %(event)s needed no work: %(why)s",
                        event=event.display_name,
                        why=(event.error or "-")[:300],
                    ),
                    kind="info",
                )
            if event.state == "failed":
                return Connection._integration_notification(
                    _(
                        "Event %(event)s failed again: %(error)s. Fix the cause and "
                        "press Retry now; the Error tab has the details.",
                        event=event.display_name,
                        error=_last_line(event.error)[:300],
                    ),
                    kind="danger",
                )
            return Connection._integration_notification(
                _(
                    "Event %s is being processed by another worker; refresh in a "
                    "moment.",
                    event.display_name,
                ),
                kind="info",
            )
        done = len(events.filtered(lambda e: e.state in ("done", "ignored")))
        failed = len(events.filtered(lambda e: e.state == "failed"))
        return Connection._integration_notification(
            _(
                "%(done)s event(s) processed, %(failed)s failed again.",
                done=done,
                failed=failed,
            ),
            kind="warning" if failed else "success",
        )

    def action_ignore(self):
        """Set events aside. An event being processed is left alone: its worker holds
        its row, and its outcome would overwrite the choice anyway."""
        self.check_access("write")  # managers of these events only
        ignored = self.filtered(lambda e: e.state not in ("done", "processing"))
        ignored.write(
            {"state": "ignored", "dead_letter": False, "next_attempt_at": False}
        )
        return self.env["integration.connection"]._integration_notification(
            _("%(count)s event(s) set aside.", count=len(ignored)), kind="info"
        )

    def action_open_record(self):
        self.ensure_one()
        if not (self.res_model and self.res_id):
            raise UserError(_("This event did not produce a record."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
