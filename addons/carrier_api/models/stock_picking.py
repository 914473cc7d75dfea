# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Waybills, labels, cancel and pickup on deliveries shipped with our carriers.

Exactly once (carriers.md §0): each external order id has a ledger row
(``carrier.api.waybill``) that is claimed, then settled, in side transactions that
commit on their own. A second click or a second user finds the row "sending" and
stops; an attempt whose outcome is unknown (timeout, 5xx, killed worker) makes the
next one look the order up first; the carrier's "duplicate order id" is answered by a
look-up; a rollback after the carrier answered leaves the "sent" row, from which the
next click restores the waybill without calling again.

Many deliveries (the list, a validation of several) are booked together
(``_carrier_api_ensure_waybills``): the same claims and settlements, the ORM work in the
request's thread, only the HTTP calls in a bounded pool of threads per carrier account,
so that the carriers' latency does not add up.
"""

import base64
import dataclasses
import logging
import queue
import time
import weakref
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg2
import requests as requests_lib
from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from odoo.addons.base_integration.api.exceptions import (
    IntegrationError,
    RetryableError,
)

from ..api import CLIENTS
from ..api.base import (
    CAP_FIND,
    CAP_LABEL,
    CAP_RATES,
    DuplicateReferenceError,
    Parcel,
    ShipmentRequest,
    ShipmentResult,
)

_logger = logging.getLogger(__name__)

WAYBILL_STATES = [
    ("none", "No waybill"),
    ("sending", "Sending"),
    ("sent", "Waybill created"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
PICKUP_STATES = [
    ("none", "Not requested"),
    ("requested", "Requested"),
    ("failed", "Refused"),
    ("uncertain", "Unclear: check with the carrier"),
]
# How long a "sending" claim protects an attempt in progress; after it, the attempt
# is taken for dead (worker killed) and the next one looks the order up first. Longer
# than the HTTP session's timeout times its attempts.
DEFAULT_LEASE_SECONDS = 300
# Carrier calls of one batch (the list's *Create waybill*, a validation of many) that
# run at once per carrier account; the carriers publish no rate limit [unverified].
PARAM_WAYBILL_WORKERS = "carrier_api.waybill_workers"
DEFAULT_WAYBILL_WORKERS = 8
# Deliveries prepared and claimed at once in a batch: the calls of one chunk are out
# while the next is prepared.
WAYBILL_CHUNK = 50
# The lease of a claim starts at the claim, and is meant for one call: a batch keeps
# at most this many deliveries per worker claimed and not yet answered, so that a
# claim waits for at most one call of each worker before its own call starts.
WAYBILL_IN_FLIGHT_FACTOR = 2
# Carriers whose refusal of a second order with the same order id is documented
# (J&T "Orderid tidak boleh sama", carriers.md §2.3): an uncertain attempt may post the
# order again. JNE, Anteraja and Biteship have no look-up (CAP_FIND) and no verified
# refusal: their uncertain orders wait for the user's *Send again*.
DUPLICATE_REFUSED = frozenset({"jnt"})
# The longest part of a carrier's error text kept for the "price unknown" note.
PRICE_ERROR_LENGTH = 200
# The claim's row is held by another attempt.
# The validation of many running on a cursor: {cursor: _Prebooking}. Not the
# cursor's precommit data: a flushing savepoint (any addon's, inside Odoo's
# send_to_shipper loop) runs the precommit hooks and empties that data, which would
# drop the batch while its claims are out.
_PREBOOKINGS = weakref.WeakKeyDictionary()
# Found by its type, not by its (translated) summary.
PRICE_UNKNOWN_ACTIVITY = "carrier_api.mail_activity_type_price_unknown"
BUSY_ERRORS = (
    psycopg2.errors.LockNotAvailable,
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.UniqueViolation,
)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    carrier_api_is_ours = fields.Boolean(
        string="Shipped through a carrier API",
        compute="_compute_carrier_api_is_ours",
    )
    carrier_api_reference = fields.Char(
        string="External order id",
        copy=False,
        readonly=True,
        help="The order id the carrier knows this delivery by (stable per delivery).",
    )
    carrier_api_state = fields.Selection(
        WAYBILL_STATES,
        string="Waybill status",
        default="none",
        copy=False,
        readonly=True,
        tracking=True,
    )
    carrier_api_message = fields.Text(
        string="Carrier message", copy=False, readonly=True
    )
    carrier_api_send_again = fields.Boolean(
        string="Order to check at the carrier",
        compute="_compute_carrier_api_send_again",
        help="The carrier may hold an order of this delivery (the last attempt got "
        "no clear answer) and its API cannot look it up: check its portal, then send "
        "again or enter the waybill.",
    )
    carrier_api_price = fields.Float(
        string="Carrier price", copy=False, readonly=True, digits=(16, 0)
    )
    carrier_api_cod_available = fields.Boolean(
        string="COD offered", compute="_compute_carrier_api_cod_available"
    )
    carrier_api_cod = fields.Boolean(
        string="Cash on delivery",
        copy=False,
        help="The courier collects the COD amount from the recipient.",
    )
    carrier_api_cod_amount = fields.Float(
        string="COD amount",
        digits=(16, 0),
        copy=False,
        compute="_compute_carrier_api_cod_amount",
        store=True,
        readonly=False,
        help="Proposed from the order total; editable until the waybill is created.",
    )
    carrier_api_pickup_state = fields.Selection(
        PICKUP_STATES,
        string="Pickup",
        default="none",
        copy=False,
        readonly=True,
        tracking=True,
    )
    carrier_api_pickup_ref = fields.Char(
        string="Pickup reference", copy=False, readonly=True
    )
    carrier_api_pickup_start = fields.Datetime(
        string="Pickup from", copy=False, readonly=True
    )
    carrier_api_pickup_end = fields.Datetime(
        string="Pickup until", copy=False, readonly=True
    )
    carrier_api_waybill_ids = fields.One2many(
        "carrier.api.waybill",
        "picking_id",
        string="Waybill requests",
        groups="carrier_api.group_carrier_manager",
    )

    @api.depends("carrier_id.delivery_type")
    def _compute_carrier_api_is_ours(self):
        for picking in self:
            picking.carrier_api_is_ours = bool(
                picking.carrier_id and picking.carrier_id._carrier_api_is_ours()
            )

    @api.depends("carrier_id", "carrier_id.carrier_api_cod_supported")
    def _compute_carrier_api_cod_available(self):
        for picking in self:
            carrier = picking.carrier_id
            picking.carrier_api_cod_available = bool(
                carrier
                and carrier._carrier_api_is_ours()
                and carrier._carrier_api_cod_available()
            )

    def _compute_carrier_api_send_again(self):
        # the committed ledger (the request that failed was rolled back)
        rows = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search(
                [
                    ("picking_id", "in", self.ids),
                    ("state", "=", "failed"),
                    ("uncertain", "=", True),
                ]
            )
        )
        uncertain = set(rows.picking_id.ids)
        for picking in self:
            picking.carrier_api_send_again = (
                picking.id in uncertain
                and picking.state == "assigned"
                and not picking._carrier_api_may_resend()
            )

    def _carrier_api_may_resend(self):
        """Whether an uncertain order may be posted again without asking: the carrier
        looks it up first, or refuses a second order with the same id."""
        self.ensure_one()
        connection = self.carrier_id.sudo().carrier_api_connection_id
        client_class = CLIENTS.get(connection.provider) if connection else None
        return bool(
            client_class
            and (
                CAP_FIND in client_class.capabilities
                or connection.provider in DUPLICATE_REFUSED
            )
        )

    @api.depends("carrier_api_cod", "sale_id.amount_total")
    def _compute_carrier_api_cod_amount(self):
        for picking in self:
            if not picking.carrier_api_cod:
                picking.carrier_api_cod_amount = 0
            elif not picking.carrier_api_cod_amount:
                # whole rupiah: what the courier collects (carriers.md §8)
                picking.carrier_api_cod_amount = round(picking.sale_id.amount_total)

    # ------------------------------------------------------------------ actions
    def action_carrier_api_create_waybill(self):
        """*Create waybill* on ready deliveries (one or many from the list)."""
        wrong = self.filtered(
            lambda p: p.state != "assigned" or not p.carrier_api_is_ours
        )
        if wrong:
            raise UserError(
                _(
                    "A waybill is created for ready deliveries with a carrier-API "
                    "shipping method only: %s",
                    ", ".join(wrong.mapped("name")),
                )
            )
        if len(self) == 1:
            self._carrier_api_ensure_waybill()
            return True
        # Many from the list: booked together, the calls overlapping; the refused ones
        # are listed (the booked ones stay booked: their ledger rows are committed).
        errors = self._carrier_api_ensure_waybills()
        problems = []
        for picking in self:
            if picking not in errors:
                continue
            error = errors[picking]
            if isinstance(error, Exception):
                error = _(
                    "%s: unexpected error (see the server log); the order id is "
                    "kept and the next attempt checks it first.",
                    picking.name,
                )
            elif picking.name not in error:
                error = f"{picking.name}: {error}"
            problems.append(error)
            picking.carrier_api_message = error
        if not problems:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Some waybills were not created"),
                "message": "\n\n".join(problems),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_carrier_api_send_again(self):
        """*Send again*: the user checked the carrier's portal for the uncertain
        order and found none; the same order id is posted again, on purpose."""
        return self.with_context(
            carrier_api_send_again=True
        ).action_carrier_api_create_waybill()

    def action_carrier_api_print_labels(self):
        """Labels of these deliveries as one PDF (our own 100×150 mm label)."""
        missing = self.filtered(lambda p: not p.carrier_tracking_ref)
        if missing:
            raise UserError(
                _(
                    "These deliveries have no waybill yet: %s",
                    ", ".join(missing.mapped("name")),
                )
            )
        return self.env.ref("carrier_api.action_report_carrier_label").report_action(
            self
        )

    def action_carrier_api_request_pickup(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Request pickup"),
            "res_model": "carrier.api.pickup.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_ids": self.ids},
        }

    # ------------------------------------------------------------------ waybill
    def _carrier_api_ensure_waybill(self):
        """Create the waybill(s) of this delivery unless it has them already.

        :raises UserError: a problem listed before any call, or the carrier's answer.
        """
        self.ensure_one()
        # A validation of many books its deliveries while Odoo sends them
        # (_send_confirmation_email): this one's answer is awaited, a refusal is
        # raised again without a second call; a booked one is handed to
        # send_to_shipper (which writes waybill, price and message), its state
        # written after the loop, its labels already attached.
        prebooking = _PREBOOKINGS.get(self.env.cr)
        if prebooking is not None and self.id in prebooking.ids:
            prebooking.batch.advance(until=self)
            prebooked = prebooking.store.pop(self.id, None)
            if prebooked and prebooked[0] == "error":
                raise UserError(prebooked[1])
            if prebooked:
                prebooking.written[self.id] = prebooked[1]
                prebooking.notes[self.id] = self._carrier_api_waybill_note(
                    [r.waybill or r.carrier_order_id for r in prebooked[1]]
                )
                return prebooked[1]
        errors = self._carrier_api_ensure_waybills()
        error = errors.get(self)
        if isinstance(error, Exception):
            # a bug in a worker thread (logged there with its traceback): the user
            # gets the batch's message, not the raw, unmasked exception text
            raise UserError(
                _(
                    "%s: unexpected error (see the server log); the order id is "
                    "kept and the next attempt checks it first.",
                    self.name,
                )
            )
        if error:
            raise UserError(error)

    def _action_done(self):
        """A validation may hold deliveries done already: a request retried after
        a concurrency failure whose first run lost to another user's validation of
        the same deliveries, a selection from a list loaded before. Odoo runs them
        through ``_send_confirmation_email`` again (it skips those with a tracking
        reference); ``_send_confirmation_email`` below must not send them to
        ``send_to_shipper`` a second time (a second "Shipment sent", their cost on
        the order twice), so it is told which they are."""
        done = self.filtered(lambda p: p.state == "done")
        pickings = self.with_context(carrier_api_done_before=done.ids) if done else self
        return super(StockPicking, pickings)._action_done()

    def _send_confirmation_email(self):
        """Odoo sends each validated delivery to its carrier in turn (stock_delivery's
        ``send_to_shipper``, the same conditions as below): ours are booked first, all
        together with the calls overlapping, so that each ``send_to_shipper`` then finds
        its waybill in the ledger (no call) and Odoo's own price, message and delivery
        line follow as before. A refusal is raised again by that ``send_to_shipper``.

        Deliveries whose waybill was created before validation (*Create waybill*)
        have a tracking reference, so Odoo skips their ``send_to_shipper`` and with
        it all a booking entails besides the call: the price with margin and
        ``free_over``, the "Shipment sent" message, the reference on the related
        pickings (the pick and pack steps), the cost on the order (invoice policy
        "real"). They go through ``send_to_shipper`` here, which finds their waybill
        and makes no call (``_carrier_api_send_shipping``), so that they end up as if
        Odoo had booked them now. A refusal there (``send_to_shipper``'s
        ``UserError``: a locked order refusing the delivery cost, say) rolls the
        validation back, wherever the delivery is in the selection, unlike
        stock_delivery's warning once a delivery went through: that rule keeps what
        a carrier did inside this transaction, which Odoo would otherwise lose. Here
        nothing is lost: early waybills were committed before, the batch's bookings
        are in the committed ledger and come back without a call. A warning would
        leave a delivery done whose cost never reaches its order; the user fixes
        the order and validates again instead.

        Why at validation and not when the waybill is created: Odoo books a
        delivery's cost on the order when the delivery is validated, and until then
        an early waybill may still be cancelled (or replaced, another service, other
        packages): its cost must never reach the order. ``print_label`` and the
        carrier's ``integration_level`` are not checked for these: they decide
        whether validation books the shipment, and the user booked it already."""
        # Not the deliveries done before this validation (see _action_done): they
        # went through send_to_shipper when they were validated.
        done_before = set(self.env.context.get("carrier_api_done_before", ()))
        booked_early = self.filtered(
            lambda p: (
                p.carrier_api_is_ours
                and p.carrier_api_state == "sent"
                and p.carrier_tracking_ref
                and p.picking_type_code != "incoming"
                and p.id not in done_before
            )
        )
        for picking in booked_early:
            # no carrier call: a refusal rolls back (see above)
            picking.sudo().send_to_shipper()
        ours = self.filtered(
            lambda p: (
                p.carrier_id
                and p.carrier_api_is_ours
                and p.carrier_id.integration_level == "rate_and_ship"
                and p.picking_type_code != "incoming"
                and not p.carrier_tracking_ref
                and p.picking_type_id.print_label
            )
        )
        if len(ours) < 2:
            return super()._send_confirmation_email()
        # What send_to_shipper finds: per delivery ("sent", results) or ("error",
        # message), for this transaction only. Unexpected failures (a bug) are left
        # out: send_to_shipper tries them again (the ledger makes it look the order
        # up first). The batch runs while Odoo sends them one by one: each
        # send_to_shipper waits for its own delivery only, so the calls of the next
        # ones are out while Odoo writes this one (its price, its message), and the
        # carriers' latency hides behind that work.
        cr = self.env.cr
        store = {}
        batch = ours.sudo()._carrier_api_waybill_batch(write=False, store=store)
        prebooking = _PREBOOKINGS[cr] = _Prebooking(batch, store)
        try:
            result = super()._send_confirmation_email()
            # The calls still out are answered and settled; no chunk is sent any
            # more: a delivery Odoo did not send (it got a reference meanwhile)
            # is not booked.
            batch.drain(block=True)
            self._carrier_api_write_prebooked(prebooking)
            return result
        finally:
            _PREBOOKINGS.pop(cr, None)
            batch.close()

    def send_to_shipper(self):
        """A delivery of a validation of many: the order id its carrier knows it
        by goes in Odoo's own "Shipment sent" message (``message_post`` below), not
        in a message of its own (a message each is most of what a validation of
        many costs)."""
        picking = self
        prebooking = _PREBOOKINGS.get(self.env.cr)
        if prebooking is not None and self.id in prebooking.ids:
            picking = self.with_context(carrier_api_shipment_note=True)
        return super(StockPicking, picking).send_to_shipper()

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        body = kwargs.get("body")
        if (
            self.env.context.get("carrier_api_shipment_note")
            and len(self) == 1
            and isinstance(body, Markup)
            and not (kwargs.get("attachments") or kwargs.get("attachment_ids"))
        ):
            prebooking = _PREBOOKINGS.get(self.env.cr)
            note = prebooking and prebooking.notes.pop(self.id, None)
            if note:
                # the first plain message of its send_to_shipper after the booking:
                # Odoo's "Shipment sent" (the labels are attached without one)
                kwargs["body"] = Markup("{}<br/>{}").format(body, note)
        return super().message_post(**kwargs)

    def _carrier_api_write_prebooked(self, prebooking):
        """The waybill state of the deliveries a validation booked, once Odoo's
        send_to_shipper wrote their waybill, price and message: one write per
        distinct price (no tracking message per delivery). The order-id note went
        in Odoo's message; one send_to_shipper did not post (a refusal after the
        booking) gets it on its own."""
        results_by_id = prebooking.written
        by_price = defaultdict(list)
        for picking_id, results in results_by_id.items():
            by_price[sum(r.price or 0 for r in results)].append(picking_id)
        common = {
            **self._carrier_api_fresh_tracking_values(),
            "carrier_api_state": "sent",
            "carrier_api_message": False,
        }
        for price, ids in by_price.items():
            self.browse(ids).with_context(mail_notrack=True).write(
                {**common, "carrier_api_price": price}
            )
        if prebooking.notes:
            self.browse(list(prebooking.notes))._message_log_batch(
                bodies=prebooking.notes
            )

    def _carrier_api_ensure_waybills(self, write=True, labels=True, store=None):
        """Book the waybills of these deliveries, the carrier calls overlapping.

        The main thread does all the ORM work: every request (each problem before any
        call), then every claim, committed aside before any call (carriers.md §0). Worker
        threads make only the HTTP calls (look-up, booking, label), bounded per carrier
        account by ``carrier_api.waybill_workers``; the main thread settles each answer
        in the committed ledger as soon as it arrives, then writes the deliveries.

        :param write: False books and settles only (the ledger says "sent"); Odoo's
            ``send_to_shipper`` then writes each waybill from ``store``, no call.
        :param labels: attach the carrier's labels.
        :param store: a dict that receives ``{picking id: ("sent", results) or
            ("error", message)}``.
        :returns: ``{picking: message}`` of the deliveries left without their waybills
            (the message is an exception when the failure was unexpected: a bug).
        """
        batch = self._carrier_api_waybill_batch(write, labels, store)
        try:
            batch.advance()
        finally:
            batch.close()
        return batch.errors

    def _carrier_api_waybill_batch(self, write=True, labels=True, store=None):
        """The batch of ``_carrier_api_ensure_waybills``, not started: its caller
        drives it with ``advance`` and must ``close`` it."""
        todo = self.filtered(
            lambda p: not (p.carrier_tracking_ref and p.carrier_api_state == "sent")
        )
        return _WaybillBatch(todo, write, labels, store, {})

    def _carrier_api_finish(self, tasks, errors, write, labels, store):
        """Write the deliveries whose calls are all answered (main thread, while
        the other calls are still out); the failed ones go to ``errors``."""
        booked = {}
        for picking_calls in tasks:
            picking = picking_calls[0]["picking"]
            failed = [c for c in picking_calls if c["outcome"] != "sent"]
            if failed:
                errors[picking] = failed[0].get("exception") or failed[0]["message"]
                if store is not None and isinstance(errors[picking], str):
                    store[picking.id] = ("error", errors[picking])
                continue
            booked[picking] = picking_calls
            if store is not None:
                store[picking.id] = ("sent", [c["result"] for c in picking_calls])
        if write and booked:
            self._carrier_api_write_waybills(
                {p: [c["result"] for c in pc] for p, pc in booked.items()}
            )
        for picking, picking_calls in booked.items() if labels else ():
            picking._carrier_api_attach_labels(
                None,
                [c["result"] for c in picking_calls],
                label_errors={
                    c["result"].waybill: c["label_error"]
                    for c in picking_calls
                    if c.get("label_error")
                },
            )
        for picking, picking_calls in booked.items():
            unpriced = [c for c in picking_calls if "price_error" in c]
            if unpriced:
                picking._carrier_api_price_unknown(unpriced)

    def _carrier_api_price_unknown(self, calls):
        """The carrier's tariff gave no price for the waybills of these calls
        (``price_error``, set by ``_quote_price``): the waybills stand, their price
        is 0, which Odoo's ``send_to_shipper`` takes for the delivery's cost. A note
        says why, and one warning activity per delivery (not per package) asks for
        the cost to be checked."""
        self.ensure_one()
        carrier = self.carrier_id
        reasons = []
        for call in calls:
            if call["price_error"] is None:
                reason = _("not read when the waybill was created")
            elif call["price_error"]:
                reason = carrier._carrier_api_mask(call["price_error"])
                if len(reason) > PRICE_ERROR_LENGTH:
                    reason = reason[: PRICE_ERROR_LENGTH - 3] + "..."
            else:
                reason = _(
                    "no tariff of service %s",
                    carrier.carrier_api_service_code or "-",
                )
            if reason not in reasons:
                reasons.append(reason)
        waybills = ", ".join(
            c["result"].waybill or c["result"].carrier_order_id for c in calls
        )
        self._message_log(
            body=_(
                "The shipping price of waybill %(waybills)s is unknown: the tariff "
                "of %(carrier)s could not be read (%(reason)s). The carrier's price "
                "counts as 0 (only the shipping method's margin is billed): check it "
                "with the carrier.",
                waybills=waybills,
                carrier=carrier.name,
                reason="; ".join(reasons),
            )
        )
        if self.sudo().activity_search([PRICE_UNKNOWN_ACTIVITY]):
            return  # one open activity per delivery is enough (a second waybill)
        self.sudo().activity_schedule(
            PRICE_UNKNOWN_ACTIVITY,
            date.today(),
            note=_(
                "The tariff of %(carrier)s could not be read for waybill "
                "%(waybills)s, so its shipping price is unknown (0). Check the "
                "delivery cost with the carrier and correct it on the order where "
                "it is invoiced.",
                carrier=carrier.name,
                waybills=waybills,
            ),
            user_id=self.user_id.id or self.env.user.id or SUPERUSER_ID,
        )

    def _carrier_api_waybill_note(self, waybills):
        """The chatter note of a new waybill: which numbers, which carrier, and the
        order id the carrier knows it by."""
        self.ensure_one()
        return _(
            "Waybill %(waybill)s created with %(carrier)s (order id %(ref)s).",
            waybill=", ".join(waybills),
            carrier=self.carrier_id.name,
            ref=self.carrier_api_reference,
        )

    def _carrier_api_write_waybills(self, results_by_picking):
        """``{picking: [ShipmentResult]}``: the waybills on the deliveries, and one
        log note each (the status change's tracking message: no one is notified of
        a waybill)."""
        bodies = {}
        for picking, results in results_by_picking.items():
            waybills = [r.waybill or r.carrier_order_id for r in results]
            price = sum(r.price or 0 for r in results)
            values = {
                "carrier_tracking_ref": ",".join(waybills),
                "carrier_api_state": "sent",
                "carrier_api_message": False,
            }
            if picking.carrier_tracking_ref != values["carrier_tracking_ref"]:
                # a new waybill (e.g. after a cancel): no tracking or pickup of the
                # old one carries over
                values.update(self._carrier_api_fresh_tracking_values())
                # nor its price: the new one's, or none (what send_to_shipper takes)
                values["carrier_api_price"] = price
            elif price:
                values["carrier_api_price"] = price
            body = picking._carrier_api_waybill_note(waybills)
            if picking.carrier_api_state != "sent":
                # the body of the status change's tracking message: one message
                picking._track_set_log_message(body)
            else:
                bodies[picking.id] = body
            picking.write(values)
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _carrier_api_fresh_tracking_values(self):
        """The tracking and pickup fields of a delivery without a waybill yet."""
        return {
            "carrier_api_delivery_state": False,
            "carrier_api_status_raw": False,
            "carrier_api_status_unknown": False,
            "carrier_api_delivered_at": False,
            "carrier_api_tracked_at": False,
            "carrier_api_next_poll": False,
            "carrier_api_poll_failures": 0,
            "carrier_api_unknown_since": False,
            "carrier_api_tracking_stopped": False,
            "carrier_api_pickup_state": "none",
            "carrier_api_pickup_ref": False,
            "carrier_api_pickup_start": False,
            "carrier_api_pickup_end": False,
        }

    def _carrier_api_waybill_workers(self):
        icp = self.env["ir.config_parameter"].sudo()
        try:
            value = int(icp.get_param(PARAM_WAYBILL_WORKERS, 0))
        except ValueError:
            value = 0
        return max(1, value or DEFAULT_WAYBILL_WORKERS)

    def _carrier_api_claim_many(self, jobs, errors, labels, cr):
        """Claim every order id of the jobs on the side cursor ``cr``: the caller
        commits it before any call, then takes SiCepat's receipt numbers
        (``_carrier_api_take_receipt_numbers``).

        A delivery's parts are claimed together: when one is busy (another attempt
        running), the claims of its other parts are undone, so none is left "sending".
        :returns: the calls (dicts), also listed in each job's ``calls``.
        """
        prefix = self._carrier_api_reference_prefix()
        lease = self._carrier_api_lease()
        calls = []
        pickings = self.browse(
            [picking.id for job in jobs for picking, _requests in job["plans"]]
        )
        try:
            live = pickings._carrier_api_live_parts(cr)
            eligible = []
            for job in jobs:
                for picking, requests in job["plans"]:
                    try:
                        picking._carrier_api_check_layout(
                            {part for part, _request in requests}, live[picking.id]
                        )
                    except UserError as exc:
                        errors[picking] = str(exc)
                        continue
                    eligible.append((job, picking, requests))
            # Most order ids are new: inserted in one statement. A delivery of which
            # one order id exists already (sent, failed, being sent) has its new rows
            # taken back and is claimed one order id at a time, as before.
            try:
                with cr.savepoint(flush=False):
                    fresh = self._carrier_api_claim_new(
                        cr,
                        [
                            (p, [part for part, _r in requests])
                            for _j, p, requests in eligible
                        ],
                        prefix,
                    )
            except BUSY_ERRORS:
                # an order id was claimed by an attempt this snapshot cannot see
                # (repeatable read): every delivery one at a time, which says which
                fresh = {}
            for job, picking, requests in eligible:
                try:
                    claims = picking._carrier_api_claim_parts(
                        cr, requests, fresh, prefix, lease
                    )
                except UserError as exc:
                    errors[picking] = str(exc)
                    continue
                except BUSY_ERRORS:
                    errors[picking] = picking._carrier_api_busy_message()
                    continue
                for part, request, claim in claims:
                    call = picking._carrier_api_new_call(part, request, claim, labels)
                    job["calls"].append(call)
                    calls.append(call)
        except Exception:
            cr.rollback()
            raise
        return calls

    def _carrier_api_new_call(self, part, request, claim, labels):
        """The call of one claimed order id (a dict the worker threads fill)."""
        call = {
            "picking": self,
            "part": part,
            "reference": claim["reference"],
            "request": dataclasses.replace(request, reference=claim["reference"]),
            "recover": claim.get("recover", False),
            # an uncertain order may be posted again (see _book)
            "resend": bool(
                self.env.context.get("carrier_api_send_again")
                or self._carrier_api_may_resend()
            ),
            "book": claim["state"] != "sent",
            "labels": labels,
            "outcome": None,
        }
        if not call["book"]:
            # booked before (the request that got the answer was rolled back):
            # restored, no second order
            call["outcome"] = "sent"
            call["result"] = ShipmentResult(
                reference=claim["reference"],
                waybill=claim["waybill"] or "",
                carrier_order_id=claim["carrier_order_id"] or "",
                price=claim["price"],
            )
        if part <= 1:
            reference = claim["reference"]
            base = reference.rsplit("-", 1)[0] if part else reference
            if self.carrier_api_reference != base:
                self.carrier_api_reference = base
        return call

    def _carrier_api_take_receipt_numbers(self, jobs):
        """SiCepat's receipt numbers from the account's range (ORM, main thread),
        for the calls to book that have none yet; a call without one fails, the
        others go on.

        A failed call is settled "failed", not "uncertain" by this attempt: its
        claim is committed, but nothing was sent (the calls start after this
        method, ``book=False`` keeps this one out of them), so SiCepat holds no
        order of this attempt. What an earlier attempt left unknown stays so
        (``uncertain`` is the claim's ``recover``): the next attempt still looks
        that order up before it books with a new number.
        """
        failed = []
        for job in jobs:
            connection = job["connection"]
            for call in job["calls"]:
                if not call["book"] or connection.provider != "sicepat":
                    continue
                if call["request"].waybill:
                    continue
                try:
                    call["request"].waybill = connection._sicepat_next_receipt_number()
                except UserError as exc:
                    message = str(exc)
                except Exception:  # noqa: BLE001 - a bug, a lost database connection
                    if (
                        self.env.cr._cnx.info.transaction_status
                        == psycopg2.extensions.TRANSACTION_STATUS_INERROR
                    ):
                        # the request's own transaction failed (the number's
                        # flush: a serialization failure, a deadlock): Odoo's to
                        # retry or to report, not one delivery's
                        raise
                    # Masked: the raw text may carry anything (a query, a value);
                    # the traceback goes to the log.
                    _logger.exception(
                        "SiCepat receipt number for order %s not taken",
                        call["reference"],
                    )
                    message = _(
                        "%s: unexpected error while taking a SiCepat receipt number "
                        "(see the server log); nothing was sent to SiCepat: try "
                        "again.",
                        call["picking"].name,
                    )
                else:
                    continue
                call.update(
                    outcome="failed",
                    book=False,
                    uncertain=call["recover"],
                    message=message,
                )
                failed.append(call)
        if failed:
            self._carrier_api_settle_many(failed)

    def _carrier_api_live_parts(self, cr):
        """``{picking id: {part: reference}}`` of the order ids the carrier holds or
        may hold (sent, being sent, or failed with an unknown outcome), read on the
        side cursor ``cr`` (this request's snapshot may predate them)."""
        live = defaultdict(dict)
        if self:
            cr.execute(
                "SELECT picking_id, part, reference FROM carrier_api_waybill "
                "WHERE picking_id = ANY(%s) AND (state IN ('sent', 'sending') "
                "OR (state = 'failed' AND uncertain))",
                [self.ids],
            )
            for picking_id, part, reference in cr.fetchall():
                live[picking_id][part] = reference
        return live

    def _carrier_api_check_layout(self, parts, live):
        """The order ids are per package (``<ref>-1``, ``<ref>-2``; ``<ref>`` for a
        single parcel): when the packages changed after some were sent, booking the
        new layout would leave the old orders at the carrier beside new ones.

        :raises UserError: an order id the carrier may hold is not in ``parts``.
        """
        orphans = sorted(ref for part, ref in live.items() if part not in parts)
        if orphans:
            raise UserError(
                _(
                    "The packages of %(picking)s changed after %(carrier)s was sent "
                    "order(s) %(refs)s: put the packages back as they were and "
                    "create the waybill again, so that nothing is booked twice.",
                    picking=self.name,
                    carrier=self.carrier_id.name,
                    refs=", ".join(orphans),
                )
            )

    def _carrier_api_call_message(self, call):
        """The ledger's and the user's text for a failed call (main thread)."""
        carrier = self.carrier_id
        ref = call["reference"]
        error = carrier._carrier_api_mask(str(call.get("error") or ""))
        kind = call.get("kind")
        if kind == "duplicate":
            return _(
                "%(carrier)s already holds order %(ref)s but its API cannot look it "
                "up: copy the waybill from the carrier's portal into the tracking "
                "reference. (%(error)s)",
                carrier=carrier.name,
                ref=ref,
                error=error,
            )
        if kind == "retryable" and not self._carrier_api_may_resend():
            return _(
                "%(carrier)s did not answer clearly for order %(ref)s (%(error)s). "
                "It may have booked it, and its API cannot look it up: check the "
                "carrier's portal for order %(ref)s; then press *Send again* or "
                "enter the waybill in the tracking reference.",
                carrier=carrier.name,
                ref=ref,
                error=error,
            )
        if kind == "retryable":
            return _(
                "%(carrier)s did not answer clearly for order %(ref)s (%(error)s). "
                "It may have booked it: the next attempt looks it up first.",
                carrier=carrier.name,
                ref=ref,
                error=error,
            )
        if kind == "check":
            return _(
                "%(carrier)s may already hold order %(ref)s (an earlier attempt got "
                "no clear answer) and its API cannot look it up, so it was not sent "
                "again: check the carrier's portal for order %(ref)s; then press "
                "*Send again* or enter the waybill in the tracking reference.",
                carrier=carrier.name,
                ref=ref,
            )
        if kind == "lookup":
            return _(
                "%(carrier)s could not be asked whether order %(ref)s exists: "
                "%(error)s. Nothing was sent again; try later.",
                carrier=carrier.name,
                ref=ref,
                error=error,
            )
        if kind == "refused":
            return _(
                "%(carrier)s refused the waybill of %(ref)s: %(error)s",
                carrier=carrier.name,
                ref=ref,
                error=error,
            )
        if kind == "skipped":
            return _(
                "Order %(ref)s was not sent: another package of %(picking)s failed.",
                ref=ref,
                picking=self.name,
            )
        return "unexpected error"

    def _carrier_api_settle_many(self, calls, cr=None):
        """Record the outcome of these calls in one committed side transaction (on
        ``cr`` when given: the caller commits it)."""
        if not calls:
            return
        if cr is None:
            with self.env.registry.cursor() as side_cr:
                self._carrier_api_settle_many(calls, cr=side_cr)
            return
        rows = []
        for call in calls:
            if call["outcome"] == "sent":
                rows.append((call["reference"], "sent", False, call["result"], None))
                continue
            if not call.get("message"):
                call["message"] = call["picking"]._carrier_api_call_message(call)
            rows.append(
                (
                    call["reference"],
                    "failed",
                    call.get("uncertain", False),
                    None,
                    call["message"],
                )
            )
        self._carrier_api_settle_rows(cr, rows)

    def _carrier_api_sender(self):
        warehouse = self.picking_type_id.warehouse_id
        return self.carrier_id._carrier_api_sender_partner(warehouse, self.company_id)

    def _carrier_api_parcels(self):
        """One ``Parcel`` per package (or one for the whole delivery).

        Weights in kg whatever the database's weight unit (``product.weight_in_lbs``:
        product, package and picking weights are all in that unit); quantities in the
        product's unit for the weight and in the sale line's unit for its price.
        """
        self.ensure_one()
        in_kg = self.carrier_id._carrier_api_weight_kg

        def weight_of(lines):
            return sum(ml.product_id.weight * ml.quantity_product_uom for ml in lines)

        def value_of(lines):
            total = 0.0
            for line in lines:
                # the declared value is the order's price: read for warehouse staff,
                # who may not read another salesperson's order lines
                sale_line = line.move_id.sale_line_id.sudo()
                if line.quantity:
                    qty, uom = line.quantity, line.product_uom_id
                else:
                    qty, uom = line.move_id.product_uom_qty, line.move_id.product_uom
                if sale_line:
                    qty = uom._compute_quantity(qty, sale_line.product_uom, round=False)
                    total += sale_line.price_reduce_taxinc * qty
                else:
                    qty = uom._compute_quantity(
                        qty, line.product_id.uom_id, round=False
                    )
                    total += line.product_id.lst_price * qty
            return int(round(total))

        lines = self.move_line_ids
        packages = lines.result_package_id
        description = ", ".join(self.move_ids.product_id.mapped("name"))[:60]
        if len(packages) > 1:
            parcels = []
            for package in packages:
                pack_lines = lines.filtered(
                    lambda ml, p=package: ml.result_package_id == p
                )
                parcels.append(
                    Parcel(
                        weight_kg=in_kg(
                            package.shipping_weight or weight_of(pack_lines)
                        ),
                        value=value_of(pack_lines),
                        description=description,
                        reference=package.name,
                    )
                )
            unpacked = lines.filtered(lambda ml: not ml.result_package_id)
            if unpacked:
                parcels.append(
                    Parcel(
                        weight_kg=in_kg(weight_of(unpacked)),
                        value=value_of(unpacked),
                        description=description,
                    )
                )
            return parcels
        weight = in_kg(self.shipping_weight or self.weight)
        value = value_of(lines) if lines else 0
        if not lines:
            total = 0.0
            for move in self.move_ids:
                sale_line = move.sale_line_id
                if sale_line:
                    qty = move.product_uom._compute_quantity(
                        move.product_uom_qty, sale_line.product_uom, round=False
                    )
                    total += sale_line.price_reduce_taxinc * qty
                else:
                    total += move.product_id.lst_price * move.product_qty
            value = int(round(total))
        return [Parcel(weight_kg=weight, value=value, description=description)]

    def _carrier_api_requests(self):
        """``[(part, ShipmentRequest)]``: one per package when there are several.

        :raises UserError: listing every problem at once (nothing was sent).
        """
        self.ensure_one()
        carrier = self.carrier_id
        if not carrier or not carrier._carrier_api_is_ours():
            raise UserError(_("%s has no carrier-API shipping method.", self.name))
        problems = []
        sender, sender_problems, sender_warnings = (
            self._carrier_api_sender()._carrier_api_address(carrier, role="sender")
        )
        recipient, recipient_problems, warnings = (
            self.partner_id._carrier_api_address(carrier, role="recipient")
            if self.partner_id
            else (None, [_("%s has no recipient.", self.name)], [])
        )
        problems += sender_problems + recipient_problems
        parcels = self._carrier_api_parcels()
        for index, parcel in enumerate(parcels, 1):
            label = parcel.reference or (
                _("Package %s", index) if len(parcels) > 1 else self.name
            )
            if parcel.weight_kg <= 0:
                problems.append(_("%s has no weight.", label))
            elif limit := carrier._carrier_api_check_weight(parcel.weight_kg):
                problems.append(f"{label}: {limit}")
        cod = 0
        if self.carrier_api_cod:
            if not carrier._carrier_api_cod_available():
                problems.append(_("%s does not offer cash on delivery.", carrier.name))
            elif self.carrier_api_cod_amount <= 0:
                problems.append(_("The COD amount must be positive."))
            cod = int(round(self.carrier_api_cod_amount))
        if problems:
            raise UserError(
                _(
                    "The waybill of %(picking)s cannot be created:\n%(problems)s",
                    picking=self.name,
                    problems="\n".join(f"- {p}" for p in problems),
                )
            )
        new_warnings = list(dict.fromkeys(sender_warnings + warnings))
        if new_warnings:
            # once per text: a retry, or a batch's second pass, would repeat them
            posted = {
                html2plaintext(body or "").strip()
                for body in self.sudo().message_ids.mapped("body")
            }
            for warning in new_warnings:
                if warning.strip() not in posted:
                    self.message_post(body=warning)
        declared = sum(p.value for p in parcels)
        insured = 0
        if carrier.shipping_insurance:
            insured = int(round(declared * carrier.shipping_insurance / 100.0))
        requests = []
        for part, parcel in enumerate(parcels if len(parcels) > 1 else parcels[:1]):
            requests.append(
                (
                    part + 1 if len(parcels) > 1 else 0,
                    ShipmentRequest(
                        reference="",  # set by the claim
                        service_code=carrier._carrier_api_service_key(),
                        sender=sender,
                        recipient=recipient,
                        parcels=[parcel],
                        # COD collected once, with the first package [ROADMAP].
                        cod_amount=cod if part == 0 else 0,
                        insured_value=int(round(insured * parcel.value / declared))
                        if declared
                        else 0,
                        declared_value=parcel.value,
                        note=self.origin or self.name,
                    ),
                )
            )
        return requests

    def _carrier_api_reference_prefix(self):
        icp = self.env["ir.config_parameter"].sudo()
        prefix = icp.get_param("carrier_api.reference_prefix")
        if not prefix:
            prefix = (icp.get_param("database.uuid") or "ODOO")[:6].upper()
        return prefix

    def _carrier_api_lease(self):
        icp = self.env["ir.config_parameter"].sudo()
        try:
            return int(icp.get_param("carrier_api.sending_lease_seconds", 0)) or (
                DEFAULT_LEASE_SECONDS
            )
        except ValueError:
            return DEFAULT_LEASE_SECONDS

    def _carrier_api_busy_message(self):
        return _(
            "The waybill of %s is being created right now (another click or user); "
            "try again in a moment.",
            self.name,
        )

    def _carrier_api_claim_parts(self, cr, requests, fresh, prefix, lease):
        """``[(part, request, claim)]`` of this delivery's packages: the rows
        ``_carrier_api_claim_new`` inserted, or, when one order id existed already,
        each claimed on its own (in a savepoint: all or none).

        :raises UserError: a problem, or another attempt is running (or a
            psycopg2 lock error: the row is locked by another attempt).
        """
        keys = [(self.id, part) for part, _request in requests]
        if all(key in fresh for key in keys):
            return [
                (
                    part,
                    request,
                    {"reference": fresh[self.id, part], "state": "new"},
                )
                for part, request in requests
            ]
        taken = [fresh[key] for key in keys if key in fresh]
        if taken:
            cr.execute(
                "DELETE FROM carrier_api_waybill WHERE reference = ANY(%s)", [taken]
            )
        with cr.savepoint(flush=False):
            return [
                (part, request, self._carrier_api_claim_in(cr, part, prefix, lease))
                for part, request in requests
            ]

    def _carrier_api_order_id(self, prefix, part, generation):
        """The external order id of ``part`` after ``generation`` cancelled ones."""
        reference = f"{prefix}-{self.id}" + (f"-R{generation}" if generation else "")
        return reference + (f"-{part}" if part else "")

    def _carrier_api_claim_new(self, cr, items, prefix):
        """Claim in one statement the order ids that no attempt has used yet.

        :param items: ``[(picking, [part, ...])]``.
        :returns: ``{(picking id, part): reference}`` of the rows inserted ("sending");
            the other order ids exist already (see ``_carrier_api_claim_in``).
        """
        if not items:
            return {}
        cr.execute(
            "SELECT picking_id, part, count(*) FROM carrier_api_waybill "
            "WHERE picking_id = ANY(%s) AND state = 'cancelled' "
            "GROUP BY picking_id, part",
            [[picking.id for picking, _parts in items]],
        )
        generations = {(pid, part): count for pid, part, count in cr.fetchall()}
        rows = [
            (
                picking.id,
                picking.carrier_id.id,
                picking._carrier_api_order_id(
                    prefix, part, generations.get((picking.id, part), 0)
                ),
                part,
            )
            for picking, parts in items
            for part in parts
        ]
        if not rows:
            return {}
        # in the order of the references: two batches over the same deliveries wait
        # for each other's new rows in one order, never in a cycle (deadlock)
        rows.sort(key=lambda row: row[2])
        picking_ids, carrier_ids, references, parts = (
            list(c) for c in zip(*rows, strict=True)
        )
        cr.execute(
            "INSERT INTO carrier_api_waybill (picking_id, carrier_id, reference, "
            "part, state, sending_at, uncertain, create_uid, write_uid, create_date, "
            "write_date) SELECT v.picking_id, v.carrier_id, v.reference, v.part, "
            "'sending', now() at time zone 'utc', false, %s, %s, "
            "now() at time zone 'utc', now() at time zone 'utc' "
            "FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::int[]) "
            "AS v(picking_id, carrier_id, reference, part) "
            "ON CONFLICT (reference) DO NOTHING RETURNING picking_id, part, reference",
            [self.env.uid, self.env.uid, picking_ids, carrier_ids, references, parts],
        )
        return {(pid, part): reference for pid, part, reference in cr.fetchall()}

    def _carrier_api_claim_in(self, cr, part, prefix=None, lease=None):
        """Claim the external order id of ``part`` on ``cr`` (a side cursor that the
        caller commits before any call).

        :returns: the ledger row as a dict; ``recover`` says the carrier may already
            hold the order (look it up first), ``state == "sent"`` that it does.
        :raises UserError: another attempt is running right now (or a psycopg2 lock
            error: the row is locked by another attempt).
        """
        self.ensure_one()
        columns = (
            "id, reference, state, uncertain, waybill, carrier_order_id, price, "
            "(now() at time zone 'utc') - sending_at > make_interval(secs => %s)"
        )
        # A cancelled order id is never booked again: count them.
        cr.execute(
            "SELECT count(*) FROM carrier_api_waybill WHERE picking_id = %s "
            "AND part = %s AND state = 'cancelled'",
            [self.id, part],
        )
        reference = self._carrier_api_order_id(
            prefix or self._carrier_api_reference_prefix(), part, cr.fetchone()[0]
        )
        cr.execute(
            "INSERT INTO carrier_api_waybill (picking_id, carrier_id, "
            "reference, part, state, sending_at, uncertain, create_uid, "
            "write_uid, create_date, write_date) VALUES (%s, %s, %s, %s, "
            "'sending', now() at time zone 'utc', false, %s, %s, "
            "now() at time zone 'utc', now() at time zone 'utc') "
            "ON CONFLICT (reference) DO NOTHING RETURNING id",
            [
                self.id,
                self.carrier_id.id,
                reference,
                part,
                self.env.uid,
                self.env.uid,
            ],
        )
        if cr.fetchone():
            return {"reference": reference, "state": "new", "recover": False}
        cr.execute(
            f"SELECT {columns} FROM carrier_api_waybill WHERE reference = %s "
            "FOR UPDATE NOWAIT",
            [lease or self._carrier_api_lease(), reference],
            log_exceptions=False,
        )
        row_id, reference, state, uncertain, waybill, order_id, price, stale = (
            cr.fetchone()
        )
        row = {
            "reference": reference,
            "state": state,
            "waybill": waybill,
            "carrier_order_id": order_id,
            "price": price,
        }
        if state == "sent":
            return row
        if state == "sending" and not stale:
            raise UserError(self._carrier_api_busy_message())
        # failed, or a "sending" whose worker died: maybe booked.
        row["recover"] = bool(uncertain or state == "sending")
        cr.execute(
            "UPDATE carrier_api_waybill SET state = 'sending', "
            "sending_at = now() at time zone 'utc', uncertain = %s, "
            "write_date = now() at time zone 'utc' WHERE id = %s",
            [row["recover"], row_id],
        )
        return row

    def _carrier_api_settle_in(
        self, cr, reference, state, uncertain=False, result=None, message=None
    ):
        self._carrier_api_settle_rows(
            cr, [(reference, state, uncertain, result, message)]
        )

    @api.model
    def _carrier_api_settle_rows(self, cr, rows):
        """Record outcomes on the ledger in one statement: ``rows`` of ``(reference,
        state, uncertain, ShipmentResult or None, message)``."""
        if not rows:
            return
        values = [
            (
                reference,
                state,
                uncertain,
                (result and result.waybill) or "",
                (result and result.carrier_order_id) or "",
                result.price if result else None,
                message,
            )
            for reference, state, uncertain, result, message in rows
        ]
        columns = zip(*values, strict=True)
        cr.execute(
            "UPDATE carrier_api_waybill AS w SET state = v.state, "
            "uncertain = v.uncertain, "
            "waybill = COALESCE(NULLIF(v.waybill, ''), w.waybill), "
            "carrier_order_id = COALESCE(NULLIF(v.order_id, ''), w.carrier_order_id), "
            "price = COALESCE(v.price, w.price), message = v.message, "
            "write_date = now() at time zone 'utc' "
            "FROM unnest(%s::varchar[], %s::varchar[], %s::bool[], %s::varchar[], "
            "%s::varchar[], %s::numeric[], %s::text[]) "
            "AS v(reference, state, uncertain, waybill, order_id, price, message) "
            "WHERE w.reference = v.reference",
            [list(column) for column in columns],
        )

    # ------------------------------------------------------------------ labels
    def _carrier_api_attach_labels(self, client, results, label_errors=None):
        """Attach the carrier's label at once (J&T print URLs expire, §0).

        :param client: fetches the labels the results lack (None: the worker threads
            fetched them already; ``label_errors`` says which could not be).
        """
        prefix = self.carrier_id._get_delivery_label_prefix()
        label_errors = dict(label_errors or {})
        for result in results:
            pdf = result.label_pdf
            if not pdf and client and CAP_LABEL in client.capabilities:
                try:
                    pdf = client.fetch_label(result)
                except IntegrationError as exc:
                    label_errors[result.waybill] = str(exc)
            if result.waybill in label_errors:
                self.message_post(
                    body=_(
                        "The carrier's label of %(waybill)s could not be "
                        "downloaded (%(error)s); print our own label instead.",
                        waybill=result.waybill,
                        error=self.carrier_id._carrier_api_mask(
                            label_errors[result.waybill]
                        ),
                    )
                )
                continue
            if pdf:
                self.env["ir.attachment"].create(
                    {
                        "name": f"{prefix}-{result.waybill}.pdf",
                        "datas": base64.b64encode(pdf),
                        "res_model": "stock.picking",
                        "res_id": self.id,
                        "mimetype": "application/pdf",
                    }
                )

    def _carrier_api_waybills(self):
        self.ensure_one()
        return [
            w.strip() for w in (self.carrier_tracking_ref or "").split(",") if w.strip()
        ]

    def _carrier_api_label_lines(self):
        """What the label prints, per waybill (the QWeb report reads this)."""
        self.ensure_one()
        parcels = self._carrier_api_parcels()
        lines = []
        waybills = self._carrier_api_waybills()
        for index, waybill in enumerate(waybills):
            parcel = parcels[index] if len(parcels) == len(waybills) else None
            # kg, as the parcels (the picking's own weights are in the database's
            # weight unit)
            weight = parcel.weight_kg if parcel else sum(p.weight_kg for p in parcels)
            lines.append(
                {
                    "waybill": waybill,
                    "index": index + 1,
                    "count": len(waybills),
                    "weight": weight,
                    "cod": int(self.carrier_api_cod_amount)
                    if index == 0 and self.carrier_api_cod
                    else 0,
                }
            )
        return lines

    # ------------------------------------------------------------------ cancel
    def cancel_shipment(self):
        """Odoo's *Cancel* of a shipment. Ours may stop half-way over several
        waybills (the carrier refuses one): then the waybills it cancelled are dropped,
        the others kept, and the user is told which (a warning, not an error: the
        cancellations happened and must not be rolled back)."""
        ours = self.filtered("carrier_api_is_ours")
        if self - ours:
            super(StockPicking, self - ours).cancel_shipment()
        ours._carrier_api_lock_for_cancel()
        warnings = [w for w in (p._carrier_api_cancel_waybill() for p in ours) if w]
        if not warnings:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Shipment cancelled in part"),
                "message": "\n\n".join(warnings),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _carrier_api_lock_for_cancel(self):
        """Hold the deliveries before any cancel call: a second click, another user
        or a validation waits for this one instead of cancelling (or booking) beside
        it.

        :raises UserError: another transaction holds one of them right now.
        """
        if not self:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM stock_picking WHERE id = ANY(%s) "
                    "FOR NO KEY UPDATE NOWAIT",
                    [self.ids],
                    log_exceptions=False,
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _(
                    "%s is being changed right now (another click, user or the "
                    "tracking update); try the cancellation again in a moment.",
                    ", ".join(self.mapped("name")),
                )
            ) from None

    def _carrier_api_sent_price(self, waybills):
        """The carrier's price of these waybills of this delivery ("sent" ledger
        rows, read on a fresh cursor as ``_carrier_api_ledger_rows``)."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT COALESCE(sum(price), 0) FROM carrier_api_waybill "
                "WHERE picking_id = %s AND state = 'sent' "
                "AND (waybill = ANY(%s) OR carrier_order_id = ANY(%s))",
                [self.id, list(waybills), list(waybills)],
            )
            return cr.fetchone()[0]

    def _carrier_api_ledger_rows(self, states):
        """``{waybill or carrier order id: (reference, state, carrier order id)}``
        of this delivery's ledger rows in ``states``, read on a fresh cursor (this
        request's snapshot may predate a cancellation committed since); a "sent"
        row wins over an older cancelled one of the same number."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT reference, state, waybill, carrier_order_id "
                "FROM carrier_api_waybill WHERE picking_id = %s AND state = ANY(%s) "
                "ORDER BY state = 'sent', id",
                [self.id, list(states)],
            )
            rows = cr.fetchall()
        return {
            waybill or order_id: (reference, state, order_id)
            for reference, state, waybill, order_id in rows
        }

    def _carrier_api_settle_cancelled(self, reference, attempts=3):
        """Record a cancellation the carrier made, in a side transaction of its own
        that does not wait long for the tracking cron's lock on the same row, tried
        again on a serialization failure (the carrier cancelled: the request must not
        fail and be replayed for it).

        :returns: whether it was recorded.
        """
        for attempt in range(attempts):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = '5s'")
                    self._carrier_api_settle_in(
                        cr, reference, "cancelled", message="cancelled"
                    )
                return True
            except BUSY_ERRORS:
                time.sleep(0.2 * (attempt + 1))
        _logger.warning(
            "Cancellation of %s at the carrier could not be recorded in the ledger",
            reference,
        )
        return False

    def _carrier_api_cancel_waybill(self):
        """Cancel every waybill of this delivery at the carrier, in order.

        :returns: "" when all were cancelled (the delivery has no waybill left), else
            the text saying which were cancelled and which kept (the delivery keeps
            those, still "Waybill created").
        :raises UserError: the carrier refused the first one (nothing changed).
        """
        self.ensure_one()
        carrier = self.carrier_id
        waybills = self._carrier_api_waybills()
        if not waybills:
            raise UserError(_("%s has no waybill to cancel.", self.name))
        if not carrier._carrier_api_can_cancel():
            raise UserError(
                _(
                    "%s offers no cancellation through its API: cancel it in the "
                    "carrier's portal.",
                    carrier.name,
                )
            )
        client = carrier._carrier_api_client()
        by_waybill = self._carrier_api_ledger_rows(("sent", "cancelled"))
        cancelled, refusal = [], None
        for waybill in waybills:
            row = by_waybill.get(waybill)
            if row and row[1] == "cancelled":
                # cancelled by an attempt whose request was rolled back after the
                # carrier's answer: the carrier would refuse ("already cancelled")
                cancelled.append(waybill)
                continue
            target = row[2] if row and row[2] else waybill
            try:
                client.cancel(target, reason=_("Cancelled in Odoo"))
            except IntegrationError as exc:
                refusal = _(
                    "%(carrier)s refused to cancel waybill %(waybill)s: %(error)s",
                    carrier=carrier.name,
                    waybill=waybill,
                    error=carrier._carrier_api_mask(str(exc)),
                )
                break
            cancelled.append(waybill)
            if row:
                # committed at once: the carrier cancelled it, whatever happens next
                self._carrier_api_settle_cancelled(row[0])
        if refusal and not cancelled:
            raise UserError(refusal)
        kept = [w for w in waybills if w not in cancelled]
        if kept:
            message = _(
                "%(picking)s: waybill(s) %(cancelled)s cancelled; %(refusal)s. Still "
                "booked and kept on the delivery: %(kept)s.",
                picking=self.name,
                cancelled=", ".join(cancelled),
                refusal=refusal,
                kept=", ".join(kept),
            )
            self.write(
                {
                    "carrier_tracking_ref": ",".join(kept),
                    # what send_to_shipper bills at validation: the kept ones only
                    "carrier_api_price": self._carrier_api_sent_price(kept),
                }
            )
            self.message_post(body=message)
            return message
        self.message_post(
            body=_("Shipment %s cancelled", ", ".join(waybills)),
        )
        self.write(
            {
                **self._carrier_api_fresh_tracking_values(),
                "carrier_tracking_ref": False,
                "carrier_api_state": "cancelled",
                "carrier_api_reference": False,
                # a validation without a new waybill books one (send_to_shipper):
                # the cancelled one's price is not the delivery's
                "carrier_api_price": 0,
            }
        )
        return ""


