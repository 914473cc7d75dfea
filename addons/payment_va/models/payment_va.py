# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A virtual account opened at a gateway, for one invoice (closed) or one customer
(open)."""

import hashlib
import json
import logging
import re
import time
from datetime import timedelta

import psycopg2
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import IntegrationError
from odoo.addons.base_integration.models.integration_event import _is_testing

from ..api import midtrans as midtrans_api
from ..api import xendit as xendit_api
from .integration_connection import WIB, midtrans_time_to_utc

_logger = logging.getLogger(__name__)

# An open VA is re-checked with the gateway at most this often by the recovery cron.
RECHECK_EVERY_MINUTES = 25


class PaymentVa(models.Model):
    _name = "payment.va"
    _description = "Virtual Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["reference", "va_number", "bill_key"]

    reference = fields.Char(
        readonly=True,
        copy=False,
        index=True,
        help="Midtrans order_id / Xendit external_id: URL-safe and unique per attempt.",
    )
    connection_id = fields.Many2one(
        "integration.connection",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        domain="[('provider', 'in', ('midtrans', 'xendit'))]",
    )
    provider = fields.Selection(
        string="Gateway", related="connection_id.provider", store=True
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    mode = fields.Selection(
        [("invoice", "Per invoice (closed)"), ("customer", "Per customer (open)")],
        string="Type",
        required=True,
        default="invoice",
    )
    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, string="Customer"
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        ondelete="set null",
        check_company=True,
    )
    bank_id = fields.Many2one("payment.va.bank", required=True)
    bank_code = fields.Char(string="Bank code", related="bank_id.code")
    va_number = fields.Char(
        string="VA number", readonly=True, copy=False, tracking=True
    )
    biller_code = fields.Char(
        string="Biller code",
        readonly=True,
        copy=False,
        help="Mandiri bill payment company code.",
    )
    bill_key = fields.Char(
        string="Bill key",
        readonly=True,
        copy=False,
        help="Mandiri bill payment number.",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.ref("base.IDR")
    )
    amount = fields.Monetary(
        string="Expected amount",
        help="Whole rupiah; empty for an open VA.",
        readonly=True,
    )
    expires_at = fields.Datetime(string="Valid until", readonly=True)
    state = fields.Selection(
        [
            ("draft", "Requested"),
            ("open", "Open"),
            ("paid", "Paid"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    gateway_id = fields.Char(
        string="Gateway ID",
        readonly=True,
        copy=False,
        index=True,
        help="Midtrans transaction_id / Xendit FVA id.",
    )
    gateway_status = fields.Char(string="Gateway status", readonly=True, copy=False)
    replaced_by_id = fields.Many2one(
        "payment.va", string="Replaced by", readonly=True, copy=False
    )
    transaction_ids = fields.One2many(
        "payment.va.transaction", "va_id", string="Gateway payments"
    )
    payment_ids = fields.One2many("account.payment", "payment_va_id", string="Payments")
    paid_amount = fields.Monetary(string="Paid", compute="_compute_paid_amount")
    last_checked_at = fields.Datetime(
        string="Last checked with the gateway", readonly=True, copy=False
    )
    payment_instructions = fields.Char(
        string="Payment instructions", compute="_compute_payment_instructions"
    )
    is_payable = fields.Boolean(
        string="Shown to the customer",
        compute="_compute_is_payable",
        help="Open, and usable at the bank: a Xendit VA only once Xendit reports it "
        "ACTIVE (the bank registered the number); before that its number is not shown "
        "on the invoice, its PDF or the portal.",
    )

    _sql_constraints = [
        (
            "reference_uniq",
            "unique(connection_id, reference)",
            "The gateway reference must be unique per connection.",
        ),
    ]

    @api.depends("bank_id", "va_number", "bill_key", "reference")
    def _compute_display_name(self):
        for va in self:
            number = va.bill_key or va.va_number or va.reference or _("New")
            va.display_name = f"{va.bank_id.name or ''} {number}".strip()

    @api.depends("transaction_ids.state", "transaction_ids.amount")
    def _compute_paid_amount(self):
        for va in self:
            va.paid_amount = sum(
                va.transaction_ids.filtered(lambda t: t.state == "booked").mapped(
                    "amount"
                )
            )

    @api.depends("state", "provider", "gateway_status")
    def _compute_is_payable(self):
        for va in self:
            va.is_payable = va.state == "open" and (
                va.provider != "xendit"
                or va.gateway_status in xendit_api.PAYABLE_STATUSES
            )

    @api.depends("bank_id", "va_number", "biller_code", "bill_key")
    def _compute_payment_instructions(self):
        for va in self:
            if va.bill_key:
                va.payment_instructions = _(
                    "%(bank)s bill payment: biller code %(biller)s, bill key %(key)s",
                    bank=va.bank_id.name,
                    biller=va.biller_code or "",
                    key=va.bill_key,
                )
            elif va.va_number:
                va.payment_instructions = _(
                    "%(bank)s virtual account %(number)s",
                    bank=va.bank_id.name,
                    number=va.va_number,
                )
            else:
                va.payment_instructions = False

    # ------------------------------------------------------------------ creation
    @api.model
    def _payment_va_amount_for(self, move):
        """Whole rupiah due on ``move`` (Midtrans rejects decimals; round half up)."""
        return (
            int(move.currency_id.round(move.amount_residual) + 0.5)
            if (move.amount_residual > 0)
            else 0
        )

    @api.model
    def _payment_va_collectable(self, move, connection):
        """What a VA on ``connection`` may ask for ``move``: the whole rupiah due, or 0
        when that is below the minimum of the bank the customer would pay at (a
        sub-rupiah rest after a payment, Rp 1, a few rupiah: a bank rejects such a VA,
        so asking for it would only fail over and over)."""
        due = self._payment_va_amount_for(move) if move.state == "posted" else 0
        bank = connection.sudo()._payment_va_bank_for(move.partner_id)
        return due if due >= (bank.min_amount or 2) else 0

    @api.model
    def _prepare_reference(self, base, token):
        """URL-safe (``/`` is not: Midtrans puts order_id in URL paths) and unique per
        attempt; at most 50 characters (Midtrans order_id limit)."""
        safe = re.sub(r"[^A-Za-z0-9]+", "-", base or "VA").strip("-")
        suffix = f"-{token}"
        return f"{safe[: 50 - len(suffix)]}{suffix}"

    @api.model
    def _payment_va_event_token(self, event, amount):
        """The reference suffix of the VA that ``event`` opens for ``amount``.

        It comes from the outbox event's ``idempotency_key``, committed before the
        handler runs: a retry of the event, or a replay of its transaction after a
        serialization failure, sends the same Midtrans order_id / Xendit external_id and
        idempotency key, so the gateway answers with the VA it already made instead of
        making a second one. The amount is part of it: if the amount due changed
        between two attempts, the new attempt is a different VA.
        """
        text = f"{event.idempotency_key or event.id}:{int(amount)}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @api.model
    def _payment_va_check_invoice(self, move, connection):
        """Raise one ``UserError`` listing why ``move`` cannot get a VA on
        ``connection`` (before any remote call).

        :return: the whole-rupiah amount the VA will ask for.
        """
        problems = []
        if move.move_type != "out_invoice" or move.state != "posted":
            problems.append(_("Only posted customer invoices get a virtual account."))
        if move.currency_id != self.env.ref("base.IDR"):
            problems.append(
                _(
                    "Virtual accounts are in rupiah; the invoice is in %s.",
                    move.currency_id.name,
                )
            )
        # credentials and config: invoicing users lack access
        connection = connection.sudo()
        try:
            connection._payment_va_check_config()
        except UserError as exc:
            problems.append(str(exc))
        amount = self._payment_va_amount_for(move)
        if amount <= 0:
            problems.append(_("Nothing is due on %s.", move.name))
        elif not problems:
            bank = connection._payment_va_bank_for(move.partner_id)
            if amount < bank.min_amount:
                problems.append(
                    _(
                        "Rp %(amount)s is below the minimum of %(bank)s virtual "
                        "accounts (Rp %(minimum)s).",
                        amount=f"{amount:,}",
                        bank=bank.name,
                        minimum=f"{bank.min_amount:,}",
                    )
                )
        if problems:
            raise UserError("\n".join(problems))
        return amount

    @api.model
    def _create_for_invoice(self, move, connection, event=None):
        """Open a closed VA for the amount due on ``move`` (raises before any remote
        call).

        :param event: the outbox event doing this; its idempotency key makes the
            gateway reference (see ``_payment_va_event_token``). Without one (a direct
            call), the reference is made unique with the new VA's id.
        """
        amount = self._payment_va_check_invoice(move, connection)
        connection = connection.sudo()
        va = self.create(
            {
                "connection_id": connection.id,
                "mode": "invoice",
                "partner_id": move.commercial_partner_id.id,
                "move_id": move.id,
                "bank_id": connection._payment_va_bank_for(move.partner_id).id,
                "amount": amount,
                "currency_id": move.currency_id.id,
                "expires_at": fields.Datetime.now()
                + timedelta(hours=connection.va_expiry_hours or 72),
            }
        )
        token = self._payment_va_event_token(event, amount) if event else va.id
        va.reference = self._prepare_reference(move.name, token)
        va._gateway_open()
        return va

    @api.model
    def _create_for_partner(self, partner, connection):
        """Open a reusable VA for ``partner`` (Xendit fixed VA, ``is_closed=false``)."""
        connection = connection.sudo()
        connection._payment_va_check_config()
        if connection.provider == "midtrans":
            raise UserError(
                _(
                    "Midtrans Core API virtual accounts belong to one charge: reusable "
                    "per-customer VAs are not supported unless Midtrans enables "
                    "open-amount VAs on "
                    "your account. Use per-invoice VAs or a Xendit connection."
                )
            )
        partner = partner.commercial_partner_id
        existing = self.search(
            [
                ("connection_id", "=", connection.id),
                ("mode", "=", "customer"),
                ("partner_id", "=", partner.id),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        if existing:
            return existing
        va = self.create(
            {
                "connection_id": connection.id,
                "mode": "customer",
                "partner_id": partner.id,
                "bank_id": connection._payment_va_bank_for(partner).id,
                "amount": 0,
            }
        )
        va.reference = self._prepare_reference(
            partner.ref or f"CUST-{partner.id}", va.id
        )
        va._gateway_open()
        return va

    def _prepare_midtrans_customer(self):
        """``customer_details`` without empty values (Midtrans validates the email)."""
        partner = self.partner_id
        values = {
            "first_name": (partner.name or "")[:50],
            "email": partner.email,
            "phone": partner.phone,
        }
        return {key: value for key, value in values.items() if value}

    def _gateway_open(self):
        """Create the VA at the gateway and store its number. Raises ``UserError`` on a
        gateway error (the caller's transaction rolls back, nothing half-done stays)."""
        self.ensure_one()
        connection = self.connection_id.sudo()
        try:
            client = connection._payment_va_client()
            if self.provider == "midtrans":
                minutes = max(
                    1,
                    int(
                        (self.expires_at - fields.Datetime.now()).total_seconds() // 60
                    ),
                )
                order_time = pytz.utc.localize(fields.Datetime.now()).astimezone(WIB)
                body = client.build_charge(
                    self.reference,
                    int(self.amount),
                    self.bank_code,
                    expiry_minutes=minutes,
                    order_time=order_time.strftime("%Y-%m-%d %H:%M:%S +0700"),
                    bill_info=("Invoice", self.move_id.name or self.reference),
                    customer=self._prepare_midtrans_customer(),
                )
                data = client.charge(body)
                details = midtrans_api.va_details(data)
                vals = {
                    "gateway_id": data.get("transaction_id"),
                    "gateway_status": data.get("transaction_status"),
                    "va_number": details.get("va_number"),
                    "biller_code": details.get("biller_code"),
                    "bill_key": details.get("bill_key"),
                }
                if data.get("expiry_time"):
                    vals["expires_at"] = midtrans_time_to_utc(data["expiry_time"])
            else:
                body = client.build_fixed_va(
                    self.reference,
                    self.bank_code,
                    self.partner_id.name or "Customer",
                    amount=int(self.amount) if self.mode == "invoice" else None,
                    expires_at=self.expires_at if self.mode == "invoice" else None,
                    single_use=self.mode == "invoice",
                )
                data = client.create_fixed_va(
                    body, idempotency_key=f"odoo-va-{self.reference}"
                )
                vals = {
                    "gateway_id": data.get("id"),
                    "gateway_status": data.get("status"),
                    "va_number": data.get("account_number"),
                }
                if data.get("expiration_date"):
                    vals["expires_at"] = xendit_api.parse_iso(data["expiration_date"])
        except IntegrationError as exc:
            raise UserError(connection._payment_va_error_message(exc)) from exc
        vals["state"] = "open"
        self.write(vals)
        if self.provider == "xendit" and not self.is_payable:
            # Shown once ACTIVE. The "FVA created/updated" callback says so, but it can
            # come before this transaction is committed (and is then ignored as an
            # unknown VA): ask Xendit again soon.
            self.env.ref("payment_va.ir_cron_payment_va_recover").sudo()._trigger(
                at=fields.Datetime.now() + timedelta(minutes=1)
            )
        self.message_post(
            subtype_xmlid="mail.mt_note",
            body=_(
                "Virtual account opened at %(gateway)s: %(info)s",
                gateway=connection.name,
                info=self.payment_instructions,
            ),
        )
        if self.move_id:
            self.move_id.message_post(
                subtype_xmlid="mail.mt_note",
                body=_("Virtual account requested: %s", self.payment_instructions),
            )

    # ------------------------------------------------------------------ closing
    def _gateway_close(self):
        """Cancel (Midtrans) or expire (Xendit) the VA at the gateway.

        :return: True when the gateway confirmed; False when it refused (already paid or
            closed there) - the VA is closed locally anyway and a late payment becomes a
            review item.
        """
        self.ensure_one()
        if not self.reference or self.state not in ("draft", "open"):
            return True
        try:
            client = self.connection_id.sudo()._payment_va_client()
            if self.provider == "midtrans":
                client.cancel(self.gateway_id or self.reference)
            elif self.gateway_id:
                client.expire_fixed_va(self.gateway_id)
        except IntegrationError as exc:
            if exc.retryable:
                raise
            self.message_post(
                subtype_xmlid="mail.mt_note",
                body=_(
                    "The gateway refused to close the VA: %s",
                    self.connection_id.sudo()._mask_text(str(exc)),
                ),
            )
            return False
        return True

    def _payment_va_mark_closed(self, state, renew=True):
        """Local close after a gateway expire/cancel. A paid VA stays paid: an
        expire/cancel arriving after settlement is a no-op (payments.md §5 item 3).

        An invoice VA that expired while its invoice is still open is renewed through
        the outbox when its connection says so (``va_renew_expired``); ``renew=False``
        when the gateway closed it for another reason than its expiry.
        """
        expired = self.browse()
        for va in self:
            if va.state in ("draft", "open"):
                va.state = state
                if state == "expired":
                    expired |= va
        if renew:
            expired.filtered(
                lambda va: (
                    va.mode == "invoice"
                    and va.move_id
                    and va.connection_id.sudo().va_renew_expired
                )
            ).move_id._payment_va_schedule_refresh()

    def action_cancel(self):
        """Close the VAs at the gateway, then here, one by one.

        The rows are locked first (two users cancelling the same VA: the second is told
        at once). A VA the gateway could not be asked about stays open and is named in
        the answer; those it closed stay closed here: an error on a later VA must not
        roll back what the gateway already did (phase-one review, side effects).

        :returns: a notification, then a reload of the view.
        """
        self._payment_va_lock_for_update()
        refused = failed = self.browse()
        errors = []
        for va in self.with_context(integration_productive=True):
            try:
                if not va._gateway_close():
                    refused |= va
            except IntegrationError as exc:
                failed |= va
                errors.append(va.connection_id.sudo()._payment_va_error_message(exc))
                continue
            va._payment_va_mark_closed("cancelled")
        if failed == self:
            raise UserError("\n".join(dict.fromkeys(errors)))
        closed = self - failed
        message = _(
            "%(count)s virtual account(s) cancelled: customers can no longer pay "
            "into them.",
            count=len(closed),
        )
        if refused:
            message += " " + _(
                "The gateway had already closed %(numbers)s (paid or expired there); a "
                "late payment would appear under Payments to Review.",
                numbers=", ".join(refused.mapped("display_name")),
            )
        if failed:
            message += " " + _(
                "%(numbers)s could not be cancelled and stay open: %(errors)s",
                numbers=", ".join(failed.mapped("display_name")),
                errors=" ".join(dict.fromkeys(errors)),
            )
        Connection = self.env["integration.connection"]
        return Connection._integration_notification(
            message, kind="warning" if refused or failed else "success"
        )

    def _payment_va_lock_for_update(self):
        """Lock these VAs' rows before a gateway call, refusing at once when another
        transaction holds them, then re-read their state."""
        if not self:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM payment_va WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(self.ids)],
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _(
                    "Another user or a background job is working on these virtual "
                    "accounts right now. Try again in a moment."
                )
            ) from None
        self.invalidate_recordset(["state"])

    def action_check_status(self):
        """Ask the gateway about each VA now.

        :returns: a notification saying what was found, then a reload.
        """
        changed = self.browse()
        for va in self.with_context(integration_productive=True):
            try:
                if va._payment_va_recheck():
                    changed |= va
            except IntegrationError as exc:
                raise UserError(
                    va.connection_id.sudo()._payment_va_error_message(exc)
                ) from None
            va.last_checked_at = fields.Datetime.now()
        Connection = self.env["integration.connection"]
        if changed:
            return Connection._integration_notification(
                _(
                    "The gateway reported news for %(numbers)s: it is being booked "
                    "(see Gateway Payments).",
                    numbers=", ".join(changed.mapped("display_name")),
                )
            )
        return Connection._integration_notification(
            _(
                "%(count)s virtual account(s) checked: no new payment at the gateway.",
                count=len(self),
            ),
            kind="info",
        )

    # ------------------------------------------------------------------ recovery
    def _payment_va_recheck(self):
        """Ask the gateway about this VA; store what a missed notification would have
        said."""
        self.ensure_one()
        connection = self.connection_id.sudo()
        client = connection._payment_va_client(max_attempts=2, backoff_base=0.2)
        if self.provider == "midtrans":
            data = client.get_status(self.gateway_id or self.reference)
            if not data or data.get("transaction_status") == "pending":
                return False
            key = "midtrans:{}:{}".format(
                data.get("transaction_id"), data.get("transaction_status")
            )
            self._store_recovered(
                "_midtrans_process_notification",
                data.get("transaction_status"),
                data.get("transaction_id"),
                key,
                json.dumps(data),
            )
            return True
        if not self.gateway_id:
            return False
        data = client.get_fixed_va(self.gateway_id)
        self.gateway_status = data.get("status")
        expiry = data.get("expiration_date")
        expired = bool(expiry and xendit_api.parse_iso(expiry) <= fields.Datetime.now())
        if data.get("status") == "INACTIVE" or expired:
            if self.mode == "invoice" and not self.transaction_ids:
                # The legacy FVA API cannot list payments of a VA: a person must look.
                self.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=_(
                        "Virtual account closed at Xendit without a booked payment"
                    ),
                    note=_(
                        "Check the Xendit dashboard for a payment to %s and resend its "
                        "callback if there is one.",
                        self.va_number,
                    ),
                    user_id=(connection.responsible_user_id or self.env.user).id,
                )
            # Renewed only when it ran out of time: a single-use VA also turns
            # INACTIVE once paid, and its payment callback may still be on its way.
            self._payment_va_mark_closed("expired", renew=expired)
        return False

    def _store_recovered(self, handler, event_type, external_id, dedupe_key, body):
        """Store gateway data found by the recovery as an inbound event of this VA's
        connection, with the dedupe key a notification would have had: a late
        notification and the recovery never both book."""
        self.ensure_one()
        connection = self.connection_id.sudo()
        Event = self.env["integration.event"].sudo()
        event_id, created = Event._store_inbound(
            connection,
            handler=handler,
            event_type=event_type,
            external_id=external_id,
            dedupe_key=dedupe_key,
            body=body,
            headers={"X-Recovered-By": "status-api"},
        )
        if not created and event_id:
            # The notification came but was not booked (e.g. confirmation failed or was
            # ignored): the gateway now says otherwise, so process it again.
            event = Event.browse(event_id)
            if event.state in ("failed", "ignored"):
                event.action_retry()
        return event_id, created

    @api.model
    def _cron_recover(self, limit=50, time_budget=60):
        """Re-check open VAs with the gateway and book what notifications missed.

        One VA at a time, each committed on its own (outside tests), so that a later
        failure never takes back the VAs already checked (their ``last_checked_at``
        moves them to the back of the line). A gateway error is logged and the VA
        counts as checked; a database conflict (a serialization failure, a lock held by
        a worker booking this VA's payment right now) rolls back only this VA, which is
        tried again next run. Bounded by ``limit`` VAs and ``time_budget`` seconds per
        run (the server recycles a cron after ``limit_time_real``); VAs not checked in
        this cycle are reported as remaining so the scheduler runs the job again soon.
        """
        commit = not _is_testing(self.env)
        cycle_start = fields.Datetime.now() - timedelta(minutes=RECHECK_EVERY_MINUTES)
        domain = [
            ("state", "=", "open"),
            ("reference", "!=", False),
            "|",
            ("last_checked_at", "=", False),
            ("last_checked_at", "<", cycle_start),
        ]
        vas = self.search(
            domain, order="last_checked_at asc nulls first, id", limit=limit
        )
        deadline = time.monotonic() + time_budget
        done = 0
        for va in vas:
            if time.monotonic() > deadline:
                break
            try:
                va._recover_one()
            except psycopg2.OperationalError as exc:
                _logger.info(
                    "Virtual account %s left for the next recovery run: %s",
                    va.id,
                    str(exc).strip()[:300],
                )
                if commit:
                    # End this transaction (its snapshot predates the conflict): the
                    # next VA starts on a fresh one. Nothing uncommitted is lost.
                    self.env.cr.rollback()  # pylint: disable=invalid-commit
                continue
            done += 1
            if commit:
                # Safe: the cron is its own transaction and this VA's work is
                # complete; committing keeps it when a later VA fails.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _recover_one(self):
        """Re-check this VA and mark it checked, in one savepoint (flushed inside it,
        so that a conflict on its row is raised here and rolls back this VA only).

        :raises psycopg2.OperationalError: on a database conflict.
        """
        self.ensure_one()
        with self.env.cr.savepoint():
            try:
                with self.env.cr.savepoint():
                    self._payment_va_recheck()
            except IntegrationError as exc:
                _logger.info(
                    "Could not re-check virtual account %s: %s",
                    self.id,
                    self.connection_id.sudo()._mask_text(str(exc)),
                )
            self.last_checked_at = fields.Datetime.now()

    # ------------------------------------------------------------------ actions
    def action_open_payments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Payments"),
            "res_model": "account.payment",
            "view_mode": "list,form",
            "domain": [("payment_va_id", "=", self.id)],
        }
