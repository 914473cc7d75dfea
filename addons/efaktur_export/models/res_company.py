# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Open points of efaktur.md §6 where firms differ: each reading is a setting, its
    # default the most defensible one (readme/ROADMAP.md).
    efaktur_tax_tolerance = fields.Float(
        string="e-Faktur Booked Tax Tolerance",
        default=1.0,
        help="Largest difference, in rupiah, allowed between the PPN (and PPnBM) booked on an "
        "invoice and the whole-rupiah amounts of its e-Faktur lines.",
    )
    efaktur_facility_vat = fields.Selection(
        [
            ("computed", "PPN not collected / exempt amount"),
            ("zero", "Zero"),
        ],
        string="e-Faktur VAT for Codes 07/08",
        default="computed",
        help="What the VAT element holds for codes 07 and 08: the PPN that is not collected "
        "or exempt (12% of DPP Nilai Lain), or 0.",
    )
    efaktur_foreign_idtku = fields.Selection(
        [
            ("zeros", "22 zeros"),
            ("document", "Document number + 000000"),
        ],
        string="e-Faktur ID TKU for Passport / Other ID",
        default="zeros",
        help="BuyerIDTKU for a buyer identified by a passport or another ID.",
    )
    efaktur_default_uom_code_id = fields.Many2one(
        "l10n_id_efaktur_coretax.uom.code",
        string="e-Faktur Default Unit",
        default=lambda self: self.env.ref(
            "l10n_id_efaktur_coretax.uom_code_0018", raise_if_not_found=False
        ),
        help="Unit written for invoice lines without a product or unit of measure.",
    )
    efaktur_default_opt = fields.Selection(
        [("A", "Goods"), ("B", "Services")],
        string="e-Faktur Default Kind",
        default="A",
        help="Goods or services, for invoice lines without a product.",
    )