class _Prebooking:
    """A validation of many in progress on one cursor: its batch, what the batch
    answered (``store``) and what send_to_shipper took from it (``written``)."""

    def __init__(self, batch, store):
        self.batch, self.store, self.written = batch, store, {}
        # {picking id: the order-id note}, until Odoo's message takes it
        self.notes = {}
        self.ids = set(batch.pickings.ids)


class _WaybillBatch:
    """One batch of waybills: per carrier account its clients (one ``requests.Session``
    per thread, the HTTP log collected in memory, as the tracking sync) and its pool;
    the side cursor of the settlements; the queue of finished tasks. Used by the main
    thread only: the pools' threads run ``_run_waybill_calls`` and nothing else."""

    def __init__(self, pickings, write, labels, store, errors):
        self.pickings = pickings
        self.write, self.labels, self.store, self.errors = write, labels, store, errors
        self.workers = min(pickings._carrier_api_waybill_workers(), len(pickings) or 1)
        self.jobs = {}  # connection -> job, or the message why it has none
        self.finished = queue.SimpleQueue()
        self.pending = 0
        self.failure = None
        self.settle_cr = None
        # By chunks of about one delivery per worker: the calls of one chunk are out
        # while the next is prepared and the answers that came are written. Before a
        # chunk is claimed, the batch waits until no more than one chunk is left in
        # flight: a claim's lease (counted from the claim) must not run out while its
        # call waits in the pool behind the calls of the whole selection.
        self.step = min(WAYBILL_CHUNK, self.workers)
        self.ahead = max(0, self.workers * WAYBILL_IN_FLIGHT_FACTOR - self.step)
        self.submitted = 0  # deliveries of ``pickings`` handed to submit
        self.answered = set()  # ids of the deliveries whose outcome is known

    def advance(self, until=None):
        """Prepare, claim, send and settle, chunk after chunk, until the outcome of
        the delivery ``until`` is known (its calls answered, or refused before any
        call), or, without ``until``, until every delivery is done; then a failure
        of the writes is raised."""
        while until is None or until.id not in self.answered:
            if self.submitted < len(self.pickings) and self.failure is None:
                self.drain(block=True, keep=self.ahead)
                if self.failure is not None:
                    continue
                chunk = self.pickings[self.submitted : self.submitted + self.step]
                self.submitted += len(chunk)
                self.submit(chunk)
                self.drain(block=False)
            elif self.pending:
                self.drain(block=True, keep=self.pending - 1)  # one more answer
            else:
                break
        if until is None or self.failure is not None:
            self.drain(block=True)  # raises the failure

    def _job(self, connection):
        if connection in self.jobs:
            return self.jobs[connection]
        connection = connection.sudo()
        job = {
            "connection": connection,
            "clients": queue.SimpleQueue(),
            "transports": [],
            "logs": [],
            "workers": self.workers,
        }
        try:
            for _i in range(self.workers):
                transport = requests_lib.Session()
                job["transports"].append(transport)
                client = connection._carrier_client(
                    log=job["logs"].append, session=transport
                )
                if getattr(client, "receipt_numbers", None):
                    # An ORM callback (SiCepat's receipt range): the main thread takes
                    # the numbers before the calls (_carrier_api_take_receipt_numbers).
                    client.receipt_numbers = None
                job["clients"].put(client)
        except UserError as exc:
            for transport in job["transports"]:
                transport.close()
            self.jobs[connection] = str(exc)
            return self.jobs[connection]
        job["capabilities"] = client.capabilities
        job["pool"] = ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="carrier_api_waybill"
        )
        self.jobs[connection] = job
        return job

    def submit(self, chunk):
        """Requests and claims of ``chunk`` (ORM, claims committed), then its calls
        handed to the pools: one task per delivery, its packages in order."""
        plans = defaultdict(list)
        for picking in chunk:
            try:
                requests = picking._carrier_api_requests()
                connection = picking.carrier_id.sudo().carrier_api_connection_id
                if not connection:
                    picking.carrier_id._carrier_api_client()  # raises its message
                plans[connection].append((picking, requests))
            except UserError as exc:
                self.errors[picking] = str(exc)
        jobs = []
        for connection, connection_plans in plans.items():
            job = self._job(connection)
            if isinstance(job, str):
                self.errors.update({picking: job for picking, _r in connection_plans})
                continue
            job["plans"], job["calls"] = connection_plans, []
            jobs.append(job)
        self.pickings._carrier_api_claim_many(
            jobs, self.errors, self.labels, cr=self._side_cursor()
        )
        self.settle_cr.commit()  # the claims, before any call (carriers.md §0)
        self.pickings._carrier_api_take_receipt_numbers(jobs)
        self.answered.update(p.id for p in chunk if p in self.errors)
        if self.store is not None:
            # refused before any call (problems, busy, no account)
            self.store.update(
                {
                    p.id: ("error", e)
                    for p, e in self.errors.items()
                    if isinstance(e, str)  # a bug: send_to_shipper tries again
                }
            )
        ready = []
        for job in jobs:
            by_picking = defaultdict(list)
            for call in job["calls"]:
                by_picking[call["picking"]].append(call)
            for calls in by_picking.values():
                calls.sort(key=lambda c: c["part"])
                for call in calls:
                    if (
                        not call["book"]
                        and call["outcome"] == "sent"
                        and call["result"].price is None
                        and CAP_RATES in job["capabilities"]
                    ):
                        # restored from the ledger without the price its tariff
                        # should have given: the note of the attempt that booked it
                        # may have been rolled back with it
                        call["price_error"] = None
                if not any(
                    c["book"]
                    or (
                        c["outcome"] == "sent"
                        and c["labels"]
                        and CAP_LABEL in job["capabilities"]
                    )
                    for c in calls
                ):
                    ready.append(calls)  # restored from the ledger, nothing to call
                    continue
                future = job["pool"].submit(_run_waybill_calls, job["clients"], calls)
                future.add_done_callback(self.finished.put)
                self.pending += 1
        self._finish(ready)

    def drain(self, block, keep=0):
        """Settle the answers that came (one commit), then write their deliveries.
        ``block``: until no more than ``keep`` tasks are out; with ``keep=0``, raise a
        failure of the writes then."""
        while self.pending > keep:
            try:
                done = [self.finished.get(block=block)]
            except queue.Empty:
                return
            while True:
                try:
                    done.append(self.finished.get_nowait())
                except queue.Empty:
                    break
            self.pending -= len(done)
            answered = [future.result() for future in done]
            self._settle(answered)
            self._finish(answered)
            if not block:
                return
        if self.failure is not None and not keep:
            raise self.failure

    def _side_cursor(self):
        """One side cursor for the claims and the settlements, committed after
        each chunk's claims and each group of answers (a cursor each time would
        borrow and reset a connection)."""
        if self.settle_cr is None:
            self.settle_cr = self.pickings.env.registry.cursor()
        return self.settle_cr

    def _settle(self, answered):
        calls = [call for calls in answered for call in calls if call["book"]]
        if not calls:
            return
        try:
            self._settle_begin()
            self.pickings._carrier_api_settle_many(calls, cr=self.settle_cr)
            self.settle_cr.commit()
        except Exception:  # noqa: BLE001 - one row must not lose the group
            # A row held by another attempt (a lease that ran out), a serialization
            # failure: the group is settled again one call at a time, each in its
            # own transaction, so that the others are recorded all the same.
            _logger.warning(
                "Waybill settlement of %s calls failed; one by one", len(calls)
            )
            self.settle_cr.rollback()
            self._settle_one_by_one(calls)

    def _settle_begin(self):
        """A settlement's transaction commits without waiting for the disk (one
        flush each would cost a validation of many more than its carriers' latency).
        Committed all the same: visible to every other transaction at once, and no
        rollback or replay of this request erases it. Only a crash of the database
        server in the next fraction of a second could lose it, and then its claim,
        committed synchronously before the call, is still "sending": the next
        attempt looks the order up, or asks the user to check the portal, as after a
        worker killed during the call. No duplicate either way. Nor can the request
        commit its validation and lose the settlement: its own commit is synchronous
        and flushes the write-ahead log past every commit before it (the session's
        default ``synchronous_commit = on`` is assumed). Called at the start of a
        settlement's transaction only: the claims are committed, synchronously, in
        ``submit`` before any settlement (``SET LOCAL`` would cover them too).
        The window is up to three times ``wal_writer_delay``, for a crash of the
        database server, its OS or its power."""
        self._side_cursor().execute("SET LOCAL synchronous_commit TO off")

    def _settle_one_by_one(self, calls):
        failure = None
        for call in calls:
            try:
                self._settle_begin()
                self.pickings._carrier_api_settle_many([call], cr=self.settle_cr)
                self.settle_cr.commit()
            except Exception as exc:  # noqa: BLE001 - the others are still recorded
                self.settle_cr.rollback()
                _logger.exception(
                    "Outcome of order %s not recorded (the next attempt looks it up)",
                    call["reference"],
                )
                failure = failure or exc
        if failure is not None:
            raise failure

    def _finish(self, tasks):
        self.answered.update(calls[0]["picking"].id for calls in tasks)
        if self.failure is not None or not tasks:
            return
        try:
            self.pickings._carrier_api_finish(
                tasks, self.errors, self.write, self.labels, self.store
            )
        except Exception as exc:  # noqa: BLE001 - raised by drain(block=True)
            # Writing a delivery failed (the request will roll back): the answers
            # still to come are settled all the same, so that the next attempt
            # restores them without a call.
            self.failure = exc

    def close(self):
        """Wait for the calls still out and settle them (whatever happened in this
        thread), close the sessions, write the HTTP log aside."""
        jobs = [job for job in self.jobs.values() if isinstance(job, dict)]
        for job in jobs:
            job["pool"].shutdown(wait=True)
        try:
            left = []
            while True:
                try:
                    left.append(self.finished.get_nowait().result())
                except queue.Empty:
                    break
            if left:
                if self.settle_cr is not None:
                    # whatever failed on it before: nothing uncommitted is kept
                    self.settle_cr.rollback()
                self._settle(left)
        finally:
            if self.settle_cr is not None:
                self.settle_cr.close()
            for job in jobs:
                for transport in job["transports"]:
                    transport.close()
            self._write_logs(jobs)

    def _write_logs(self, jobs):
        """Committed aside, as base_integration's logger does: a rollback of this
        request does not erase what was said to the carrier. Never raises (the
        batch's own error, if any, is the one that matters)."""
        if not any(job["logs"] for job in jobs):
            return
        pickings = self.pickings
        try:
            with pickings.env.registry.cursor() as cr:
                for job in jobs:
                    pickings.with_env(pickings.env(cr=cr))._carrier_api_write_logs(
                        job["connection"], job["logs"]
                    )
        except Exception:  # noqa: BLE001
            _logger.exception("The HTTP log of a waybill batch could not be written")


