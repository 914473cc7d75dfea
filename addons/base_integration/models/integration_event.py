# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One model for the inbox (verified webhook deliveries) and the outbox (outbound work
that must survive failures), drained by Odoo's own scheduler."""

import json
import logging
import os
import random
import re
import threading
import time
import traceback
import uuid
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from ..api.exceptions import IgnoreEvent, IntegrationError, PermanentError
from .cron_wakeup import wake_cron

_logger = logging.getLogger(__name__)

HANDLER_NAME = re.compile(r"_[a-z][a-z0-9_]*")
DEFAULT_BATCH = 200
# Events handed at once to a connection's ``<handler>_batch`` method.
BATCH_HANDLER_SIZE = 25
# Above this many due events, the other drain crons of the direction are woken too.
FANOUT_BACKLOG = 20
# Seconds one cron run may spend starting new events.
CRON_SECONDS = 45
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600


def _lower_cron_priority():
    """Run this cron worker process at a lower CPU priority, once.

    Webhook acknowledgements and the drain crons share the same cores; gateways time
    out (Xendit does not retry a timed-out callback), bookings can wait a little. With
    ``integration_cron_niceness = N`` in the server configuration and prefork workers
    (where crons run in their own processes), a cron worker that drains the queues
    lowers its priority by N (``os.nice``) for the rest of its life, so that HTTP
    workers win the CPU when both want it. Off by default.
    """
    niceness = int(config.get("integration_cron_niceness") or 0)
    if niceness <= 0 or not config.get("workers") or os.getpid() in _niced_pids:
        return
    _niced_pids[os.getpid()] = os.nice(niceness)


_niced_pids = {}


