# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The e-Faktur transaction codes (Kode Transaksi 01-10) as records, so that the export
wizard can filter on several of them with a many2many (a Selection field cannot be
multi-selected)."""

from odoo import api, fields, models


class EfakturTrxCode(models.Model):
    _name = "efaktur.trx.code"
    _description = "e-Faktur Transaction Code"
    _order = "code"
    _rec_name = "code"

    code = fields.Char(required=True, readonly=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each transaction code exists once."),
    ]

    @api.depends("code")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # The label is the one of the invoice's own Selection (l10n_id_efaktur and its
        # coretax extension), in the user's language: one source for the wording.
        labels = dict(
            self.env["account.move"]
            ._fields["l10n_id_kode_transaksi"]
            ._description_selection(self.env)
        )
        for code in self:
            code.display_name = labels.get(code.code, code.code)
