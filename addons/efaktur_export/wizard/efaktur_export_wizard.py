# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The e-Faktur export wizard: pick a period, customers, journals and transaction codes, or
start from a selection of invoices (or a batch to re-export); lock them, check them all,
build the Coretax files and keep them as a batch (issue 11 items 3-4)."""

import itertools
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import date_utils

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
    trx_code_ids = fields.Many2many(
        "efaktur.trx.code",
        string="Transaction Codes",
        help="Only invoices with one of these codes (Kode Transaksi); all when empty.",
    )
    invoice_ids = fields.Many2many("account.move", string="Invoices")
    max_per_file = fields.Integer(
        string="Invoices per File", default=lambda self: self._default_max_per_file()
    )
    reexport_batch_id = fields.Many2one(
        "efaktur.export.batch",
        string="Re-export of",
        readonly=True,
        help="The batch whose invoices are exported again; its files stay as they are.",
    )
    problem_ids = fields.One2many(
        "efaktur.export.problem", "wizard_id", string="Problems", readonly=True
    )
    include_odoo_exported = fields.Boolean(
        string="Export Again Invoices Sent by Odoo's e-Faktur",
        help="Selected invoices already exported with Odoo's own e-Faktur are refused, "
        "so that a sale does not get a second faktur. Tick this only when that file was "
        "never uploaded to Coretax.",
    )
    has_odoo_exported = fields.Boolean(compute="_compute_has_odoo_exported")

    @api.depends("invoice_ids.efaktur_state")
    def _compute_has_odoo_exported(self):
        for wizard in self:
            wizard.has_odoo_exported = any(
                state == "exported_odoo"
                for state in wizard.invoice_ids.mapped("efaktur_state")
            )

    @api.model_create_multi
    def create(self, vals_list):
        """EXTENDS: a wizard opened on no selection, no batch and no period exports last
        month (the usual monthly report), not every invoice ever left unexported: those of
        2024 or earlier would take NSFP serials. The menu's form shows the same period
        (``default_get``); clearing it there searches without a date bound, on purpose."""
        start, end = self._efaktur_last_month()
        for vals in vals_list:
            if not (
                vals.get("invoice_ids")
                or vals.get("reexport_batch_id")
                or "date_from" in vals
                or "date_to" in vals
            ):
                vals.update(date_from=start, date_to=end)
        return super().create(vals_list)

    @api.model
    def default_get(self, fields_list):
        """EXTENDS: the menu's action (context ``efaktur_default_period``) opens on last
        month; a wizard made from a selection or a batch has no period."""
        res = super().default_get(fields_list)
        if self.env.context.get("efaktur_default_period"):
            start, end = self._efaktur_last_month()
            if "date_from" in fields_list:
                res.setdefault("date_from", start)
            if "date_to" in fields_list:
                res.setdefault("date_to", end)
        return res

    @api.model
    def _efaktur_last_month(self):
        """``(first day, last day)`` of the month before today (user's timezone)."""
        first_of_month = date_utils.start_of(fields.Date.context_today(self), "month")
        end = first_of_month - timedelta(days=1)
        return date_utils.start_of(end, "month"), end

    @api.constrains("max_per_file")
    def _check_max_per_file(self):
        for wizard in self:
            if not 0 < wizard.max_per_file <= DEFAULT_MAX_PER_FILE:
                raise ValidationError(
                    self.env._(
                        "A Coretax file holds from 1 to %(max)s invoices.",
                        max=DEFAULT_MAX_PER_FILE,
                    )
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
        """Entry point of Odoo's "Download e-Faktur" (``download_efaktur`` of
        ``account_move.py``, which replaces Odoo's own): the wizard, prefilled with the
        selected invoices."""
        wizard = self.create({"invoice_ids": [fields.Command.set(invoices.ids)]})
        return wizard._efaktur_form_action()

    def _efaktur_form_action(self, view_xmlid=None):
        self.ensure_one()
        view = self.env.ref(view_xmlid) if view_xmlid else None
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Export e-Faktur"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(view.id if view else False, "form")],
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Which invoices
    # ------------------------------------------------------------------

    def _efaktur_has_filters(self):
        return bool(
            self.date_from
            or self.date_to
            or self.partner_ids
            or self.journal_ids
            or self.trx_code_ids
        )

    def _efaktur_domain(self):
        # The current company only: a user with several companies active exports one
        # at a time (a batch and its legacy CSV belong to one company). Invoices exported
        # by us or by Odoo's e-Faktur stay out; so do those Odoo would give no e-Faktur.
        domain = [
            *self.env["account.move"]._efaktur_eligible_domain(),
            ("state", "=", "posted"),
            ("company_id", "=", self.env.company.id),
            ("efaktur_state", "in", ("to_export", "needs_reexport")),
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
        if self.trx_code_ids:
            domain.append(
                ("l10n_id_kode_transaksi", "in", self.trx_code_ids.mapped("code"))
            )
        return domain

    def _efaktur_invoices(self):
        """The selected invoices plus, when a filter is set (or nothing is selected), the
        posted customer invoices not yet exported that match it. A re-export takes the
        batch's invoices only."""
        self.ensure_one()
        moves = self.invoice_ids
        if not self.reexport_batch_id and (not moves or self._efaktur_has_filters()):
            moves |= self.env["account.move"].search(self._efaktur_domain())
        return moves

    def _efaktur_lock(self, moves):
        """Lock the invoices' rows for this transaction, refusing at once when another
        export holds them (two users exporting the same invoices: the second is told).

        Odoo's transactions are REPEATABLE READ: when the other export has already
        committed a change of these rows since our transaction began, PostgreSQL refuses
        the lock with a serialization failure; that is the same refusal."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id IN %s FOR UPDATE NOWAIT",
                    [tuple(moves.ids)],
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure) as error:
            raise UserError(
                self.env._(
                    "Another export is running on these invoices, or has just exported "
                    "them. Reload the invoices and try again."
                )
            ) from error
        # Another export may have committed between our read and the lock.
        moves.invalidate_recordset(["efaktur_state", "efaktur_batch_id", "state"])

    def _efaktur_selection_problems(self, moves):
        """Invoices that this export must not take, as ``(move, message)``: invoices
        already exported in a batch (in this or another transaction) are re-exported from
        their batch only, so that no invoice is in two batches by accident; invoices
        exported by Odoo's e-Faktur only when ``include_odoo_exported`` is ticked (one
        sale, one faktur)."""
        problems = []
        if not self.include_odoo_exported:
            for move in moves.filtered(lambda m: m.efaktur_state == "exported_odoo"):
                problems.append(
                    (
                        move,
                        self.env._(
                            "Invoice %(invoice)s: it was already exported by Odoo's "
                            "e-Faktur in document %(document)s; exporting it again would "
                            "give the sale a second faktur. If that file was never "
                            'uploaded to Coretax, tick "%(option)s".',
                            invoice=move.name,
                            document=move._efaktur_odoo_document().display_name or "",
                            option=self._fields[
                                "include_odoo_exported"
                            ].get_description(self.env)["string"],
                        ),
                    )
                )
        for move in moves.filtered(lambda m: m.efaktur_state == "exported"):
            if (
                self.reexport_batch_id
                and move.efaktur_batch_id == self.reexport_batch_id
            ):
                continue
            problems.append(
                (
                    move,
                    self.env._(
                        "Invoice %(invoice)s: it was already exported in batch %(batch)s; "
                        "use Re-export on that batch to send it again.",
                        invoice=move.name,
                        batch=move.efaktur_batch_id.name or "",
                    ),
                )
            )
        return problems

    # ------------------------------------------------------------------
    # Files and batch
    # ------------------------------------------------------------------

    def _efaktur_build_files(self, moves):
        """The files of this export, the one place they are produced.

        :param moves: the ``account.move`` invoices to export (locked)
        :return: an iterable of ``(filename, content_bytes)``. It may be a generator
            (Coretax XML comes one file at a time, so a big export holds one file in
            memory); the caller stores each file before taking the next.
        :raises EfakturProblemsError: listing every problem of every invoice. It is
            raised by this call, before any file is taken; a generator may still raise it
            later when an invoice changed meanwhile (the caller then undoes what it
            stored). Coretax XML here; extended for the legacy CSV of invoices dated 2024
            or earlier. What this writes (the legacy CSV's serials) is undone by the
            caller when the export is refused.
        """
        files = moves._efaktur_coretax_iter_files(max_per_file=self.max_per_file)
        # Taking the first file validates every invoice: problems are raised now.
        first = next(files, None)
        return itertools.chain([first], files) if first else iter(())

    def _efaktur_export(self):
        """Export the wizard's invoices into a new batch (the Python path).

        :return: the ``efaktur.export.batch`` made
        :raises EfakturProblemsError: every problem at once (the wizard's own and the
            engine's); nothing is written: no batch, file, number or invoice status.
        :raises UserError: nothing to export, or another export holds the invoices.
        """
        self.ensure_one()
        moves = self._efaktur_invoices()
        if not moves:
            raise UserError(self.env._("No invoice to export matches these filters."))
        self._efaktur_lock(moves)
        # Invoices found by the filters and exported meanwhile by a concurrent export are
        # dropped; selected ones are reported by _efaktur_selection_problems.
        moves = self.invoice_ids | (moves - self.invoice_ids).filtered(
            lambda m: m.efaktur_state in ("to_export", "needs_reexport")
        )
        if not moves:
            raise UserError(self.env._("These invoices were exported meanwhile."))
        title = self.env._("e-Faktur cannot be exported:")
        problems = self._efaktur_selection_problems(moves)
        vals = {
            "name": "/",  # numbered once its files are stored
            "company_id": moves.company_id[:1].id,
            "invoice_ids": [fields.Command.set(moves.ids)],
            "reexport_of_id": self.reexport_batch_id.id,
        }
        # Whatever is written from here is undone when a problem shows up: the files
        # stored so far (a problem met while a later file is built) and what building the
        # files wrote (the legacy CSV gives serials while the wizard's own problems, found
        # above, still block the export).
        with self.env.cr.savepoint():
            try:
                files = self._efaktur_build_files(moves)
            except EfakturProblemsError as error:
                raise EfakturProblemsError(
                    problems + error.problems, title=title
                ) from error
            if problems:
                raise EfakturProblemsError(problems, title=title)
            batch = self.env["efaktur.export.batch"].create(vals)
            batch._efaktur_store_files(files)
            # Export bookkeeping only, no accounting field: Odoo's dynamic-line sync
            # (payment terms, taxes, rounding) has nothing to do and took ~90 % of an
            # export's time (bench_efaktur.py, "wizard" row).
            moves.with_context(skip_invoice_sync=True).write(
                {"efaktur_state": "exported", "efaktur_batch_id": batch.id}
            )
        return batch

    def action_export(self):
        """The Export button: the new batch, or the problems dialog listing every problem
        with a link to its invoice (nothing written but the dialog's lines)."""
        self.ensure_one()
        self.problem_ids.unlink()
        try:
            batch = self._efaktur_export()
        except EfakturProblemsError as error:
            return self._efaktur_problems_action(error.problems)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("e-Faktur Batch"),
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _efaktur_problems_action(self, problems):
        self.ensure_one()
        self.write(
            {
                "problem_ids": [
                    fields.Command.create({"move_id": move.id, "message": message})
                    for move, message in problems
                ]
            }
        )
        return self._efaktur_form_action(
            "efaktur_export.efaktur_export_wizard_view_problems"
        )

    def action_back(self):
        """From the problems dialog back to the filters."""
        self.ensure_one()
        self.problem_ids.unlink()
        return self._efaktur_form_action()
