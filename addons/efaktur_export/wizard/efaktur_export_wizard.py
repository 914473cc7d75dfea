# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The e-Faktur export wizard: pick a period, customers and journals, or start from a
selection of invoices; lock them, build the Coretax files, keep them as a batch."""

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.efaktur_problems import EfakturProblemsError

MAX_PER_FILE_PARAM = "efaktur_export.max_per_file"
DEFAULT_MAX_PER_FILE = (
    1000  # Coretax imports at most 1,000 invoices per file (efaktur.md)
)


class EfakturExportWizard(models.TransientModel):
    _name = "efaktur.export.wizard"
    _description = "e-Faktur Export"

    date_from = fields.Date(string="From")
    date_to = fields.Date(string="To")
    partner_ids = fields.Many2many("res.partner", string="Customers")
    journal_ids = fields.Many2many(
        "account.journal", string="Journals", domain=[("type", "=", "sale")]
    )
    invoice_ids = fields.Many2many("account.move", string="Invoices")
    max_per_file = fields.Integer(
        string="Invoices per File", default=lambda self: self._default_max_per_file()
    )

    @api.model
    def _default_max_per_file(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(MAX_PER_FILE_PARAM, DEFAULT_MAX_PER_FILE)
        )
        try:
            value = int(value)
        except (TypeError, ValueError):
            return DEFAULT_MAX_PER_FILE
        return value if 0 < value <= DEFAULT_MAX_PER_FILE else DEFAULT_MAX_PER_FILE

    @api.model
    def _efaktur_action_from_invoices(self, invoices):
        """Entry point of Odoo's "Download e-Faktur" (efcore's ``download_efaktur``): the
        wizard, prefilled with the selected invoices."""
        wizard = self.create({"invoice_ids": [fields.Command.set(invoices.ids)]})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Export e-Faktur"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _efaktur_domain(self):
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("company_id", "in", self.env.companies.ids),
            ("efaktur_state", "!=", "exported"),
        ]
        if self.date_from:
            domain.append(("invoice_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("invoice_date", "<=", self.date_to))
        if self.partner_ids:
            domain.append(
                (
                    "commercial_partner_id",
                    "in",
                    self.partner_ids.commercial_partner_id.ids,
                )
            )
        if self.journal_ids:
            domain.append(("journal_id", "in", self.journal_ids.ids))
        return domain

    def _efaktur_invoices(self):
        """The selected invoices plus, when a filter is set (or nothing is selected), the
        posted customer invoices not yet exported that match it."""
        self.ensure_one()
        moves = self.invoice_ids
        if (
            not moves
            or self.date_from
            or self.date_to
            or self.partner_ids
            or self.journal_ids
        ):
            moves |= self.env["account.move"].search(self._efaktur_domain())
        return moves

    def _efaktur_lock(self, moves):
        """Lock the invoices' rows for this transaction, refusing at once when another
        export holds them (two users exporting the same invoices: the second is told)."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(moves.ids)],
                )
        except pg_errors.LockNotAvailable as error:
            raise UserError(
                self.env._(
                    "Another export is running on these invoices. Try again later."
                )
            ) from error
        # Another export may have committed between our read and the lock.
        moves.invalidate_recordset(["efaktur_state", "efaktur_batch_id", "state"])

    def _efaktur_build_files(self, moves):
        """The files of this export as ``[(filename, content_bytes)]``, or
        ``EfakturProblemsError`` listing every problem. Coretax XML here; extended for the
        legacy CSV of invoices dated 2024 or earlier."""
        return moves._efaktur_coretax_files(max_per_file=self.max_per_file)

    def action_export(self):
        self.ensure_one()
        moves = self._efaktur_invoices()
        if not moves:
            raise UserError(self.env._("No invoice to export matches these filters."))
        self._efaktur_lock(moves)
        # Invoices found by the filters and exported meanwhile by a concurrent export are
        # dropped; explicitly selected ones are re-exported on purpose.
        moves = self.invoice_ids | (moves - self.invoice_ids).filtered(
            lambda m: m.efaktur_state != "exported"
        )
        if not moves:
            raise UserError(self.env._("These invoices were exported meanwhile."))
        try:
            files = self._efaktur_build_files(moves)
        except EfakturProblemsError as error:
            lines = [self.env._("e-Faktur cannot be exported:")]
            for move, message in error.problems:
                # The engine's messages already name their invoice ("Invoice INV/..: ").
                prefix = f"{move.name}: " if move and move.name not in message else ""
                lines.append(f"{prefix}{message}")
            raise UserError("\n".join(lines)) from error
        batch = self.env["efaktur.export.batch"].create(
            {
                "company_id": moves.company_id[:1].id,
                "invoice_ids": [fields.Command.set(moves.ids)],
            }
        )
        batch._efaktur_store_files(files)
        moves.write({"efaktur_state": "exported", "efaktur_batch_id": batch.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("e-Faktur Batch"),
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
