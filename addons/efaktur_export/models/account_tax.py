# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

# Roles a sale tax plays on a Coretax line (efaktur.md §2.6):
#   other_value  PPN on DPP Nilai Lain 11/12 at 12% (PMK 131/2024): booked as 11% effective
#   full         PPN 12% on the full price (luxury goods since 1 Feb 2025, code 01)
#   other_rate   PPN at the tax's own rate on the full price (special regimes)
#   zero         0% PPN: not collected (07) or exempt (08); the file states the facility
#   luxury       PPnBM (STLG), on top of a full-rate PPN
#   excluded     not PPN (PPh 22/23 withholding...): stays out of the XML
EFAKTUR_ROLES = [
    ("other_value", "PPN on DPP Nilai Lain 11/12"),
    ("full", "PPN 12% on the full price"),
    ("other_rate", "PPN at its own rate"),
    ("zero", "PPN 0% (not collected / exempt)"),
    ("luxury", "PPnBM (luxury goods)"),
    ("excluded", "Not PPN (left out of e-Faktur)"),
]
PPN_ROLES = ("other_value", "full", "other_rate", "zero")


class AccountTax(models.Model):
    _inherit = "account.tax"

    efaktur_role = fields.Selection(
        EFAKTUR_ROLES,
        string="e-Faktur Role",
        compute="_compute_efaktur_role",
        store=True,
        readonly=False,
        help="How this tax appears in the Coretax XML. Guessed from the rate and the tax "
        "group; correct it where the company books PPN differently.",
    )

    @api.depends("amount", "amount_type", "tax_group_id")
    def _compute_efaktur_role(self):
        for tax in self:
            tax.efaktur_role = tax._efaktur_guess_role()

    def _efaktur_guess_role(self):
        """Default reading of a tax (see ROADMAP): the luxury group is PPnBM; a negative rate
        is a withholding (PPh), not PPN; 11% is 12% on 11/12 of the price (PMK 131/2024, the
        rate a 2025 non-luxury sale books; Odoo's later l10n_id puts it in its
        ``l10n_id_tax_group_non_luxury_goods`` group); 12% is the full rate; 0% a facility."""
        self.ensure_one()
        chart = self.env["account.chart.template"].with_company(self.company_id)
        luxury = chart.ref("l10n_id_tax_group_luxury_goods", raise_if_not_found=False)
        non_luxury = chart.ref(
            "l10n_id_tax_group_non_luxury_goods", raise_if_not_found=False
        )
        if self.amount_type != "percent":
            return "excluded"
        if luxury and self.tax_group_id == luxury:
            return "luxury"
        if self.amount < 0:
            return "excluded"
        if not self.amount:
            return "zero"
        if (non_luxury and self.tax_group_id == non_luxury) or self.amount == 11:
            return "other_value"
        if self.amount == 12:
            return "full"
        return "other_rate"
