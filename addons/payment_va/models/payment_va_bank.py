# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import fields, models


class PaymentVaBank(models.Model):
    """A bank a gateway opens virtual accounts at (codes as the gateway spells them)."""

    _name = "payment.va.bank"
    _description = "Virtual Account Bank"
    _order = "provider, sequence, id"

    name = fields.Char(required=True, translate=False)
    code = fields.Char(
        required=True, help="Bank code as the gateway expects it (bca, BCA, ...)."
    )
    provider = fields.Selection(
        [("midtrans", "Midtrans"), ("xendit", "Xendit")], required=True, index=True
    )
    sequence = fields.Integer(default=10)
    same_bank_only = fields.Boolean(
        help="Only transfers from the same bank are accepted (Midtrans: BCA VA, "
        "Mandiri bill)."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "provider_code_uniq",
            "unique(provider, code)",
            "A bank code must be unique per gateway.",
        ),
    ]
