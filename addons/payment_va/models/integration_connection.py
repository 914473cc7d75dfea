# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Midtrans and Xendit connections: configuration, client factory, event handlers,
booking."""

import logging
from datetime import datetime, timedelta

import pytz
from markupsafe import escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import (
    IgnoreEvent,
    IntegrationError,
    PermanentError,
    RetryableError,
)

from ..api import midtrans as midtrans_api
from ..api import xendit as xendit_api

_logger = logging.getLogger(__name__)

VA_PROVIDERS = ("midtrans", "xendit")
WIB = pytz.timezone("Asia/Jakarta")


class StatusNotSettled(RetryableError):
    """The notification says paid, the status API does not (yet): re-check later."""


def midtrans_time_to_utc(text):
    """Midtrans times are GMT+7 without offset (payments.md §5.8) -> naive UTC."""
    if not text:
        return None
    local = WIB.localize(datetime.strptime(text, "%Y-%m-%d %H:%M:%S"))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class IntegrationConnection(models.Model):
    _inherit = "integration.connection"

    provider = fields.Selection(
        selection_add=[("midtrans", "Midtrans"), ("xendit", "Xendit")],
        ondelete={"midtrans": "cascade", "xendit": "cascade"},
    )
    va_journal_id = fields.Many2one(
        "account.journal",
        string="Receiving bank journal",
        domain="[('type', '=', 'bank')]",
        check_company=True,
        help="Payments received on virtual accounts are booked in this journal.",
    )
    va_bank_ids = fields.Many2many(
        "payment.va.bank",
        string="Enabled banks",
        domain="[('provider', '=', provider)]",
    )
    va_default_bank_id = fields.Many2one(
        "payment.va.bank",
        string="Default bank",
        domain="[('id', 'in', va_bank_ids)]",
        help="Bank used when the customer has no preferred enabled bank.",
    )
    va_expiry_hours = fields.Integer(
        string="VA validity (hours)",
        default=72,
        help="Per-invoice virtual accounts expire after this many hours "
        "(Midtrans: 20 seconds to 180 days).",
    )
    va_mode = fields.Selection(
        [("invoice", "One VA per invoice"), ("customer", "One VA per customer")],
        string="VA mode",
        default="invoice",
        required=True,
    )
    va_auto_create = fields.Boolean(
        string="Create VA when an invoice is posted",
        default=True,
    )
    va_confirm_with_status_api = fields.Boolean(
        string="Confirm with the status API",
        default=True,
        help="Re-read every notified payment from the gateway before booking it. "
        "Xendit "
        "callbacks are not signed, so leave this on.",
    )
    va_count = fields.Integer(
        string="Virtual account count", compute="_compute_va_count"
    )
    va_review_count = fields.Integer(
        string="Payments to review count", compute="_compute_va_count"
    )
    # Which per-invoice connection opens an invoice's VA: the customer's preferred one,
    # else the first by sequence whose journals (if any) include the invoice's journal;
    # on posting, the first of those with automatic creation on.
    va_invoice_journal_ids = fields.Many2many(
        "account.journal",
        string="Invoice journals",
        domain="[('type', '=', 'sale')]",
        check_company=True,
        help="Only invoices of these journals get a VA from this connection (empty: "
        "every journal). With several connections, the first by sequence that fits "
        "is used, unless the customer prefers another.",
    )
    va_renew_expired = fields.Boolean(
        string="Renew expired VAs",
        default=True,
        help="When a per-invoice VA expires and the invoice is still open, open a new "
        "one for the amount due.",
    )

    _sql_constraints = [
        (
            "va_expiry_hours_positive",
            "CHECK(va_expiry_hours IS NULL OR va_expiry_hours > 0)",
            "The VA validity must be positive.",
        ),
    ]

    # ------------------------------------------------------------------ computes
    def _compute_va_count(self):
        va_data = dict(
            self.env["payment.va"]._read_group(
                [("connection_id", "in", self.ids)], ["connection_id"], ["__count"]
            )
        )
        review_data = dict(
            self.env["payment.va.review"]._read_group(
                [("connection_id", "in", self.ids), ("state", "=", "to_review")],
                ["connection_id"],
                ["__count"],
            )
        )
        for connection in self:
            connection.va_count = va_data.get(connection, 0)
            connection.va_review_count = review_data.get(connection, 0)

    @api.onchange("provider")
    def _onchange_provider_va_banks(self):
        if self.provider in VA_PROVIDERS:
            banks = self.env["payment.va.bank"].search(
                [("provider", "=", self.provider)]
            )
            self.va_bank_ids = banks
            self.va_default_bank_id = banks[:1]

    # ------------------------------------------------------------------ base hooks
    def _get_default_base_url(self):
        if self.provider == "midtrans":
            # docs.midtrans.com coreapi-core-api-bank-transfer-integration
            if self.environment == "production":
                return midtrans_api.PRODUCTION_URL
            return midtrans_api.SANDBOX_URL
        if self.provider == "xendit":
            return xendit_api.PRODUCTION_URL  # one host; test/live differ by key
        return super()._get_default_base_url()

    def _get_webhook_path(self):
        if self.provider == "midtrans":
            return f"/payment_va/midtrans/notification/{self.id}"
        if self.provider == "xendit":
            return f"/payment_va/xendit/callback/{self.id}"
        return super()._get_webhook_path()

    def _get_secret_names(self):
        names = tuple(super()._get_secret_names())
        if self.provider in VA_PROVIDERS:
            names += ("signature_key", "x-callback-token")
        return names

    def _test_connection(self):
        if self.provider not in VA_PROVIDERS:
            return super()._test_connection()
        client = self._payment_va_client()
        try:
            if self.provider == "midtrans":
                # A status query for an order that cannot exist: 404 proves the key
                # works.
                client.get_status("odoo-connection-test")
            else:
                client.list_banks()
        except IntegrationError as exc:
            raise UserError(self._payment_va_error_message(exc)) from exc
        return _("The gateway accepted the credentials.")

    # ------------------------------------------------------------------ client factory
    def _payment_va_client(self, **session_kwargs):
        """The gateway client for this connection (the only place clients are built)."""
        self.ensure_one()
        session = self._get_http_session(**session_kwargs)
        secret = self.sudo().api_secret
        if self.provider == "midtrans":
            return midtrans_api.MidtransClient(session, self._get_base_url(), secret)
        if self.provider == "xendit":
            return xendit_api.XenditClient(session, self._get_base_url(), secret)
        raise UserError(_("Connection %s is not a virtual-account gateway.", self.name))

    def _payment_va_error_message(self, exc):
        """Gateway error -> actionable, translated sentence (one table per gateway)."""
        code = str(getattr(exc, "code", "") or "")
        midtrans = {
            "401": _(
                "Midtrans refused the server key. Check the key and that the "
                "environment "
                "(sandbox/production) matches it."
            ),
            "406": _(
                "Midtrans already has a transaction with this order ID. Cancel it "
                "first "
                "or request a new virtual account."
            ),
            "400": _("Midtrans rejected the request: %(detail)s"),
            "412": _("Midtrans can no longer change this transaction: %(detail)s"),
        }
        xendit = {
            "INVALID_API_KEY": _(
                "Xendit refused the secret API key. Check the key and its "
                "Money-In write permission."
            ),
            "REQUEST_FORBIDDEN_ERROR": _(
                "The Xendit API key lacks the permission for virtual "
                "accounts (Money-In: write)."
            ),
            "BANK_NOT_SUPPORTED_ERROR": _(
                "Xendit does not offer this bank on your account."
            ),
            "VIRTUAL_ACCOUNT_NUMBER_OUTSIDE_RANGE": _(
                "The VA number is outside the range Xendit assigned to your account."
            ),
            "CALLBACK_VIRTUAL_ACCOUNT_NAME_NOT_ALLOWED_ERROR": _(
                "Xendit does not allow this customer name on a virtual account."
            ),
            "EXPECTED_AMOUNT_REQUIRED_ERROR": _(
                "A closed virtual account needs an amount."
            ),
            "MINIMUM_EXPECTED_AMOUNT_ERROR": _(
                "The amount is below the bank's minimum."
            ),
            "MAXIMUM_EXPECTED_AMOUNT_ERROR": _(
                "The amount is above the bank's maximum."
            ),
            "API_VALIDATION_ERROR": _("Xendit rejected the request: %(detail)s"),
        }
        table = midtrans if self.provider == "midtrans" else xendit
        template = table.get(code)
        if template is None and getattr(exc, "retryable", False):
            template = _(
                "%(gateway)s is not reachable right now (%(detail)s). Try again later."
            )
        if template is None and getattr(exc, "status_code", None) in (401, 403):
            template = table.get("401") or table.get("INVALID_API_KEY")
        if template is None:
            template = _("%(gateway)s error: %(detail)s")
        return template % {
            "gateway": dict(self._fields["provider"].selection).get(
                self.provider, self.provider
            ),
            "detail": str(exc),
        }

    # ------------------------------------------------------------------ configuration
    @api.model
    def _payment_va_find(self, company, mode=None):
        domain = [("provider", "in", VA_PROVIDERS), ("company_id", "=", company.id)]
        if mode:
            domain.append(("va_mode", "=", mode))
        return self.search(domain, limit=1)

    def _payment_va_check_config(self):
        """Raise one ``UserError`` listing every missing setting (before any remote
        call)."""
        self.ensure_one()
        problems = []
        if self.provider not in VA_PROVIDERS:
            problems.append(_("The provider is not Midtrans or Xendit."))
        if not self.va_journal_id:
            problems.append(_("Set the receiving bank journal."))
        if not self.sudo().api_secret:
            problems.append(
                _("Set the server key (Midtrans) or secret API key (Xendit).")
            )
        if not (self.va_default_bank_id or self.va_bank_ids):
            problems.append(_("Enable at least one bank."))
        if problems:
            raise UserError(
                _(
                    "Connection %(name)s is not ready:\n%(problems)s",
                    name=self.name,
                    problems="\n".join(problems),
                )
            )

    def _payment_va_bank_for(self, partner):
        self.ensure_one()
        preferred = partner.commercial_partner_id.payment_va_bank_id
        if preferred and preferred in self.va_bank_ids:
            return preferred
        return self.va_default_bank_id or self.va_bank_ids[:1]

    # ---------------------------------------------------------------- outbound handlers
    def _payment_va_outbound_refresh(self, event):
        """Outbox handler: bring the invoice's VA in line with its amount due."""
        move = self.env["account.move"].browse(event._get_payload()["move_id"]).exists()
        if not move:
            raise IgnoreEvent(_("The invoice no longer exists."))
        return move._payment_va_refresh(self, event=event)

    # ----------------------------------------------------------------- inbound handlers
    def _midtrans_process_notification(self, event):
        """Inbox handler for a verified Midtrans notification.

        The notification only triggers the work: with ``va_confirm_with_status_api`` the
        transaction is re-read (GET /v2/{transaction_id}/status, "Verify Using GET
        Status API Call") and only the confirmed data is booked. A status API failure
        raises a retryable error, so nothing is booked on unconfirmed data and the inbox
        retries later.
        """
        self.ensure_one()
        data, confirmed, va = self._midtrans_confirm(event)
        order_id = data["order_id"]
        status = confirmed["transaction_status"]
        transaction_id = confirmed.get("transaction_id")
        self._payment_va_note_amount_difference(
            va, data.get("gross_amount"), confirmed.get("gross_amount")
        )
        if status in midtrans_api.PAID_STATUSES:
            if confirmed.get("fraud_status") not in (None, "", "accept"):
                raise IgnoreEvent(
                    _(
                        "Midtrans reports fraud status %s: nothing booked.",
                        confirmed.get("fraud_status"),
                    )
                )
            return self._payment_va_book(va, **self._midtrans_booking_values(confirmed))
        if status == "pending":
            if not va:
                raise IgnoreEvent(
                    _("Pending notification for unknown order %s.", order_id)
                )
            return va
        if status in midtrans_api.CLOSED_UNPAID_STATUSES:
            if not va:
                raise IgnoreEvent(
                    _(
                        "%(status)s for unknown order %(order)s.",
                        status=status,
                        order=order_id,
                    )
                )
            va._payment_va_mark_closed("expired" if status == "expire" else "cancelled")
            return va
        if status in midtrans_api.REVERSAL_STATUSES:
            return self._payment_va_reverse(transaction_id, va, status)
        if status in midtrans_api.PARTIAL_REVERSAL_STATUSES:
            return self._payment_va_flag_partial_reversal(transaction_id, va, status)
        raise IgnoreEvent(_("Transaction status %s needs no booking.", status))

    def _payment_va_note_amount_difference(self, va, notified, confirmed):
        """Say on the VA when the gateway notified another amount than it confirms."""
        if va and notified != confirmed:
            va.message_post(
                subtype_xmlid="mail.mt_note",
                body=_(
                    "The notified amount %(sent)s differs from the amount confirmed "
                    "by %(gateway)s (%(confirmed)s); only the confirmed amount is "
                    "used.",
                    sent=notified,
                    gateway=dict(self._fields["provider"].selection)[self.provider],
                    confirmed=confirmed,
                ),
            )

    def _midtrans_process_notification_batch(self, events):
        """Bulk path of the inbox: settlements of open invoice VAs, confirmed one by
        one with the status API, then booked together (``_payment_va_book_many``).

        Anything unusual (other statuses, amounts that differ from the notification,
        fraud flags, unknown VAs) is left out of the answer, so the one-by-one handler
        deals with it exactly as if there were no batch. When the status API cannot be
        asked, that failure is the answer for the rest of the batch (retried later with
        backoff), as it is for a notification the status API does not confirm yet.
        """
        self.ensure_one()
        items, failures = {}, {}
        for index, event in enumerate(events):
            try:
                data, confirmed, va = self._midtrans_confirm(event)
            except StatusNotSettled as exc:
                failures[event.id] = exc
                continue
            except RetryableError as exc:
                # The gateway cannot be asked now: the rest waits for a retry too
                # instead of asking again event by event.
                failures.update(dict.fromkeys(events[index:].ids, exc))
                break
            except Exception:  # noqa: BLE001 - the single path records the failure
                continue
            if not (
                va
                and data.get("transaction_status") in midtrans_api.PAID_STATUSES
                and confirmed["transaction_status"] in midtrans_api.PAID_STATUSES
                and confirmed.get("fraud_status") in (None, "", "accept")
                and confirmed.get("gross_amount") == data.get("gross_amount")
            ):
                continue
            items[event.id] = dict(va=va, **self._midtrans_booking_values(confirmed))
        return {**failures, **self._payment_va_book_many(items)}

    def _midtrans_booking_values(self, confirmed):
        return {
            "external_id": confirmed.get("transaction_id"),
            "reference": confirmed["order_id"],
            "amount": midtrans_api.paid_amount(confirmed),
            "paid_at": midtrans_time_to_utc(
                confirmed.get("settlement_time") or confirmed.get("transaction_time")
            ),
            "raw": confirmed,
        }

    def _midtrans_confirm(self, event):
        """Read the notification and, when configured, the status API's view of it.

        :return: ``(notified, confirmed, va)``; raises ``IgnoreEvent`` or
            ``RetryableError`` when the two cannot be trusted together.
        """
        data = event._get_payload()
        order_id = data["order_id"]
        va = self.env["payment.va"].search(
            [("connection_id", "=", self.id), ("reference", "=", order_id)], limit=1
        )
        confirmed = data
        if self.va_confirm_with_status_api:
            client = self._payment_va_client(max_attempts=2, backoff_base=0.2)
            confirmed = client.get_status(data.get("transaction_id") or order_id)
            if confirmed is None:
                raise IgnoreEvent(
                    _(
                        "Midtrans does not know transaction %s: nothing booked.",
                        data.get("transaction_id") or order_id,
                    )
                )
            if confirmed.get("order_id") != order_id:
                raise IgnoreEvent(
                    _(
                        "The status API returned order %(got)s for notified order "
                        "%(sent)s: nothing booked.",
                        got=confirmed.get("order_id"),
                        sent=order_id,
                    )
                )
        if (
            data.get("transaction_status") in midtrans_api.PAID_STATUSES
            and confirmed["transaction_status"] == "pending"
        ):
            # Either a forgery signed with a leaked key or a status API lagging behind:
            # never book it, but keep the event (its dedupe key would hide the real
            # notification) and re-check later through the inbox retries.
            raise StatusNotSettled(
                _(
                    "The notification says %(sent)s but the Midtrans status API says "
                    "pending; "
                    "nothing booked, will re-check.",
                    sent=data.get("transaction_status"),
                )
            )
        transaction_id = confirmed.get("transaction_id")
        if va and not va.gateway_id and transaction_id:
            va.gateway_id = transaction_id
        return data, confirmed, va

    def _xendit_process_callback(self, event):
        """Inbox handler for a Xendit FVA callback (paid, or created/updated).

        Xendit does not sign the body; the payment is re-read with
        ``GET /callback_virtual_account_payments/payment_id={id}`` (payments.md §2.4).
        """
        self.ensure_one()
        data = event._get_payload()
        VA = self.env["payment.va"]
        if not data.get("payment_id"):
            va = VA.search(
                [("connection_id", "=", self.id), ("gateway_id", "=", data["id"])],
                limit=1,
            )
            if not va:
                raise IgnoreEvent(
                    _("Status callback for unknown virtual account %s.", data["id"])
                )
            va.gateway_status = data.get("status")
            if (
                data.get("status") == "INACTIVE"
                and va.state == "open"
                and va.mode == "customer"
            ):
                va._payment_va_mark_closed("expired")
            return va
        data, confirmed, va = self._xendit_confirm(event)
        self._payment_va_note_amount_difference(
            va, data.get("amount"), confirmed.get("amount")
        )
        return self._payment_va_book(va, **self._xendit_booking_values(confirmed))

    def _xendit_process_callback_batch(self, events):
        """Bulk path for paid callbacks of open invoice VAs (see the Midtrans one)."""
        self.ensure_one()
        items, failures = {}, {}
        for index, event in enumerate(events):
            try:
                data, confirmed, va = self._xendit_confirm(event)
            except RetryableError as exc:
                failures.update(dict.fromkeys(events[index:].ids, exc))
                break
            except Exception:  # noqa: BLE001 - the single path records the failure
                continue
            if va and data.get("amount") == confirmed.get("amount"):
                items[event.id] = dict(va=va, **self._xendit_booking_values(confirmed))
        return {**failures, **self._payment_va_book_many(items)}

    def _xendit_booking_values(self, confirmed):
        return {
            "external_id": confirmed.get("payment_id"),
            "reference": confirmed.get("external_id"),
            "amount": confirmed["amount"],
            "paid_at": xendit_api.parse_iso(confirmed["transaction_timestamp"])
            if confirmed.get("transaction_timestamp")
            else None,
            "raw": confirmed,
        }

    def _xendit_confirm(self, event):
        """The paid callback and the payment as re-read from Xendit, and its VA.

        :return: ``(notified, confirmed, va)``; raises ``IgnoreEvent`` when Xendit does
            not know the payment, ``RetryableError`` when it cannot be asked.
        """
        data = event._get_payload()
        if not data.get("payment_id"):
            raise IgnoreEvent(_("Not a payment callback."))
        VA = self.env["payment.va"]
        payment_id = data["payment_id"]
        confirmed = data
        if self.va_confirm_with_status_api:
            client = self._payment_va_client(max_attempts=2, backoff_base=0.2)
            confirmed = client.get_payment(payment_id)
            if confirmed is None:
                raise IgnoreEvent(
                    _("Xendit does not know payment %s: nothing booked.", payment_id)
                )
        va = VA.search(
            [
                ("connection_id", "=", self.id),
                ("gateway_id", "=", confirmed.get("callback_virtual_account_id")),
            ],
            limit=1,
        )
        if not va:
            va = VA.search(
                [
                    ("connection_id", "=", self.id),
                    ("reference", "=", confirmed.get("external_id")),
                ],
                limit=1,
            )
        return data, confirmed, va

    # ------------------------------------------------------------------ booking
    def _payment_va_book(self, va, *, external_id, reference, amount, paid_at, raw):
        """Record one confirmed gateway payment exactly once and book it.

        Idempotency: the VA row is locked, then the ledger (``payment.va.transaction``,
        unique per connection and external id) is re-checked. A payment that cannot be
        booked safely (unknown or closed VA, cancelled invoice) becomes a review item.

        :return: the ``account.payment`` or ``payment.va.review`` produced (or found).
        """
        self.ensure_one()
        if not external_id:
            raise PermanentError(_("The gateway payment has no identifier."))
        if va:
            # Serialises concurrent deliveries of the same payment on this VA.
            self.env.cr.execute(
                "SELECT id FROM payment_va WHERE id = %s FOR UPDATE", [va.id]
            )
            va.invalidate_recordset()
        Transaction = self.env["payment.va.transaction"]
        existing = Transaction.search(
            [("connection_id", "=", self.id), ("external_id", "=", external_id)],
            limit=1,
        )
        if existing:
            return existing.payment_id or existing.review_id or existing
        transaction = Transaction.create(
            {
                "connection_id": self.id,
                "va_id": va.id if va else False,
                "external_id": external_id,
                "reference": reference,
                "amount": float(amount),
                "paid_at": paid_at or fields.Datetime.now(),
                "raw": Transaction._dump(raw),
            }
        )
        reason = None
        if not va:
            reason = "unknown_va"
        elif va.state in ("expired", "cancelled"):
            reason = "expired_va"
        elif va.mode == "invoice" and va.move_id.state != "posted":
            reason = "cancelled_invoice"
        if reason:
            review = self.env["payment.va.review"]._create_from_transaction(
                transaction, reason
            )
            transaction.write({"state": "review", "review_id": review.id})
            return review
        payment = self._payment_va_create_payment(
            va.partner_id,
            transaction.amount,
            transaction.paid_at,
            va=va,
            memo=self._payment_va_memo(reference, external_id),
        )
        transaction.write({"state": "booked", "payment_id": payment.id})
        if va.mode == "invoice":
            # Before reconciling: the reconcile hook then sees no open VA and queues a
            # refresh only when money is still due (a partial payment).
            va.state = "paid"
        invoices = va.move_id if va.mode == "invoice" else self.env["account.move"]
        self._payment_va_reconcile(payment, invoices)
        va.message_post(
            subtype_xmlid="mail.mt_note",
            body=_(
                "Payment %(payment)s of %(amount)s received (%(ref)s).",
                payment=payment.name,
                amount=transaction.amount,
                ref=external_id,
            ),
        )
        return payment

    def _payment_va_create_payment(
        self, partner, amount, paid_at, *, va=None, memo=None
    ):
        """Create and post the ``account.payment`` in the connection's journal."""
        self.ensure_one()
        payment = self.env["account.payment"].create(
            self._payment_va_payment_values(partner, amount, paid_at, va=va, memo=memo)
        )
        payment.action_post()
        return payment

    def _payment_va_payment_values(
        self, partner, amount, paid_at, *, va=None, memo=None
    ):
        self.ensure_one()
        journal = self.va_journal_id
        if not journal:
            raise PermanentError(
                _("Connection %s has no receiving bank journal.", self.name)
            )
        method_line = (
            journal.inbound_payment_method_line_ids.filtered(
                lambda line: line.code == "manual"
            )[:1]
            or journal.inbound_payment_method_line_ids[:1]
        )
        paid_date = (
            pytz.utc.localize(paid_at).astimezone(WIB).date()
            if paid_at
            else (fields.Date.context_today(self))
        )
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.commercial_partner_id.id,
            "amount": amount,
            "currency_id": (journal.currency_id or journal.company_id.currency_id).id,
            "journal_id": journal.id,
            "payment_method_line_id": method_line.id,
            "date": paid_date,
            "memo": memo,
            "payment_va_id": va.id if va else False,
        }

    def _payment_va_memo(self, reference, external_id):
        provider = dict(self._fields["provider"].selection)[self.provider]
        return f"{provider} {reference} {external_id}"

    def _payment_va_book_many(self, items):
        """Book many confirmed payments to open invoice VAs together.

        The same rules as ``_payment_va_book`` (VA rows locked, ledger re-checked, one
        ledger row and one posted payment per gateway payment, reconciled with the
        invoice), done with one ``create`` of the ledger rows, one of the payments, one
        posting and one reconciliation plan, which is where most of the time of a
        booking goes. Only the plain case is handled here: a payment already in the
        ledger, a second payment to the same VA in this batch, or a VA that is not open
        on a posted invoice is left out, for ``_payment_va_book``.

        :param items: ``{event_id: {va, external_id, reference, amount, paid_at, raw}}``
        :return: ``{event_id: account.payment}`` for what was booked.
        """
        self.ensure_one()
        items = {key: item for key, item in items.items() if item["external_id"]}
        if not items:
            return {}
        vas = self.env["payment.va"].browse({item["va"].id for item in items.values()})
        # Serialises against concurrent deliveries of the same payments (same lock
        # order as the single path: one VA row at a time, ascending ids).
        self.env.cr.execute(
            "SELECT id FROM payment_va WHERE id IN %s ORDER BY id FOR UPDATE",
            [tuple(vas.ids)],
        )
        vas.invalidate_recordset()
        Transaction = self.env["payment.va.transaction"]
        known = set(
            Transaction.search(
                [
                    ("connection_id", "=", self.id),
                    ("external_id", "in", [i["external_id"] for i in items.values()]),
                ]
            ).mapped("external_id")
        )
        todo, seen_vas = {}, set()
        for key, item in items.items():
            va = item["va"]
            if (
                item["external_id"] in known
                or va.id in seen_vas
                or va.state != "open"
                or va.mode != "invoice"
                or va.move_id.state != "posted"
            ):
                continue
            seen_vas.add(va.id)
            known.add(item["external_id"])
            todo[key] = item
        if not todo:
            return {}
        now = fields.Datetime.now()
        transactions = Transaction.create(
            [
                {
                    "connection_id": self.id,
                    "va_id": item["va"].id,
                    "external_id": item["external_id"],
                    "reference": item["reference"],
                    "amount": float(item["amount"]),
                    "paid_at": item["paid_at"] or now,
                    "raw": Transaction._dump(item["raw"]),
                }
                for item in todo.values()
            ]
        )
        payments = self.env["account.payment"].create(
            [
                self._payment_va_payment_values(
                    item["va"].partner_id,
                    transaction.amount,
                    transaction.paid_at,
                    va=item["va"],
                    memo=self._payment_va_memo(item["reference"], item["external_id"]),
                )
                for item, transaction in zip(todo.values(), transactions, strict=True)
            ]
        )
        payments.action_post()
        for transaction, payment in zip(transactions, payments, strict=True):
            transaction.write({"state": "booked", "payment_id": payment.id})
        booked_vas = self.env["payment.va"].browse(
            [item["va"].id for item in todo.values()]
        )
        # Before reconciling, as in the single path: the reconcile hook then queues a
        # VA refresh only where money is still due.
        booked_vas.write({"state": "paid"})
        plan = []
        for payment, item in zip(payments, todo.values(), strict=True):
            payment_lines = payment.move_id.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            invoice_lines = item["va"].move_id.line_ids.filtered(
                lambda line, accounts=payment_lines.account_id: (
                    line.account_id in accounts and not line.reconciled
                )
            )
            if payment_lines and invoice_lines:
                plan.append(payment_lines + invoice_lines)
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
        booked_vas.move_id._payment_va_schedule_refresh()
        booked_vas._message_log_batch(
            bodies={
                # escaped as message_post would: the reference comes from the gateway
                item["va"].id: escape(
                    _(
                        "Payment %(payment)s of %(amount)s received (%(ref)s).",
                        payment=payment.name,
                        amount=transaction.amount,
                        ref=item["external_id"],
                    )
                )
                for item, payment, transaction in zip(
                    todo.values(), payments, transactions, strict=True
                )
            }
        )
        return dict(zip(todo, payments, strict=True))

    def _payment_va_reconcile(self, payment, invoices=None):
        """Reconcile ``payment`` with ``invoices``, or with the partner's open invoices
        oldest
        first (per-customer VA). What is left stays as outstanding credit on the
        customer."""
        payment_lines = payment.move_id.line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        )
        if not payment_lines:
            return
        if not invoices:
            invoices = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "=", payment.company_id.id),
                    (
                        "commercial_partner_id",
                        "=",
                        payment.partner_id.commercial_partner_id.id,
                    ),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("currency_id", "=", payment.currency_id.id),
                ],
                order="invoice_date_due asc, invoice_date asc, id asc",
            )
        for invoice in invoices.filtered(lambda m: m.state == "posted"):
            if all(line.reconciled for line in payment_lines):
                break
            invoice_lines = invoice.line_ids.filtered(
                lambda line: (
                    line.account_id in payment_lines.account_id and not line.reconciled
                )
            )
            if invoice_lines:
                (
                    payment_lines.filtered(lambda line: not line.reconciled)
                    + invoice_lines
                ).reconcile()

    def _payment_va_reverse(self, external_id, va, status):
        """A settled payment was denied/refunded/charged back: undo, ask finance."""
        transaction = self.env["payment.va.transaction"].search(
            [("connection_id", "=", self.id), ("external_id", "=", external_id)],
            limit=1,
        )
        if not transaction or transaction.state != "booked":
            if transaction.state == "review" and transaction.review_id:
                transaction.review_id.message_post(
                    subtype_xmlid="mail.mt_note",
                    body=_("The gateway reports %s.", status),
                )
                return transaction.review_id
            if va and va.state == "open":
                va._payment_va_mark_closed("cancelled")
            if not va:
                raise IgnoreEvent(
                    _(
                        "%(status)s for unknown transaction %(id)s.",
                        status=status,
                        id=external_id,
                    )
                )
            return va
        payment = transaction.payment_id
        note = _(
            "The gateway reports %(status)s for transaction %(id)s after it was "
            "booked in "
            "payment %(payment)s.",
            status=status,
            id=external_id,
            payment=payment.name,
        )
        try:
            with self.env.cr.savepoint():
                payment.action_draft()
                payment.action_cancel()
            note += " " + _("The payment was cancelled; the invoice is open again.")
        except UserError as exc:  # e.g. lock date: a person must reverse it
            note += " " + _("The payment could not be cancelled automatically: %s", exc)
        transaction.state = "reversed"
        target = va.move_id if va and va.move_id else payment
        target.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Virtual-account payment reversed"),
            note=note,
            user_id=(self.responsible_user_id or self.env.user).id,
        )
        if va:
            va.message_post(subtype_xmlid="mail.mt_note", body=note)
        return payment

    def _payment_va_flag_partial_reversal(self, external_id, va, status):
        transaction = self.env["payment.va.transaction"].search(
            [("connection_id", "=", self.id), ("external_id", "=", external_id)],
            limit=1,
        )
        target = transaction.payment_id or (va and va.move_id) or va or self
        target.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Partial refund on a virtual-account payment"),
            note=_(
                "The gateway reports %(status)s for transaction %(id)s; book the "
                "refunded "
                "part by hand.",
                status=status,
                id=external_id,
            ),
            user_id=(self.responsible_user_id or self.env.user).id,
        )
        return transaction.payment_id or va or None

    @api.model
    def _payment_va_expiry_from_now(self, hours):
        return fields.Datetime.now() + timedelta(hours=hours or 72)
