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
        string="Gateway bank code",
        required=True,
        help="Bank code as the gateway expects it (bca, BCA, ...).",
    )
    provider = fields.Selection(
        [("midtrans", "Midtrans"), ("xendit", "Xendit")],
        string="Gateway",
        required=True,
        index=True,
    )
    sequence = fields.Integer(default=10)
    same_bank_only = fields.Boolean(
        string="Same-bank transfers only",
        help="Only transfers from the same bank are accepted (Midtrans: BCA VA, "
        "Mandiri bill).",
    )
    min_amount = fields.Integer(
        string="Minimum amount",
        default=10000,
        help="Smallest amount (whole rupiah) the bank accepts on a closed virtual "
        "account. No VA is opened for less: the rest of such an invoice is paid or "
        "written off another way. Default: the strictest documented channel minimum "
        "(Xendit BCA, Rp 10,000).",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "provider_code_uniq",
            "unique(provider, code)",
            "A bank code must be unique per gateway.",
        ),
        (
            "min_amount_positive",
            "CHECK(min_amount >= 2)",
            "A virtual account is never opened for Rp 1: the minimum is at least Rp 2.",
        ),
    ]
