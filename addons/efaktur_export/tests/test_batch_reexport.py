# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Re-export of a batch, the reset-to-draft warning and flag, Odoo's own e-Faktur document
after a reset (issue 11 item 4), as a billing user."""

import base64
import io
import zipfile

from lxml import etree

from odoo import Command
from odoo.tests import tagged

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestEfakturBatchReexport(CoretaxCase):
    def _paper(self, quantity=1):
        return {
            "product_id": self.paper.id,
            "name": "Kertas A4 80gsm",
            "quantity": quantity,
            "price_unit": 55000,
        }

    def _export(self, invoices, **vals):
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create({"invoice_ids": [Command.set(invoices.ids)], **vals})
        )
        action = wizard.action_export()
        self.assertEqual(action["res_model"], "efaktur.export.batch", action)
        return self._batch(action["res_id"])

    def _batch(self, batch_id):
        return (
            self.env["efaktur.export.batch"].with_user(self.accountant).browse(batch_id)
        )

    def _files(self, batch):
        """{name: bytes} of the batch's files, and the names inside its zip (or None)."""
        files = {a.name: base64.b64decode(a.datas) for a in batch.attachment_ids}
        zips = [name for name in files if name.endswith(".zip")]
        inside = None
        if zips:
            self.assertEqual(len(zips), 1)
            with zipfile.ZipFile(io.BytesIO(files[zips[0]])) as archive:
                inside = {name: archive.read(name) for name in archive.namelist()}
        return files, inside

    def _reexport(self, batch):
        action = batch.action_reexport()
        self.assertEqual(action["res_model"], "efaktur.export.batch", action)
        return self._batch(action["res_id"])

    def test_reexport_without_changes_keeps_old_files(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-06-10")
        inv2 = self._invoice(self.buyer_nik, [self._paper(2)], date="2025-06-11")
        first = self._export(inv1 | inv2, max_per_file=1)
        old_files, old_zip = self._files(first)
        # Two files of one invoice each, and one zip holding both.
        self.assertEqual(len(old_files), 3)
        self.assertEqual(
            old_zip, {k: v for k, v in old_files.items() if k.endswith(".xml")}
        )
        self.assertFalse(first.has_changes)

        second = self._reexport(first)

        self.assertNotEqual(second, first)
        self.assertEqual(second.reexport_of_id, first)
        self.assertEqual(second.invoice_ids, inv1 | inv2)
        self.assertEqual(second.user_id, self.accountant)
        self.assertEqual((inv1 | inv2).efaktur_batch_id, second)
        self.assertEqual(set((inv1 | inv2).mapped("efaktur_state")), {"exported"})
        # The old batch is the record of what was sent: files and invoices untouched.
        self.assertEqual(self._files(first), (old_files, old_zip))
        self.assertEqual(first.invoice_ids, inv1 | inv2)
        self.assertEqual(first.state, "reexported")
        self.assertEqual(first.reexport_ids, second)
        self.assertEqual(second.state, "exported")
        # The new batch holds files built again (1,000 per file by default: one XML).
        new_files, new_zip = self._files(second)
        self.assertEqual(len(new_files), 1)
        self.assertIsNone(new_zip)
        xml = etree.fromstring(next(iter(new_files.values())))
        refs = [node.text for node in xml.iter("RefDesc")]
        self.assertEqual(len(refs), 2)

    def test_reset_to_draft_flag_survives_repost_and_reexport_warns(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-06-10")
        inv2 = self._invoice(self.buyer_pt, [self._paper(3)], date="2025-06-12")
        first = self._export(inv1 | inv2)
        inv1.with_user(self.accountant).button_draft()
        self.assertEqual(inv1.efaktur_state, "needs_reexport")
        inv1.with_user(self.accountant).invoice_line_ids[0].quantity = 4
        inv1.with_user(self.accountant).action_post()
        # Posted again: still flagged until it is exported again.
        self.assertEqual(inv1.state, "posted")
        self.assertEqual(inv1.efaktur_state, "needs_reexport")
        self.assertEqual(inv1.efaktur_batch_id, first)
        first.invalidate_recordset()
        self.assertEqual(first.state, "needs_reexport")
        self.assertTrue(first.has_changes)
        self.assertEqual(first.changed_invoice_ids, inv1)
        # The batch form asks before re-exporting a changed batch.
        arch = etree.fromstring(
            self.env["efaktur.export.batch"]
            .with_user(self.accountant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        buttons = arch.xpath("//button[@name='action_reexport']")
        self.assertEqual(len(buttons), 2)
        confirm = [b for b in buttons if b.get("confirm")]
        self.assertEqual(len(confirm), 1)
        self.assertEqual(confirm[0].get("invisible"), "not has_changes")
        self.assertTrue(arch.xpath("//field[@name='changed_invoice_ids']"))

        second = self._reexport(first)

        self.assertEqual(second.invoice_ids, inv1 | inv2)
        self.assertEqual(set((inv1 | inv2).mapped("efaktur_state")), {"exported"})
        first.invalidate_recordset()
        self.assertFalse(first.has_changes)  # its invoices moved to the new batch
        self.assertEqual(first.state, "reexported")
        files, _inside = self._files(second)
        xml = etree.fromstring(next(iter(files.values())))
        quantities = sorted(node.text for node in xml.iter("Qty"))
        self.assertEqual(quantities, ["3", "4"], "the file holds the new quantity")

    def test_reexport_with_a_draft_or_cancelled_invoice(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()])
        inv2 = self._invoice(self.buyer_pt, [self._paper(2)])
        inv3 = self._invoice(self.buyer_pt, [self._paper(3)])
        first = self._export(inv1 | inv2 | inv3)
        inv2.with_user(self.accountant).button_draft()
        inv3.with_user(self.accountant).button_draft()
        inv3.with_user(self.accountant).button_cancel()
        first.invalidate_recordset()
        self.assertEqual(first.changed_invoice_ids, inv2 | inv3)
        batches = self.env["efaktur.export.batch"].search_count([])
        # A draft invoice blocks the re-export: problems dialog, nothing written.
        action = first.action_reexport()
        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        wizard = self.env["efaktur.export.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.reexport_batch_id, first)
        self.assertEqual(wizard.problem_ids.move_id, inv2)
        self.assertIn("not posted", wizard.problem_ids.message)
        self.assertEqual(self.env["efaktur.export.batch"].search_count([]), batches)
        self.assertEqual(inv1.efaktur_state, "exported")
        self.assertEqual(inv1.efaktur_batch_id, first)
        # Posted again, it goes; the cancelled one is left out.
        inv2.with_user(self.accountant).action_post()
        second = self._reexport(first)
        self.assertEqual(second.invoice_ids, inv1 | inv2)
        self.assertEqual(inv3.efaktur_state, "needs_reexport")
        self.assertEqual(inv3.efaktur_batch_id, first)

    def test_exported_invoice_is_not_exported_twice_by_the_wizard(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        first = self._export(inv)
        # Selected again in a plain export: refused, pointing at the batch.
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create({"invoice_ids": [Command.set(inv.ids)]})
        )
        wizard.action_export()
        self.assertIn(first.name, wizard.problem_ids.message)
        self.assertEqual(inv.efaktur_batch_id, first)
        # Re-exporting an old batch whose invoice moved on to a later batch: refused.
        second = self._reexport(first)
        with self.assertRaisesRegex(Exception, "no invoice left to re-export"):
            first.action_reexport()
        self.assertEqual(inv.efaktur_batch_id, second)

    def test_reset_to_draft_asks_first(self):
        inv = self._invoice(self.buyer_pt, [self._paper()])
        arch = etree.fromstring(
            self.env["account.move"]
            .with_user(self.accountant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        buttons = arch.xpath("//header/button[@name='button_draft']")
        self.assertEqual(len(buttons), 2)
        plain, asking = sorted(buttons, key=lambda b: bool(b.get("confirm")))
        self.assertIn("efaktur_state == 'exported'", plain.get("invisible"))
        self.assertIn("efaktur_state != 'exported'", asking.get("invisible"))
        self.assertIn("export", asking.get("confirm"))
        self._export(inv)
        self.assertEqual(inv.efaktur_state, "exported")  # the asking button shows

    def test_reset_to_draft_leaves_odoo_document(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()])
        inv2 = self._invoice(self.buyer_pt, [self._paper(2)])
        # A file made by Odoo's own document (e.g. before this module was installed).
        document = (
            self.env["l10n_id_efaktur_coretax.document"]
            .with_user(self.accountant)
            .create(
                {"invoice_ids": (inv1 | inv2).ids, "company_id": inv1.company_id.id}
            )
        )
        document._generate_xml()
        stale = document.attachment_id
        self.assertTrue(stale)
        inv1.with_user(self.accountant).button_draft()
        self.assertFalse(inv1.l10n_id_coretax_document)
        self.assertFalse(stale.exists(), "the file of the old invoice is gone")
        self.assertEqual(document.invoice_ids, inv2)
        self.assertTrue(document.active)
        self.assertTrue(
            any(
                "removed from the e-Faktur document" in body
                for body in inv1.message_ids.mapped("body")
            )
        )
        # Downloading again builds the file from the invoices left.
        document.action_download()
        xml = etree.fromstring(document.attachment_id.raw)
        self.assertEqual([node.text for node in xml.iter("Qty")], ["2"])
        inv2.with_user(self.accountant).button_draft()
        self.assertFalse(document.active)