def _run_waybill_calls(clients, calls):
    """The order ids of one delivery at the carrier, in a worker thread: HTTP only, no
    ORM, no translation (the main thread words the messages). Fills the calls and
    returns them; never raises."""
    client = clients.get()
    try:
        failed = False
        for call in calls:
            if call["book"] and failed:
                # not sent now: as uncertain as it was (a recovery of an attempt
                # whose outcome is unknown stays one: the next attempt looks it up)
                call.update(outcome="failed", uncertain=call["recover"], kind="skipped")
                continue
            if call["book"]:
                try:
                    _book(client, call)
                except Exception as exc:  # noqa: BLE001 - a bug: outcome unknown
                    _logger.exception("Waybill call of %s failed", call["reference"])
                    call.update(
                        outcome="failed",
                        uncertain=True,
                        kind="unexpected",
                        message="unexpected error",
                        exception=exc,
                    )
            if call["outcome"] == "sent" and call["book"]:
                _quote_price(client, call)
            if call["outcome"] == "sent" and call["labels"]:
                _fetch_label(client, call)
            failed = failed or call["outcome"] != "sent"
    finally:
        clients.put(client)
    return calls


def _find(client, call):
    """The order booked under the call's reference, None, or False when the look-up
    itself failed (recorded on the call)."""
    if CAP_FIND not in client.capabilities:
        return None
    try:
        return client.find_shipment(call["reference"])
    except IntegrationError as exc:
        call.update(outcome="failed", uncertain=True, kind="lookup", error=str(exc))
        return False


