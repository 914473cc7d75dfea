# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoices already exported with Odoo's own e-Faktur (l10n_id_efaktur_coretax's XML
document, l10n_id_efaktur's CSV document) are not exported a second time by accident
(issue 11 item 1: "a company that already uses Odoo's module keeps its data")."""

from odoo import Command
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..hooks import mark_odoo_exported
from ..models.efaktur_problems import EfakturProblemsError
from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestOdooExported(CoretaxCase):
    def _paper(self):
        return {"product_id": self.paper.id, "quantity": 1, "price_unit": 55000}

    def _odoo_document(self, invoices):
        """What Odoo's own "Download e-Faktur" made before this module (as admin: the
        past, not the billing user's action)."""
        document = self.env["l10n_id_efaktur_coretax.document"].create(
            {"invoice_ids": [Command.set(invoices.ids)], "company_id": self.company.id}
        )
        document._generate_xml()
        return document

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]

    def _to_export(self, invoices):
        action = self.env.ref("efaktur_export.efaktur_to_export_action")
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .search([("id", "in", invoices.ids)] + safe_eval(action.domain))
        )

    def _wizard(self, **vals):
        return self.env["efaktur.export.wizard"].with_user(self.accountant).create(vals)

    def test_odoo_document_is_not_exported_again(self):
        sent = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        other = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-03")
        document = self._odoo_document(sent)
        self.assertEqual(sent.efaktur_state, "exported_odoo")
        self.assertEqual(other.efaktur_state, "to_export")
        self.assertEqual(self._to_export(sent | other), other)

        # The period export leaves it out.
        batch = self._wizard(
            date_from="2025-07-01", date_to="2025-07-31"
        )._efaktur_export()
        self.assertEqual(batch.invoice_ids, other)
        self.assertEqual(sent.efaktur_state, "exported_odoo")

        # Selected by hand: refused, naming Odoo's document, nothing written.
        wizard = self._wizard(invoice_ids=[Command.set(sent.ids)])
        self.assertTrue(wizard.has_odoo_exported)
        with self.assertRaises(EfakturProblemsError) as caught:
            wizard._efaktur_export()
        ((move, message),) = caught.exception.problems
        self.assertEqual(move, sent)
        self.assertIn(document.display_name, message)
        self.assertIn("Odoo's e-Faktur", message)
        self.assertFalse(sent.efaktur_batch_id)

        # Exported again on purpose: the option says so.
        wizard.include_odoo_exported = True
        batch = wizard._efaktur_export()
        self.assertEqual(batch.invoice_ids, sent)
        self.assertEqual(sent.efaktur_state, "exported")

    def test_reset_to_draft_needs_reexport(self):
        sent = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        self._odoo_document(sent)
        sent.with_user(self.accountant).button_draft()
        self.assertFalse(sent.l10n_id_coretax_document)
        self.assertEqual(sent.efaktur_state, "needs_reexport")
        sent.action_post()
        self.assertEqual(self._to_export(sent), sent)

    def test_install_marks_invoices_of_odoo_documents(self):
        coretax = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        legacy = self._invoice(self.buyer_pt, [self._paper()], date="2024-07-02")
        ours = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-04")
        untouched = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-05")
        self._wizard(invoice_ids=[Command.set(ours.ids)])._efaktur_export()
        coretax_doc = self.env["l10n_id_efaktur_coretax.document"].create(
            {"company_id": self.company.id}
        )
        legacy_doc = self.env["l10n_id_efaktur.document"].create(
            {"company_id": self.company.id}
        )
        # The database as it was before this module: documents set, no status of ours
        # (SQL, past the ORM that keeps the status in sync now).
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE account_move SET l10n_id_coretax_document = %s,
                                       efaktur_state = 'to_export'
                WHERE id = %s""",
            [coretax_doc.id, coretax.id],
        )
        self.env.cr.execute(
            """UPDATE account_move SET l10n_id_efaktur_document = %s,
                                       efaktur_state = 'to_export'
                WHERE id = %s""",
            [legacy_doc.id, legacy.id],
        )
        self.env.cr.execute(
            "UPDATE account_move SET l10n_id_coretax_document = %s WHERE id = %s",
            [coretax_doc.id, ours.id],
        )
        self.env.invalidate_all()

        self.assertGreaterEqual(mark_odoo_exported(self.env), 2)
        self.assertEqual(
            (coretax | legacy | ours | untouched).mapped("efaktur_state"),
            ["exported_odoo", "exported_odoo", "exported", "to_export"],
        )
