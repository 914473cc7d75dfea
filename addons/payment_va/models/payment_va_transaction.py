# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The gateway side of the books: one row per confirmed gateway payment.

The SQL ``unique(connection_id, external_id)`` is the last of the three idempotency
levels (inbox dedupe key, VA row lock + re-check, this constraint) and the source of the
reconciliation report's "gateway" column.
"""

import json

from odoo import api, fields, models


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
    provider = fields.Selection(related="connection_id.provider", store=True)
    va_id = fields.Many2one(
        "payment.va", string="Virtual account", index=True, ondelete="set null"
    )
    partner_id = fields.Many2one(related="va_id.partner_id", store=True)
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
    paid_at = fields.Datetime(readonly=True, index=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("booked", "Booked"),
            ("review", "To review"),
            ("reversed", "Reversed"),
        ],
        default="new",
        required=True,
        readonly=True,
    )
    payment_id = fields.Many2one("account.payment", readonly=True, index=True)
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
