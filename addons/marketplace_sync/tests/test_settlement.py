# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoice at the configured moment; Shopee escrow books fees, clears the receivable."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceCase

BUCKET_FIELDS = {
    "commission": "commission_account_id",
    "service": "service_fee_account_id",
    "transaction": "transaction_fee_account_id",
    "campaign": "campaign_fee_account_id",
    "shipping": "shipping_fee_account_id",
    "other": "fee_account_id",
}


@tagged("post_install", "-at_install")
class TestSettlement(MarketplaceCase):
    def test_invoice_on_completed_then_escrow_settles(self):
        shop = self.shopee_shop
        chart = self.env["account.chart.template"].with_company(self.company)
        shop.write(
            {
                "invoice_moment": "completed",
                "fee_account_id": chart.ref("a5_6_1").id
                if chart.ref("a5_6_1", raise_if_not_found=False)
                else self.env["account.account"]
                .search(
                    [
                        ("company_ids", "in", self.company.id),
                        ("account_type", "=", "expense"),
                    ],
                    limit=1,
                )
                .id,
                "settlement_journal_id": self.env["account.journal"]
                .search(
                    [("company_id", "=", self.company.id), ("type", "=", "bank")],
                    limit=1,
                )
                .id,
            }
        )
        self.shopee_order()
        shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(shop, "201218V2Y6E59M")
        self.assertFalse(mp.sale_order_id.invoice_ids)
        self.shopee_api.set_status("201218V2Y6E59M", "COMPLETED")
        shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        invoice = mp.sale_order_id.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 212000.0)
        self.assertEqual(invoice.partner_id, shop.partner_id)
        # not settled yet: nothing stored
        self.shopee_api.escrows["201218V2Y6E59M"] = {
            "order_sn": "201218V2Y6E59M",
            "order_income": {"escrow_amount": 0},
        }
        mp.action_import_settlement()
        self.assertFalse(mp.settlement_id)
        self.shopee_api.escrows["201218V2Y6E59M"] = {
            "order_sn": "201218V2Y6E59M",
            "order_income": {
                "escrow_amount": 190800,
                "commission_fee": 12720,
                "service_fee": 8480,
            },
        }
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.fee_amount, 21200.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_tiktok_statement_settles(self):
        shop = self.tiktok_shop
        shop.write(
            {
                "invoice_moment": "confirm",
                "fee_account_id": self.env["account.account"]
                .search(
                    [
                        ("company_ids", "in", self.company.id),
                        ("account_type", "=", "expense"),
                    ],
                    limit=1,
                )
                .id,
                "settlement_journal_id": self.env["account.journal"]
                .search(
                    [("company_id", "=", self.company.id), ("type", "=", "bank")],
                    limit=1,
                )
                .id,
            }
        )
        self.tiktok_order()
        shop._marketplace_fetch_and_import(["576461413038785752"])
        mp = self.mp_order(shop, "576461413038785752")
        invoice = mp.sale_order_id.invoice_ids
        self.assertEqual(invoice.amount_total, 149000.0)
        mp.action_import_settlement()  # zero amounts: pending
        self.assertFalse(mp.settlement_id)
        self.tiktok_api.statements["576461413038785752"] = [
            {
                "settlement_amount": "130000",
                "revenue_amount": "149000",
                "fee_amount": "-19000",
                "adjustment_amount": "0",
            }
        ]
        mp.action_import_settlement()
        self.assertEqual(mp.settlement_id.fee_amount, 19000.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))


