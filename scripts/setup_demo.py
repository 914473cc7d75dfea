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


def connection(company, provider, name, values):
    Connection = env["integration.connection"].with_company(company)
    if provider not in dict(Connection._fields["provider"].selection):
        return Connection
    existing = Connection.search(
        [("provider", "=", provider), ("company_id", "=", company.id)]
    )
    if existing:
        return existing[:1]
    fields_ok = {k: v for k, v in values.items() if k in Connection._fields}
    return Connection.create(
        {
            "name": name,
            "provider": provider,
            "company_id": company.id,
            "environment": "test",
            **fields_ok,
        }
    )


company = demo_company()
env["ir.config_parameter"].sudo().set_param("web.base.url", ODOO_URL)
connection(
    company,
    "generic",
    "Generic webhook (demo)",
    {
        "webhook_secret": "demo-generic-secret",
    },
)
for provider, name, values in [
    (
        "midtrans",
        "Midtrans (demo)",
        {
            "base_url": f"{GATEWAY}/midtrans",
            "api_key": "SB-Mid-server-DEMO",
            "api_secret": "SB-Mid-server-DEMO",
        },
    ),
    (
        "xendit",
        "Xendit (demo)",
        {
            "base_url": f"{GATEWAY}/xendit",
            "api_key": "xnd_development_DEMO",
            "webhook_secret": "demo-callback-token",
        },
    ),
]:
    connection(company, provider, name, values)
env.cr.commit()
print(f"Demo company {company.name} ready (id {company.id}); gateways at {GATEWAY}")
