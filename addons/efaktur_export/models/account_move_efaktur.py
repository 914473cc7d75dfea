# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Export status of an invoice: exported in which batch, or changed since (issue 11 item 4)."""

from odoo import fields, models


class AccountMove(models.Model):
    # A file of its own: the export status is the wizard's concern, account_move.py the
    # engine's (two authors, one merge).
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    efaktur_batch_id = fields.Many2one(
        "efaktur.export.batch",
        string="e-Faktur Batch",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    efaktur_state = fields.Selection(
        [
            ("to_export", "To Export"),
            ("exported", "Exported"),
            ("needs_reexport", "Needs Re-export"),
        ],
        string="e-Faktur Status",
        default="to_export",
        required=True,
        readonly=True,
        copy=False,
    )

    def button_draft(self):
        """Resetting an exported invoice to draft: it must be exported again; warn in the
        chatter (the file in Coretax no longer matches the invoice)."""
        exported = self.filtered(lambda m: m.efaktur_state == "exported")
        res = super().button_draft()
        if exported:
            exported.write({"efaktur_state": "needs_reexport"})
            for move in exported:
                move.message_post(
                    body=self.env._(
                        "This invoice was exported to e-Faktur in batch %(batch)s and was "
                        "reset to draft: it needs to be exported again.",
                        batch=move.efaktur_batch_id.name or "",
                    )
                )
        return res
