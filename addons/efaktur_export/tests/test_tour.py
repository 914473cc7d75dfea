# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour: to export → export wizard → batch → Import Faktur Numbers → the invoice
shows its number, as a billing user (issue 11 items 4 and 5)."""

from odoo.tests import HttpCase, tagged

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestEfakturTour(CoretaxCase, HttpCase):
    def test_export_and_import_numbers_tour(self):
        self.accountant.password = self.accountant.login
        invoices = self.env["account.move"]
        for quantity, day in ((1, "2025-06-10"), (2, "2025-06-11")):
            invoices |= self._invoice(
                self.buyer_pt,
                [
                    {
                        "product_id": self.paper.id,
                        "name": "Kertas A4 80gsm",
                        "quantity": quantity,
                        "price_unit": 55000,
                    }
                ],
                date=day,
            )
        self.start_tour(
            "/odoo/action-efaktur_export.efaktur_to_export_action",
            "efaktur_export_round_trip_tour",
            login=self.accountant.login,
            timeout=180,
        )
        batch = invoices.efaktur_batch_id
        self.assertEqual(len(batch), 1)
        self.assertEqual(batch.invoice_ids, invoices)
        self.assertEqual(batch.user_id, self.accountant)
        self.assertEqual(set(invoices.mapped("efaktur_state")), {"exported"})
        # The tour numbered the invoices in the order the batch lists them (the invoices'
        # own order: newest first).
        listed = self.env["account.move"].search([("id", "in", invoices.ids)])
        for index, invoice in enumerate(listed):
            self.assertEqual(
                invoice.efaktur_number,
                "040025" + str(index + 1).zfill(11),
                invoice.name,
            )
            self.assertEqual(invoice.efaktur_number_status, "approved")
