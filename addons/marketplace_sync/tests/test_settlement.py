# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoice at the configured moment; Shopee escrow books fees, clears the receivable."""

from odoo.tests import tagged

from .common import MarketplaceCase


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
