# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One e-Faktur export: its Coretax files, its invoices and who made it (issue 11 item 4)."""

import mimetypes
import tempfile
import zipfile

from odoo import api, fields, models
from odoo.exceptions import UserError

# Coretax XML, and the legacy e-Faktur CSV of invoices dated 2024 or earlier.
MIMETYPES = {"xml": "application/xml", "csv": "text/csv"}


class EfakturExportBatch(models.Model):
    _name = "efaktur.export.batch"
    _description = "e-Faktur Export Batch"
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, default="/")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Exported By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(
        string="Export Date", required=True, readonly=True, default=fields.Datetime.now
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "efaktur_export_batch_move_rel",
        "batch_id",
        "move_id",
        string="Invoices",
        readonly=True,
    )
    invoice_count = fields.Integer(
        string="Invoices Exported", compute="_compute_counts"
    )
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Files",
        domain=[("res_model", "=", "efaktur.export.batch")],
        readonly=True,
    )
    state = fields.Selection(
        [
            ("exported", "Exported"),
            ("needs_reexport", "Needs Re-export"),
            ("reexported", "Re-exported"),
        ],
        string="Status",
        compute="_compute_state",
    )
    reexport_of_id = fields.Many2one(
        "efaktur.export.batch",
        string="Re-export of",
        readonly=True,
        index="btree_not_null",
        help="The earlier batch whose invoices this one exported again.",
    )
    reexport_ids = fields.One2many(
        "efaktur.export.batch", "reexport_of_id", string="Re-exports", readonly=True
    )
    changed_invoice_ids = fields.Many2many(
        "account.move",
        string="Changed Since",
        compute="_compute_changed_invoice_ids",
        help="Invoices of this batch reset to draft (even if posted again) or cancelled "
        "since it was exported: their files in Coretax no longer match them.",
    )
    has_changes = fields.Boolean(compute="_compute_changed_invoice_ids")

    @api.depends("invoice_ids")
    def _compute_counts(self):
        for batch in self:
            batch.invoice_count = len(batch.invoice_ids)

    @api.depends(
        "invoice_ids.efaktur_state", "invoice_ids.efaktur_batch_id", "reexport_ids"
    )
    def _compute_state(self):
        for batch in self:
            if batch.reexport_ids:
                batch.state = "reexported"
            elif batch._efaktur_current_invoices().filtered(
                lambda m: m.efaktur_state == "needs_reexport"
            ):
                batch.state = "needs_reexport"
            else:
                batch.state = "exported"

    @api.depends(
        "invoice_ids.efaktur_state", "invoice_ids.efaktur_batch_id", "invoice_ids.state"
    )
    def _compute_changed_invoice_ids(self):
        for batch in self:
            # A posted invoice's amounts cannot change in Odoo without a reset to draft,
            # which flags it (account_move_efaktur.button_draft); the flag stays when it
            # is posted again. write_date is no sign: registering a payment writes the
            # invoice lines too (test_export_concurrency). Not seen: a label edited on
            # the posted invoice, buyer data edited on the contact (ROADMAP).
            changed = batch._efaktur_current_invoices().filtered(
                lambda m: m.efaktur_state == "needs_reexport" or m.state != "posted"
            )
            batch.changed_invoice_ids = changed
            batch.has_changes = bool(changed)

    def _efaktur_current_invoices(self):
        """The invoices whose latest export is this batch (not exported again since)."""
        self.ensure_one()
        return self.invoice_ids.filtered(lambda m: m.efaktur_batch_id == self)

    @api.model_create_multi
    def create(self, vals_list):
        # A batch created with the name "/" is numbered by _efaktur_store_files once its
        # files are stored, so a failed export consumes no number.
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if not vals.get("name"):
                vals["name"] = sequence.next_by_code("efaktur.export.batch") or "/"
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        """A batch is the record of what was sent to Coretax: its invoices point to it as
        their latest export. Deleting it would leave them "Exported" in no batch, never
        exportable again, and lose the files DJP received; nobody deletes it, not even
        the accounting manager. A wrong export is corrected by a re-export (a new batch)
        and, in Coretax, by replacing or cancelling the faktur."""
        if self:
            raise UserError(
                self.env._(
                    "e-Faktur batches cannot be deleted: a batch is the record of what "
                    "was sent to Coretax (%(batches)s). Re-export its invoices instead, "
                    "and replace or cancel the faktur in Coretax.",
                    batches=", ".join(self.mapped("name")),
                )
            )

    def _efaktur_number(self):
        self.ensure_one()
        if self.name == "/":
            # sudo: billing users create batches but do not write them.
            self.sudo().name = (
                self.env["ir.sequence"].sudo().next_by_code("efaktur.export.batch")
                or "/"
            )

    def action_reexport(self):
        """Export this batch's invoices again, as a NEW batch linked to this one (its
        ``reexport_of_id``): the files of this batch stay as the record of what was sent.
        Takes the invoices whose latest export is this batch, leaving out those cancelled
        since; the form asks for confirmation first when some changed
        (``changed_invoice_ids``). Problems open the wizard's problems dialog."""
        self.ensure_one()
        invoices = self._efaktur_current_invoices().filtered(
            lambda m: m.state != "cancel"
        )
        if not invoices:
            raise UserError(
                self.env._(
                    "Batch %(batch)s has no invoice left to re-export: they were "
                    "cancelled or exported again in later batches.",
                    batch=self.name,
                )
            )
        wizard = self.env["efaktur.export.wizard"].create(
            {
                "invoice_ids": [fields.Command.set(invoices.ids)],
                "reexport_batch_id": self.id,
            }
        )
        return wizard.action_export()

    def _efaktur_store_files(self, files):
        """Attach each ``(filename, content_bytes)`` of ``files`` (any iterable, e.g. a
        generator) as it comes, so that only one file is in memory; when there are
        several, also one zip holding them all (issue 11 item 4: "several come as one
        zip"), written on disk as the files come. Numbers a batch named "/" once its
        files are stored.

        :return: the attachments made
        """
        self.ensure_one()
        attachments = self.env["ir.attachment"].sudo()
        count = 0
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
                for filename, content in files:
                    mimetype = MIMETYPES.get(filename.rsplit(".", 1)[-1].lower())
                    mimetype = mimetype or mimetypes.guess_type(filename)[0]
                    attachments |= self._efaktur_attach(
                        filename, content, mimetype or "application/octet-stream"
                    )
                    archive.writestr(filename, content)
                    count += 1
                    del content  # let it go before the next file is built
            self._efaktur_number()
            if count > 1:
                spool.seek(0)
                attachments |= self._efaktur_attach(
                    f"{self.name.replace('/', '_')}.zip",
                    spool.read(),
                    "application/zip",
                )
        return attachments.sudo(False)

    def _efaktur_attach(self, filename, content, mimetype):
        # sudo: attaching needs write access on the batch, which billing users do not get
        # (a batch is a record of what was sent: nobody edits its invoices afterwards).
        # The files are readable by whoever can read the batch.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        # The content is in the file store now; do not keep it in the record cache.
        attachment.invalidate_recordset(["raw", "datas"])
        return attachment
