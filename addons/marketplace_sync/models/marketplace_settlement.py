# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import logging
import time
from datetime import timedelta

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base_integration.models.integration_event import _is_testing

from ..api import shopee, tiktok
from ..api.common import IntegrationError
from .const import (
    SETTLEABLE_STATUS,
    SETTLEMENT_BATCH,
    SETTLEMENT_CRON_SECONDS,
    SETTLEMENT_RECHECK_HOURS,
)

_logger = logging.getLogger(__name__)


class MarketplaceSettlement(models.Model):
    """What the platform paid out for one order, and the journal entry booking it.

    TikTok: the order's statement transactions (``settlement_amount``).
    Shopee: ``get_escrow_detail`` ``order_income.escrow_amount`` is the payout.
    What lies between the invoiced amount and the payout (``fee_amount``) is split into
    fee buckets (``line_ids``: commission, service, transaction, campaign/affiliate,
    shipping difference) from the platform's fee fields (``api.shopee.escrow_fees``,
    ``api.tiktok.statement_fees``); the remainder no bucket explains is the "other"
    line, so the lines always add up to ``fee_amount`` and the entry balances.

    The entry debits the payout to the shop's transit account (the balance the
    marketplace holds for the seller), never to the bank: the marketplace pays many
    orders out in one transfer, and that transfer's bank statement line clears the
    transit lines of its settlements (``_reconcile_payout``), as Odoo's outstanding
    receipts accounts are cleared by bank lines.
    """

    _name = "marketplace.settlement"
    _description = "Marketplace Settlement"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    marketplace_order_id = fields.Many2one(
        "marketplace.order", string="Marketplace order", required=True
    )
    payout_amount = fields.Monetary(string="Payout")
    fee_amount = fields.Monetary(string="Total fees")
    invoiced_amount = fields.Monetary(string="Invoiced")
    raw = fields.Text(string="Platform data (JSON)")
    line_ids = fields.One2many(
        "marketplace.settlement.line", "settlement_id", string="Fees", readonly=True
    )
    move_id = fields.Many2one("account.move", string="Journal entry", readonly=True)
    state = fields.Selection(
        [("draft", "Imported"), ("posted", "Booked")], string="Status", default="draft"
    )
    transit_line_id = fields.Many2one(
        "account.move.line",
        string="Transit line",
        readonly=True,
        copy=False,
        help="The payout on the transit account, cleared by the payout's bank line.",
    )
    payout_reconciled = fields.Boolean(
        "Paid out",
        related="transit_line_id.reconciled",
        help="The payout's bank statement line has cleared the transit line.",
    )

    _sql_constraints = [
        ("order_uniq", "unique(marketplace_order_id)", "An order is settled once.")
    ]

    # ------------------------------------------------------------------ import
    @api.model
    def _import_for(self, orders):
        """Import the Shopee escrow / TikTok statement of settled ``orders``.

        ``order_income.escrow_amount`` is what Shopee releases to the seller; it "will
        change before order is completed" (v2.payment.get_escrow_detail), so only
        completed orders are read, and an order without an amount yet stays pending
        (never 0). The fees are split into buckets (``marketplace.settlement.line``).
        Every order asked gets its ``settlement_checked_at``, so the cron asks the
        others first next time.

        :returns: the settlements created (draft: ``action_book`` posts them).
        :raises IntegrationError: the platform could not be asked.
        """
        created = self.browse()
        for order in orders.filtered(lambda o: not o.settlement_id and o.sale_order_id):
            payout, raw = self._marketplace_fetch_payout(order)
            order.settlement_checked_at = fields.Datetime.now()
            if payout is None:
                continue  # not settled yet: pending, never booked as 0
            invoices = order.sale_order_id.invoice_ids.filtered(
                lambda m: m.state == "posted"
            )
            # Net of credit notes (returns): what the receivable still holds.
            invoiced = sum(invoices.mapped("amount_total_signed"))
            settlement = self.create(
                {
                    "name": _(
                        "%(platform)s payout %(order)s",
                        platform=order.shop_id.name,
                        order=order.name,
                    ),
                    "shop_id": order.shop_id.id,
                    "marketplace_order_id": order.id,
                    "payout_amount": payout,
                    "invoiced_amount": invoiced,
                    "fee_amount": invoiced - payout,
                    "raw": json.dumps(raw, sort_keys=True, default=str),
                }
            )
            split = self._marketplace_fees(order, raw)
            shipping = sum(
                (-1 if line.move_id.move_type == "out_refund" else 1) * line.price_total
                for line in invoices.invoice_line_ids.filtered(
                    lambda line, product=order.shop_id.shipping_product_id: (
                        line.product_id == product
                    )
                )
            )
            settlement.line_ids = settlement._marketplace_prepare_lines(
                split["fees"], shipping, split["buyer_shipping"]
            )
            order.settlement_id = settlement
            created |= settlement
        return created

    @api.model
    def _marketplace_fetch_payout(self, order):
        """``(payout amount or None when pending, raw answer)`` of ``order``."""
        shop = order.shop_id
        if order.provider == "shopee":
            escrow = shop._marketplace_api("get_escrow_detail", order.name)
            amount = (escrow.get("order_income") or {}).get("escrow_amount")
            return (float(amount) if amount not in (None, "", 0) else None), escrow
        result = shop._marketplace_api(
            "get_order_statement",
            order.name,
            version=shop.tiktok_finance_version or "202501",
        )
        amount = result["settlement_amount"]
        return (float(amount) if amount is not None else None), result["raw"]

    @api.model
    def _marketplace_fees(self, order, raw):
        """Fees of the platform's settlement answer ``raw`` for ``order``, by bucket.

        :returns: ``{"fees": {bucket: Decimal}, "buyer_shipping": Decimal | None}``
            (``api.shopee.escrow_fees`` / ``api.tiktok.statement_fees``).
        """
        if order.provider == "shopee":
            return shopee.escrow_fees(raw)
        return tiktok.statement_fees(raw)

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

    # ------------------------------------------------------------------ booking
    def _marketplace_lock(self):
        """Lock the settlement rows before booking or paying them out: two people
        (or a person and the cron) must not post two entries for one payout.

        :raises UserError: someone else holds them right now.
        """
        if not self:
            return
        self.flush_recordset()
        try:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM marketplace_settlement WHERE id IN %s"
                    " ORDER BY id FOR UPDATE NOWAIT",
                    tuple(self.ids),
                )
            )
        except pg_errors.LockNotAvailable as exc:
            raise UserError(
                _(
                    "Someone else is booking these settlements right now; try again "
                    "in a moment."
                )
            ) from exc
        self.invalidate_recordset()

    def _marketplace_booking_problems(self, shop, invoices, receivable):
        """What this settlement needs before it can be booked (all at once)."""
        self.ensure_one()
        problems = []
        Line = self.env["marketplace.settlement.line"]
        if not shop.settlement_journal_id:
            problems.append(_("the payout journal of %s", shop.name))
        transit = shop.receivable_account_id
        if not transit:
            problems.append(_("the marketplace transit account of %s", shop.name))
        elif not transit.reconcile or transit.deprecated:
            problems.append(
                _(
                    "a reconcilable, active transit account on %(shop)s (%(account)s "
                    "is not): the payout's bank line must clear it",
                    shop=shop.name,
                    account=transit.display_name,
                )
            )
        if not invoices:
            problems.append(
                _(
                    "a posted invoice of %s",
                    self.sudo().marketplace_order_id.sale_order_id.name or "-",
                )
            )
        elif not receivable and not self.currency_id.is_zero(self.invoiced_amount):
            problems.append(
                _(
                    "an open receivable on %s (is the invoice already paid?)",
                    ", ".join(invoices.mapped("name")),
                )
            )
        for line in self.line_ids:
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
        return problems

    def action_book(self):
        """Post Dr transit (payout) / Dr (or Cr) each fee bucket / Cr customer
        receivable.

        The receivable line is reconciled with the invoices' receivable; the transit
        line stays open until the payout's bank statement line clears it. A settlement
        without fee lines (imported before the buckets existed) books its whole
        ``fee_amount`` as "other".

        The shop's configuration and the order's invoices are read as superuser: an
        accountant books without the sales and integration rights those records need;
        the entry itself is created and posted with the accountant's own rights.

        :raises UserError: listing every missing piece (journal, transit account,
            invoice, accounts) before anything is posted.
        """
        drafts = self.filtered(lambda s: s.state == "draft")
        drafts._marketplace_lock()
        for settlement in drafts.filtered(lambda s: s.state == "draft"):
            shop = settlement.shop_id.sudo()
            sale = settlement.sudo().marketplace_order_id.sale_order_id
            invoices = sale.invoice_ids.filtered(lambda m: m.state == "posted")
            invoices = invoices.with_env(self.env)
            if not settlement.line_ids and not settlement.currency_id.is_zero(
                settlement.fee_amount
            ):
                settlement.line_ids = settlement._marketplace_prepare_lines({})
            receivable = invoices.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            problems = settlement._marketplace_booking_problems(
                shop, invoices, receivable
            )
            if problems:
                raise UserError(
                    _(
                        "%(settlement)s cannot be booked yet; it needs:\n%(problems)s",
                        settlement=settlement.name,
                        problems="\n".join(f"- {p}" for p in problems),
                    )
                )
            payout = settlement.payout_amount
            line_commands = [
                Command.create(
                    {
                        "name": settlement.name,
                        "account_id": shop.receivable_account_id.id,
                        # the marketplace owes this until it pays out
                        "partner_id": shop.partner_id.commercial_partner_id.id,
                        "debit": max(payout, 0.0),
                        "credit": max(-payout, 0.0),
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
                    "journal_id": shop.settlement_journal_id.id,
                    "ref": settlement.name,
                    "line_ids": line_commands,
                }
            )
            move.action_post()
            # created in the order of ``line_commands``: transit first, receivable last
            booked = move.line_ids.sorted("id")
            (booked[-1] + receivable).reconcile()
            settlement.write(
                {
                    "move_id": move.id,
                    "transit_line_id": booked[0].id,
                    "state": "posted",
                }
            )
        return True

    # ------------------------------------------------------------------ payout
    def _reconcile_payout(self, st_line):
        """Clear the transit lines of these settlements with ``st_line``, the bank
        statement line of the marketplace's transfer.

        Odoo 18 Community has no reconciliation widget: the statement line's suspense
        line moves to the transit account and is reconciled with the settlements'
        transit lines (what the widget of ``account_accountant`` does on validation).
        A statement line already booked on the transit account is reconciled as is.

        :raises UserError: listing what does not match (unbooked or paid-out
            settlements, several transit accounts, an amount that differs, a line
            already reconciled); nothing is changed then.
        """
        st_line.ensure_one()
        self._marketplace_lock()
        problems = []
        unbooked = self.filtered(lambda s: s.state != "posted")
        if unbooked:
            problems.append(_("not booked yet: %s", ", ".join(unbooked.mapped("name"))))
        lines = self.transit_line_id.filtered(lambda line: not line.reconciled)
        transit = lines.account_id
        paid = (self - unbooked).filtered(lambda s: s.transit_line_id not in lines)
        if paid:
            problems.append(_("already paid out: %s", ", ".join(paid.mapped("name"))))
        if len(transit) > 1:
            problems.append(
                _(
                    "they use several transit accounts: %s",
                    ", ".join(transit.mapped("display_name")),
                )
            )
        _liquidity, suspense, others = st_line._seek_for_lines()
        counterpart = suspense or others.filtered(
            lambda line: line.account_id in transit and not line.reconciled
        )
        if st_line.is_reconciled or len(counterpart) != 1:
            problems.append(_("the bank line is already reconciled"))
        currency = st_line.currency_id
        expected = sum(lines.mapped("amount_residual"))
        if currency.compare_amounts(st_line.amount, expected):
            problems.append(
                _(
                    "the bank line (%(bank)s) and the settlements (%(settled)s) "
                    "differ by %(diff)s: add the missing settlements",
                    bank=st_line.amount,
                    settled=expected,
                    diff=currency.round(st_line.amount - expected),
                )
            )
        if problems:
            raise UserError(
                _(
                    "Bank line %(line)s cannot clear these settlements:\n%(problems)s",
                    line=st_line.display_name,
                    problems="\n".join(f"- {p}" for p in problems),
                )
            )
        if counterpart.account_id != transit:
            st_line.with_context(skip_readonly_check=True).write(
                {
                    "line_ids": [
                        Command.update(
                            counterpart.id,
                            {
                                "account_id": transit.id,
                                "partner_id": lines.partner_id[:1].id,
                            },
                        )
                    ]
                }
            )
        (counterpart + lines).reconcile()
        return True

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_import(self, limit=SETTLEMENT_BATCH):
        """Import and book the payouts of completed orders, oldest first.

        Orders asked within ``SETTLEMENT_RECHECK_HOURS`` are skipped, so the ones not
        asked for longest come next and none is starved by newer pending orders; each
        order is asked, imported and booked in its own savepoint and committed alone
        (outside tests), so a failure or a killed worker loses one order's work at
        most. A settlement that cannot be booked yet (no posted invoice, a missing
        account) stays imported, for a person to book from the list once that is
        fixed. When more orders wait than one run takes, the cron runs again at once
        (``_notify_progress``).

        :returns: number of orders asked.
        """
        commit = not _is_testing(self.env)
        deadline = time.monotonic() + SETTLEMENT_CRON_SECONDS
        Order = self.env["marketplace.order"]
        domain = [
            ("settlement_id", "=", False),
            ("platform_status", "=", SETTLEABLE_STATUS),
            ("sale_order_id", "!=", False),
            "|",
            ("settlement_checked_at", "=", False),
            (
                "settlement_checked_at",
                "<",
                fields.Datetime.now() - timedelta(hours=SETTLEMENT_RECHECK_HOURS),
            ),
        ]
        orders = Order.search(
            domain, order="platform_update_time asc, id asc", limit=limit
        )
        done = 0
        for order in orders:
            if time.monotonic() > deadline:
                break
            done += 1
            created = self._marketplace_unit(
                lambda order=order: self._import_for(order), order.name, commit
            )
            if created is None:
                # the platform could not be asked: the others come first next time
                self._marketplace_unit(
                    lambda order=order: order.write(
                        {"settlement_checked_at": fields.Datetime.now()}
                    ),
                    order.name,
                    commit,
                )
            elif created:
                # booked apart: a missing account leaves the import in place
                self._marketplace_unit(created.action_book, created.name, commit)
        self.env["ir.cron"]._notify_progress(
            done=done, remaining=Order.search_count(domain)
        )
        return done

    @api.model
    def _marketplace_unit(self, work, label, commit):
        """Run ``work()`` in a savepoint, committed alone outside tests.

        :returns: what ``work()`` returned, ``None`` when it failed; failures are
            logged, never raised (the cron goes on with the next unit, the next run
            retries).
        """
        result = None
        try:
            with self.env.cr.savepoint():
                result = work()
        except (IntegrationError, UserError) as exc:
            _logger.info("Settlement of %s not done: %s", label, exc)
        except psycopg2.OperationalError as exc:
            # a lock or serialization conflict with intake or a person: next run
            _logger.info("Settlement of %s postponed: %s", label, exc)
        except Exception:  # noqa: BLE001 - next run retries; the log says why
            _logger.exception("Settlement of %s failed", label)
        if commit:
            try:
                # Safe: each unit's work is complete (or rolled back to its
                # savepoint); committing keeps it when a later unit or the worker
                # dies.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            except psycopg2.OperationalError as exc:
                # a serialization failure at commit: this unit waits for the next run
                self.env.cr.rollback()
                _logger.info("Settlement of %s postponed: %s", label, exc)
                result = None
        return result
