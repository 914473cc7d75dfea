# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tours of the wizard's dialogs as a billing user: the problems dialog and its
link, the re-export of a changed batch and the reset to draft of an exported invoice, both
asking first (static/tests/tours/efaktur_wizard_tour.js)."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestEfakturWizardTour(CoretaxCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant.password = cls.accountant.login

    def _paper(self, quantity=1):
        return {
            "product_id": self.paper.id,
            "name": "Kertas A4 80gsm",
            "quantity": quantity,
            "price_unit": 55000,
        }

    def _export(self, invoices):
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create({"invoice_ids": [Command.set(invoices.ids)]})
        )
        return wizard._efaktur_export()

    def test_problems_dialog_tour(self):
        bad_buyer = self.env["res.partner"].create(
            {
                "name": "PT Salah Tour",
                "is_company": True,
                "vat": "12345678901234",  # 14 digits (efaktur.md §2.4)
                "l10n_id_kode_transaksi": "04",
                "l10n_id_buyer_document_type": "TIN",
                "street": "Jl. Salah 1",
                "country_id": self.indonesia.id,
            }
        )
        good = self._invoice(self.buyer_pt, [self._paper()])
        bad = self._invoice(bad_buyer, [self._paper()])
        self.start_tour(
            "/odoo/action-efaktur_export.efaktur_to_export_action",
            "efaktur_export_problems_tour",
            login=self.accountant.login,
            timeout=180,
        )
        self.assertFalse((good | bad).efaktur_batch_id)
        self.assertEqual(set((good | bad).mapped("efaktur_state")), {"to_export"})

    def test_reexport_and_reset_tours(self):
        changed = self._invoice(self.buyer_pt, [self._paper()])
        batch = self._export(changed)
        changed.button_draft()
        changed.action_post()
        self.assertTrue(batch.has_changes)
        self.start_tour(
            f"/odoo/action-efaktur_export.efaktur_export_batch_action/{batch.id}",
            "efaktur_export_reexport_tour",
            login=self.accountant.login,
            timeout=180,
        )
        self.assertEqual(len(batch.reexport_ids), 1)
        self.assertEqual(changed.efaktur_batch_id, batch.reexport_ids)
        self.assertEqual(changed.efaktur_state, "exported")

        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{changed.id}",
            "efaktur_export_reset_tour",
            login=self.accountant.login,
            timeout=180,
        )
        self.assertEqual(changed.state, "draft")
        self.assertEqual(changed.efaktur_state, "needs_reexport")
