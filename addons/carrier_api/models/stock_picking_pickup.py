# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier pickup of a batch of deliveries that hold a waybill (issue 10 §5).

Three kinds of carriers (the client's capabilities):

* a pickup call for booked waybills (``CAP_PICKUP``: JNE ``/pickupcashless``) - one
  request per carrier and sender, the window sent;
* the booking itself sent the courier (``CAP_PICKUP_WITH_ORDER``: Biteship
  ``origin_collection_method``, SiCepat ``requestpickuppackage``, J&T servicetype 1)
  - nothing to call: the deliveries are marked "booked with the order";
* neither (Anteraja: no pickup call in §4.2) - listed in the answer, unchanged.

Once a carrier accepted, nothing rolls it back: each carrier's batch runs on its own
(a savepoint for the preparation, no raise after the call), the refusals of the
others are collected and shown, and each acceptance is committed on the waybill
ledger in a side transaction as soon as the carrier gave it (JNE answers once per
waybill: a worker killed during the next calls, or a rollback of the whole request,
leaves it: the next request restores the pickup instead of asking again). An
unclear answer (a timeout or 5xx after the request was sent) leaves the pickup
"uncertain": no new request until a person checked the carrier's portal (*Not
booked: ask again*); a clear refusal is "Refused" and can be asked again. The
"uncertain" mark is committed on the ledger too, before the call (cleared once the
carrier answered clearly): a rollback of the request, Odoo's replay of it after a
serialization failure, or a worker killed during the call leaves it, and the next
request does not ask again either.
The picking rows are locked
``FOR NO KEY UPDATE NOWAIT`` before any call, so that a second click (or user) on the
same deliveries is told to wait instead of booking a second courier.
"""

import dataclasses
import inspect
import logging

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import (
    CircuitOpenError,
    IntegrationError,
    RetryableError,
)

from ..api.base import CAP_PICKUP, CAP_PICKUP_WITH_ORDER, PickupResult

_logger = logging.getLogger(__name__)

DONE_PICKUP_STATES = ("requested", "with_order")


class StockPicking(models.Model):
    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    carrier_api_pickup_state = fields.Selection(
        selection_add=[("with_order", "Booked with the order")],
        ondelete={"with_order": "set default"},
    )

    # ------------------------------------------------------------------ checks
    def _carrier_api_pickup_problems(self):
        """Names of the deliveries that cannot be asked for a pickup."""
        return self.filtered(
            lambda p: (
                not p.carrier_api_is_ours
                or p.carrier_api_state != "sent"
                or not p.carrier_tracking_ref
                or p.state not in ("assigned", "done")
                or p.carrier_api_pickup_state in DONE_PICKUP_STATES
                # the carrier's last answer was unclear: a person checks first
                or p.carrier_api_pickup_state == "uncertain"
            )
        )

    def action_carrier_api_pickup_checked(self):
        """*Not booked: ask again*: a person checked in the carrier's portal that
        the unclear pickup request booked no courier; the pickup can be asked for
        again (for those JNE did accept, the committed ledger restores them)."""
        _ = self.env._
        pickings = self.filtered(lambda p: p.carrier_api_pickup_state == "uncertain")
        # The committed mark of the unclear answer goes with it. Written in this
        # request: were it rolled back, the mark stays and the next request says
        # "unclear" again (the safe side). The mark was written by side
        # transactions: what this request's cache holds of it may be stale.
        Waybill = self.env["carrier.api.waybill"].sudo()
        Waybill.invalidate_model(["pickup_unclear_since"])
        Waybill.search(
            [
                ("picking_id", "in", pickings.ids),
                ("pickup_unclear_since", "!=", False),
            ]
        ).write({"pickup_unclear_since": False})
        for picking in pickings:
            picking.carrier_api_pickup_state = "none"
            picking.message_post(
                body=_(
                    "Checked with the carrier: the unclear pickup request booked no "
                    "courier; the pickup can be requested again."
                )
            )
        return True

    def _carrier_api_pickup_lock(self):
        """Lock these picking rows until the end of the transaction, or refuse.

        NO KEY UPDATE: enough to exclude a second pickup request or a poll, while
        rows pointing at the pickings (tracking events, ledger rows written by side
        transactions) can still be inserted. NOWAIT: a concurrent request holding
        them (a double click) makes this one
        stop at once; one that committed meanwhile (REPEATABLE READ) raises a
        serialization failure, read the same way.
        """
        _ = self.env._
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM stock_picking WHERE id IN %s "
                    "FOR NO KEY UPDATE NOWAIT",
                    [tuple(self.ids)],
                    log_exceptions=False,
                )
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise UserError(
                _(
                    "A pickup for some of these deliveries is being requested right "
                    "now (another click or user); reload and check their pickup "
                    "state."
                )
            ) from None
        # what the lock protects, read again
        self.invalidate_recordset(["carrier_api_pickup_state", "carrier_api_state"])

    # ------------------------------------------------------------------ request
    def _carrier_api_request_pickup(self, start, end):
        """Ask the carriers to collect these deliveries between ``start`` and
        ``end`` (naive UTC).

        :returns: a summary dict: ``requested`` and ``with_order`` (pickings),
            ``refused`` (list of ``(pickings, message)``), ``unsupported``
            (pickings whose carrier offers no pickup through its API).
        :raises UserError: a delivery cannot be asked for (nothing was sent), or
            another request holds them.
        """
        _ = self.env._
        unclear = self.filtered(lambda p: p.carrier_api_pickup_state == "uncertain")
        if unclear:
            raise UserError(
                _(
                    "The carrier's answer to the last pickup request of %s was "
                    "unclear: it may have booked a courier. Check in the carrier's "
                    "portal, then press *Not booked: ask again* on the delivery.",
                    ", ".join(unclear.mapped("name")),
                )
            )
        wrong = self._carrier_api_pickup_problems()
        if wrong:
            raise UserError(
                _(
                    "A pickup is requested for deliveries with a waybill and no "
                    "pickup yet: %s",
                    ", ".join(wrong.mapped("name")),
                )
            )
        self._carrier_api_pickup_lock()
        wrong = self._carrier_api_pickup_problems()
        if wrong:  # a request that committed while this one waited for the lock
            raise UserError(
                _(
                    "The pickup of %s was requested meanwhile.",
                    ", ".join(wrong.mapped("name")),
                )
            )
        summary = {
            "requested": self.browse(),
            "with_order": self.browse(),
            "refused": [],
            "unsupported": self.browse(),
        }
        groups = {}
        for picking in self:
            key = (picking.carrier_id, picking._carrier_api_sender())
            groups.setdefault(key, self.browse())
            groups[key] |= picking
        for (carrier, sender), batch in groups.items():
            batch._carrier_api_pickup_batch(carrier, sender, start, end, summary)
        return summary

    def _carrier_api_pickup_prepare(self, carrier, sender_partner, with_shipments):
        """``(client, sender Address, {waybill: ShipmentRequest})``.

        :raises UserError: the account, the sender or an order cannot be used.
        """
        _ = self.env._
        client = carrier._carrier_api_client()
        sender, problems, _warnings = sender_partner._carrier_api_address(
            carrier, role="sender"
        )
        if problems:
            raise UserError("\n".join(problems))
        shipments = {}
        if not with_shipments:
            return client, sender, shipments
        ledger = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("picking_id", "in", self.ids), ("state", "=", "sent")])
        )
        references = {row.waybill: row.reference for row in ledger if row.waybill}
        for picking in self:
            waybills = picking._carrier_api_waybills()
            requests = [req for _part, req in picking._carrier_api_requests()]
            for index, waybill in enumerate(waybills):
                request = requests[index] if len(requests) == len(waybills) else None
                request = request or requests[0]
                shipments[waybill] = dataclasses.replace(
                    request,
                    reference=references.get(waybill)
                    or picking.carrier_api_reference
                    or "",
                )
        return client, sender, shipments

    def _carrier_api_pickup_batch(self, carrier, sender_partner, start, end, summary):
        """One carrier and sender: call (or record), never raise after the carrier
        accepted; refusals go to ``summary``."""
        _ = self.env._
        mask = carrier._carrier_api_mask
        try:
            with self.env.cr.savepoint():
                client = carrier._carrier_api_client()
                calls = CAP_PICKUP in client.capabilities
                if calls:
                    client, sender, shipments = self._carrier_api_pickup_prepare(
                        carrier, sender_partner, with_shipments=True
                    )
        except UserError as exc:
            summary["refused"].append((self, str(exc)))
            return
        if not calls:
            if CAP_PICKUP_WITH_ORDER in client.capabilities:
                self._carrier_api_pickup_with_order(carrier)
                summary["with_order"] |= self
            else:
                summary["unsupported"] |= self
            return
        waybills = [w for picking in self for w in picking._carrier_api_waybills()]
        # Accepted before by a request that was rolled back afterwards (committed in
        # the ledger): restored, never asked again. Asked before without a clear
        # answer (committed too, whatever happened to that request): not asked
        # again either, "uncertain" until a person checked.
        booked, unclear_before = self._carrier_api_pickup_committed(waybills)
        ask = [w for w in waybills if w not in booked and w not in unclear_before]
        result, uncertain = self._carrier_api_pickup_call(
            client, carrier, ask, sender, start, end, shipments
        )
        uncertain |= unclear_before
        windows = {w: (start, end) for w in result.waybills}
        for waybill, (number, old_start, old_end) in booked.items():
            result.waybills.append(waybill)
            if number:
                result.numbers[waybill] = number
            windows[waybill] = (old_start or start, old_end or end)
        accepted = set(result.waybills)
        for picking in self:
            mine = picking._carrier_api_waybills()
            taken = [w for w in mine if w in accepted]
            earlier = [w for w in mine if w in unclear_before]
            refused = {
                w: result.refused.get(w, "")
                for w in mine
                if w not in accepted and w not in unclear_before
            }
            if earlier:
                message = _(
                    "The answer to an earlier pickup request of %(picking)s "
                    "(%(waybills)s) was unclear: %(carrier)s may have booked a "
                    "courier, so it was not asked again. Check in the carrier's "
                    "portal, then press *Not booked: ask again*.",
                    picking=picking.name,
                    waybills=", ".join(earlier),
                    carrier=carrier.name,
                )
                summary["refused"].append((picking, message))
                picking.message_post(body=message)
            if refused:
                message = _(
                    "%(carrier)s refused the pickup of %(picking)s: %(error)s",
                    carrier=carrier.name,
                    picking=picking.name,
                    error=mask(
                        "; ".join(f"{w}: {text}" for w, text in refused.items())
                    ),
                )
                if taken:
                    message += " " + _(
                        "(accepted for %s: ask for the others in the carrier's portal)",
                        ", ".join(taken),
                    )
                unclear = [w for w in refused if w in uncertain]
                if unclear:
                    message += " " + _(
                        "The answer for %s was unclear (the carrier may have "
                        "booked it): check in the carrier's portal before asking "
                        "again.",
                        ", ".join(unclear),
                    )
                summary["refused"].append((picking, message))
                picking.message_post(body=message)
            if not taken:
                if any(w in uncertain for w in mine):
                    picking.carrier_api_pickup_state = "uncertain"
                elif refused:
                    picking.carrier_api_pickup_state = "failed"
                continue
            numbers = [result.numbers[w] for w in taken if result.numbers.get(w)]
            window = windows[taken[0]]
            picking._carrier_api_pickup_record(
                carrier,
                ",".join(dict.fromkeys(numbers)) or result.pickup_id,
                window[0],
                window[1],
                taken,
            )
            if any(w in uncertain for w in mine):
                # part accepted, part unclear: a person checks the rest first
                picking.carrier_api_pickup_state = "uncertain"
            summary["requested"] |= picking

    def _carrier_api_pickup_call(
        self, client, carrier, ask, sender, start, end, shipments
    ):
        """Ask the carrier for the waybills ``ask`` and commit its acceptances on
        the ledger (nothing to ask: an empty result).

        Before the call, the ledger rows of ``ask`` are marked "answer unclear"
        (committed); the mark is cleared for every waybill the carrier answered
        clearly (accepted: with the acceptance; refused, or not sent at all: after
        the call). Whatever ends this request early (a lost answer, a rollback, a
        killed worker) leaves the mark, which the next request honours.

        :returns: ``(PickupResult, uncertain)``, ``uncertain`` the set of waybills
            whose answer was unclear (sent, then a timeout or 5xx)."""
        _ = self.env._
        result = PickupResult(pickup_id="")
        uncertain = set()
        if not ask:
            return result, uncertain
        if not self._carrier_api_pickup_unclear(ask, True):
            # Nothing sent: without the mark a lost answer could be asked again.
            error = _(
                "%(carrier)s was not asked: the request could not be recorded "
                "first. Try again in a moment.",
                carrier=carrier.name,
            )
            return PickupResult(pickup_id="", refused=dict.fromkeys(ask, error)), (
                uncertain
            )
        # A client calling once per waybill reports each acceptance as it comes:
        # committed at once, each in its own side transaction (a worker killed
        # during the next calls keeps it; the next request restores it).
        kwargs = {}
        if "on_accepted" in inspect.signature(client.request_pickup).parameters:
            kwargs["on_accepted"] = lambda waybill, number: (
                self._carrier_api_pickup_ledger(
                    PickupResult(
                        pickup_id="",
                        waybills=[waybill],
                        numbers={waybill: number} if number else {},
                    ),
                    start,
                    end,
                )
            )
        try:
            result = client.request_pickup(
                ask, sender, start, end, shipments=shipments, **kwargs
            )
        except IntegrationError as exc:
            error = _(
                "%(carrier)s refused the pickup: %(error)s",
                carrier=carrier.name,
                error=carrier._carrier_api_mask(str(exc)),
            )
            if isinstance(exc, RetryableError) and not isinstance(
                exc, CircuitOpenError
            ):
                uncertain = set(ask)  # sent, no clear answer
            else:
                self._carrier_api_pickup_unclear(ask, False)  # clearly refused
            return PickupResult(pickup_id="", refused=dict.fromkeys(ask, error)), (
                uncertain
            )
        uncertain |= set((result.raw or {}).get("uncertain") or ())
        if not kwargs:
            # From here on the carrier holds a pickup: record it, whatever follows.
            self._carrier_api_pickup_ledger(result, start, end)
        # Clearly refused (or never sent): may be asked again.
        accepted = set(result.waybills)
        self._carrier_api_pickup_unclear(
            [w for w in ask if w not in uncertain and w not in accepted], False
        )
        return result, uncertain

    def _carrier_api_pickup_committed(self, waybills):
        """What the committed ledger says of the pickups of these waybills: read on
        a cursor of its own, which sees what side transactions committed after this
        request's snapshot was taken (as ``_carrier_api_live_parts`` does).

        :returns: ``(booked, unclear)``: ``booked`` ``{waybill: (pickup number,
            start, end)}`` the waybills whose pickup the carrier accepted before;
            ``unclear`` the set of those asked for before without a clear answer
            (and not accepted since).
        """
        if not waybills:
            return {}, set()
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT waybill, pickup_ref, pickup_start, pickup_end, "
                "pickup_requested_at IS NOT NULL "
                "FROM carrier_api_waybill WHERE picking_id IN %s AND state = 'sent' "
                "AND waybill IN %s AND (pickup_requested_at IS NOT NULL "
                "OR pickup_unclear_since IS NOT NULL)",
                [tuple(self.ids), tuple(waybills)],
            )
            rows = cr.fetchall()
        booked = {
            waybill: (ref or "", start, end)
            for waybill, ref, start, end, requested in rows
            if requested
        }
        unclear = {row[0] for row in rows if not row[4]}
        return booked, unclear

    def _carrier_api_pickup_unclear(self, waybills, unclear):
        """Commit (``unclear`` True) or clear the "answer unclear" mark of these
        waybills' ledger rows, in a side transaction (as the acceptances, see
        ``_carrier_api_pickup_ledger``): what this request's rollback must not
        erase.

        :returns: whether it was committed (logged when not: a mark that stays
            set only makes the next request ask a person first).
        """
        if not waybills:
            return True
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                cr.execute(
                    "UPDATE carrier_api_waybill SET pickup_unclear_since = "
                    "CASE WHEN %s THEN now() at time zone 'utc' END, "
                    "write_date = now() at time zone 'utc' "
                    "WHERE picking_id IN %s AND waybill IN %s AND state = 'sent'",
                    [bool(unclear), tuple(self.ids), tuple(waybills)],
                )
        except psycopg2.Error:
            _logger.exception(
                "The unclear pickup mark of %s could not be %s",
                ", ".join(waybills),
                "committed" if unclear else "cleared",
            )
            return False
        return True

    def _carrier_api_pickup_ledger(self, result, start, end):
        """Commit the carrier's acceptance on the ledger rows, in a side transaction
        (as the waybill ledger does): a rollback of this request (a later error, a
        failed commit) then cannot make the next request book a second courier.

        The side transaction only updates ledger rows, which this request does not
        lock (the picking rows it holds are not touched), and gives up after a few
        seconds rather than wait: the picking still records the pickup below.
        """
        if not result.waybills:
            return
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                for waybill in result.waybills:
                    cr.execute(
                        "UPDATE carrier_api_waybill SET "
                        "pickup_requested_at = now() at time zone 'utc', "
                        "pickup_ref = %s, pickup_start = %s, pickup_end = %s, "
                        "pickup_unclear_since = NULL, "
                        "write_date = now() at time zone 'utc' "
                        "WHERE picking_id IN %s AND waybill = %s AND state = 'sent'",
                        [
                            result.numbers.get(waybill) or result.pickup_id or None,
                            start,
                            end,
                            tuple(self.ids),
                            waybill,
                        ],
                    )
        except psycopg2.Error:
            _logger.exception(
                "The pickup accepted for %s could not be committed to the ledger",
                ", ".join(result.waybills),
            )

    def _carrier_api_pickup_record(self, carrier, pickup_id, start, end, waybills):
        self.ensure_one()
        _ = self.env._
        self.write(
            {
                "carrier_api_pickup_state": "requested",
                "carrier_api_pickup_ref": pickup_id or False,
                "carrier_api_pickup_start": start,
                "carrier_api_pickup_end": end,
            }
        )
        self.message_post(
            body=_(
                "Pickup requested with %(carrier)s for %(waybills)s "
                "(pickup %(ref)s), %(start)s - %(end)s.",
                carrier=carrier.name,
                waybills=", ".join(waybills),
                ref=pickup_id or "-",
                start=fields.Datetime.context_timestamp(self, start).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                end=fields.Datetime.context_timestamp(self, end).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        )

    def _carrier_api_pickup_with_order(self, carrier):
        """The booking asked for the courier already: record that, change nothing
        at the carrier (the window chosen in the wizard was not sent)."""
        _ = self.env._
        ledger = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("picking_id", "in", self.ids), ("state", "=", "sent")])
        )
        for picking in self:
            orders = ledger.filtered(lambda r, p=picking: r.picking_id == p)
            ref = ",".join(o for o in orders.mapped("carrier_order_id") if o)
            picking.write(
                {
                    "carrier_api_pickup_state": "with_order",
                    "carrier_api_pickup_ref": ref or False,
                    "carrier_api_pickup_start": False,
                    "carrier_api_pickup_end": False,
                }
            )
            picking.message_post(
                body=_(
                    "%(carrier)s sends the courier with the booking itself (order "
                    "%(ref)s): no separate pickup request, the window chosen was "
                    "not sent.",
                    carrier=carrier.name,
                    ref=ref or "-",
                )
            )
