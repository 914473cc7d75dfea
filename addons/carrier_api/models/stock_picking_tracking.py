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
shipment (or a failing mail) cannot roll back the others. The cron goes by chunks
of ``carrier_api.tracking_chunk`` shipments (200), each locked, polled, written and
committed before the next, so no delivery waits for a whole run.

Every package is tracked: a delivery of several packages has one waybill per package
(``carrier_tracking_ref``, comma-separated; one ledger row each). All of them go into
the same calls, each package keeps its own state on its ledger row, and the
delivery's state is their aggregate (``const.aggregate_state``): delivered, and
mailed once, when the last package is; an incident mail per package incident.
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

from odoo.addons.base_integration.api.exceptions import (
    AuthenticationError,
    IntegrationError,
)
from odoo.addons.base_integration.models.integration_event import _is_testing

from ..api import CLIENTS
from ..api.base import CAP_TRACK, CAP_TRACK_MANY, TrackingResult
from . import const
from .delivery_carrier import CARRIER_TYPES

_logger = logging.getLogger(__name__)

# System parameters (defaults).
PARAM_BATCH = "carrier_api.tracking_batch"  # shipments per cron run
PARAM_CHUNK = "carrier_api.tracking_chunk"  # shipments locked and committed together
PARAM_WORKERS = "carrier_api.tracking_workers"  # concurrent calls per account
PARAM_INTERVAL = "carrier_api.tracking_interval_minutes"  # normal poll interval
PARAM_GIVE_UP = "carrier_api.tracking_give_up_days"  # unknown number: give up after
PARAM_BACKOFF_MAX = "carrier_api.tracking_backoff_max_hours"
DEFAULTS = {
    PARAM_BATCH: 5000,
    PARAM_CHUNK: 200,
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
    carrier_api_tracking_paused = fields.Boolean(
        string="Tracking paused",
        copy=False,
        help="Not tracked for a problem of the carrier account (no account, a "
        "missing or refused key): tried again later, and at once when the account "
        "works again.",
    )
    carrier_api_tracking_event_ids = fields.One2many(
        "carrier.api.tracking.event", "picking_id", string="Tracking history"
    )
    # The ledger rows of the packages booked (carrier_api_waybill_ids is for carrier
    # managers: every attempt, failed ones included); read by carrier users.
    carrier_api_package_ids = fields.One2many(
        "carrier.api.waybill",
        "picking_id",
        string="Packages",
        domain=[("state", "in", ("sent", "cancelled"))],
        readonly=True,
    )
    carrier_api_package_count = fields.Integer(
        string="Packages booked", compute="_compute_carrier_api_package_count"
    )

    @api.depends("carrier_api_package_ids")
    def _compute_carrier_api_package_count(self):
        for picking in self:
            picking.carrier_api_package_count = len(picking.carrier_api_package_ids)

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
        return self._carrier_api_track_due(commit=True)

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
    def _carrier_api_track_due(self, limit=None, chunk=None, commit=False):
        """Poll the shipments due, ``chunk`` at a time (``PARAM_CHUNK``): each chunk
        locks its picking rows, calls, writes and is committed (outside tests)
        before the next one (``commit``: the cron, never in tests), so a validation
        or a *Refresh tracking* of a delivery waits for one chunk at most, not for
        the whole run.

        :returns: the summary of ``_carrier_api_track``, summed over the chunks.
        """
        limit = limit or self._carrier_api_param(PARAM_BATCH)
        chunk = max(1, chunk or self._carrier_api_param(PARAM_CHUNK))
        pickings = self.sudo().search(
            self._carrier_api_track_domain(),
            order="carrier_api_next_poll asc nulls first, id",
            limit=limit,
        )
        commit = commit and not _is_testing(self.env)
        total = None
        for start in range(0, len(pickings), chunk) or [0]:
            summary = pickings[start : start + chunk]._carrier_api_track()
            if commit:
                # Safe: a chunk's answers are written completely (events, states,
                # ledger rows) before this point, nothing spans two chunks; the
                # commit releases the chunk's row locks. A failure later loses
                # only the chunk in progress, polled again next run.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if total is None:
                total = summary
                continue
            for key, value in summary.items():
                total[key] = total[key] + value
        return total

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
        summary = {
            "calls": 0,
            "updated": 0,
            "untrackable": self.browse(),
            # a configuration problem (no connection, a missing key): tried again
            # later, never given up on
            "unconfigured": self.browse(),
        }
        problems = {}  # connection (or False) -> the configuration error
        # 1. Gather in the main thread: per account, the client class and waybills.
        by_connection = defaultdict(lambda: self.browse())
        self.fetch(
            [
                "carrier_tracking_ref",
                "carrier_id",
                "carrier_api_delivery_state",
                "carrier_api_unknown_since",
            ]
        )
        for picking in self:
            connection = picking.carrier_id.carrier_api_connection_id
            if not connection:
                summary["unconfigured"] |= picking
                problems.setdefault(
                    False,
                    _(
                        "The carrier %(carrier)s has no carrier account "
                        "(connection): set one to track its deliveries.",
                        carrier=picking.carrier_id.name,
                    ),
                )
                continue
            by_connection[connection] |= picking
        # Two queries for every shipment of the run: the ledger rows (one per
        # package) and the timeline already stored.
        ledger = self._carrier_api_track_ledger()
        history = self._carrier_api_track_history()
        jobs = []
        for connection, pickings in by_connection.items():
            packages = {
                picking.id: picking._carrier_api_track_packages(
                    ledger.get(picking.id, []), history[picking.id], manual
                )
                for picking in pickings
            }
            try:
                job = self._carrier_api_track_job(connection, pickings, packages)
            except UserError as exc:
                _logger.warning("Tracking paused for %s: %s", connection.name, exc)
                summary["unconfigured"] |= pickings
                problems[connection] = str(exc)
                continue
            if job is None:
                summary["untrackable"] |= pickings
                continue
            job["seen"] = {
                picking.id: history[picking.id]["seen"] for picking in pickings
            }
            jobs.append(job)
        # A carrier without a tracking API is never polled again by the cron.
        if summary["untrackable"] and not manual:
            summary["untrackable"].write({"carrier_api_tracking_stopped": True})
        if summary["unconfigured"]:
            if manual and not jobs:
                # the button (or a webhook, retried): say what to fix
                raise UserError("\n".join(dict.fromkeys(problems.values())))
            if not manual:
                summary["unconfigured"]._carrier_api_track_unconfigured(problems)
        # 2. Call out concurrently (threads, no ORM), bounded per account.
        if jobs:
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                for _job in pool.map(_run_job, jobs):
                    pass
        # 3. Write in batches.
        for job in jobs:
            summary["calls"] += job["calls"]
            summary["updated"] += self._carrier_api_apply(job)
        # 4. The accounts' health.
        self._carrier_api_track_accounts(jobs, manual)
        return summary

    def _carrier_api_track_accounts(self, jobs, manual):
        """A key refused at call time pauses the account's tracking like a missing
        one (the carrier answers every other shipment of the account the same: a
        person must fix it); an account paused that answered again resumes its
        paused shipments. Per account, not per shipment (no query otherwise).

        :raises UserError: a manual poll (the button, a webhook: retried) whose
            accounts all refused the key: says what to fix.
        """
        refused = [job for job in jobs if job["unauthorized"]]
        if manual and refused and not any(job["answered"] for job in jobs):
            # the button (or a webhook, retried): say what to fix
            raise UserError(
                "\n".join(
                    dict.fromkeys(self._carrier_api_key_refused(j) for j in refused)
                )
            )
        for job in jobs:
            connection = job["connection"]
            if job["unauthorized"]:
                if not manual:
                    paused = [
                        p
                        for p in job["pickings"]
                        if any(
                            pk.get("api") in job["unauthorized"]
                            for pk in job["packages"][p.id]
                        )
                    ]
                    connection._carrier_api_tracking_pause(
                        self._carrier_api_key_refused(job), len(paused)
                    )
            elif job["answered"] and connection.carrier_api_tracking_paused:
                connection._carrier_api_tracking_resume(
                    _("A tracking poll of this account succeeded")
                )

    def _carrier_api_key_refused(self, job):
        return _(
            "%(carrier)s refused the account's credentials (%(error)s): check the "
            "keys on connection %(connection)s.",
            carrier=job["connection"]._carrier_api_provider_label(),
            connection=job["connection"].name,
            error=job["connection"]._mask_text(job["unauthorized_error"]),
        )

    def _carrier_api_track_ledger(self):
        """``{picking id: [ledger row dict]}`` of these pickings, by package. One
        query."""
        rows = defaultdict(list)
        if not self:
            return rows
        for row in (
            self.env["carrier.api.waybill"]
            .sudo()
            .search_read(
                [("picking_id", "in", self.ids)],
                [
                    "picking_id",
                    "part",
                    "state",
                    "waybill",
                    "carrier_order_id",
                    "delivery_state",
                    "delivered_at",
                    "status_raw",
                    "status_unknown",
                    "unknown_since",
                    "tracking_stopped",
                ],
                order="picking_id, part, id",
            )
        ):
            rows[row["picking_id"][0]].append(row)
        return rows

    def _carrier_api_track_history(self):
        """Per picking id: ``seen``, the keys of the events stored (``(waybill, at,
        status, description)``), and ``states``, the latest known state per waybill
        (for packages without a ledger row). One query."""
        history = defaultdict(lambda: {"seen": set(), "states": {}})
        if not self:
            return history
        refs = {p.id: _split_refs(p.carrier_tracking_ref) for p in self}
        for row in (
            self.env["carrier.api.tracking.event"]
            .sudo()
            .search_read(
                [("picking_id", "in", self.ids)],
                ["picking_id", "waybill", "at", "status_raw", "description"]
                + ["delivery_state"],
            )
        ):
            picking_id = row["picking_id"][0]
            numbers = refs.get(picking_id) or []
            waybill = row["waybill"] or ""
            if waybill not in numbers:
                # Events written before every package was tracked carry Biteship's
                # "courier:waybill", or nothing.
                plain = waybill.partition(":")[2]
                if plain in numbers:
                    waybill = plain
                elif not waybill and len(numbers) == 1:
                    waybill = numbers[0]
            entry = history[picking_id]
            entry["seen"].add(
                (waybill, row["at"], row["status_raw"], row["description"] or "")
            )
            if row["delivery_state"]:  # the search's order: the latest wins
                entry["states"][waybill] = row["delivery_state"]
        return history

    def _carrier_api_track_packages(self, rows, history, manual):
        """The packages of this shipment, one dict per waybill of
        ``carrier_tracking_ref`` (which the user may have corrected by hand):

        ``number``; ``row`` (the ledger row id, or None for a waybill without one:
        typed in by hand, or a delivery shipped before the ledger); ``state``,
        ``delivered_at``, ``status_raw``, ``status_unknown``, ``unknown_since`` as
        last known; ``poll`` (whether to ask the carrier now).

        A waybill whose ledger row is cancelled is kept as "cancelled" and never
        polled; one given up on (``tracking_stopped``) is left out. Without a ledger
        row the state comes from the timeline, or from the picking when it has one
        waybill only (as before packages were tracked). No query.
        """
        numbers = list(dict.fromkeys(_split_refs(self.carrier_tracking_ref)))
        by_number = {}
        for row in rows:
            number = row["waybill"] or row["carrier_order_id"]
            if number and (row["state"] == "sent" or number not in by_number):
                by_number[number] = row
        single = len(numbers) == 1
        packages = []
        for number in numbers:
            row = by_number.get(number)
            if row and row["state"] == "cancelled":
                packages.append(_package(number, state="cancelled", poll=False))
                continue
            if row and row["state"] != "sent":
                row = None  # a failed attempt's row: the waybill came from elsewhere
            if row and row["tracking_stopped"]:
                # given up on (never known): not asked again, and it keeps the
                # shipment out of "delivered" (an incident for the aggregate)
                packages.append(
                    _package(number, row=row["id"], state="incident", poll=False)
                    | {"given_up": True}
                )
                continue
            state = row and row["delivery_state"]
            if not state and single:
                state = self.carrier_api_delivery_state
            state = state or history["states"].get(number)
            if row:
                package = _package(
                    number,
                    row=row["id"],
                    state=state,
                    delivered_at=row["delivered_at"],
                    status_raw=row["status_raw"] or "",
                    status_unknown=row["status_unknown"],
                    unknown_since=row["unknown_since"],
                    # Biteship's order id, kept while the courier has not issued
                    # the waybill (§5.5 order.waybill_id)
                    stand_in=not row["waybill"] and bool(row["carrier_order_id"]),
                    # The cron leaves a package the carrier has closed alone; the
                    # button (and a webhook) read every live one again.
                    poll=manual
                    or state not in const.TERMINAL_STATES
                    or row["status_unknown"],
                )
            else:
                # No row to keep its state between polls: read it each time.
                package = _package(
                    number,
                    state=state,
                    unknown_since=self.carrier_api_unknown_since,
                    poll=True,
                )
            packages.append(package)
        return packages

    def _carrier_api_track_job(self, connection, pickings, packages):
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
        except UserError:
            # A configuration problem (a missing key): the caller backs off.
            for transport in transports:
                transport.close()
            raise
        # Every live package of every shipment of the account in the same calls.
        for picking in pickings:
            courier = picking.carrier_id.carrier_api_courier_code
            for package in packages[picking.id]:
                number = package["number"]
                if connection.provider == "biteship" and courier and ":" not in number:
                    # Biteship tracks a waybill per courier (§5.4).
                    number = f"{courier.lower()}:{number}"
                package["api"] = number
        results = {}
        if hasattr(client_class, "get_order"):
            client = clients.get()
            try:
                results = self._carrier_api_track_issued(client, pickings, packages)
            finally:
                clients.put(client)
        numbers = sorted(
            {
                package["api"]
                for picking_packages in packages.values()
                for package in picking_packages
                if package["poll"] and package["api"] not in results
            }
        )
        if CAP_TRACK_MANY in client_class.capabilities:
            chunks = [
                numbers[i : i + MANY_CHUNK] for i in range(0, len(numbers), MANY_CHUNK)
            ]
        else:
            chunks = [[number] for number in numbers]
        return {
            "connection": connection,
            "pickings": pickings,
            "packages": packages,
            "chunks": chunks,
            "clients": clients,
            "workers": workers,
            "transports": transports,
            "logs": logs,
            "results": results,
            "errors": {},
            "calls": 0,
            "answered": 0,  # calls answered (the account works)
            "unauthorized": set(),  # numbers whose call was refused for the key
            "unauthorized_error": "",
        }

    def _carrier_api_track_issued(self, client, pickings, packages):
        """Biteship may answer an order without its waybill (§5.5: the courier
        issues it later, ``order.waybill_id``); the order id then stands in for it
        in ``carrier_tracking_ref``, and the waybill tracking route does not know
        it. Re-read those orders (``GET /v1/orders/:id``, §5.3): a waybill issued
        is written to the package's ledger row and replaces the stand-in on the
        delivery, then tracked; an order still without one answers with its own
        status (known: never given up on while Biteship has the order).

        :param packages: ``{picking id: [package]}``, updated in place.
        :returns: ``{api number: TrackingResult}`` for the orders still without
            waybill (no tracking call for them).
        """
        results = {}
        Waybill = self.env["carrier.api.waybill"].sudo()
        for picking in pickings:
            for package in packages[picking.id]:
                if not (package["stand_in"] and package["poll"] and package["row"]):
                    continue
                order_id = package["number"]
                try:
                    answer = client.get_order(order_id)
                except IntegrationError as exc:
                    _logger.info("Biteship order %s not read: %s", order_id, exc)
                    continue
                if answer is None:
                    continue  # unknown order: tracked (and given up) as any number
                result, status = answer
                waybill = result.waybill
                if not waybill or waybill == order_id:
                    results[package["api"]] = TrackingResult(
                        waybill=order_id, known=True, status=status
                    )
                    continue
                Waybill.browse(package["row"]).write({"waybill": waybill})
                picking.carrier_tracking_ref = ",".join(
                    waybill if ref == order_id else ref
                    for ref in _split_refs(picking.carrier_tracking_ref)
                )
                package.update(
                    number=waybill,
                    api=package["api"].replace(order_id, waybill),
                    stand_in=False,
                )
        return results

    def _carrier_api_track_unconfigured(self, problems):
        """These shipments could not be polled for a configuration problem (a
        carrier without connection, a connection missing a key): poll them again
        later (the back-off of a failed call) and ask the connection's responsible
        user to fix it, one activity per connection however many shipments wait.

        :param problems: ``{connection or False: error text}``
        """
        now = fields.Datetime.now()
        interval = timedelta(minutes=self._carrier_api_param(PARAM_INTERVAL))
        backoff_max = timedelta(hours=self._carrier_api_param(PARAM_BACKOFF_MAX))
        by_failures = defaultdict(lambda: self.browse())
        for picking in self:
            by_failures[picking.carrier_api_poll_failures + 1] |= picking
        for failures, pickings in by_failures.items():
            pickings.write(
                {
                    "carrier_api_poll_failures": failures,
                    "carrier_api_next_poll": now
                    + min(interval * (2**failures), backoff_max),
                    # resumed at once when the account works again
                    "carrier_api_tracking_paused": True,
                }
            )
        for connection, message in problems.items():
            if not connection:
                continue  # no account to ask about: the log says it
            count = len(
                self.filtered(
                    lambda p, c=connection: p.carrier_id.carrier_api_connection_id == c
                )
            )
            connection._carrier_api_tracking_pause(message, count)

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
        """Write one account's answers: states, events, back-off, mails, activities.

        Order: the events, the pickings, then their packages' ledger rows (those of a
        picking whose write failed are not written: its next poll sees the same
        changes again, mails included); mails and activities last, for the
        shipments written entirely."""
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
        new_events = defaultdict(list)  # picking id -> event values
        grouped = defaultdict(list)  # identical write values -> picking ids
        row_groups = defaultdict(list)  # identical write values -> ledger row ids
        row_picking = {}  # ledger row id -> picking id
        outcomes = {}
        for picking in pickings:
            vals, events, outcome = picking._carrier_api_track_vals(
                code,
                job["packages"][picking.id],
                job["results"],
                job["errors"],
                job["seen"][picking.id],
                unauthorized=job["unauthorized"],
                now=now,
                interval=interval,
                give_up=give_up,
                backoff_max=backoff_max,
            )
            if events:
                new_events[picking.id] = events
            outcomes[picking.id] = outcome
            grouped[_freeze(vals)].append(picking.id)
            for row_id, row_vals in outcome["packages"].items():
                row_groups[_freeze(row_vals)].append(row_id)
                row_picking[row_id] = picking.id
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
        Waybill = self.env["carrier.api.waybill"].sudo()
        failed_rows = set()
        for frozen, ids in row_groups.items():
            ids = [i for i in ids if row_picking[i] not in failed]
            if ids:
                self._carrier_api_batch(
                    ids,
                    lambda part, vals=dict(frozen): Waybill.browse(part).write(vals),
                    failed_rows,
                    "package tracking values",
                )
        failed |= {row_picking[i] for i in failed_rows}
        done = pickings.filtered(lambda p: p.id not in failed)
        self._carrier_api_notify(
            [p for p in done if outcomes[p.id]["delivered"]],
            [
                (p, waybill, status)
                for p in done
                for waybill, status in outcomes[p.id]["incidents"]
            ],
        )
        self._carrier_api_activity_given_up(
            [
                (p, outcomes[p.id]["given_up"])
                for p in done
                if outcomes[p.id]["given_up"]
            ]
        )
        return len(pickings) - len(failed & set(pickings.ids))

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
        self,
        code,
        packages,
        results,
        errors,
        seen,
        now,
        interval,
        give_up,
        backoff_max,
        unauthorized=(),
    ):
        """What one poll changes on this shipment: ``(vals, new event values,
        outcome)``. No query.

        :param packages: from ``_carrier_api_track_packages`` (``api``: the number
            asked); ``results``/``errors``: the answers by number asked;
            ``unauthorized``: the numbers asked whose call the carrier refused for
            the account's key (the shipment is paused: backed off, and resumed
            with the account).
        :returns: the picking's values; the new timeline events; ``outcome`` a dict:
            ``delivered`` (the whole shipment just became delivered), ``incidents``
            (``[(waybill, status)]``, packages that just entered an incident state),
            ``given_up`` (waybills the carrier never knew, now given up on) and
            ``packages`` (``{ledger row id: values}``, each package's own state).

        Each package keeps its own state; the shipment's is ``const.aggregate_state``
        of those still tracked. Back-off is per shipment: one call that failed or one
        waybill the carrier does not know (yet) delays the shipment's next poll.
        """
        picking = self
        vals = {"carrier_api_tracked_at": now}
        new_events = []
        outcome = {"delivered": False, "incidents": [], "given_up": [], "packages": {}}
        missed = False  # a call failed, or the carrier did not know a waybill
        paused = False  # a call refused for the account's key
        stop = False  # a waybill without a ledger row given up: the shipment stops
        unknown_since = []
        tracked = []  # the packages still tracked, after this poll
        for package in packages:
            number = package["number"]
            row_vals = {}
            if package["poll"]:
                row_vals["tracked_at"] = now
                result = results.get(package["api"])
                if result is None or not result.known:
                    missed = True
                    if result is None:
                        paused = paused or package.get("api") in unauthorized
                        error = errors.get(package["api"])
                        if error:
                            _logger.info(
                                "Tracking %s (%s) failed: %s",
                                picking.name,
                                number,
                                error,
                            )
                        if package["unknown_since"]:
                            unknown_since.append(package["unknown_since"])
                    else:
                        since = package["unknown_since"] or now
                        row_vals["unknown_since"] = since
                        if now - since >= give_up:
                            row_vals["tracking_stopped"] = True
                            outcome["given_up"].append(number)
                            stop = stop or not package["row"]
                            if package["row"]:
                                outcome["packages"][package["row"]] = row_vals
                            # the shipment is not delivered without it
                            tracked.append(
                                dict(package, state="incident", given_up=True)
                            )
                            continue
                        unknown_since.append(since)
                else:
                    package = dict(package)
                    row_vals.update(
                        self._carrier_api_track_package(
                            code, package, result, seen, new_events, outcome, now
                        )
                    )
                    row_vals["unknown_since"] = False
            if package["row"] and row_vals:
                outcome["packages"][package["row"]] = row_vals
            tracked.append(package)
        vals["carrier_api_unknown_since"] = (
            min(unknown_since) if unknown_since else False
        )
        vals["carrier_api_tracking_paused"] = paused
        if missed:
            failures = picking.carrier_api_poll_failures + 1
            vals["carrier_api_poll_failures"] = failures
            vals["carrier_api_next_poll"] = now + min(
                interval * (2**failures), backoff_max
            )
        else:
            vals["carrier_api_poll_failures"] = 0
            vals["carrier_api_next_poll"] = now + interval
        state = const.aggregate_state(p["state"] for p in tracked)
        vals.update(_status_vals(tracked, state or picking.carrier_api_delivery_state))
        if state and state != picking.carrier_api_delivery_state:
            vals["carrier_api_delivery_state"] = state
            if state == "delivered":
                # The shipment is delivered with its last package.
                vals["carrier_api_delivered_at"] = (
                    max(
                        (p["delivered_at"] for p in tracked if p["delivered_at"]),
                        default=None,
                    )
                    or now
                )
                outcome["delivered"] = True
        state = state or picking.carrier_api_delivery_state
        live = [p for p in tracked if not p.get("given_up")]
        if (
            stop
            or not live
            or (
                len(live) < len(tracked)
                and all(p["state"] in const.TERMINAL_STATES for p in live)
            )
        ):
            # Nothing left to ask the carrier about: every waybill given up on (or
            # one without a ledger row, whose state cannot be kept on its own), or
            # the others are over while one was given up on (the shipment stays an
            # incident: never reported delivered).
            vals["carrier_api_tracking_stopped"] = True
            vals["carrier_api_next_poll"] = False
        elif state in const.TERMINAL_STATES:
            # Done when every package is closed. A status the map does not know,
            # read after the closing one, stays flagged (the "Incidents" filter)
            # and is not polled again by the cron, which leaves closed shipments
            # alone (_carrier_api_track_domain): *Refresh tracking* reads it again.
            vals["carrier_api_next_poll"] = False
        return vals, new_events, outcome

    def _carrier_api_track_package(
        self, code, package, result, seen, new_events, outcome, now
    ):
        """One package's known answer: its new events appended to ``new_events``,
        ``package`` updated in place, its ledger values returned. An unknown status
        is kept and flagged; the package's state stays as it was."""
        number = package["number"]
        for event in result.events:
            # Datetime fields drop the microseconds: compare stored values.
            at = event.at.replace(microsecond=0) if event.at else None
            description = (event.description or "")[:255]
            # J&T's code 100 covers pickup, transit and delivery run (§2.5): the
            # text tells two events of one second apart; two packages of one
            # shipment have the same events, told apart by the waybill.
            key = (number, at, event.status[:255] or "?", description)
            if key in seen:
                continue
            seen.add(key)
            state = const.map_status(code, event.status)
            new_events.append(
                {
                    "picking_id": self.id,
                    "waybill": number,
                    "at": at,
                    "status_raw": key[2],
                    "description": description,
                    "location": (event.location or "")[:255],
                    "delivery_state": state,
                    "unknown": state is None,
                }
            )
        status = (result.status or "")[:255]
        state = const.map_status(code, result.status)
        row_vals = {"status_raw": status, "status_unknown": state is None}
        package.update(status_raw=status, status_unknown=state is None)
        if state and state != package["state"]:
            row_vals["delivery_state"] = state
            if state in const.INCIDENT_STATES:
                outcome["incidents"].append((number, status))
            package["state"] = state
        if state == "delivered" and not package["delivered_at"]:
            # Datetime fields drop the microseconds: store the value as read back.
            row_vals["delivered_at"] = (result.delivered_at or now).replace(
                microsecond=0
            )
            package["delivered_at"] = row_vals["delivered_at"]
        return row_vals

    def _carrier_api_notify(self, delivered, incidents):
        """Queue the customer's mails: one per shipment delivered (all its packages),
        one per package incident, naming the package (``ctx`` of the template)."""
        mails = [
            ("carrier_api.mail_template_carrier_delivered", p, {}) for p in delivered
        ]
        mails += [
            (
                "carrier_api.mail_template_carrier_incident",
                picking,
                {"carrier_api_waybill": waybill, "carrier_api_status": status},
            )
            for picking, waybill, status in incidents
        ]
        templates = {}
        for xmlid, picking, context in mails:
            if xmlid not in templates:
                templates[xmlid] = self.env.ref(xmlid, raise_if_not_found=False)
            template = templates[xmlid]
            if not template or not picking.partner_id.email:
                continue
            try:
                # Queued (mail.mail), sent by the mail cron; a bad template or
                # address must not roll back the tracking already written.
                with self.env.cr.savepoint(flush=False):
                    template.with_context(**context).send_mail(picking.id)
                    self.env.flush_all()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # noqa: BLE001
                self.env.transaction.clear()
                _logger.exception("Tracking mail of %s failed", picking.name)

    def _carrier_api_activity_given_up(self, given_up):
        """:param given_up: ``[(picking, [waybill])]``"""
        for picking, waybills in given_up:
            picking.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Tracking given up"),
                note=_(
                    "The carrier never knew the waybill %(waybill)s: tracking "
                    "stopped. Check the number with the carrier.",
                    waybill=", ".join(waybills),
                ),
                user_id=picking.user_id.id or self.env.ref("base.user_admin").id,
            )


