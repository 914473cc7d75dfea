# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Run through ``odoo shell`` (scripts/run.sh, docker/odoo-entrypoint.sh): an Indonesian
demo company (IDR, PPN, chart of accounts) and demo connections to the local gateway test
servers at $GATEWAY_BASE_URL, so the integrations work without any credentials.

The credentials below are the test servers' own fixed demo keys, not real ones.
"""
# ruff: noqa: F821  (``env`` is provided by odoo shell)

import os

GATEWAY = os.environ.get("GATEWAY_BASE_URL", "http://127.0.0.1:8070").rstrip("/")
ODOO_URL = os.environ.get("ODOO_URL", "http://127.0.0.1:8069").rstrip("/")


def demo_company():
    company = env["res.company"].search([("name", "=", "PT Nusantara Demo")], limit=1)
    if company:
        return company
    indonesia = env.ref("base.id")
    idr = env.ref("base.IDR")
    idr.active = True
    company = env["res.company"].create(
        {
            "name": "PT Nusantara Demo",
            "country_id": indonesia.id,
            "currency_id": idr.id,
            "street": "Jl. Jend. Sudirman Kav. 52-53",
            "city": "Jakarta Selatan",
            "zip": "12190",
            "vat": "01.300.066.6-091.000",
            "email": "finance@nusantara-demo.example",
        }
    )
    env["account.chart.template"].try_loading("id", company=company, install_demo=False)
    admin = env.ref("base.user_admin")
    admin.write({"company_ids": [(4, company.id)], "company_id": company.id})
    return company


def create_once(model, company, provider, values):
    Model = env[model].with_company(company)
    providers = dict(Model.fields_get(["provider"])["provider"]["selection"])
    if provider not in providers:
        return Model  # that addon is not installed
    existing = Model.search(
        [("provider", "=", provider), ("company_id", "=", company.id)], limit=1
    )
    return existing or Model.create(
        {
            "provider": provider,
            "company_id": company.id,
            "environment": "test",
            **values,
        }
    )


def demo_connections(company):
    create_once(
        "integration.connection",
        company,
        "generic",
        {
            "name": "Generic webhook (demo)",
            "webhook_secret": "demo-generic-secret",
        },
    )
    if "payment.va" in env:
        from odoo.addons.base_integration.tests.gateway_servers.midtrans import (
            MidtransApi,
        )
        from odoo.addons.base_integration.tests.gateway_servers.xendit import XenditApi

        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        Bank = env["payment.va.bank"]
        for provider, name, secret, token, bank in [
            (
                "midtrans",
                "Midtrans (demo)",
                MidtransApi.server_key,
                False,
                "payment_va.bank_midtrans_bni",
            ),
            (
                "xendit",
                "Xendit (demo)",
                XenditApi.secret_key,
                XenditApi.callback_token,
                "payment_va.bank_xendit_bri",
            ),
        ]:
            create_once(
                "integration.connection",
                company,
                provider,
                {
                    "name": name,
                    "base_url": f"{GATEWAY}/{provider}",
                    "api_secret": secret,
                    "webhook_secret": token,
                    "va_journal_id": journal.id,
                    "va_mode": "invoice",
                    "va_bank_ids": [
                        (6, 0, Bank.search([("provider", "=", provider)]).ids)
                    ],
                    "va_default_bank_id": env.ref(bank).id,
                },
            )
    if "marketplace.shop" in env:
        from odoo.addons.base_integration.tests.gateway_servers.shopee import ShopeeApi
        from odoo.addons.base_integration.tests.gateway_servers.tiktok import TiktokApi

        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        ) or env["stock.warehouse"].create(
            {"name": "Gudang Jakarta", "code": "JKT", "company_id": company.id}
        )
        # No tokens: press "Connect" on the shop to run the authorization against the
        # test server, as a seller would on the platform.
        create_once(
            "marketplace.shop",
            company,
            "shopee",
            {
                "name": "Shopee (demo)",
                "warehouse_id": warehouse.id,
                "shop_ref": str(ShopeeApi.shop_id),
                "api_key": str(ShopeeApi.partner_id),
                "api_secret": ShopeeApi.partner_key,
                "webhook_secret": ShopeeApi.push_key,
                "base_url": f"{GATEWAY}/shopee",
            },
        )
        create_once(
            "marketplace.shop",
            company,
            "tiktok",
            {
                "name": "Tokopedia via TikTok Shop (demo)",
                "warehouse_id": warehouse.id,
                "shop_ref": TiktokApi.shop_id,
                "tiktok_shop_cipher": TiktokApi.shop_cipher,
                "api_key": TiktokApi.app_key,
                "api_secret": TiktokApi.app_secret,
                "base_url": f"{GATEWAY}/tiktok",
                "tiktok_auth_url": f"{GATEWAY}/tiktok",
            },
        )


company = demo_company()
env["ir.config_parameter"].sudo().set_param("web.base.url", ODOO_URL)
demo_connections(company)
env.cr.commit()
print(f"Demo company {company.name} ready (id {company.id}); gateways at {GATEWAY}")
