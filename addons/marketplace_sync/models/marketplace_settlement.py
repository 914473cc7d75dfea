# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, fields, models
from odoo.exceptions import UserError


class MarketplaceSettlement(models.Model):
    """What the platform paid out for one order, and the journal entry booking it.

    TikTok: the order's statement transactions (``settlement_amount``).
    Shopee: ``get_escrow_detail`` ``order_income.escrow_amount`` is the payout;
    everything between the invoiced amount and it is booked on the shop's fee account
    (the documented escrow formula, v2.payment.get_escrow_detail page). TikTok
    statements: ROADMAP.
    """

    _name = "marketplace.settlement"
    _description = "Marketplace Settlement"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    marketplace_order_id = fields.Many2one("marketplace.order", required=True)
    payout_amount = fields.Monetary()
    fee_amount = fields.Monetary()
    invoiced_amount = fields.Monetary()
    raw = fields.Text()
    move_id = fields.Many2one("account.move", readonly=True)
    state = fields.Selection(
        [("draft", "Imported"), ("posted", "Booked")], default="draft"
    )

    _sql_constraints = [
        ("order_uniq", "unique(marketplace_order_id)", "An order is settled once.")
    ]

    def action_book(self):
        """Post Dr payout / Dr fees / Cr customer receivable, and reconcile it."""
        for settlement in self.filtered(lambda s: s.state == "draft"):
            shop = settlement.shop_id
            sale = settlement.marketplace_order_id.sale_order_id
            invoices = sale.invoice_ids.filtered(lambda m: m.state == "posted")
            if not (shop.settlement_journal_id and shop.fee_account_id and invoices):
                raise UserError(
                    _(
                        "Set the payout journal and fee account of %(shop)s and "
                        "invoice %(order)s first.",
                        shop=shop.name,
                        order=sale.name or "-",
                    )
                )
            receivable = invoices.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            journal = shop.settlement_journal_id
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "ref": settlement.name,
                    "line_ids": [
                        Command.create(
                            {
                                "name": settlement.name,
                                "account_id": journal.default_account_id.id,
                                "debit": settlement.payout_amount,
                            }
                        ),
                        Command.create(
                            {
                                "name": _("Marketplace fees %s", settlement.name),
                                "account_id": shop.fee_account_id.id,
                                "debit": settlement.fee_amount,
                            }
                        ),
                        Command.create(
                            {
                                "name": settlement.name,
                                "account_id": receivable.account_id[:1].id,
                                "partner_id": receivable.partner_id[:1].id,
                                "credit": settlement.invoiced_amount,
                            }
                        ),
                    ],
                }
            )
            move.action_post()
            (
                move.line_ids.filtered(
                    lambda line, account=receivable.account_id[:1]: (
                        line.account_id == account
                    )
                )
                + receivable
            ).reconcile()
            settlement.write({"move_id": move.id, "state": "posted"})
        return True
