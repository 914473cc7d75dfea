# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The export wizard's transaction-code filter and its problems dialog (issue 11 item 3:
"all problems at once; nothing is written while a problem exists"), as a billing user."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.efaktur_problems import EfakturProblemsError
from ..wizard.efaktur_export_wizard import EfakturExportWizard
from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestEfakturExportWizard(CoretaxCase):
    def _paper(self, quantity=1, **vals):
        return {
            "product_id": self.paper.id,
            "name": "Kertas A4 80gsm",
            "quantity": quantity,
            "price_unit": 55000,
            **vals,
        }

    def _wizard(self, invoices=None, **vals):
        if invoices is not None:
            vals["invoice_ids"] = [Command.set(invoices.ids)]
        return self.env["efaktur.export.wizard"].with_user(self.accountant).create(vals)

    def _written(self, moves):
        """What an export writes: batches, their files, the batch number, the invoices'
        export status and Odoo's own e-Faktur documents."""
        sequence = self.env.ref("efaktur_export.seq_efaktur_export_batch")
        sequence.invalidate_recordset()
        moves.invalidate_recordset()
        return {
            "batches": self.env["efaktur.export.batch"].sudo().search_count([]),
            "files": self.env["ir.attachment"]
            .sudo()
            .search_count([("res_model", "=", "efaktur.export.batch")]),
            "number": sequence.number_next_actual,
            "documents": self.env["l10n_id_efaktur_coretax.document"]
            .sudo()
            .search_count([]),
            "invoices": moves.read(
                [
                    "state",
                    "efaktur_state",
                    "efaktur_batch_id",
                    "l10n_id_coretax_document",
                ]
            ),
        }

    # -- transaction codes ---------------------------------------------------

    def test_trx_code_records_follow_odoo_selection(self):
        selection = dict(
            self.env["account.move"]
            ._fields["l10n_id_kode_transaksi"]
            ._description_selection(self.env)
        )
        codes = self.env["efaktur.trx.code"].with_user(self.accountant).search([])
        self.assertEqual(set(codes.mapped("code")), set(selection))
        code_07 = codes.filtered(lambda c: c.code == "07")
        self.assertEqual(code_07.display_name, selection["07"])

    def test_trx_code_filter(self):
        inv_04 = self._invoice(self.buyer_pt, [self._paper()])
        inv_02 = self._invoice(
            self.buyer_pt, [self._paper()], l10n_id_kode_transaksi="02"
        )
        # A PKP buyer: a period export takes the invoices Odoo gives an e-Faktur.
        inv_03 = self._invoice(
            self.buyer_pt, [self._paper()], l10n_id_kode_transaksi="03"
        )
        self.assertEqual(inv_04.l10n_id_kode_transaksi, "04")
        codes = self.env["efaktur.trx.code"].search([("code", "in", ("02", "03"))])
        wizard = self._wizard(
            date_from="2025-06-01",
            date_to="2025-06-30",
            trx_code_ids=[Command.set(codes.ids)],
        )
        self.assertEqual(wizard._efaktur_invoices(), inv_02 | inv_03)
        action = wizard.action_export()
        self.assertEqual(action["res_model"], "efaktur.export.batch")
        batch = self.env["efaktur.export.batch"].browse(action["res_id"])
        self.assertEqual(batch.invoice_ids, inv_02 | inv_03)
        self.assertEqual(inv_04.efaktur_state, "to_export")
        # Code 04 alone now finds the remaining invoice.
        code_04 = self.env.ref("efaktur_export.trx_code_04")
        wizard = self._wizard(
            date_from="2025-06-01",
            date_to="2025-06-30",
            trx_code_ids=[Command.set(code_04.ids)],
        )
        self.assertEqual(wizard._efaktur_invoices(), inv_04)

    # -- problems ------------------------------------------------------------

    def _bad_buyer(self):
        return self.env["res.partner"].create(
            {
                "name": "PT Serba Salah",
                "is_company": True,
                "vat": "12345678901234",  # 14 digits: refused (efaktur.md §2.4)
                "l10n_id_kode_transaksi": "04",
                "l10n_id_buyer_document_type": "TIN",
                "country_id": self.indonesia.id,
                # no address
            }
        )

    def test_every_problem_in_one_dialog_nothing_written(self):
        good = self._invoice(self.buyer_pt, [self._paper()])
        bad = self._invoice(
            self._bad_buyer(),
            [
                self._paper(taxes=[self.tax_12]),  # code 04 needs the 11/12 tax
                self._paper(taxes=[]),  # no PPN at all
            ],
        )
        # Already exported, then selected again (e.g. from the invoice list).
        exported = self._invoice(self.buyer_nik, [self._paper()])
        self._wizard(exported)._efaktur_export()
        batch = exported.efaktur_batch_id
        self.assertTrue(batch)
        moves = good | bad | exported
        before = self._written(moves)

        wizard = self._wizard(moves)
        action = wizard.action_export()

        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(action["target"], "new")
        view = self.env.ref("efaktur_export.efaktur_export_wizard_view_problems")
        self.assertEqual(action["views"], [(view.id, "form")])
        self.assertEqual(self._written(moves), before, "nothing written")

        lines = wizard.problem_ids
        messages = lines.mapped("message")
        expected = [
            (bad, "16 digits"),  # the 14-digit NPWP
            (bad, "address"),
            (bad, "code 04 needs the PPN tax on DPP Nilai Lain 11/12"),
            (bad, "has no PPN tax"),
            (exported, batch.name),
        ]
        for move, text in expected:
            found = lines.filtered(lambda li, t=text: t in li.message)
            self.assertEqual(len(found), 1, f"one line for {text!r}: {messages}")
            self.assertEqual(found.move_id, move, text)
        # One line per problem: the engine's list plus the already-exported invoice.
        engine = (good | bad)._efaktur_problems()
        self.assertEqual(len(lines), len(engine) + 1, messages)
        self.assertFalse(lines.filtered(lambda li: li.move_id == good))
        for line in lines.filtered("move_id"):
            self.assertIn(line.move_id.name, line.message)

        # Each line opens its invoice.
        line = lines.filtered(lambda li: li.move_id == bad)[0]
        opened = line.with_user(self.accountant).action_open_invoice()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]), ("account.move", bad.id)
        )
        # The billing user can open the dialog's view; Back returns to the filters.
        self.env["efaktur.export.wizard"].with_user(self.accountant).get_views(
            [(view.id, "form")]
        )
        back = wizard.action_back()
        self.assertEqual(back["res_id"], wizard.id)
        self.assertEqual(back["views"], [(False, "form")])
        self.assertFalse(wizard.problem_ids)

        # The Python path raises the same list.
        with self.assertRaises(EfakturProblemsError) as caught:
            wizard._efaktur_export()
        self.assertEqual(len(caught.exception.problems), len(lines))
        self.assertEqual(self._written(moves), before)

        # Without the faulty ones the export goes through.
        wizard = self._wizard(good)
        action = wizard.action_export()
        self.assertEqual(action["res_model"], "efaktur.export.batch")
        self.assertEqual(good.efaktur_state, "exported")

    def test_problem_of_the_company_has_no_invoice(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        inv.company_id.partner_id.l10n_id_tku = "12"  # not 6 digits
        wizard = self._wizard(inv)
        wizard.action_export()
        line = wizard.problem_ids.filtered(lambda li: "TKU" in li.message)
        self.assertEqual(len(line), 1, wizard.problem_ids.mapped("message"))
        self.assertFalse(line.move_id)
        self.assertEqual(inv.efaktur_state, "to_export")

    def test_problem_while_a_later_file_is_built_undoes_everything(self):
        # An invoice changed by another transaction between the check and its file (the
        # engine re-checks each chunk): the files stored so far and the batch are undone.
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-06-10")
        inv2 = self._invoice(self.buyer_pt, [self._paper(2)], date="2025-06-11")
        moves = inv1 | inv2
        before = self._written(moves)
        build = EfakturExportWizard._efaktur_build_files

        def first_then_problem(wizard, invoices):
            files = build(wizard, invoices)
            yield next(iter(files))
            raise EfakturProblemsError([(inv2, f"Invoice {inv2.name}: changed.")])

        wizard = self._wizard(moves, max_per_file=1)
        with patch.object(
            EfakturExportWizard, "_efaktur_build_files", first_then_problem
        ):
            action = wizard.action_export()
        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        self.assertEqual(wizard.problem_ids.move_id, inv2)
        self.assertEqual(self._written(moves), before, "batch and first file undone")

    def test_invoices_per_file_out_of_range(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        for bad in (0, -5, 1001):
            with self.assertRaises(ValidationError):
                self._wizard(inv, max_per_file=bad)
        self.assertEqual(self._wizard(inv, max_per_file=1000).max_per_file, 1000)

    def test_what_building_wrote_is_undone_when_the_export_is_refused(self):
        # Building the files may write (the legacy CSV gives serials): when the wizard's
        # own problems refuse the export, that is undone too.
        inv = self._invoice(self.buyer_pt, [self._paper()])
        exported = self._invoice(self.buyer_nik, [self._paper()])
        self._wizard(exported)._efaktur_export()
        build = EfakturExportWizard._efaktur_build_files

        def writing_build(wizard, invoices):
            invoices.write({"ref": "serial given"})
            return build(wizard, invoices)

        wizard = self._wizard(inv | exported)
        with patch.object(EfakturExportWizard, "_efaktur_build_files", writing_build):
            action = wizard.action_export()
        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        self.assertEqual(wizard.problem_ids.move_id, exported)
        (inv | exported).invalidate_recordset()
        self.assertEqual((inv | exported).mapped("ref"), [False, False])
        self.assertEqual(inv.efaktur_state, "to_export")
