# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Both addons installed (as the suite's test database has them): a marketplace
order's invoice gets no VA, another invoice of the same company does."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.base_integration.tests.gateway_servers.midtrans import MidtransApi
from odoo.addons.marketplace_sync.tests.common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestVaMarketplace(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.midtrans_api = MidtransApi()
        cls.va_server = cls._start_gateway_server(cls.midtrans_api)
        cls.midtrans = (
            cls.env["integration.connection"]
            .sudo()
            .create(
                {
                    "name": "Midtrans toko",
                    "provider": "midtrans",
                    "company_id": cls.company.id,
                    "base_url": cls.midtrans_api.base_url,
                    "api_secret": MidtransApi.server_key,
                    "va_journal_id": cls.env["account.journal"]
                    .search(
                        [("company_id", "=", cls.company.id), ("type", "=", "bank")],
                        limit=1,
                    )
                    .id,
                    "va_mode": "invoice",
                    "va_auto_create": True,
                    "va_bank_ids": [
                        Command.set(
                            cls.env["payment.va.bank"]
                            .search([("provider", "=", "midtrans")])
                            .ids
                        )
                    ],
                    "va_default_bank_id": cls.env.ref(
                        "payment_va.bank_midtrans_bni"
                    ).id,
                }
            )
        )
        cls.buyer = cls.env["res.partner"].create({"name": "Pembeli Shopee"})
        cls.clerk = new_test_user(
            cls.env,
            login="va-marketplace-clerk",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _sale(self, marketplace_order=None):
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.buyer.id,
                "company_id": self.company.id,
                "marketplace_order_id": marketplace_order.id
                if marketplace_order
                else False,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.topi.id,
                            "product_uom_qty": 1,
                            "price_unit": 100000,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        sale.action_confirm()
        return sale

    def _va_events(self, move):
        return self.env["integration.event"].search(
            [
                ("direction", "=", "outbound"),
                ("dedupe_key", "=", f"payment_va_refresh:{move.id}"),
            ]
        )

    def test_marketplace_invoice_gets_no_va(self):
        order = self.env["marketplace.order"].create(
            {"name": "240101GLUE0001", "shop_id": self.shopee_shop.id}
        )
        sale = self._sale(order)
        sale._marketplace_invoice()  # what the order sync does
        invoice = sale.invoice_ids
        self.assertEqual((invoice.state, invoice.currency_id.name), ("posted", "IDR"))
        self.assertFalse(self._va_events(invoice), "no VA is asked for")
        self.env["integration.event"]._process_pending("outbound")
        self.assertFalse(invoice.payment_va_ids)
        self.assertFalse(self.va_server.requests_to("/midtrans/v2/charge"))

    def test_other_invoice_still_gets_its_va(self):
        sale = self._sale()
        invoice = sale._create_invoices()
        invoice.with_user(self.clerk).action_post()
        self.assertEqual(len(self._va_events(invoice)), 1)
        self.env["integration.event"]._process_pending("outbound")
        self.assertEqual(invoice.payment_va_ids.state, "open")
