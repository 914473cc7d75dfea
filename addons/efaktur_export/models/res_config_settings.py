# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    efaktur_tax_tolerance = fields.Float(
        related="company_id.efaktur_tax_tolerance", readonly=False
    )
    efaktur_facility_vat = fields.Selection(
        related="company_id.efaktur_facility_vat", readonly=False
    )
    efaktur_foreign_idtku = fields.Selection(
        related="company_id.efaktur_foreign_idtku", readonly=False
    )
    efaktur_default_uom_code_id = fields.Many2one(
        related="company_id.efaktur_default_uom_code_id", readonly=False
    )
    efaktur_default_opt = fields.Selection(
        related="company_id.efaktur_default_opt", readonly=False
    )
