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
        chatter (the file in Coretax no longer matches the invoice). The form asks first
        (``view_move_form_efaktur_batch``). The flag stays when the invoice is posted
        again: only a new export clears it.

        Odoo's own e-Faktur document (``l10n_id_coretax_document``, made by its
        "Download e-Faktur" before this module) would keep a file of the old invoice: the
        invoice leaves it, as l10n_id_efaktur does for its CSV document, and its file is
        removed (the document's chatter keeps a copy; a download builds it again from the
        invoices left)."""
        exported = self.filtered(lambda m: m.efaktur_state == "exported")
        self._efaktur_leave_odoo_document()
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

    def _efaktur_leave_odoo_document(self):
        moves = self.filtered("l10n_id_coretax_document")
        if not moves:
            return
        # sudo: the document's file is Odoo's record; the user resetting the invoice may
        # not manage e-Faktur documents, and a stale file must not stay either way.
        documents = moves.l10n_id_coretax_document.sudo()
        documents.attachment_id.unlink()
        for move in moves:
            move.message_post(
                body=self.env._(
                    "This invoice was removed from the e-Faktur document %(document)s "
                    "following the reset to draft.",
                    document=move.l10n_id_coretax_document.display_name,
                )
            )
        moves.sudo().l10n_id_coretax_document = False
        # Kept (archived) rather than deleted: their chatter holds the files once made.
        documents.filtered(lambda d: not d.invoice_ids).active = False
