# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One e-Faktur export: its Coretax files, its invoices and who made it (issue 11 item 4)."""

import base64
import io
import zipfile

from odoo import api, fields, models


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
        [("exported", "Exported"), ("needs_reexport", "Needs Re-export")],
        string="Status",
        compute="_compute_state",
    )

    @api.depends("invoice_ids")
    def _compute_counts(self):
        for batch in self:
            batch.invoice_count = len(batch.invoice_ids)

    @api.depends("invoice_ids.efaktur_state", "invoice_ids.efaktur_batch_id")
    def _compute_state(self):
        for batch in self:
            changed = batch.invoice_ids.filtered(
                lambda m, b=batch: (
                    m.efaktur_state == "needs_reexport" and m.efaktur_batch_id == b
                )
            )
            batch.state = "needs_reexport" if changed else "exported"

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("efaktur.export.batch") or "/"
        return super().create(vals_list)

    def _efaktur_store_files(self, files):
        """Attach each ``(filename, xml_bytes)`` to the batch; when there are several, also
        one zip holding them all (issue 11 item 4: "several come as one zip")."""
        self.ensure_one()
        attachments = self.env["ir.attachment"].sudo()
        files = list(files)
        for filename, content in files:
            attachments |= self._efaktur_attach(filename, content, "application/xml")
        if len(files) > 1:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for filename, content in files:
                    archive.writestr(filename, content)
            attachments |= self._efaktur_attach(
                f"{self.name.replace('/', '_')}.zip",
                buffer.getvalue(),
                "application/zip",
            )
        return attachments.sudo(False)

    def _efaktur_attach(self, filename, content, mimetype):
        # sudo: attaching needs write access on the batch, which billing users do not get
        # (a batch is a record of what was sent: nobody edits its invoices afterwards).
        # The files are readable by whoever can read the batch.
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "datas": base64.b64encode(content),
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
