# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from .const import BUCKET_ACCOUNT_FIELDS


class MarketplaceSettlementLine(models.Model):
    """One fee bucket of a settlement: what the payout lacks for that reason.

    ``amount`` is signed as a cost: positive is debited on the account, negative (a
    shipping rebate larger than the shipping cost, a payout above the invoice) is
    credited there.
    """

    _name = "marketplace.settlement.line"
    _description = "Marketplace Settlement Fee"
    _order = "settlement_id, sequence, id"
    _check_company_auto = True

    settlement_id = fields.Many2one(
        "marketplace.settlement", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    bucket = fields.Selection(
        [
            ("commission", "Commission"),
            ("service", "Service fees"),
            ("transaction", "Transaction fees"),
            ("campaign", "Campaign and affiliate fees"),
            ("shipping", "Shipping difference"),
            ("other", "Other fees"),
        ],
        string="Fee type",
        required=True,
    )
    amount = fields.Monetary(
        help="Positive: a cost (debit). Negative: income (credit)."
    )
    account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="The shop's account of the bucket, else its Other fees account; set again "
        "when the settlement is booked.",
    )

    @api.model
    def _marketplace_account(self, shop, bucket):
        """The account of ``bucket`` on ``shop``: its own one, else Other fees."""
        return shop[BUCKET_ACCOUNT_FIELDS[bucket]] or shop.fee_account_id

    def _marketplace_bucket_label(self):
        self.ensure_one()
        return dict(self._fields["bucket"]._description_selection(self.env))[
            self.bucket
        ]
