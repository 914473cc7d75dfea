# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import the faktur numbers of Coretax's list of output invoices (issue 11 item 5): upload,
then a result listing every row with what became of it. Parsing is in
``models/coretax_invoice_list.py``, matching and recording on ``account.move``."""

import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import UserError

OUTCOMES = [
    ("recorded", "Recorded"),
    ("replaced", "Replaced"),
    ("unchanged", "Unchanged"),
    ("flagged", "Check"),
    ("problem", "Not Recorded"),
]


class EfakturCoretaxImportWizard(models.TransientModel):
    _name = "efaktur.coretax.import.wizard"
    _description = "Import Faktur Numbers from Coretax"

    file = fields.Binary(string="Coretax File", attachment=False)
    filename = fields.Char()
    state = fields.Selection(
        [("upload", "Upload"), ("done", "Done")], default="upload", required=True
    )
    line_ids = fields.One2many(
        "efaktur.coretax.import.wizard.line", "wizard_id", string="Rows", readonly=True
    )
    recorded_count = fields.Integer(compute="_compute_counts")
    unchanged_count = fields.Integer(compute="_compute_counts")
    problem_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.outcome")
    def _compute_counts(self):
        for wizard in self:
            outcomes = wizard.line_ids.mapped("outcome")
            wizard.recorded_count = sum(
                1 for o in outcomes if o in ("recorded", "replaced")
            )
            wizard.unchanged_count = outcomes.count("unchanged")
            wizard.problem_count = sum(
                1 for o in outcomes if o in ("problem", "flagged")
            )

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the file exported from Coretax."))
        try:
            content = base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The file could not be uploaded.")) from error
        moves = self.env["account.move"]
        rows = moves._efaktur_parse_coretax_list(content, self.filename or "")
        results = moves._efaktur_record_coretax_rows(rows, filename=self.filename or "")
        self.write(
            {
                "state": "done",
                "line_ids": [fields.Command.clear()]
                + [fields.Command.create(result) for result in results],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Faktur Numbers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_invoices(self):
        """The invoices this import touched."""
        self.ensure_one()
        moves = self.line_ids.move_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("account.view_out_invoice_tree").id, "list"),
                (False, "form"),
            ],
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice"},
        }


class EfakturCoretaxImportWizardLine(models.TransientModel):
    _name = "efaktur.coretax.import.wizard.line"
    _description = "Row of a Coretax Faktur Number Import"
    _order = "row"

    wizard_id = fields.Many2one(
        "efaktur.coretax.import.wizard", required=True, ondelete="cascade"
    )
    row = fields.Integer()
    reference = fields.Char()
    number = fields.Char(string="Faktur Number")
    status_text = fields.Char(string="Coretax Status")
    move_id = fields.Many2one("account.move", string="Invoice")
    outcome = fields.Selection(OUTCOMES, required=True)
    message = fields.Char(string="Reason")
