# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Accounting setup shared by the ``test_acct_*`` files: a marketplace transit
account, an account per fee bucket, a miscellaneous journal for the settlement entries
and the bank journal the payouts arrive on; least-privilege users."""

from odoo.tests import new_test_user

from .common import MarketplaceCase

BUCKET_FIELDS = {
    "commission": "commission_account_id",
    "service": "service_fee_account_id",
    "transaction": "transaction_fee_account_id",
    "campaign": "campaign_fee_account_id",
    "shipping": "shipping_fee_account_id",
    "other": "fee_account_id",
}


class AccountingCase(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.transit = Account.create(
            {
                "name": "Saldo marketplace (transit)",
                "code": "11129901",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [cls.company.id],
            }
        )
        cls.fee_accounts = {
            bucket: Account.create(
                {
                    "name": f"Marketplace {bucket}",
                    "code": f"6199{index:04d}",
                    "account_type": "expense",
                    "company_ids": [cls.company.id],
                }
            )
            for index, bucket in enumerate(BUCKET_FIELDS)
        }
        Journal = cls.env["account.journal"]
        cls.misc_journal = Journal.search(
            [("company_id", "=", cls.company.id), ("type", "=", "general")], limit=1
        )
        cls.bank_journal = Journal.search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")], limit=1
        )
        for shop in cls.shopee_shop | cls.tiktok_shop:
            shop.write(
                {
                    "receivable_account_id": cls.transit.id,
                    "settlement_journal_id": cls.misc_journal.id,
                    **{
                        field: cls.fee_accounts[bucket].id
                        for bucket, field in BUCKET_FIELDS.items()
                    },
                }
            )
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.salesman = new_test_user(
            cls.env,
            login="mkacct_salesman",
            groups="sales_team.group_sale_salesman",
            **company,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="mkacct_accountant",
            groups="account.group_account_invoice",
            **company,
        )

    def invoiced_shopee(self, order_sn="201218V2Y6E59M", **changes):
        """A Shopee order of the fixture (212 000), completed and invoiced."""
        shop = self.shopee_shop
        shop.invoice_moment = "completed"
        self.shopee_order(order_sn=order_sn, status="COMPLETED", **changes)
        shop._marketplace_fetch_and_import([order_sn])
        mp = self.mp_order(shop, order_sn)
        self.assertEqual(mp.state, "imported", mp.error_message)
        self.assertEqual(mp.sale_order_id.invoice_ids.state, "posted")
        return mp

    def balance(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))
