# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The export wizard and its batches (issue 11 item 4), as a least-privilege billing user."""

import base64
import io
import zipfile

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestEfakturBatch(CoretaxCase):
    def _paper(self, quantity=1):
        return {
            "product_id": self.paper.id,
            "name": "Kertas A4 80gsm",
            "quantity": quantity,
            "price_unit": 55000,
        }

    def _wizard(self, invoices, **vals):
        return (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create({"invoice_ids": [Command.set(invoices.ids)], **vals})
        )

    @staticmethod
    def _refs(xml_bytes):
        """The invoice references (RefDesc) written in one Coretax file."""
        root = etree.fromstring(xml_bytes)
        return [node.text for node in root.iter("RefDesc")]

    def test_three_invoices_two_per_file(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-06-10")
        inv2 = self._invoice(self.buyer_nik, [self._paper(2)], date="2025-06-11")
        inv3 = self._invoice(self.buyer_pt, [self._paper(3)], date="2025-06-12")
        invoices = inv1 | inv2 | inv3
        self.assertEqual(set(invoices.mapped("efaktur_state")), {"to_export"})

        action = self._wizard(invoices, max_per_file=2).action_export()

        # The billing user reads the batch and its files.
        batch = (
            self.env["efaktur.export.batch"]
            .with_user(self.accountant)
            .browse(action["res_id"])
        )
        self.assertEqual(action["res_model"], "efaktur.export.batch")
        self.assertEqual(batch.invoice_ids, invoices)
        self.assertEqual(batch.user_id, self.accountant)
        self.assertEqual(batch.state, "exported")
        self.assertTrue(batch.name.startswith("EFB/"))
        # 3 invoices, at most 2 per file: ceil(3 / 2) = 2 XML files, plus one zip of both.
        xmls = batch.attachment_ids.filtered(lambda a: a.name.endswith(".xml"))
        zips = batch.attachment_ids.filtered(lambda a: a.name.endswith(".zip"))
        self.assertEqual(len(xmls), 2)
        self.assertEqual(len(zips), 1)
        # Ordered by invoice date: the first file holds inv1 and inv2, the second inv3.
        by_name = sorted(xmls, key=lambda a: a.name)
        contents = [base64.b64decode(a.datas) for a in by_name]
        self.assertEqual(
            [len(self._refs(c)) for c in contents], [2, 1], "2 + 1 invoices per file"
        )
        all_refs = [ref for c in contents for ref in self._refs(c)]
        self.assertEqual(len(all_refs), 3)
        for invoice in invoices:
            self.assertTrue(
                any(invoice.name in (ref or "") for ref in all_refs), invoice.name
            )
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(zips.datas))) as archive:
            self.assertEqual(sorted(archive.namelist()), sorted(xmls.mapped("name")))
            for attachment in xmls:
                self.assertEqual(
                    archive.read(attachment.name), base64.b64decode(attachment.datas)
                )
        self.assertEqual(set(invoices.mapped("efaktur_state")), {"exported"})
        self.assertEqual(invoices.efaktur_batch_id, batch)

    def test_single_file_no_zip(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        action = self._wizard(inv).action_export()
        batch = self.env["efaktur.export.batch"].browse(action["res_id"])
        self.assertEqual(len(batch.attachment_ids), 1)
        self.assertTrue(batch.attachment_ids.name.endswith(".xml"))

    def test_problem_names_invoice_no_batch(self):
        bad_buyer = self.env["res.partner"].create(
            {
                "name": "PT Salah Data",
                "is_company": True,
                "vat": "12345678901234",  # 14 digits: refused (efaktur.md §2.4)
                "l10n_id_kode_transaksi": "04",
                "l10n_id_buyer_document_type": "TIN",
                "street": "Jl. Salah 1",
                "country_id": self.indonesia.id,
            }
        )
        good = self._invoice(self.buyer_pt, [self._paper()])
        bad = self._invoice(bad_buyer, [self._paper()])
        batches = self.env["efaktur.export.batch"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._wizard(good | bad)._efaktur_export()
        self.assertIn(f"{bad.name}: ", str(caught.exception))
        self.assertIn("16 digits", str(caught.exception))  # the 14-digit NPWP's reason
        self.assertNotIn(f"{bad.name}: Invoice", str(caught.exception), "named once")
        self.assertNotIn(f"{good.name}: ", str(caught.exception))
        self.assertEqual(self.env["efaktur.export.batch"].search_count([]), batches)
        self.assertEqual(set((good | bad).mapped("efaktur_state")), {"to_export"})
        self.assertFalse((good | bad).efaktur_batch_id)

    def test_reset_to_draft_needs_reexport(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        action = self._wizard(inv).action_export()
        batch = self.env["efaktur.export.batch"].browse(action["res_id"])
        messages = len(inv.message_ids)
        inv.with_user(self.accountant).button_draft()
        self.assertEqual(inv.efaktur_state, "needs_reexport")
        self.assertEqual(inv.efaktur_batch_id, batch)
        self.assertEqual(batch.state, "needs_reexport")
        self.assertGreater(len(inv.message_ids), messages)
        self.assertIn(batch.name, inv.message_ids[0].body)
        # A draft invoice that was never exported stays "to export".
        other = self._invoice(self.buyer_pt, [self._paper()])
        other.with_user(self.accountant).button_draft()
        self.assertEqual(other.efaktur_state, "to_export")

    def test_filters_and_download_hook(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-01")
        inv2 = self._invoice(self.buyer_nik, [self._paper()], date="2025-07-02")
        # Odoo's "Download e-Faktur" opens our wizard with the selection.
        action = (inv1 | inv2).with_user(self.accountant).download_efaktur()
        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        wizard = self.env["efaktur.export.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.invoice_ids, inv1 | inv2)
        self.assertEqual(wizard.max_per_file, 1000)
        # Filters: customer PT in July 2025 finds inv1 only.
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "date_from": "2025-07-01",
                    "date_to": "2025-07-31",
                    "partner_ids": [Command.set(self.buyer_pt.ids)],
                }
            )
        )
        self.assertEqual(wizard._efaktur_invoices(), inv1)
        wizard.action_export()
        self.assertEqual(inv1.efaktur_state, "exported")
        self.assertEqual(inv2.efaktur_state, "to_export")
        # Exported invoices are no longer found by the filters.
        with self.assertRaises(UserError):
            wizard._efaktur_export()

    def test_views_and_menus_for_billing_user(self):
        user_env = self.env(user=self.accountant)
        for model in ("efaktur.export.batch", "efaktur.export.wizard"):
            user_env[model].get_views([(False, "list"), (False, "form")])
        form = user_env["account.move"].get_views([(False, "form")])
        self.assertIn("efaktur_state", form["views"]["form"]["arch"])
        menus = user_env["ir.ui.menu"]._visible_menu_ids()
        for xmlid in ("menu_efaktur_batches", "menu_efaktur_to_export"):
            self.assertIn(self.env.ref(f"efaktur_export.{xmlid}").id, menus)
        to_export = self.env.ref("efaktur_export.efaktur_to_export_action")
        inv = self._invoice(self.buyer_pt, [self._paper()])
        draft = self._invoice(self.buyer_pt, [self._paper()], post=False)
        found = user_env["account.move"].search(
            [("id", "in", (inv | draft).ids)] + safe_eval(to_export.domain)
        )
        self.assertEqual(found, inv)
