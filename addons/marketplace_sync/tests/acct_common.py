# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Setup shared by the ``test_acct_*`` files.

``AccountingCase``: a marketplace transit account, an account per fee bucket, a
miscellaneous journal for the settlement entries and the bank journal the payouts
arrive on; least-privilege users.

``RealCursorCase``: a Shopee shop and a salesperson committed in real cursors (the
``test_parallel_workers`` pattern), for what only separate transactions can show:
locks, rollbacks, concurrent inserts. Everything committed is removed at the end.
"""

from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user

from odoo.addons.base_integration.tests.common import IntegrationTestMixin
from odoo.addons.base_integration.tests.gateway_servers.shopee import ShopeeApi

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


class RealCursorCase(IntegrationTestMixin, BaseCase):
    shop_values = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopee_api = ShopeeApi()
        cls.server = cls._start_gateway_server(cls.shopee_api)
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.ids = {}
        self.addCleanup(self._cleanup)
        access, refresh, lifetime = self.shopee_api.issue_tokens()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": "Shopee (real cursors)"})
            self.ids["partners"] = partner.ids
            shop = env["marketplace.shop"].create(
                {
                    "name": "Shopee real cursors",
                    "provider": "shopee",
                    "company_id": company.id,
                    "shop_ref": str(self.shopee_api.shop_id),
                    "api_key": str(self.shopee_api.partner_id),
                    "api_secret": self.shopee_api.partner_key,
                    "base_url": self.server.url + "/shopee",
                    "access_token": access,
                    "refresh_token": refresh,
                    "token_expires_at": fields.Datetime.now()
                    + timedelta(seconds=lifetime),
                    "partner_id": partner.id,
                    "tax_id": env["account.tax"]
                    .search(
                        [
                            ("company_id", "=", company.id),
                            ("type_tax_use", "=", "sale"),
                        ],
                        limit=1,
                    )
                    .id,
                    "receivable_account_id": env["account.account"]
                    .search(
                        [
                            ("company_ids", "in", company.id),
                            ("reconcile", "=", True),
                            ("account_type", "=", "asset_current"),
                        ],
                        limit=1,
                    )
                    .id,
                    **self.shop_values,
                }
            )
            salesman = new_test_user(
                env,
                login="mkacct_rc_salesman",
                groups="sales_team.group_sale_salesman",
            )
            self.ids.update(
                shop=shop.id,
                connection=shop.connection_id.id,
                user=salesman.id,
                partners=[partner.id, salesman.partner_id.id],
            )

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["marketplace.shop"].browse(self.ids.get("shop")).exists()
            env["marketplace.order"].search([("shop_id", "in", shop.ids)]).unlink()
            shop.unlink()
            env["integration.connection"].browse(
                self.ids.get("connection")
            ).exists().unlink()
            env["res.users"].browse(self.ids.get("user")).exists().unlink()
            env["res.partner"].search(
                [("id", "child_of", self.ids.get("partners", []))]
            ).unlink()
            self.extra_cleanup(env)

    def extra_cleanup(self, env):
        """Remove what a test committed beyond the shop (override)."""
