# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, _, fields, models
from odoo.exceptions import UserError


class MarketplaceSettlement(models.Model):
    """What the platform paid out for one order, and the journal entry booking it.

    TikTok: the order's statement transactions (``settlement_amount``).
    Shopee: ``get_escrow_detail`` ``order_income.escrow_amount`` is the payout.
    What lies between the invoiced amount and the payout (``fee_amount``) is split into
    fee buckets (``line_ids``: commission, service, transaction, campaign/affiliate,
    shipping difference) from the platform's fee fields (``api.shopee.escrow_fees``,
    ``api.tiktok.statement_fees``); the remainder no bucket explains is the "other"
    line, so the lines always add up to ``fee_amount`` and the entry balances.
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
    line_ids = fields.One2many(
        "marketplace.settlement.line", "settlement_id", string="Fees", readonly=True
    )
    move_id = fields.Many2one("account.move", readonly=True)
    state = fields.Selection(
        [("draft", "Imported"), ("posted", "Booked")], default="draft"
    )

    _sql_constraints = [
        ("order_uniq", "unique(marketplace_order_id)", "An order is settled once.")
    ]

    def _marketplace_prepare_lines(
        self, fees, invoiced_shipping=0.0, buyer_shipping=None
    ):
        """Line values of the fee buckets, plus the "other" remainder.

        :param fees: ``{bucket: amount}`` as costs (``api.shopee.escrow_fees`` /
            ``api.tiktok.statement_fees``); ``fees["shipping"]`` is the shipping paid out
            of the payout net of platform rebates.
        :param invoiced_shipping: the shipping the invoices billed to the buyer.
        :param buyer_shipping: what the buyer paid for shipping according to the
            platform (``None``: not reported, taken as ``invoiced_shipping``).
        :returns: ``[Command.create(...)]``: one per non-zero bucket, rounded to the
            currency; "other" takes ``fee_amount`` minus the buckets, so the lines add up
            to ``fee_amount`` exactly. A negative "other" (the platform paid more than
            the invoice minus the itemised fees: an adjustment or rebate it does not
            itemise) is credited on the Other fees account.
        """
        self.ensure_one()
        currency = self.currency_id
        Line = self.env["marketplace.settlement.line"]
        amounts = {bucket: float(amount) for bucket, amount in fees.items()}
        # The invoice bills ``invoiced_shipping`` to the buyer; the platform collects
        # ``buyer_shipping`` of it and pays the carrier out of the payout. What the
        # payout lacks for shipping is the net cost plus what the invoice billed beyond
        # what the buyer paid (0 when both agree).
        if buyer_shipping is not None:
            amounts["shipping"] = amounts.get("shipping", 0.0) + (
                invoiced_shipping - float(buyer_shipping)
            )
        commands = []
        total = 0.0
        for sequence, (bucket, amount) in enumerate(amounts.items()):
            amount = currency.round(amount)
            if currency.is_zero(amount):
                continue
            total += amount
            commands.append(
                Command.create(
                    {
                        "sequence": sequence,
                        "bucket": bucket,
                        "amount": amount,
                        "account_id": Line._marketplace_account(
                            self.shop_id, bucket
                        ).id,
                    }
                )
            )
        other = currency.round(self.fee_amount - total)
        if not currency.is_zero(other):
            commands.append(
                Command.create(
                    {
                        "sequence": 99,
                        "bucket": "other",
                        "amount": other,
                        "account_id": self.shop_id.fee_account_id.id,
                    }
                )
            )
        return commands

    def action_book(self):
        """Post Dr payout / Dr (or Cr) each fee bucket / Cr customer receivable.

        The receivable line is reconciled with the invoices' receivable. A settlement
        without fee lines (imported before the buckets existed) books its whole
        ``fee_amount`` as "other".

        :raises UserError: listing every missing piece (journal, invoice, accounts)
            before anything is posted.
        """
        Line = self.env["marketplace.settlement.line"]
        for settlement in self.filtered(lambda s: s.state == "draft"):
            shop = settlement.shop_id
            sale = settlement.marketplace_order_id.sale_order_id
            invoices = sale.invoice_ids.filtered(lambda m: m.state == "posted")
            if not settlement.line_ids and not settlement.currency_id.is_zero(
                settlement.fee_amount
            ):
                settlement.line_ids = settlement._marketplace_prepare_lines({})
            problems = []
            if not shop.settlement_journal_id:
                problems.append(_("the payout journal of %s", shop.name))
            if not invoices:
                problems.append(_("a posted invoice of %s", sale.name or "-"))
            for line in settlement.line_ids:
                line.account_id = Line._marketplace_account(shop, line.bucket)
                if not line.account_id:
                    problems.append(
                        _(
                            "an account for %(bucket)s on %(shop)s (or its Other fees "
                            "account)",
                            bucket=line._marketplace_bucket_label(),
                            shop=shop.name,
                        )
                    )
            if problems:
                raise UserError(
                    _(
                        "%(settlement)s cannot be booked yet; it needs:\n%(problems)s",
                        settlement=settlement.name,
                        problems="\n".join(f"- {p}" for p in problems),
                    )
                )
            receivable = invoices.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            journal = shop.settlement_journal_id
            line_commands = [
                Command.create(
                    {
                        "name": settlement.name,
                        "account_id": journal.default_account_id.id,
                        "debit": settlement.payout_amount,
                    }
                )
            ]
            for line in settlement.line_ids:
                line_commands.append(
                    Command.create(
                        {
                            "name": _(
                                "%(bucket)s %(settlement)s",
                                bucket=line._marketplace_bucket_label(),
                                settlement=settlement.name,
                            ),
                            "account_id": line.account_id.id,
                            "debit": max(line.amount, 0.0),
                            "credit": max(-line.amount, 0.0),
                        }
                    )
                )
            line_commands.append(
                Command.create(
                    {
                        "name": settlement.name,
                        "account_id": receivable.account_id[:1].id,
                        "partner_id": receivable.partner_id[:1].id,
                        "credit": settlement.invoiced_amount,
                    }
                )
            )
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "ref": settlement.name,
                    "line_ids": line_commands,
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
