# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Midtrans and Xendit connections: configuration, client factory, and the event
handlers that parse, confirm with the gateway and dispatch (booking itself is on
``payment.va.transaction``)."""

import copy
import logging
from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import (
    CircuitOpenError,
    IgnoreEvent,
    IntegrationError,
    RetryableError,
)

from ..api import midtrans as midtrans_api
from ..api import xendit as xendit_api
from . import const

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
    va_rounding_account_id = fields.Many2one(
        "account.account",
        string="Rounding write-off account",
        compute="_compute_va_rounding_account_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="A VA asks for whole rupiah while invoices may have cents (11 % PPN): "
        "the difference below one rupiah between what the VA asked and what the "
        "invoice still owes is written off here, so a paid VA closes its invoice. "
        "Defaults to the company's cash difference loss account.",
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
    # Midtrans ignores this field: its notifications sign neither transaction_id nor
    # transaction_status, so they are always re-read from the status API (D19). Kept
    # for Xendit, whose whole callback is authenticated by its token.
    va_confirm_with_status_api = fields.Boolean(
        string="Confirm with the status API",
        default=True,
        help="Xendit: re-read every notified payment from Xendit before booking it. "
        "Callbacks are not signed, so leave this on. Midtrans notifications are "
        "always confirmed with the status API.",
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

    @api.depends("provider", "company_id")
    def _compute_va_rounding_account_id(self):
        for connection in self:
            if connection.provider not in VA_PROVIDERS:
                connection.va_rounding_account_id = False
                continue
            company = connection.company_id or self.env.company
            current = connection.va_rounding_account_id
            if current and company in current.company_ids:
                continue
            connection.va_rounding_account_id = (
                company.default_cash_difference_expense_account_id
            )

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

    def _integration_is_connected(self):
        if self.provider in VA_PROVIDERS:
            return bool(self.sudo().api_secret)
        return super()._integration_is_connected()

    def _integration_not_connected_message(self):
        if self.provider not in VA_PROVIDERS:
            return super()._integration_not_connected_message()
        return _(
            "%(name)s has no secret key yet: an administrator enters the server key "
            "(Midtrans) or the secret API key (Xendit) in API secret on the "
            "Credentials tab, then presses Test connection.",
            name=self.display_name,
        )

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
        """Gateway error -> actionable, translated sentence (tables in ``const``), with
        this connection's secrets masked out of the gateway's own text."""
        code = str(getattr(exc, "code", "") or "")
        table = const.ERROR_MESSAGES.get(self.provider, {})
        template = table.get(code)
        if template is None and getattr(exc, "retryable", False):
            template = const.ERROR_UNREACHABLE
        if template is None and getattr(exc, "status_code", None) in (401, 403):
            template = table.get(const.AUTH_ERROR_CODES.get(self.provider))
        if template is None:
            template = const.ERROR_GENERIC
        # Translated first, then filled: the table entries are lazy (``_lt``).
        sentence = self.env._(template)
        return sentence % {
            "gateway": dict(self._fields["provider"].selection).get(
                self.provider, self.provider
            ),
            "detail": self._mask_text(str(exc)),
        }

    def _payment_va_masked(self, exc):
        """``exc`` with this connection's secrets masked out of its text: what a batch
        answers for one event is written to that event's error."""
        masked = self._mask_text(str(exc))
        if masked == str(exc):
            return exc
        clone = copy.copy(exc)
        clone.args = (masked,)
        if isinstance(clone, IntegrationError):
            clone.message = masked
        return clone

    # ------------------------------------------------------------------ configuration
    @api.model
    def _payment_va_find(self, company, mode=None):
        domain = [("provider", "in", VA_PROVIDERS), ("company_id", "=", company.id)]
        if mode:
            domain.append(("va_mode", "=", mode))
        return self.search(domain, limit=1)

    def _payment_va_method_line(self):
        """The receiving journal's inbound payment method line used for VA payments."""
        self.ensure_one()
        lines = self.va_journal_id.inbound_payment_method_line_ids
        return lines.filtered(lambda line: line.code == "manual")[:1] or lines[:1]

    def _payment_va_outstanding_account(self):
        """Where a VA payment is booked until the bank statement line matches it: the
        method line's outstanding receipts account, else the company's (as Odoo
        Community does, ``account.payment._get_outstanding_account``). Set explicitly
        on the payment, so it always has an entry to reconcile, also when
        ``account_accountant`` would book payments without an entry (D18)."""
        self.ensure_one()
        account = self._payment_va_method_line().payment_account_id
        if account:
            return account
        company = self.va_journal_id.company_id or self.company_id
        chart = self.env["account.chart.template"].with_context(
            allowed_company_ids=company.root_id.ids
        )
        return (
            chart.ref(
                "account_journal_payment_debit_account_id", raise_if_not_found=False
            )
            or company.transfer_account_id
        )

    def _payment_va_check_config(self):
        """Raise one ``UserError`` listing every missing setting (before any remote
        call)."""
        self.ensure_one()
        problems = []
        if self.provider not in VA_PROVIDERS:
            problems.append(_("The provider is not Midtrans or Xendit."))
        journal = self.va_journal_id
        if not journal:
            problems.append(_("Set the receiving bank journal."))
        elif not self._payment_va_method_line():
            problems.append(
                _(
                    "The receiving journal %s has no inbound payment method.",
                    journal.name,
                )
            )
        else:
            outstanding = self._payment_va_outstanding_account()
            if not outstanding:
                problems.append(
                    _(
                        "Set an outstanding receipts account on the inbound payment "
                        "method of journal %s (or on the company).",
                        journal.name,
                    )
                )
            elif outstanding == journal.default_account_id:
                # The bank statement line would then count the money a second time.
                problems.append(
                    _(
                        "VA payments must go through an outstanding receipts account, "
                        "not straight to the bank account of journal %s.",
                        journal.name,
                    )
                )
        if not self.va_rounding_account_id:
            problems.append(
                _(
                    "Set the rounding write-off account (for the cents a whole-rupiah "
                    "VA leaves on an invoice)."
                )
            )
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

        The notification only triggers the work: the transaction is always re-read
        (GET /v2/{id}/status, "Verify Using GET Status API Call") and only the
        confirmed data decides and is booked, since the signature covers neither
        ``transaction_id`` nor ``transaction_status`` (D19). A status API failure
        raises a retryable error, so nothing is booked on unconfirmed data and the inbox
        retries later.
        """
        self.ensure_one()
        data, confirmed, va = self._midtrans_confirm(event)
        order_id = confirmed["order_id"]
        status = confirmed["transaction_status"]
        outcome = const.MIDTRANS_STATUS_MAPPING.get(status)
        transaction_id = confirmed.get("transaction_id")
        self._payment_va_note_amount_difference(
            va, data.get("gross_amount"), confirmed.get("gross_amount")
        )
        if outcome == "paid":
            if confirmed.get("fraud_status") not in const.MIDTRANS_FRAUD_OK:
                raise IgnoreEvent(
                    _(
                        "Midtrans reports fraud status %s: nothing booked.",
                        confirmed.get("fraud_status"),
                    )
                )
            Transaction = self.env["payment.va.transaction"]
            transaction, created = Transaction._record(
                self, va, **self._midtrans_booking_values(confirmed)
            )
            return transaction._book() if created else transaction._result()
        if outcome == "pending":
            if not va:
                raise IgnoreEvent(
                    _("Pending notification for unknown order %s.", order_id)
                )
            return va
        if outcome in ("expired", "cancelled"):
            if not va:
                raise IgnoreEvent(
                    _(
                        "%(status)s for unknown order %(order)s.",
                        status=status,
                        order=order_id,
                    )
                )
            va._payment_va_mark_closed(outcome)
            return va
        if outcome == "reversed":
            return self._payment_va_reverse(transaction_id, va, status)
        if outcome == "partially_reversed":
            return self.env["payment.va.transaction"]._flag_partial_reversal(
                self, transaction_id, va, status
            )
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

    def _payment_va_confirm_batch(self, events, confirm):
        """Confirm each event of a batch with ``confirm(event)``.

        A failing status call is that event's own failure, with its own (masked)
        error text: the other events of the batch are still confirmed and booked. The
        rest of the batch is not asked (and fails with a sentence saying so) only when
        the gateway cannot be reached at all: the circuit breaker is open, or
        ``const.BATCH_UNANSWERED_LIMIT`` calls in a row got no answer. Any other error
        leaves the event out of the answer, for the one-by-one handler to record.

        :return: ``(confirmed, failures)``: ``{event: (data, confirmed, va)}`` and
            ``{event_id: exception}``.
        """
        confirmed, failures = {}, {}
        unanswered = 0
        for index, event in enumerate(events):
            try:
                confirmed[event] = confirm(event)
            except CircuitOpenError as exc:
                failures.update(
                    dict.fromkeys(events[index:].ids, self._payment_va_masked(exc))
                )
                break
            except RetryableError as exc:
                failures[event.id] = self._payment_va_masked(exc)
                no_answer = exc.status_code is None and not isinstance(
                    exc, StatusNotSettled
                )
                unanswered = unanswered + 1 if no_answer else 0
                if unanswered >= const.BATCH_UNANSWERED_LIMIT:
                    not_asked = self._payment_va_not_asked_error(unanswered)
                    failures.update(dict.fromkeys(events[index + 1 :].ids, not_asked))
                    break
                continue
            except Exception:  # noqa: BLE001 - the single path records the failure
                continue
            unanswered = 0
        return confirmed, failures

    def _payment_va_not_asked_error(self, count):
        sentence = self.env._(const.ERROR_NOT_ASKED)
        return RetryableError(
            sentence
            % {
                "gateway": dict(self._fields["provider"].selection)[self.provider],
                "count": count,
            }
        )

    def _midtrans_process_notification_batch(self, events):
        """Bulk path of the inbox: settlements of open invoice VAs, confirmed one by
        one with the status API, then booked together
        (``payment.va.transaction._book_many``).

        Anything unusual (other statuses, amounts that differ from the notification,
        fraud flags, unknown VAs) is left out of the answer, so the one-by-one handler
        deals with it exactly as if there were no batch. An event whose status call
        fails is answered with its own failure (retried later with backoff).
        """
        self.ensure_one()
        confirmed_events, failures = self._payment_va_confirm_batch(
            events, self._midtrans_confirm
        )
        items = {}
        for event, (data, confirmed, va) in confirmed_events.items():
            if not (
                va
                and const.MIDTRANS_STATUS_MAPPING.get(data.get("transaction_status"))
                == "paid"
                and const.MIDTRANS_STATUS_MAPPING.get(confirmed["transaction_status"])
                == "paid"
                and confirmed.get("fraud_status") in const.MIDTRANS_FRAUD_OK
                and confirmed.get("gross_amount") == data.get("gross_amount")
            ):
                continue
            items[event.id] = dict(va=va, **self._midtrans_booking_values(confirmed))
        booked = self.env["payment.va.transaction"]._book_many(self, items)
        return {**failures, **booked}

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
        """Read the notification and the status API's view of it.

        The status API is asked by what the signature or Odoo itself vouches for: the
        VA's own transaction id (from the charge Odoo made) or the signed ``order_id``,
        never the unsigned notified ``transaction_id``. A notification that names
        another transaction than the one Midtrans reports for its order (a replay with
        an invented id) decides nothing.

        :return: ``(notified, confirmed, va)``; raises ``IgnoreEvent`` or
            ``RetryableError`` when the two cannot be trusted together.
        """
        data = event._get_payload()
        order_id = data["order_id"]
        va = self.env["payment.va"].search(
            [("connection_id", "=", self.id), ("reference", "=", order_id)], limit=1
        )
        client = self._payment_va_client(max_attempts=2, backoff_base=0.2)
        confirmed = client.get_status(va.gateway_id or order_id)
        if confirmed is None:
            raise IgnoreEvent(
                _("Midtrans does not know order %s: nothing booked.", order_id)
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
        transaction_id = confirmed.get("transaction_id")
        notified_id = data.get("transaction_id")
        if notified_id and transaction_id and notified_id != transaction_id:
            raise IgnoreEvent(
                _(
                    "The notification names transaction %(sent)s, but Midtrans reports "
                    "transaction %(got)s for order %(order)s: nothing booked.",
                    sent=notified_id,
                    got=transaction_id,
                    order=order_id,
                )
            )
        if (
            const.MIDTRANS_STATUS_MAPPING.get(data.get("transaction_status")) == "paid"
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
        transaction, created = self.env["payment.va.transaction"]._record(
            self, va, **self._xendit_booking_values(confirmed)
        )
        return transaction._book() if created else transaction._result()

    def _xendit_process_callback_batch(self, events):
        """Bulk path for paid callbacks of open invoice VAs (see the Midtrans one)."""
        self.ensure_one()
        confirmed_events, failures = self._payment_va_confirm_batch(
            events, self._xendit_confirm
        )
        items = {
            event.id: dict(va=va, **self._xendit_booking_values(confirmed))
            for event, (data, confirmed, va) in confirmed_events.items()
            if va and data.get("amount") == confirmed.get("amount")
        }
        booked = self.env["payment.va.transaction"]._book_many(self, items)
        return {**failures, **booked}

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

    # ------------------------------------------------------------------ dispatch
    def _payment_va_reverse(self, external_id, va, status):
        """A settled payment was denied, refunded or charged back: its ledger row
        reverses the booking (``payment.va.transaction._reverse``). Without a booking,
        an open VA is closed."""
        self.ensure_one()
        transaction = self.env["payment.va.transaction"]
        if external_id:
            transaction = transaction._find(self, [external_id])[:1]
        if transaction.state in ("booked", "review"):
            return transaction._reverse(status, va)
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

    @api.model
    def _payment_va_expiry_from_now(self, hours):
        return fields.Datetime.now() + timedelta(hours=hours or 72)
