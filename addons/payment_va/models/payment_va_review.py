# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Money that arrived but could not be booked automatically: never lost."""

from odoo import _, api, fields, models


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
    transaction_id = fields.Many2one("payment.va.transaction", readonly=True)
    va_id = fields.Many2one("payment.va", string="Virtual account", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.ref("base.IDR")
    )
    amount = fields.Monetary(readonly=True)
    paid_at = fields.Datetime(readonly=True)
    external_id = fields.Char(string="Gateway payment ID", readonly=True)
    reason = fields.Selection(
        [
            ("unknown_va", "Unknown virtual account"),
            ("expired_va", "Expired or replaced virtual account"),
            ("cancelled_invoice", "Invoice cancelled or reset to draft"),
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

    def _payment_va_allocate(self, partner, invoice=None):
        """Book the received money for ``partner`` (and reconcile with ``invoice`` if
        given)."""
        self.ensure_one()
        connection = self.connection_id
        payment = connection._payment_va_create_payment(
            partner,
            self.amount,
            self.paid_at,
            va=self.va_id,
            memo=_("Review %s", self.name),
        )
        connection._payment_va_reconcile(payment, invoice or None)
        self.write(
            {"state": "allocated", "payment_id": payment.id, "partner_id": partner.id}
        )
        self.transaction_id.write({"state": "booked", "payment_id": payment.id})
        self.activity_feedback(
            ["mail.mail_activity_data_todo"],
            feedback=_("Allocated in %s", payment.name),
        )
        return payment

    def action_mark_refunded(self):
        for review in self.filtered(lambda r: r.state == "to_review"):
            review.state = "refunded"
            review.activity_feedback(
                ["mail.mail_activity_data_todo"], feedback=_("Refunded to the sender")
            )
        return True
