# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Virtual Accounts and Marketplace Orders",
    "summary": "Invoices of marketplace orders never get a virtual account: the "
    "platform pays them through its settlement",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "depends": ["payment_va", "marketplace_sync"],
    "data": [],
    "assets": {
        "web.assets_tests": [
            "payment_va_marketplace/static/tests/tours/demo_try_it_tour.js",
        ],
    },
    "auto_install": True,
    "installable": True,
}