def _book(client, call):
    if call["recover"] and CAP_FIND not in client.capabilities and not call["resend"]:
        # The carrier may hold it and nothing can tell: a second post could book a
        # second order. The user checks the portal (*Send again*).
        call.update(outcome="failed", uncertain=True, kind="check")
        return
    if call["recover"]:
        found = _find(client, call)
        if found is False:
            return
        if found:
            call.update(outcome="sent", result=found)
            return
    try:
        result = client.create_shipment(call["request"])
    except DuplicateReferenceError as exc:
        found = _find(client, call)
        if found is False:
            return
        if found:
            call.update(outcome="sent", result=found)
            return
        call.update(outcome="failed", uncertain=True, kind="duplicate", error=str(exc))
        return
    except RetryableError as exc:
        call.update(outcome="failed", uncertain=True, kind="retryable", error=str(exc))
        return
    except IntegrationError as exc:
        call.update(outcome="failed", uncertain=False, kind="refused", error=str(exc))
        return
    call.update(outcome="sent", result=result)


def _quote_price(client, call):
    """The price of a booking whose answer has none (JNE, J&T, SiCepat and Anteraja
    answer an order with its waybill only): the carrier's tariff for the parcel just
    booked, its weight and addresses, quoted by the same client right after. It is
    settled in the ledger with the waybill (a restore needs no second quote) and is
    the ``exact_price`` of ``send_to_shipper``: with 0, Odoo would price the delivery
    at its fixed margin and leave an invoice-policy "real" order without its cost.
    The order's delivery line is no substitute: under that policy it holds 0 (the
    estimate is in its label only), otherwise a price with the margin already in
    it. Without a rate API the price stays unknown (0, as before).

    The quote is for the parcel as booked: its declared value is in the parcel,
    and ``cod`` makes the clients keep the services that take COD (the only COD
    input of their quotes: no tariff API of carriers.md takes a COD amount or an
    insured value, see the ROADMAP). When the tariff cannot be read, or has no
    row of the booked service, ``price_error`` is set on the call (the client's
    error text, masked and worded by the main thread; "" for a missing row), and
    the delivery gets a note and an activity (``_carrier_api_price_unknown``)."""
    result = call["result"]
    if result.price is not None or CAP_RATES not in client.capabilities:
        return
    request = call["request"]
    try:
        quotes = client.quote(
            request.sender,
            request.recipient,
            request.parcels,
            service_codes=[request.service_code],
            cod=bool(request.cod_amount),
        )
    except Exception as exc:  # noqa: BLE001 - the waybill exists: never lose it
        _logger.warning(
            "No price for waybill %s: the carrier's tariff could not be read (%s)",
            result.waybill,
            type(exc).__name__,
        )
        # the client's own text (no traceback): masked by the main thread before
        # it is shown or shortened (as a booking's "error"); a bug says its kind
        call["price_error"] = (
            str(exc) if isinstance(exc, IntegrationError) else type(exc).__name__
        )
        return
    wanted = (request.service_code or "").lower()
    quote = next((q for q in quotes if (q.service_code or "").lower() == wanted), None)
    if quote is None:
        _logger.warning(
            "No price for waybill %s: no tariff of service %s",
            result.waybill,
            request.service_code,
        )
        call["price_error"] = ""
        return
    result.price = quote.price


def _fetch_label(client, call):
    result = call["result"]
    if result.label_pdf or CAP_LABEL not in client.capabilities:
        return
    try:
        result.label_pdf = client.fetch_label(result)
    except IntegrationError as exc:
        call["label_error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - the waybill exists: never lose it
        _logger.exception("Label of %s could not be fetched", result.waybill)
        call["label_error"] = repr(exc)
