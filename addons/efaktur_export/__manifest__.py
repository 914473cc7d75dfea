# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "e-Faktur Export (Coretax XML)",
    "summary": "Validated export of posted customer invoices for DJP",
    "version": "18.0.0.1.1",
    "category": "Accounting/Localizations",
    "website": "https://github.com/odoo-indonesia-suite/integrations",
    "author": "Odoo Indonesia Suite",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["l10n_id_efaktur_coretax"],
    "data": [
        "views/efaktur_core_views.xml",
        "security/ir.model.access.csv",
        "security/efaktur_batch_security.xml",
        "data/efaktur_batch_sequence.xml",
        "data/efaktur_trx_code_data.xml",
        "views/efaktur_batch_views.xml",
        "security/efaktur_nsfp_range_security.xml",
        "views/efaktur_nsfp_range_views.xml",
        "views/efaktur_coretax_import_views.xml",
        "views/report_invoice_efaktur_number.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "efaktur_export/static/tests/tours/efaktur_tour.js",
            "efaktur_export/static/tests/tours/efaktur_wizard_tour.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
