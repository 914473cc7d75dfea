# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Virtual Account Payments (Midtrans, Xendit)",
    "summary": "Bank virtual accounts per invoice or per customer through Midtrans and "
    "Xendit: verified notifications, exactly-once booking and reconciliation",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "depends": ["base_integration", "account"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/payment_va_security.xml",
        "security/ir.model.access.csv",
        "data/payment_va_bank_data.xml",
        "data/ir_cron.xml",
        "views/payment_va_views.xml",
        "views/payment_va_review_views.xml",
        "views/payment_va_transaction_views.xml",
        "views/integration_connection_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "wizard/payment_va_review_allocate_views.xml",
        "wizard/payment_va_reconcile_report_views.xml",
        "views/payment_va_menus.xml",
        "views/res_config_settings_views.xml",
        "report/report_invoice.xml",
        "views/account_portal_templates.xml",
    ],
    "assets": {
        "web.assets_tests": ["payment_va/static/tests/tours/*.js"],
    },
    "installable": True,
}
