# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Indonesian Carriers (JNE, J&T, SiCepat, Anteraja)",
    "summary": "Rates, waybills, labels and tracking from Indonesian carriers",
    "version": "18.0.0.1.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["base_integration", "stock_delivery"],
    "data": [
        "security/carrier_api_security.xml",
        "security/ir.model.access.csv",
        "views/delivery_carrier_views.xml",
        "views/stock_picking_views.xml",
        "report/carrier_label.xml",
        "data/carrier_api_data.xml",
        "data/carrier_api_tracking_data.xml",
        "views/stock_picking_tracking_views.xml",
    ],
    "demo": ["demo/carrier_api_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "carrier_api/static/tests/tours/carrier_api_waybill_tour.js",
        ],
    },
    "external_dependencies": {"python": ["phonenumbers"]},
    "installable": True,
}