def _package(number, row=None, state=None, poll=True, **values):
    return {
        "number": number,
        "row": row,
        "state": state or None,
        "delivered_at": values.get("delivered_at"),
        "status_raw": values.get("status_raw", ""),
        "status_unknown": values.get("status_unknown", False),
        "unknown_since": values.get("unknown_since"),
        "poll": poll,
        "stand_in": values.get("stand_in", False),
    }


def _status_vals(packages, state):
    """The shipment's carrier status and unknown-status flag; nothing when no package
    has a status. With several packages, the status of the first package in the
    shipment's state ``state`` (the one that decides it), else of the first flagged
    one; each package's own is on its ledger row. (Not one text naming every
    waybill: a value per shipment would cost one UPDATE per shipment.)"""
    answered = [p for p in packages if p["state"] != "cancelled" and p["status_raw"]]
    if not answered:
        return {}
    shown = (
        next((p for p in answered if p["state"] == state), None)
        or next((p for p in answered if p["status_unknown"]), None)
        or answered[0]
    )
    return {
        "carrier_api_status_raw": shown["status_raw"][:255],
        "carrier_api_status_unknown": any(p["status_unknown"] for p in answered),
    }


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
            except AuthenticationError as exc:
                return chunk, None, exc
            except IntegrationError as exc:
                return chunk, None, str(exc)
            except Exception as exc:  # noqa: BLE001 - a bad answer must not stop the run
                _logger.exception("Tracking call failed")
                return chunk, None, repr(exc)
            return chunk, results, None
        finally:
            job["clients"].put(client)

    # The answers are gathered here, in this one thread.
    with ThreadPoolExecutor(max_workers=job["workers"]) as pool:
        for chunk, results, error in pool.map(call, job["chunks"]):
            job["calls"] += 1
            if isinstance(error, AuthenticationError):
                # A wrong key (401/403 or the carrier's wrong-key answer): the
                # account's problem, not the shipment's.
                job["unauthorized"].update(chunk)
                job["unauthorized_error"] = job["unauthorized_error"] or str(error)
                error = str(error)
            if results is None:
                for number in chunk:
                    job["errors"][number] = error
                continue
            job["answered"] += 1
            for number, result in zip(chunk, results, strict=False):
                job["results"][number] = result
    return job
