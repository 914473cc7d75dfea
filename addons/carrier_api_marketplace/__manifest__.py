# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Carrier Waybills to Marketplaces",
    "summary": "The waybill of our carrier goes back to Shopee / TikTok Shop through "
    "the outbox",
    "version": "18.0.1.0.1",
    "development_status": "Alpha",
    "category": "Inventory/Delivery",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "depends": ["carrier_api", "marketplace_sync"],
    "data": ["data/mail_activity_type_data.xml"],
    "auto_install": True,
    "installable": True,
}
