# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One line of the problems dialog of the export wizard: an invoice and what blocks it."""

from odoo import fields, models


class EfakturExportProblem(models.TransientModel):
    _name = "efaktur.export.problem"
    _description = "e-Faktur Export Problem"
    _order = "id"

    wizard_id = fields.Many2one(
        "efaktur.export.wizard", required=True, ondelete="cascade"
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    message = fields.Text(required=True, readonly=True)

    def action_open_invoice(self):
        """The invoice of this line in its own form (the dialog closes)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.move_id.display_name,
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
