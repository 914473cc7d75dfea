# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Money that arrived but could not be booked automatically: never lost."""

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class PaymentVaReview(models.Model):
    _name = "payment.va.review"
    _description = "Virtual Account Payment to Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    connection_id = fields.Many2one(
        "integration.connection", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    transaction_id = fields.Many2one(
        "payment.va.transaction", string="Gateway payment", readonly=True
    )
    va_id = fields.Many2one("payment.va", string="Virtual account", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.ref("base.IDR")
    )
    amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(string="Paid on", readonly=True)
    external_id = fields.Char(string="Gateway payment ID", readonly=True)
    reason = fields.Selection(
        [
            ("unknown_va", "Unknown virtual account"),
            ("expired_va", "Expired or replaced virtual account"),
            ("cancelled_invoice", "Invoice cancelled or reset to draft"),
            ("paid_va", "Virtual account already paid"),
        ],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [
            ("to_review", "To review"),
            ("allocated", "Allocated"),
            ("refunded", "Refunded"),
        ],
        string="Status",
        default="to_review",
        required=True,
        tracking=True,
        index=True,
    )
    payment_id = fields.Many2one("account.payment", readonly=True)

    @api.model
    def _create_from_transaction(self, transaction, reason):
        va = transaction.va_id
        review = self.create(
            {
                "name": _(
                    "%(ref)s / %(id)s",
                    ref=transaction.reference or "-",
                    id=transaction.external_id,
                ),
                "connection_id": transaction.connection_id.id,
                "transaction_id": transaction.id,
                "va_id": va.id,
                "partner_id": va.partner_id.id,
                "move_id": va.move_id.id,
                "amount": transaction.amount,
                "paid_at": transaction.paid_at,
                "external_id": transaction.external_id,
                "reason": reason,
            }
        )
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        review.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Virtual-account payment to review"),
            note=_(
                "%(amount)s received on %(va)s: %(reason)s. Allocate it to an invoice "
                "or "
                "mark it refunded.",
                amount=transaction.amount,
                va=va.display_name or transaction.reference,
                reason=reasons[reason],
            ),
            user_id=(transaction.connection_id.responsible_user_id or self.env.user).id,
        )
        return review

    def action_allocate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Allocate payment"),
            "res_model": "payment.va.review.allocate",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_review_id": self.id,
                "default_partner_id": self.partner_id.id,
            },
        }

    def _lock_to_review(self):
        """Lock these review rows and check that they are still to review.

        Allocating or refunding the same money twice (a stale wizard submitted again,
        two people at once, or Odoo replaying a request after a serialization failure)
        would book it twice: the row lock serialises them, and the state read after the
        lock tells the later ones that it is done.

        :raises UserError: when another transaction holds a row (``NOWAIT``: a person
            should not wait for another's click) or a review is no longer to review.
        """
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "SELECT id FROM payment_va_review WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(self.ids)],
                )
        except psycopg2.errors.LockNotAvailable as exc:
            raise UserError(
                _(
                    "Someone else is handling this payment right now. Try again in a "
                    "moment."
                )
            ) from exc
        self.invalidate_recordset(["state", "payment_id"])
        done = self.filtered(lambda review: review.state != "to_review")
        if done:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "Already handled, nothing was booked: %s",
                    ", ".join(
                        f"{review.name} ({states[review.state]})" for review in done
                    ),
                )
            )

    def _payment_va_allocate(self, partner, invoice=None):
        """Book the received money for ``partner``, reconciled with ``invoice`` or with
        the customer's open invoices, oldest first (what is left stays as credit).

        :return: the posted ``account.payment``.
        :raises UserError: when the review is locked or already handled.
        """
        self.ensure_one()
        self._lock_to_review()
        Transaction = self.env["payment.va.transaction"]
        invoices = invoice or Transaction._open_invoices(
            partner, self.company_id, self.currency_id
        )
        transaction = self.transaction_id
        if not transaction:
            # Every review comes from a ledger row; guard against hand-made ones.
            raise UserError(_("This review has no gateway payment to book."))
        payment = transaction._book_payment(
            partner, invoices, memo=_("Review %s", self.name)
        )
        self.write(
            {"state": "allocated", "payment_id": payment.id, "partner_id": partner.id}
        )
        self.activity_feedback(
            ["mail.mail_activity_data_todo"],
            feedback=_("Allocated in %s", payment.name),
        )
        return payment

    def action_mark_refunded(self):
        """The money went back to the sender outside Odoo: close the review."""
        self._lock_to_review()
        for review in self:
            review.state = "refunded"
            review.activity_feedback(
                ["mail.mail_activity_data_todo"], feedback=_("Refunded to the sender")
            )
        return True