def _is_testing(env):
    """True inside Odoo's (or pytest-odoo's) tests, where committing is forbidden."""
    return env.registry.in_test_mode() or getattr(
        threading.current_thread(), "testing", False
    )


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
    provider = fields.Selection(related="connection_id.provider")
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="inbound",
    )
    event_type = fields.Char(index=True)
    external_id = fields.Char(string="External ID", index=True)
    dedupe_key = fields.Char(
        help="Two inbound deliveries with the same key on one connection are one event.",
    )
    handler = fields.Char(
        required=True, help="Method of the connection that does the work."
    )
    # Raw deliveries carry signatures, buyer names, addresses and phones: for managers
    # of every connection, or of their addon's (whose record rules say which).
    body = fields.Text(
        string="Raw body",
        groups="base_integration.group_integration_manager,"
        "base_integration.group_integration_scoped_manager",
    )
    headers = fields.Text(
        help="Selected request headers, without secrets (JSON).",
        groups="base_integration.group_integration_manager,"
        "base_integration.group_integration_scoped_manager",
    )
    received_at = fields.Datetime(
        default=fields.Datetime.now, required=True, index=True
    )
    state = fields.Selection(
        [
            ("received", "Received / queued"),
            ("processing", "Processing"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("ignored", "Ignored"),
        ],
        default="received",
        required=True,
        index=True,
    )
    attempts = fields.Integer(default=0, readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    dead_letter = fields.Boolean(
        readonly=True,
        help="Failed for good: a person must fix the cause and retry.",
    )
    error = fields.Text(readonly=True)
    processed_at = fields.Datetime(readonly=True)
    idempotency_key = fields.Char(
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
                        attempts, dead_letter, idempotency_key,
                        create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, 'inbound', %s, %s, %s, %s, %s, %s, %s, %s, %s,
                        0, %s, %s, %s, %s, %s, %s)
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
            return self._find_duplicate(connection, dedupe_key), False
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

    @api.model
    def _enqueue(
        self, connection, handler, payload, *, dedupe_key=None, record=None, delay=0
    ):
        """Queue outbound work for ``connection.<handler>(event)``.

        A queued event with the same ``dedupe_key`` gets the new payload instead of a
        second event (debounce). Returns the event.
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
            queued = self.search(
                [
                    ("connection_id", "=", connection.id),
                    ("direction", "=", "outbound"),
                    ("dedupe_key", "=", dedupe_key),
                    ("state", "=", "received"),
                ],
                limit=1,
            )
            if queued:
                queued.write(vals)
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

    def _get_payload(self):
        self.ensure_one()
        try:
            return json.loads(self.body or "null")
        except ValueError as exc:
            raise PermanentError(
                _("The stored body is not valid JSON: %s", exc)
            ) from exc

    # ------------------------------------------------------------------ processing
    def _claim_next(self, direction, now):
        """Lock one due event that no other worker holds."""
        self.flush_model(["state", "dead_letter", "next_attempt_at"])
        self.env.cr.execute(
            """
            SELECT id FROM integration_event
             WHERE direction = %s
               AND state IN ('received', 'failed')
               AND dead_letter IS NOT TRUE
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
             ORDER BY id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
            """,
            [direction, now],
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _claim_companions(self, now, size):
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
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [self.direction, self.connection_id.id, self.handler, self.id, now, size],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _batch_method(self, connection):
        """The connection's ``<handler>_batch`` method, if it has one."""
        name = f"{self.handler}_batch"
        if HANDLER_NAME.fullmatch(self.handler or "") and hasattr(connection, name):
            return getattr(connection, name)
        return None

    @api.model
    def _process_pending(
        self, direction, limit=DEFAULT_BATCH, commit=False, deadline=None
    ):
        """Process due events; returns how many were processed.

        Each event runs in a savepoint, so a failure rolls back only its own work. When
        the connection has a ``<handler>_batch`` method, due events of the same
        connection and handler are claimed together (``batch_handler_size``) and handed
        to it at once (see ``_process_batch``). With ``commit`` (crons only) the
        transaction is committed after each event or batch: its work is then final and
        the row locks released for other workers. No new event is started after
        ``deadline`` (a ``time.monotonic()`` value).
        """
        processed = 0
        seen = set()
        batch_size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base_integration.batch_handler_size", BATCH_HANDLER_SIZE)
        )
        while processed < limit and (deadline is None or time.monotonic() < deadline):
            try:
                with self.env.cr.savepoint(flush=False):
                    now = fields.Datetime.now()
                    event = self._claim_next(direction, now)
                    batch = event
                    if (
                        event
                        and batch_size > 1
                        and event._batch_method(event.connection_id)
                    ):
                        size = min(batch_size, limit - processed) - 1
                        batch |= event._claim_companions(now, size)
            except psycopg2.errors.SerializationFailure:
                # Another worker committed a row after our snapshot was taken
                # (REPEATABLE READ). A new transaction sees it; this one never will.
                if not commit:
                    break
                self.env.cr.rollback()  # pylint: disable=invalid-commit
                continue
            if not event or event.id in seen:
                break
            seen.update(batch.ids)
            if len(batch) > 1:
                processed += batch._process_batch(commit=commit, deadline=deadline)
            else:
                event._process_one()
                processed += 1
            if commit:
                # Safe: only crons pass commit=True, and each event's work is complete.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return processed

    def _process_batch(self, commit=False, deadline=None):
        """Hand several claimed events of one connection and handler to its batch
        method, ``connection.<handler>_batch(events) -> {event_id: result}``.

        A result is the record produced (the event is done) or an exception, recorded
        as that event's failure with the usual backoff (e.g. the gateway is down: no
        point in calling it again for each event now). Events left out of the answer go
        through the one-by-one handler. The batch method's work runs in one savepoint;
        if it raises, nothing of it is kept and every event is processed one by one,
        so a batch never does less than single processing. The one-by-one rest stops
        at ``deadline`` (the others stay due) and, with ``commit``, is committed event
        by event like ``_process_pending``.

        :return: how many events were processed.
        """
        first = self[:1]
        connection = first.connection_id.with_company(first.company_id)
        method = first._batch_method(connection)
        results = {}
        try:
            with self.env.cr.savepoint():
                results = method(self) or {}
        except Exception as exc:  # noqa: BLE001 - fall back to one by one
            self.env.invalidate_all()
            _logger.info(
                "Batch handler %s failed for %s events, processing them one by one: %s",
                first.handler,
                len(self),
                str(exc)[:300],
            )
            results = {}
        answered = self.filtered(lambda event: event.id in results)
        now = fields.Datetime.now()
        for event in answered:
            result = results[event.id]
            if isinstance(result, Exception):
                event.write({"state": "processing", "attempts": event.attempts + 1})
                event._record_failure(connection, result)
                continue
            vals = {
                "state": "done",
                "attempts": event.attempts + 1,
                "error": False,
                "next_attempt_at": False,
                "processed_at": now,
            }
            if isinstance(result, models.BaseModel) and len(result) == 1:
                vals.update(res_model=result._name, res_id=result.id)
            event.write(vals)
        processed = len(answered)
        for event in self - answered:
            if commit:
                # Keeps each event's work final; the commit also releases the row
                # locks of the batch, so each event is locked again before its turn.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if deadline is not None and time.monotonic() >= deadline:
                break  # the rest stays due for the next run
            if commit and not event._lock_if_due():
                continue  # another worker took it meanwhile
            event._process_one()
            processed += 1
        return processed

    def _lock_if_due(self):
        """Lock this event again (after a commit) unless it is gone, locked by another
        worker or no longer waiting."""
        self.ensure_one()
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

    def _process_one(self):
        self.ensure_one()
        connection = self.connection_id.with_company(self.company_id)
        self.write({"state": "processing", "attempts": self.attempts + 1})
        try:
            method = self._resolve_handler(connection)
            with self.env.cr.savepoint():
                result = method(self)
        except IgnoreEvent as exc:
            self.env.invalidate_all()
            self.write(
                {
                    "state": "ignored",
                    "error": str(exc),
                    "next_attempt_at": False,
                    "processed_at": fields.Datetime.now(),
                }
            )
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            self.env.invalidate_all()
            self._record_failure(connection, exc)
        else:
            vals = {
                "state": "done",
                "error": False,
                "next_attempt_at": False,
                "processed_at": fields.Datetime.now(),
            }
            if isinstance(result, models.BaseModel) and len(result) == 1:
                vals.update(res_model=result._name, res_id=result.id)
            self.write(vals)

    def _resolve_handler(self, connection):
        if not HANDLER_NAME.fullmatch(self.handler or "") or not hasattr(
            connection, self.handler
        ):
            raise PermanentError(_("Unknown event handler %s.", self.handler))
        return getattr(connection, self.handler)

    def _retry_delay(self):
        params = self.env["ir.config_parameter"].sudo()
        base = int(
            params.get_param("base_integration.retry_base_seconds", RETRY_BASE_SECONDS)
        )
        ceiling = min(RETRY_MAX_SECONDS, base * 2 ** max(0, self.attempts - 1))
        return random.uniform(ceiling * 0.75, ceiling)

    def _record_failure(self, connection, exc):
        permanent = isinstance(exc, PermanentError)
        if isinstance(exc, (IntegrationError, UserError)):
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = "".join(traceback.format_exception(exc, limit=6))
        _logger.info(
            "Integration event %s failed (attempt %s): %s",
            self.id,
            self.attempts,
            str(exc)[:300],
        )
        if permanent or self.attempts >= connection.event_max_attempts:
            self.write(
                {
                    "state": "failed",
                    "error": error,
                    "dead_letter": True,
                    "next_attempt_at": False,
                }
            )
            connection.sudo()._notify_dead_letter(self)
        else:
            when = fields.Datetime.now() + timedelta(seconds=self._retry_delay())
            self.write({"state": "failed", "error": error, "next_attempt_at": when})
            cron = f"ir_cron_process_{self.direction}"
            self.env.ref(f"base_integration.{cron}").sudo()._trigger(at=when)

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
        # Well below Odoo's default limit_time_real (120 s) for one cron job.
        budget = int(params.get_param("base_integration.cron_seconds", CRON_SECONDS))
        cron_id = self.env.context.get("cron_id")
        if cron_id:
            _lower_cron_priority()
        if cron_id and self._count_due(direction) > FANOUT_BACKLOG:
            self._wake_sibling_crons(direction)
        done = self._process_pending(
            direction,
            limit=batch,
            commit=not _is_testing(self.env),
            deadline=time.monotonic() + budget,
        )
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
        """Put events back in the queue now, with a fresh attempt budget."""
        self.check_access("write")  # managers of these events only
        retryable = self.filtered(
            lambda e: e.state in ("failed", "ignored", "received")
        )
        retryable.write(
            {
                "state": "received",
                "attempts": 0,
                "dead_letter": False,
                "next_attempt_at": False,
                "error": False,
            }
        )
        for direction in set(retryable.mapped("direction")):
            self.env.ref(
                f"base_integration.ir_cron_process_{direction}"
            ).sudo()._trigger()
        return True

    def action_process_now(self):
        """Retry and process at once (for a person watching the result)."""
        self.action_retry()
        for event in self:
            if event.state == "received":
                event._process_one()
        return True

    def action_ignore(self):
        self.check_access("write")  # managers of these events only
        self.filtered(lambda e: e.state != "done").write(
            {"state": "ignored", "dead_letter": False, "next_attempt_at": False}
        )
        return True

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
