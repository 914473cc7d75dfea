# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Marketplace Sync (Shopee, TikTok Shop / Tokopedia)",
    "summary": "Shopee and TikTok Shop (Tokopedia) orders into sale orders, "
    "fulfilment, "
    "stock and settlements back",
    "version": "18.0.1.0.0",
    "category": "Sales",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "depends": ["base_integration", "sale_stock", "stock_delivery", "account"],
    "external_dependencies": {"python": ["requests", "pyjwt"]},
    "data": [
        "security/marketplace_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/ir_cron.xml",
        "views/marketplace_shop_views.xml",
        "views/marketplace_order_views.xml",
        "views/marketplace_product_map_views.xml",
        "views/marketplace_settlement_views.xml",
        "views/marketplace_return_views.xml",
        "views/sale_order_views.xml",
        "views/stock_picking_views.xml",
        "views/marketplace_menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "marketplace_sync/static/tests/tours/marketplace_tour.js",
            "marketplace_sync/static/tests/tours/marketplace_ship_tour.js",
        ],
    },
    "installable": True,
    "application": True,
}