@tagged("post_install", "-at_install")
class TestSettlementBuckets(MarketplaceCase):
    """Fees split by bucket onto the shop's accounts; the entry balances."""

    def setUp(self):
        super().setUp()
        Account = self.env["account.account"]
        self.accounts = {
            bucket: Account.create(
                {
                    "name": f"Marketplace {bucket}",
                    "code": f"MPF{index}",
                    "account_type": "expense",
                    "company_ids": [self.company.id],
                }
            )
            for index, bucket in enumerate(BUCKET_FIELDS)
        }
        self.journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")], limit=1
        )

    def _configure(self, shop, buckets=tuple(BUCKET_FIELDS), **values):
        values.update(
            {BUCKET_FIELDS[b]: self.accounts[b].id for b in buckets},
            settlement_journal_id=self.journal.id,
        )
        shop.write(values)

    def _shopee_invoiced(self):
        """The fixture order (212 000 incl. 12 000 shipping), completed and invoiced."""
        shop = self.shopee_shop
        shop.invoice_moment = "completed"
        self.shopee_order(status="COMPLETED")
        shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        mp = self.mp_order(shop, "201218V2Y6E59M")
        self.assertEqual(mp.sale_order_id.invoice_ids.amount_total, 212000.0)
        return mp

    def _tiktok_invoiced(self):
        """The fixture order (149 000 incl. 9 000 shipping), invoiced on confirmation."""
        shop = self.tiktok_shop
        shop.invoice_moment = "confirm"
        self.tiktok_order()
        shop._marketplace_fetch_and_import(["576461413038785752"])
        mp = self.mp_order(shop, "576461413038785752")
        self.assertEqual(mp.sale_order_id.invoice_ids.amount_total, 149000.0)
        return mp

    def _lines(self, settlement):
        return {line.bucket: line.amount for line in settlement.line_ids}

    def _assert_booked(self, mp):
        """Balanced to the rupiah, receivable cleared, one move line per bucket."""
        settlement = mp.settlement_id
        move = settlement.move_id
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(move.state, "posted")
        debit = sum(move.line_ids.mapped("debit"))
        credit = sum(move.line_ids.mapped("credit"))
        self.assertEqual(debit, credit)
        self.assertEqual(
            sum(settlement.line_ids.mapped("amount")),
            settlement.invoiced_amount - settlement.payout_amount,
        )
        # The payout waits on the shop's transit account for the marketplace's
        # transfer (whose bank line clears it): the bank account is not touched, so
        # the bank statement does not count the money a second time (review D3).
        payout = move.line_ids.filtered(
            lambda line: line.account_id == mp.shop_id.receivable_account_id
        )
        self.assertEqual(payout.debit, settlement.payout_amount)
        self.assertEqual(settlement.transit_line_id, payout)
        self.assertFalse(payout.reconciled)
        self.assertFalse(
            move.line_ids.filtered(
                lambda line: line.account_id == self.journal.default_account_id
            )
        )
        for line in settlement.line_ids:
            booked = move.line_ids.filtered(
                lambda ml, line=line: (
                    ml.account_id == line.account_id
                    and ml.name.startswith(line._marketplace_bucket_label())
                )
            )
            self.assertEqual(len(booked), 1, line.bucket)
            self.assertEqual(booked.balance, line.amount, line.bucket)
        receivable = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.credit, settlement.invoiced_amount)
        self.assertTrue(receivable.reconciled)
        invoice = mp.sale_order_id.invoice_ids
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0.0)

    def test_shopee_escrow_split_by_bucket(self):
        self._configure(
            self.shopee_shop,
            buckets=("commission", "service", "transaction", "shipping", "other"),
        )
        mp = self._shopee_invoiced()
        escrow = self.shopee_api.settle(
            "201218V2Y6E59M",
            campaign_fee=2000,
            order_ams_commission_fee=3000,
            seller_order_processing_fee=1250,
            actual_shipping_fee=15000,
            shopee_shipping_rebate=2000,
            withholding_tax=1000,
        )
        # documented formula: 200 000 + 12 000 + 2 000 - 15 000 - 4 240 - 8 000
        # - 13 000 - 2 000 - 3 000 - 1 000 - 1 250
        self.assertEqual(escrow["order_income"]["escrow_amount"], 166510)
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(settlement.payout_amount, 166510.0)
        self.assertEqual(settlement.fee_amount, 45490.0)
        self.assertEqual(
            self._lines(settlement),
            {
                "commission": 13000.0,
                "service": 9250.0,  # service fee + order processing fee
                "transaction": 4240.0,
                "campaign": 5000.0,  # campaign fee + affiliate commission
                "shipping": 13000.0,  # carrier 15 000 - Shopee rebate 2 000
                "other": 1000.0,  # withholding tax: no bucket
            },
        )
        by_bucket = {line.bucket: line.account_id for line in settlement.line_ids}
        self.assertEqual(by_bucket["commission"], self.accounts["commission"])
        self.assertEqual(by_bucket["shipping"], self.accounts["shipping"])
        # no campaign account on the shop: the general fee account
        self.assertEqual(by_bucket["campaign"], self.accounts["other"])
        self.assertEqual(by_bucket["other"], self.accounts["other"])
        self._assert_booked(mp)

    def test_tiktok_statement_split_by_bucket(self):
        self._configure(self.tiktok_shop)
        mp = self._tiktok_invoiced()
        data = self.tiktok_api.settle(
            "576461413038785752",
            fee={
                "affiliate_commission_amount": -7000,
                "voucher_xtra_service_fee_amount": -1400,
                "sfp_service_fee_amount": -2000,
            },
            tax={"pit_amount": -500},
            shipping={
                "actual_shipping_fee_amount": -11000,
                "shipping_fee_discount_amount": 1000,
            },
        )
        # 140 000 revenue - 22 800 fees and tax - 1 000 shipping (Get Transactions by
        # Order 202501: settlement = revenue + fee_tax + shipping_cost, signed)
        self.assertEqual(data["settlement_amount"], "116200")
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(settlement.payout_amount, 116200.0)
        self.assertEqual(
            self._lines(settlement),
            {
                "commission": 9100.0,  # 6.5 % of 90 000 + 50 000
                "service": 2000.0,
                "transaction": 2800.0,
                "campaign": 8400.0,  # affiliate + Voucher Xtra
                "shipping": 10000.0,  # carrier 11 000 - platform discount 1 000
                "other": 500.0,  # PIT withheld: no bucket
            },
        )
        for line in settlement.line_ids:
            self.assertEqual(line.account_id, self.accounts[line.bucket], line.bucket)
        self._assert_booked(mp)

    def test_fee_accounts_fall_back_to_general_fee_account(self):
        self._configure(self.shopee_shop, buckets=("other",))
        mp = self._shopee_invoiced()
        self.shopee_api.settle("201218V2Y6E59M")
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(
            self._lines(settlement),
            {
                "commission": 13000.0,
                "service": 8000.0,
                "transaction": 4240.0,
                "shipping": 12000.0,  # the carrier took what the buyer paid
            },
        )
        self.assertEqual(settlement.line_ids.account_id, self.accounts["other"])
        self._assert_booked(mp)
        fees = settlement.move_id.line_ids.filtered(
            lambda line: line.account_id == self.accounts["other"]
        )
        self.assertEqual(sum(fees.mapped("balance")), 37240.0)

    def test_rebate_and_payout_above_invoice_are_credited(self):
        self._configure(self.shopee_shop)
        mp = self._shopee_invoiced()
        # Shopee's rebate exceeds the carrier's fee, and the payout is 3 000 above
        # what the itemised fees leave (an adjustment Shopee does not itemise)
        escrow = self.shopee_api.settle(
            "201218V2Y6E59M",
            actual_shipping_fee=10000,
            shopee_shipping_rebate=12000,
            escrow_amount=191760,  # formula: 188 760
        )
        self.assertEqual(escrow["order_income"]["escrow_amount"], 191760)
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(self._lines(settlement)["shipping"], -2000.0)
        self.assertEqual(self._lines(settlement)["other"], -3000.0)
        move = settlement.move_id
        shipping = move.line_ids.filtered(
            lambda line: line.account_id == self.accounts["shipping"]
        )
        self.assertEqual((shipping.debit, shipping.credit), (0.0, 2000.0))
        other = move.line_ids.filtered(
            lambda line: line.account_id == self.accounts["other"]
        )
        self.assertEqual((other.debit, other.credit), (0.0, 3000.0))
        self._assert_booked(mp)

    def test_unsettled_order_stays_open(self):
        self._configure(self.tiktok_shop)
        self._configure(self.shopee_shop)
        tiktok = self._tiktok_invoiced()
        shopee = self._shopee_invoiced()
        self.shopee_api.settle("201218V2Y6E59M", escrow_amount=0)
        self.tiktok_api.set_status("576461413038785752", "COMPLETED")
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        # zero amounts: not settled yet (TikTok SEA answers zeros, reference §2.7)
        self.env["marketplace.settlement"]._cron_import()
        for mp in tiktok | shopee:
            self.assertFalse(mp.settlement_id, mp.name)
            invoice = mp.sale_order_id.invoice_ids
            self.assertEqual(invoice.payment_state, "not_paid", mp.name)
            self.assertEqual(invoice.amount_residual, invoice.amount_total, mp.name)
        self.assertFalse(
            self.env["marketplace.settlement"].search(
                [("marketplace_order_id", "in", (tiktok | shopee).ids)]
            )
        )

    def test_booking_lists_missing_accounts(self):
        self.shopee_shop.settlement_journal_id = self.journal
        mp = self._shopee_invoiced()
        self.shopee_api.settle("201218V2Y6E59M")
        settlement = self.env["marketplace.settlement"]._import_for(mp)
        self.assertEqual(len(settlement.line_ids), 4)
        with self.assertRaises(UserError) as caught:
            settlement.action_book()
        message = str(caught.exception)
        for label in ("Commission", "Service fees", "Transaction fees"):
            self.assertIn(label, message)
        self.assertEqual(settlement.state, "draft")
        self.assertFalse(settlement.move_id)
        self.assertEqual(mp.sale_order_id.invoice_ids.payment_state, "not_paid")
        # an account per bucket, added later, is used when booking
        self._configure(self.shopee_shop)
        settlement.action_book()
        self.assertEqual(
            settlement.line_ids.mapped("account_id"),
            self.accounts["commission"]
            | self.accounts["service"]
            | self.accounts["transaction"]
            | self.accounts["shipping"],
        )
        self._assert_booked(mp)

    def test_settlement_after_refund_is_net_of_the_credit_note(self):
        """A refund (credit note) lowers what the receivable holds: the settlement
        credits the net amount and clears invoice and credit note together."""
        self._configure(self.shopee_shop)
        mp = self._shopee_invoiced()
        sale = mp.sale_order_id
        picking = sale.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.addCleanup(self.shopee_api.returns.clear)
        self.shopee_api.put_return(
            {
                "return_sn": "2206150VTNET001",
                "order_sn": "201218V2Y6E59M",
                "status": "ACCEPTED",
                "refund_amount": 50000,
                "currency": "IDR",
                "needs_logistics": False,
                "reason": "DAMAGED_PRODUCT",
                "text_reason": "",
                "item": [
                    {
                        "item_id": 1001,
                        "model_id": 2001,
                        "variation_sku": "KAOS-HIT-L",
                        "amount": 1,
                        "item_price": 50000,
                    }
                ],
            }
        )
        mp.action_marketplace_check_returns()
        refund = sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(refund.amount_total, 50000.0, mp.return_ids.error_message)
        escrow = self.shopee_api.settle("201218V2Y6E59M")
        mp.action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(settlement.invoiced_amount, 212000.0 - 50000.0)
        self.assertEqual(
            settlement.payout_amount, escrow["order_income"]["escrow_amount"]
        )
        self.assertEqual(
            settlement.fee_amount,
            settlement.invoiced_amount - settlement.payout_amount,
        )
        move = settlement.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(
            sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
        )
        invoice = sale.invoice_ids - refund
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(refund.amount_residual, 0.0)
