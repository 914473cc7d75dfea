# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The gateway side of the books: one row per confirmed gateway payment, and its
booking.

The SQL ``unique(connection_id, external_id)`` is the last of the three idempotency
levels (inbox dedupe key, VA row lock + re-check, this constraint) and the source of the
reconciliation report's "gateway" column.

Booking lives here, on the ledger row, as Odoo's ``payment.transaction`` does it
(``_create_payment`` in ``account_payment/models/payment_transaction.py``): the
connection's handlers only parse, confirm with the gateway and dispatch.
"""

import json

import pytz
from markupsafe import escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import PermanentError

WIB = pytz.timezone("Asia/Jakarta")


class PaymentVaTransaction(models.Model):
    _name = "payment.va.transaction"
    _description = "Virtual Account Gateway Payment"
    _order = "paid_at desc, id desc"
    _rec_name = "external_id"
    _check_company_auto = True

    connection_id = fields.Many2one(
        "integration.connection", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    provider = fields.Selection(
        string="Gateway", related="connection_id.provider", store=True
    )
    va_id = fields.Many2one(
        "payment.va", string="Virtual account", index=True, ondelete="set null"
    )
    partner_id = fields.Many2one(
        string="Customer", related="va_id.partner_id", store=True
    )
    external_id = fields.Char(
        string="Gateway payment ID",
        required=True,
        readonly=True,
        help="Midtrans transaction_id / Xendit payment_id.",
    )
    reference = fields.Char(
        readonly=True, help="Midtrans order_id / Xendit external_id."
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.ref("base.IDR")
    )
    amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(string="Paid on", readonly=True, index=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("booked", "Booked"),
            ("review", "To review"),
            ("reversed", "Reversed"),
        ],
        string="Status",
        default="new",
        required=True,
        readonly=True,
    )
    payment_id = fields.Many2one("account.payment", readonly=True, index=True)
    reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal entry",
        readonly=True,
        help="The entry that cancels the payment after the gateway reported a "
        "reversal. The payment keeps its own entry and number.",
    )
    review_id = fields.Many2one("payment.va.review", readonly=True)
    raw = fields.Text(string="Confirmed gateway data", readonly=True)

    _sql_constraints = [
        (
            "external_uniq",
            "unique(connection_id, external_id)",
            "A gateway payment is recorded once per connection.",
        ),
    ]

    @api.model
    def _dump(self, data):
        """Raw gateway data without the signature (useless to keep)."""
        if not isinstance(data, dict):
            return json.dumps(data, default=str)
        return json.dumps(
            {k: v for k, v in data.items() if k != "signature_key"},
            default=str,
            indent=1,
        )

    # ------------------------------------------------------------------ recording
    @api.model
    def _lock_vas(self, vas):
        """Lock the VA rows, one at a time in ascending ids (the same order on every
        path), so two deliveries of payments to the same VA are booked one after the
        other and the second sees the first's ledger row."""
        if vas:
            self.env.cr.execute(
                "SELECT id FROM payment_va WHERE id IN %s ORDER BY id FOR UPDATE",
                [tuple(vas.ids)],
            )
            vas.invalidate_recordset()

    @api.model
    def _find(self, connection, external_ids):
        return self.search(
            [
                ("connection_id", "=", connection.id),
                ("external_id", "in", list(external_ids)),
            ]
        )

    @api.model
    def _prepare_values(
        self, connection, va, *, external_id, reference, amount, paid_at, raw
    ):
        return {
            "connection_id": connection.id,
            "va_id": va.id if va else False,
            "external_id": external_id,
            "reference": reference,
            "amount": float(amount),
            "paid_at": paid_at or fields.Datetime.now(),
            "raw": self._dump(raw),
        }

    @api.model
    def _record(self, connection, va, **values):
        """The ledger row of one confirmed gateway payment, created once.

        :param values: ``external_id``, ``reference``, ``amount``, ``paid_at``, ``raw``
            as confirmed by the gateway (never the unsigned notification).
        :return: ``(transaction, created)``
        :raises PermanentError: when the gateway payment has no identifier.
        """
        if not values.get("external_id"):
            raise PermanentError(_("The gateway payment has no identifier."))
        self._lock_vas(va)
        existing = self._find(connection, [values["external_id"]])[:1]
        if existing:
            return existing, False
        return self.create(self._prepare_values(connection, va, **values)), True

    def _result(self):
        """What booking this row produced: the payment, the review item, or the row."""
        self.ensure_one()
        return self.payment_id or self.review_id or self

    # ------------------------------------------------------------------ booking
    def _review_reason(self):
        """Why this payment cannot be booked automatically, or None."""
        self.ensure_one()
        va = self.va_id
        if not va:
            return "unknown_va"
        if va.state in ("expired", "cancelled"):
            return "expired_va"
        if va.mode == "invoice" and va.move_id.state != "posted":
            return "cancelled_invoice"
        if va.mode == "invoice" and va.state == "paid":
            # A closed VA is paid once. A second payment is either a bank race or a
            # replay: a person decides (D19), it never silently becomes customer credit.
            return "paid_va"
        return None

    def _book(self):
        """Book this new ledger row: a posted payment reconciled with the VA's invoice
        (per-invoice VA) or with the customer's open invoices, oldest first
        (per-customer VA); or a review item when it cannot be booked safely.

        :return: the ``account.payment`` or ``payment.va.review`` produced.
        """
        self.ensure_one()
        reason = self._review_reason()
        if reason:
            review = self.env["payment.va.review"]._create_from_transaction(
                self, reason
            )
            self.write({"state": "review", "review_id": review.id})
            return review
        va = self.va_id
        if va.mode == "invoice":
            invoices = va.move_id
            # Before reconciling: the reconcile hook then sees no open VA and queues a
            # refresh only when money is still due (a partial payment).
            va.state = "paid"
        else:
            invoices = self._open_invoices(va.partner_id, va.company_id)
        payment = self._book_payment(va.partner_id, invoices)
        va.message_post(
            subtype_xmlid="mail.mt_note",
            body=_(
                "Payment %(payment)s of %(amount)s received (%(ref)s).",
                payment=payment.name,
                amount=self.amount,
                ref=self.external_id,
            ),
        )
        return payment

    def _book_payment(self, partner, invoices, memo=None):
        """Create and post the payment of this gateway payment for ``partner``, linked
        to ``invoices`` and reconciled with them (a sub-rupiah difference written off).

        :param invoices: the invoices to pay, in the order they are to be paid.
        :return: the posted ``account.payment``.
        """
        self.ensure_one()
        connection = self.connection_id.sudo()  # configuration, not a user's right
        payment = self._create_payments(
            connection,
            [
                self._prepare_payment_values(
                    connection,
                    partner,
                    self.amount,
                    self.paid_at,
                    va=self.va_id,
                    memo=memo or self._get_memo(),
                    invoices=invoices,
                )
            ],
        )
        self.write({"state": "booked", "payment_id": payment.id})
        self._reconcile(payment, invoices)
        return payment

    def _get_memo(self):
        self.ensure_one()
        selection = self.env["integration.connection"]._fields["provider"].selection
        provider = dict(selection).get(self.provider, "")
        return f"{provider} {self.reference} {self.external_id}"

    @api.model
    def _open_invoices(self, partner, company=None, currency=None):
        """The customer's open invoices, oldest due first (per-customer VA)."""
        company = company or self.env.company
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("company_id", "=", company.id),
                ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("payment_state", "in", ("not_paid", "partial")),
                ("currency_id", "=", (currency or self.env.ref("base.IDR")).id),
            ],
            order="invoice_date_due asc, invoice_date asc, id asc",
        )

    @api.model
    def _allocate(self, amount, invoices, currency):
        """Which of ``invoices`` (in order) ``amount`` pays, and the rupiah rounding.

        A VA asks for whole rupiah (Midtrans rejects decimals) while 11 % PPN gives
        invoices with cents: 11,101.11 is asked as 11,101. What is left below one rupiah
        (short or over) is a rounding difference, written off as the payment register
        does with ``payment_difference_handling='reconcile'``, never left open on the
        invoice nor as customer credit.

        :return: ``(paid_invoices, difference)`` where ``difference`` is the invoices'
            residual minus ``amount`` when it is a non-zero sub-rupiah amount, else 0.
        """
        remaining = amount
        paid = self.env["account.move"]
        for invoice in invoices:
            if currency.compare_amounts(remaining, 0) <= 0:
                break
            paid |= invoice
            remaining -= invoice.amount_residual
        difference = -remaining
        if not paid or currency.is_zero(difference) or abs(difference) >= 1:
            return paid, 0.0
        return paid, currency.round(difference)

    @api.model
    def _create_payments(self, connection, values_list):
        """Create and post ``account.payment`` records from ``_prepare_payment_values``.

        Each payment is given the connection's outstanding receipts account, so it gets
        a journal entry that reconciles with the invoice whether or not
        ``account_accountant`` is installed (with it, Odoo books a payment whose method
        line has no account without any entry, and the invoice stays unpaid: D18).
        The rounding write-off line is added to that entry as the payment register
        does (``write_off_line_vals``), once the account is known.
        """
        writeoffs = [values.pop("write_off_line_vals", None) for values in values_list]
        outstanding = connection._payment_va_outstanding_account()
        payments = self.env["account.payment"].create(values_list)
        for payment, writeoff in zip(payments, writeoffs, strict=True):
            if outstanding and payment.outstanding_account_id != outstanding:
                payment.outstanding_account_id = outstanding
            if writeoff:
                payment._generate_journal_entry(write_off_line_vals=writeoff)
        payments.action_post()
        return payments

    @api.model
    def _prepare_payment_values(
        self, connection, partner, amount, paid_at, *, va=None, memo=None, invoices=None
    ):
        """``account.payment`` values in the connection's journal.

        The payment links the invoices it pays (``invoice_ids``), as
        ``account_payment`` does, and carries the rupiah rounding as a write-off line
        (``write_off_line_vals``, see ``_create_payments``).
        """
        connection.ensure_one()
        journal = connection.va_journal_id
        if not journal:
            raise PermanentError(
                _("Connection %s has no receiving bank journal.", connection.name)
            )
        method_line = connection._payment_va_method_line()
        currency = journal.currency_id or journal.company_id.currency_id
        paid_date = (
            pytz.utc.localize(paid_at).astimezone(WIB).date()
            if paid_at
            else fields.Date.context_today(self)
        )
        invoices = invoices or self.env["account.move"]
        paid_invoices, difference = self._allocate(amount, invoices, currency)
        values = {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.commercial_partner_id.id,
            "amount": amount,
            "currency_id": currency.id,
            "journal_id": journal.id,
            "payment_method_line_id": method_line.id,
            "date": paid_date,
            "memo": memo,
            "payment_va_id": va.id if va else False,
            "invoice_ids": [fields.Command.set(paid_invoices.ids)],
        }
        account = connection.va_rounding_account_id
        if difference and account:
            company = journal.company_id
            values["write_off_line_vals"] = [
                {
                    "name": _("Rupiah rounding of the virtual-account payment"),
                    "account_id": account.id,
                    "partner_id": partner.commercial_partner_id.id,
                    "currency_id": currency.id,
                    "amount_currency": difference,
                    "balance": currency._convert(
                        difference, company.currency_id, company, paid_date
                    ),
                }
            ]
        return values

    @api.model
    def _reconcile(self, payment, invoices):
        """Reconcile ``payment`` with ``invoices``, one after the other in their order,
        so the oldest is paid first. What is left stays as outstanding credit on the
        customer."""
        payment_lines = payment.move_id.line_ids.filtered(
            lambda line: (
                line.account_id == payment.destination_account_id
                and not line.reconciled
            )
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

    @api.model
    def _book_many(self, connection, items):
        """Book many confirmed payments to open invoice VAs together.

        The same rules as ``_record`` + ``_book`` (VA rows locked, ledger re-checked,
        one ledger row and one posted payment per gateway payment, reconciled with the
        invoice), done with one ``create`` of the ledger rows, one of the payments, one
        posting and one reconciliation plan, which is where most of the time of a
        booking goes. Only the plain case is handled here: a payment already in the
        ledger, a second payment to the same VA in this batch, or a VA that is not open
        on a posted invoice is left out, for the one-by-one path.

        :param items: ``{event_id: {va, external_id, reference, amount, paid_at, raw}}``
        :return: ``{event_id: account.payment}`` for what was booked.
        """
        connection.ensure_one()
        items = {key: item for key, item in items.items() if item["external_id"]}
        if not items:
            return {}
        vas = self.env["payment.va"].browse({item["va"].id for item in items.values()})
        self._lock_vas(vas)
        known = set(
            self._find(connection, [i["external_id"] for i in items.values()]).mapped(
                "external_id"
            )
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
        transactions = self.create(
            [
                self._prepare_values(
                    connection,
                    item["va"],
                    **{k: v for k, v in item.items() if k != "va"},
                )
                for item in todo.values()
            ]
        )
        sudo_connection = connection.sudo()
        payments = self._create_payments(
            sudo_connection,
            [
                self._prepare_payment_values(
                    sudo_connection,
                    item["va"].partner_id,
                    transaction.amount,
                    transaction.paid_at,
                    va=item["va"],
                    memo=transaction._get_memo(),
                    invoices=item["va"].move_id,
                )
                for item, transaction in zip(todo.values(), transactions, strict=True)
            ],
        )
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
                lambda line, payment=payment: (
                    line.account_id == payment.destination_account_id
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
                    # env._: a comprehension's frame has no ``self`` for ``_``.
                    self.env._(
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

    # ------------------------------------------------------------------ reversal
    def _reverse(self, status, va=None):
        """The gateway reports that this settled payment was denied, refunded or
        charged back: cancel its booking, keeping the audit trail, and ask finance.

        The payment's entry is never deleted (deleting it would free its number for
        the next payment): a reversal entry dated today cancels it, reconciled with it,
        and the payment is marked cancelled with its number.

        :return: the payment, review item or VA concerned.
        """
        self.ensure_one()
        va = va or self.va_id
        if self.state == "review" and self.review_id:
            self.review_id.message_post(
                subtype_xmlid="mail.mt_note",
                body=_("The gateway reports %s.", status),
            )
            return self.review_id
        if self.state != "booked":
            return self.payment_id or va or self
        payment = self.payment_id
        connection = self.connection_id
        note = _(
            "The gateway reports %(status)s for transaction %(id)s after it was booked "
            "in payment %(payment)s.",
            status=status,
            id=self.external_id,
            payment=payment.name,
        )
        try:
            with self.env.cr.savepoint():
                reversal = self._reverse_payment(payment, status)
            note += " " + _(
                "The reversal entry %(entry)s cancels it; the invoice is open again.",
                entry=reversal.name or "-",
            )
        except UserError as exc:  # e.g. lock date: a person must reverse it
            note += " " + _(
                "The payment could not be reversed automatically: %s",
                connection._mask_text(str(exc)),
            )
        self.state = "reversed"
        target = va.move_id if va and va.move_id else payment
        target.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Virtual-account payment reversed"),
            note=note,
            user_id=(connection.responsible_user_id or self.env.user).id,
        )
        if va:
            va.message_post(subtype_xmlid="mail.mt_note", body=note)
        return payment

    def _reverse_payment(self, payment, status):
        """Reverse ``payment``'s posted entry with ``_reverse_moves(cancel=True)``:
        the reconciliation with the invoice is undone, the reversal is posted and
        reconciled with the payment's receivable and outstanding lines, and the
        payment is marked cancelled. Its entry and number stay.

        :return: the reversal entry (empty when the payment had no posted entry).
        """
        self.ensure_one()
        move = payment.move_id
        reversal = self.env["account.move"]
        if move.state == "posted":
            reversal = move._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": _(
                            "Reversal of %(entry)s: the gateway reports %(status)s",
                            entry=move.name,
                            status=status,
                        ),
                    }
                ],
                cancel=True,
            )
            self.reversal_move_id = reversal
        # Not ``action_cancel``: it would delete a draft entry or cancel the posted one
        # in place; the reversal above is what cancels it in the books.
        payment.state = "canceled"
        return reversal

    @api.model
    def _flag_partial_reversal(self, connection, external_id, va, status):
        """A part of a payment was refunded or charged back: a person books it.

        :return: the payment or VA concerned, if any.
        """
        transaction = self._find(connection, [external_id])[:1]
        target = transaction.payment_id or (va and va.move_id) or va or connection
        target.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Partial refund on a virtual-account payment"),
            note=_(
                "The gateway reports %(status)s for transaction %(id)s; book the "
                "refunded part by hand.",
                status=status,
                id=external_id,
            ),
            user_id=(connection.responsible_user_id or self.env.user).id,
        )
        return transaction.payment_id or va or None
