# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import fields, models


class PaymentVaReviewAllocate(models.TransientModel):
    _name = "payment.va.review.allocate"
    _description = "Allocate a Virtual Account Payment to Review"

    review_id = fields.Many2one("payment.va.review", required=True)
    company_id = fields.Many2one(related="review_id.company_id")
    amount = fields.Monetary(related="review_id.amount")
    currency_id = fields.Many2one(related="review_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Leave empty to allocate to the customer's open invoices, oldest first.",
    )

    def action_allocate(self):
        self.ensure_one()
        payment = self.review_id._payment_va_allocate(
            self.partner_id, self.move_id or None
        )
        return payment._get_records_action()
