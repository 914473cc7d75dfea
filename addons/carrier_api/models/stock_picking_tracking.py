# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking until delivered (issue 10 §6).

The cron picks the open shipments due for a poll, groups them by carrier account,
and asks the carriers concurrently: the requests are gathered in the main thread
(ORM), the calls run in a bounded pool of threads per account (no ORM there: plain
clients, logs collected in memory), then the answers are written in batches. The
number of SQL queries therefore grows with the number of accounts, not shipments
(see tests/benchmarks/bench_carrier.py).

One shipment at a time: the picking rows are locked before the calls (the cron skips
rows another poll holds, ``FOR NO KEY UPDATE SKIP LOCKED``; the refresh button and the
Biteship webhook stop at once, ``NOWAIT``, and the webhook event is retried), so the
cron and a webhook never apply one answer twice. The writes of one run go in batches,
each in a savepoint: when one fails, its shipments are written one by one, so a bad
shipment (or a failing mail) cannot roll back the others.
"""

import json
import logging
import queue
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg2
import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.base_integration.api.exceptions import IntegrationError

from ..api import CLIENTS
from ..api.base import CAP_TRACK, CAP_TRACK_MANY
from . import const
from .delivery_carrier import CARRIER_TYPES

_logger = logging.getLogger(__name__)

# System parameters (defaults).
PARAM_BATCH = "carrier_api.tracking_batch"  # shipments per cron run
PARAM_WORKERS = "carrier_api.tracking_workers"  # concurrent calls per account
PARAM_INTERVAL = "carrier_api.tracking_interval_minutes"  # normal poll interval
PARAM_GIVE_UP = "carrier_api.tracking_give_up_days"  # unknown number: give up after
PARAM_BACKOFF_MAX = "carrier_api.tracking_backoff_max_hours"
DEFAULTS = {
    PARAM_BATCH: 5000,
    PARAM_WORKERS: 16,
    PARAM_INTERVAL: 60,
    PARAM_GIVE_UP: 7,
    PARAM_BACKOFF_MAX: 24,
}
# Waybills per call where the client tracks several at once.
MANY_CHUNK = 50


class StockPicking(models.Model):
    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    carrier_api_delivery_state = fields.Selection(
        const.DELIVERY_STATES,
        string="Delivery state",
        index=True,
        copy=False,
        tracking=True,
    )
    carrier_api_status_raw = fields.Char(
        string="Carrier status", copy=False, help="The carrier's latest status, as is."
    )
    carrier_api_status_unknown = fields.Boolean(
        string="Unknown carrier status",
        copy=False,
        help="The carrier's latest status is not in the status map; the delivery "
        "state was kept.",
    )
    carrier_api_delivered_at = fields.Datetime(string="Delivered on", copy=False)
    carrier_api_tracked_at = fields.Datetime(string="Tracking read on", copy=False)
    carrier_api_next_poll = fields.Datetime(
        string="Next tracking poll", copy=False, index=True
    )
    carrier_api_poll_failures = fields.Integer(
        string="Failed polls in a row", copy=False
    )
    carrier_api_unknown_since = fields.Datetime(
        string="Carrier does not know the number since", copy=False
    )
    carrier_api_tracking_stopped = fields.Boolean(
        string="Tracking given up",
        copy=False,
        help="The carrier never knew this number within the configured time.",
    )
    carrier_api_tracking_event_ids = fields.One2many(
        "carrier.api.tracking.event", "picking_id", string="Tracking history"
    )

    # ------------------------------------------------------------------ actions
    def action_carrier_api_refresh_tracking(self):
        """*Refresh tracking*: poll these pickings now, whatever their next poll."""
        pickings = self.filtered(
            lambda p: p.carrier_tracking_ref and p.carrier_api_is_ours
        )
        if not pickings:
            raise UserError(_("None of these transfers has a carrier waybill."))
        pickings.check_access("write")
        try:
            summary = pickings.sudo()._carrier_api_track(manual=True)
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _(
                    "The tracking of these transfers is being read right now (the "
                    "scheduled poll or a carrier notification): try again in a moment."
                )
            ) from None
        if summary["untrackable"] and len(pickings) == len(summary["untrackable"]):
            raise UserError(_("This carrier offers no tracking API."))
        return True

    @api.model
    def _cron_carrier_api_track(self):
        return self._carrier_api_track_due()

    def _carrier_api_param(self, name):
        value = self.env["ir.config_parameter"].sudo().get_param(name)
        try:
            return type(DEFAULTS[name])(value) if value else DEFAULTS[name]
        except ValueError:
            return DEFAULTS[name]

    def _carrier_api_track_domain(self):
        now = fields.Datetime.now()
        return [
            ("carrier_tracking_ref", "!=", False),
            ("carrier_id.delivery_type", "in", list(CARRIER_TYPES)),
            ("carrier_api_tracking_stopped", "=", False),
            ("state", "!=", "cancel"),
            "|",
            ("carrier_api_delivery_state", "=", False),
            ("carrier_api_delivery_state", "not in", list(const.TERMINAL_STATES)),
            "|",
            ("carrier_api_next_poll", "=", False),
            ("carrier_api_next_poll", "<=", now),
        ]

    @api.model
    def _carrier_api_track_due(self, limit=None):
        limit = limit or self._carrier_api_param(PARAM_BATCH)
        pickings = self.sudo().search(
            self._carrier_api_track_domain(),
            order="carrier_api_next_poll asc nulls first, id",
            limit=limit,
        )
        return pickings._carrier_api_track()

    # ------------------------------------------------------------------ engine
    def _carrier_api_track_lock(self, wait="skip"):
        """Lock these picking rows for this transaction; returns the locked ones.

        :param wait: "skip" leaves out the rows another transaction holds (the
            cron: that poll applies their answer); "nowait" raises
            ``LockNotAvailable`` instead (a concurrency error: the inbox retries a
            webhook event, the button says so). Never waits: the other side may hold
            the rows during its HTTP calls.
        """
        if not self:
            return self
        self.flush_recordset()
        clause = "SKIP LOCKED" if wait == "skip" else "NOWAIT"
        # In a savepoint: a refused NOWAIT leaves the transaction usable (the caller
        # still writes its message).
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(
                f"SELECT id FROM stock_picking WHERE id IN %s "
                f"FOR NO KEY UPDATE {clause}",
                [tuple(self.ids)],
                log_exceptions=False,
            )
            locked = {row[0] for row in self.env.cr.fetchall()}
        # values another poll may have written before this one took the rows
        self.invalidate_recordset()
        return self.filtered(lambda p: p.id in locked)

    def _carrier_api_track(self, manual=False):
        """Poll ``self`` (sudo): returns a summary dict (calls, updated, untrackable).

        The rows are locked first (see ``_carrier_api_track_lock``): the cron skips
        those another poll holds, a manual poll raises ``LockNotAvailable``.
        """
        locked = self._carrier_api_track_lock("nowait" if manual else "skip")
        return locked._carrier_api_track_locked(manual)

    def _carrier_api_track_locked(self, manual):
        summary = {"calls": 0, "updated": 0, "untrackable": self.browse()}
        # 1. Gather in the main thread: per account, the client class and waybills.
        by_connection = defaultdict(lambda: self.browse())
        self.fetch(["carrier_tracking_ref", "carrier_id", "carrier_api_delivery_state"])
        for picking in self:
            connection = picking.carrier_id.carrier_api_connection_id
            if not connection:
                summary["untrackable"] |= picking
                continue
            by_connection[connection] |= picking
        jobs = []
        for connection, pickings in by_connection.items():
            job = self._carrier_api_track_job(connection, pickings)
            if job is None:
                summary["untrackable"] |= pickings
                continue
            jobs.append(job)
        # A carrier without a tracking API is never polled again by the cron.
        if summary["untrackable"] and not manual:
            summary["untrackable"].write({"carrier_api_tracking_stopped": True})
        # 2. Call out concurrently (threads, no ORM), bounded per account.
        if jobs:
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                for _job in pool.map(_run_job, jobs):
                    pass
        # 3. Write in batches.
        for job in jobs:
            summary["calls"] += job["calls"]
            summary["updated"] += self._carrier_api_apply(job)
        return summary

    def _carrier_api_track_job(self, connection, pickings):
        connection = connection.sudo()
        client_class = CLIENTS.get(connection.provider)
        if client_class is None or CAP_TRACK not in client_class.capabilities:
            return None
        workers = max(1, self._carrier_api_param(PARAM_WORKERS))
        logs = []
        clients = queue.SimpleQueue()
        transports = []
        try:
            for _i in range(workers):
                transport = requests.Session()
                transports.append(transport)
                # The log callback only appends (thread-safe): entries are written
                # by the main thread afterwards.
                clients.put(
                    connection._carrier_client(
                        log=logs.append, session=transport, max_attempts=2
                    )
                )
        except UserError as exc:
            _logger.warning("Tracking skipped for %s: %s", connection.name, exc)
            for transport in transports:
                transport.close()
            return None
        waybills = {}
        for picking in pickings:
            numbers = _split_refs(picking.carrier_tracking_ref)
            number = numbers[0] if numbers else ""
            courier = picking.carrier_id.carrier_api_courier_code
            if number and connection.provider == "biteship" and courier:
                # Biteship tracks a waybill per courier (§5.4).
                number = f"{courier.lower()}:{number}"
            waybills[picking.id] = number
        numbers = sorted({w for w in waybills.values() if w})
        if CAP_TRACK_MANY in client_class.capabilities:
            chunks = [
                numbers[i : i + MANY_CHUNK] for i in range(0, len(numbers), MANY_CHUNK)
            ]
        else:
            chunks = [[number] for number in numbers]
        return {
            "connection": connection,
            "pickings": pickings,
            "waybills": waybills,
            "chunks": chunks,
            "clients": clients,
            "workers": workers,
            "transports": transports,
            "logs": logs,
            "results": {},
            "errors": {},
            "calls": 0,
        }

    def _carrier_api_write_logs(self, connection, entries):
        """The HTTP log of one run, written in one batch (one side transaction per
        entry, as ``integration.log._make_logger`` does, would cost thousands of
        commits per run). Same system parameters as that logger."""
        if not entries:
            return
        params = self.env["ir.config_parameter"].sudo()
        mode = params.get_param("base_integration.http_log", "all")
        bodies = params.get_param("base_integration.http_log_bodies", "errors")
        vals_list = []
        for entry in entries:
            failed = not entry.get("status_code") or entry["status_code"] >= 400
            if mode == "none" or (mode == "errors" and not failed):
                continue
            vals = dict(
                entry,
                connection_id=connection.id,
                request_headers=json.dumps(entry.get("request_headers") or {}),
            )
            if bodies == "none" or (bodies == "errors" and not failed):
                vals.update(request_body=False, response_body=False)
            vals_list.append(vals)
        if vals_list:
            self.env["integration.log"].sudo().create(vals_list)

    def _carrier_api_apply(self, job):
        """Write one account's answers: states, events, back-off, mails, activities."""
        connection = job["connection"]
        for transport in job["transports"]:
            transport.close()
        self._carrier_api_write_logs(connection, job["logs"])
        now = fields.Datetime.now()
        interval = timedelta(minutes=self._carrier_api_param(PARAM_INTERVAL))
        give_up = timedelta(days=self._carrier_api_param(PARAM_GIVE_UP))
        backoff_max = timedelta(hours=self._carrier_api_param(PARAM_BACKOFF_MAX))
        code = connection.provider
        pickings = job["pickings"]
        existing = defaultdict(set)
        for row in (
            self.env["carrier.api.tracking.event"]
            .sudo()
            .search_read(
                [("picking_id", "in", pickings.ids)],
                ["picking_id", "at", "status_raw", "description"],
            )
        ):
            existing[row["picking_id"][0]].add(
                (row["at"], row["status_raw"], row["description"] or "")
            )
        new_events = defaultdict(list)  # picking id -> event values
        grouped = defaultdict(list)  # identical write values -> picking ids
        outcome = {"delivered": [], "incident": [], "given_up": []}
        for picking in pickings:
            number = job["waybills"].get(picking.id)
            vals, events, what = picking._carrier_api_track_vals(
                code,
                number,
                job["results"].get(number),
                job["errors"].get(number),
                existing[picking.id],
                now=now,
                interval=interval,
                give_up=give_up,
                backoff_max=backoff_max,
            )
            if events:
                new_events[picking.id] = events
            if what:
                outcome[what].append(picking)
            grouped[_freeze(vals)].append(picking.id)
        failed = set()
        Event = self.env["carrier.api.tracking.event"].sudo()
        if new_events:
            self._carrier_api_batch(
                list(new_events),
                lambda ids: Event.create([e for i in ids for e in new_events[i]]),
                failed,
                "events",
            )
        for frozen, ids in grouped.items():
            ids = [i for i in ids if i not in failed]
            if ids:
                self._carrier_api_batch(
                    ids,
                    lambda part, vals=dict(frozen): self.browse(part).write(vals),
                    failed,
                    "tracking values",
                )
        delivered = [p for p in outcome["delivered"] if p.id not in failed]
        incidents = [p for p in outcome["incident"] if p.id not in failed]
        self._carrier_api_notify(delivered, incidents)
        self._carrier_api_activity_given_up(
            [p for p in outcome["given_up"] if p.id not in failed]
        )
        return len(pickings) - len(failed)

    def _carrier_api_batch(self, ids, write, failed, what):
        """``write(ids)`` in a savepoint; when it fails, ``write([id])`` for each in
        a savepoint of its own, the failing ids added to ``failed`` (and logged).
        Concurrency errors are not caught: the whole run is retried.

        The savepoints flush the ORM but do not run the precommit hooks (the mail
        tracking of the state field): those run once, at commit, for the whole run."""
        self.env.flush_all()  # what is pending already stays outside the savepoint
        try:
            with self.env.cr.savepoint(flush=False):
                write(ids)
                self.env.flush_all()
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001 - one bad shipment must not stop the batch
            # the cache may hold what the savepoint rolled back: forget it (the
            # precommit hooks of the writes before are kept)
            self.env.transaction.clear()
            _logger.info("Batch write of %s failed, retried one by one", what)
        for record_id in ids:
            try:
                with self.env.cr.savepoint(flush=False):
                    write([record_id])
                    self.env.flush_all()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # noqa: BLE001
                self.env.transaction.clear()
                _logger.exception(
                    "Tracking: the %s of transfer %s could not be written",
                    what,
                    record_id,
                )
                failed.add(record_id)

    def _carrier_api_track_vals(
        self, code, number, result, error, seen, now, interval, give_up, backoff_max
    ):
        """What one answer changes: ``(vals, new event values, outcome)``, outcome
        being "delivered", "incident", "given_up" or None. No query."""
        picking = self
        vals = {"carrier_api_tracked_at": now}
        new_events = []
        if result is None or not result.known:
            # The call failed, or the carrier does not know the number (yet): back
            # off exponentially, the state is left as it is.
            failures = picking.carrier_api_poll_failures + 1
            vals["carrier_api_poll_failures"] = failures
            vals["carrier_api_next_poll"] = now + min(
                interval * (2**failures), backoff_max
            )
            if result is None:
                if error:
                    _logger.info("Tracking %s failed: %s", picking.name, error)
                return vals, new_events, None
            since = picking.carrier_api_unknown_since or now
            vals["carrier_api_unknown_since"] = since
            if now - since >= give_up:
                vals["carrier_api_tracking_stopped"] = True
                return vals, new_events, "given_up"
            return vals, new_events, None
        vals.update(
            carrier_api_poll_failures=0,
            carrier_api_unknown_since=False,
            carrier_api_next_poll=now + interval,
            carrier_api_status_raw=(result.status or "")[:255],
        )
        for event in result.events:
            # Datetime fields drop the microseconds: compare stored values.
            at = event.at.replace(microsecond=0) if event.at else None
            description = (event.description or "")[:255]
            # J&T's code 100 covers pickup, transit and delivery run (§2.5): the
            # text tells two events of one second apart.
            key = (at, event.status[:255] or "?", description)
            if key in seen:
                continue
            seen.add(key)
            state = const.map_status(code, event.status)
            new_events.append(
                {
                    "picking_id": picking.id,
                    "waybill": number,
                    "at": at,
                    "status_raw": key[1],
                    "description": description,
                    "location": (event.location or "")[:255],
                    "delivery_state": state,
                    "unknown": state is None,
                }
            )
        state = const.map_status(code, result.status)
        vals["carrier_api_status_unknown"] = state is None
        what = None
        if state and state != picking.carrier_api_delivery_state:
            vals["carrier_api_delivery_state"] = state
            if state == "delivered":
                vals["carrier_api_delivered_at"] = result.delivered_at or now
                what = "delivered"
            elif state in const.INCIDENT_STATES:
                what = "incident"
        if state in const.TERMINAL_STATES:
            vals["carrier_api_next_poll"] = False
        return vals, new_events, what

    def _carrier_api_notify(self, delivered, incidents):
        for xmlid, pickings in (
            ("carrier_api.mail_template_carrier_delivered", delivered),
            ("carrier_api.mail_template_carrier_incident", incidents),
        ):
            if not pickings:
                continue
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if not template:
                continue
            for picking in pickings:
                if not picking.partner_id.email:
                    continue
                try:
                    # Queued (mail.mail), sent by the mail cron; a bad template or
                    # address must not roll back the tracking already written.
                    with self.env.cr.savepoint(flush=False):
                        template.send_mail(picking.id)
                        self.env.flush_all()
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    raise
                except Exception:  # noqa: BLE001
                    self.env.transaction.clear()
                    _logger.exception("Tracking mail of %s failed", picking.name)

    def _carrier_api_activity_given_up(self, pickings):
        for picking in pickings:
            picking.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Tracking given up"),
                note=_(
                    "The carrier never knew the waybill %(waybill)s: tracking "
                    "stopped. Check the number with the carrier.",
                    waybill=picking.carrier_tracking_ref,
                ),
                user_id=picking.user_id.id or self.env.ref("base.user_admin").id,
            )


def _split_refs(ref):
    return [part.strip() for part in (ref or "").replace(";", ",").split(",") if part]


def _freeze(vals):
    return tuple(sorted(vals.items()))


def _run_job(job):
    """One account's calls, bounded by ``job['workers']`` threads. No ORM here."""

    def call(chunk):
        client = job["clients"].get()
        try:
            try:
                results = client.track(chunk)
            except IntegrationError as exc:
                return chunk, None, str(exc)
            except Exception as exc:  # noqa: BLE001 - a bad answer must not stop the run
                _logger.exception("Tracking call failed")
                return chunk, None, repr(exc)
            return chunk, results, None
        finally:
            job["clients"].put(client)

    with ThreadPoolExecutor(max_workers=job["workers"]) as pool:
        for chunk, results, error in pool.map(call, job["chunks"]):
            job["calls"] += 1
            if results is None:
                for number in chunk:
                    job["errors"][number] = error
                continue
            for number, result in zip(chunk, results, strict=False):
                job["results"][number] = result
    return job
