# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Integration Plumbing",
    "summary": "Connections, resilient outbound HTTP, webhook inbox, outbox and "
    "a dashboard shared by the Indonesian integration addons",
    "version": "18.0.1.0.0",
    "category": "Technical",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "depends": ["mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/base_integration_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/integration_connection_views.xml",
        "views/integration_event_views.xml",
        "views/integration_log_views.xml",
        "views/base_integration_menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["base_integration/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": True,
}
