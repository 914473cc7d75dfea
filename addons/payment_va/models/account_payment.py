# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    payment_va_id = fields.Many2one(
        "payment.va",
        string="Virtual account",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
