# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Export status of an invoice: exported in which batch, or changed since (issue 11 item 4)."""

from odoo import api, fields, models

# Odoo's own e-Faktur documents: the Coretax XML of l10n_id_efaktur_coretax and the CSV of
# l10n_id_efaktur (a dependency of the former, so both fields exist whenever we do).
ODOO_DOCUMENT_FIELDS = ("l10n_id_coretax_document", "l10n_id_efaktur_document")


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
            # Sent with Odoo's own "Download e-Faktur" before this module was installed:
            # exporting it again would give a second faktur for the same sale (issue 11
            # item 1, "a company that already uses Odoo's module keeps its data").
            ("exported_odoo", "Exported by Odoo's e-Faktur"),
        ],
        string="e-Faktur Status",
        default="to_export",
        required=True,
        readonly=True,
        copy=False,
    )

    @api.model
    def _efaktur_eligible_domain(self):
        """The invoices that get an e-Faktur, as Odoo's
        ``l10n_id_coretax_efaktur_available`` (l10n_id_efaktur_coretax) decides, on stored
        fields so that lists and period exports can search it: a customer invoice of an
        Indonesian company, to a PKP buyer, with a tax on some line. The buyer is the
        commercial partner, whose PKP box Odoo's own download checks (Odoo computes it from
        an Indonesian NPWP; tick it for a NIK buyer who is to get a faktur). The "To
        Export" action repeats this domain (views/efaktur_batch_views.xml). Invoices
        selected by hand are not filtered: the engine lists what is wrong with them."""
        return [
            ("move_type", "=", "out_invoice"),
            ("company_id.account_fiscal_country_id.code", "=", "ID"),
            ("commercial_partner_id.l10n_id_pkp", "=", True),
            ("line_ids.tax_ids", "!=", False),
        ]

    def write(self, vals):
        """EXTENDS: an invoice given one of Odoo's e-Faktur documents (Odoo's document
        form can still attach invoices, and its One2many writes here) is marked as
        exported by Odoo, as the install hook marks those that had one before."""
        res = super().write(vals)
        if any(vals.get(name) for name in ODOO_DOCUMENT_FIELDS):
            self.filtered(lambda m: m.efaktur_state == "to_export").write(
                {"efaktur_state": "exported_odoo"}
            )
        return res

    def _efaktur_odoo_document(self):
        """Odoo's e-Faktur document of this invoice (Coretax first), possibly empty."""
        self.ensure_one()
        return self.l10n_id_coretax_document or self.l10n_id_efaktur_document

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
        # Sent with Odoo's e-Faktur: its faktur no longer matches either. Odoo's
        # button_draft takes it out of its document; it must be exported again (ours).
        exported_odoo = self.filtered(lambda m: m.efaktur_state == "exported_odoo")
        self._efaktur_leave_odoo_document()
        res = super().button_draft()
        if exported_odoo:
            exported_odoo.write({"efaktur_state": "needs_reexport"})
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
