# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Validation before export: every problem of every invoice at once, nothing exported; and
each error of Odoo's own module (issue 11, "Why") as a test."""

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.efaktur_export.models.efaktur_problems import EfakturProblemsError

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxValidation(CoretaxCase):
    def _paper_line(self, **vals):
        line = {"product_id": self.paper.id, "quantity": 1, "price_unit": 100000}
        line.update(vals)
        return line

    def _messages(self, moves):
        return [
            message
            for _move, message in moves.with_user(self.accountant)._efaktur_problems()
        ]

    def test_every_problem_in_one_list_nothing_written(self):
        company = self.company_data["company"].with_env(self.env)
        bad_buyer = self.env["res.partner"].create(
            {
                "name": "PT Salah Data",
                "is_company": True,
                "vat": "12345678901234",  # 14 digits
                "l10n_id_tku": "12",  # not 6 digits
                "street": "Jl. Salah 1",
                "country_id": self.indonesia.id,
            }
        )
        uom_no_code = self.env["uom.uom"].create(
            {
                "name": "Karung",
                "category_id": self.env.ref("uom.product_uom_categ_unit").id,
                "uom_type": "bigger",
                "factor_inv": 50,
            }
        )
        no_code = self.env["product.product"].create({"name": "Barang tanpa kode"})
        no_code.l10n_id_product_code = False
        everything = self._invoice(
            bad_buyer,
            [
                # code 07 needs 0% PPN: this 11% line is refused
                self._paper_line(product_id=no_code.id, product_uom_id=uom_no_code.id),
                # a line with only a withholding tax: no PPN
                self._paper_line(name="Jasa", taxes=[self.tax_pph23]),
            ],
            date="2024-12-20",  # before Coretax
            l10n_id_kode_transaksi="07",  # without facility information
        )
        refund = self._invoice(
            self.buyer_pt,
            [self._paper_line()],
            move_type="out_refund",
            date="2025-06-01",
        )
        draft = self._invoice(self.buyer_pt, [self._paper_line()], post=False)
        tax_wrong = self.env["account.tax"].create(
            {
                "name": "PPN 12% wrongly set as 11/12",
                "amount": 12.0,
                "type_tax_use": "sale",
            }
        )
        tax_wrong.efaktur_role = "other_value"
        # booked 12% of 100,000 = 12,000; the file says 12% of 91,667 = 11,000
        booked_differs = self._invoice(
            self.buyer_pt, [self._paper_line(taxes=[tax_wrong])]
        )
        code_04_full = self._invoice(
            self.buyer_pt, [self._paper_line(taxes=[self.tax_12])]
        )
        code_01_other = self._invoice(
            self.buyer_pt, [self._paper_line()], l10n_id_kode_transaksi="01"
        )
        bad_tku = self.env["res.partner"].create(
            {
                "name": "PT Cabang Salah",
                "is_company": True,
                "vat": "0987654321098111",
                "l10n_id_tku": "12",  # NITKU = NPWP + 2 digits: not 22
                "street": "Jl. Cabang 2",
            }
        )
        nitku = self._invoice(bad_tku, [self._paper_line()])
        short_nik = self.env["res.partner"].create(
            {
                "name": "Siti NIK Pendek",
                "l10n_id_buyer_document_type": "NIK",
                "l10n_id_buyer_document_number": "3273",
                "street": "Jl. Pendek 1",
            }
        )
        nik = self._invoice(short_nik, [self._paper_line()])
        company.vat = "012345678"
        moves = (
            everything | refund | draft | booked_differs | code_04_full | code_01_other
        )
        moves |= nitku | nik
        stamps = {m.id: m.write_date for m in moves}
        with self.assertRaises(EfakturProblemsError) as caught:
            moves.with_user(self.accountant)._efaktur_coretax_files()
        problems = caught.exception.problems
        text = "\n".join(message for _move, message in problems)
        expected = {
            # company
            None: ["NPWP must have 16 digits (found '012345678')"],
            everything: [
                "dated before 2025",
                "code 07 needs the additional information and the facility stamp",
                "NPWP of PT Salah Data must have 16 digits",
                "line 'Jasa' has no PPN tax",
                "code 07 needs a 0% PPN tax",
                "has no e-Faktur product code",
                "unit Karung has no e-Faktur unit code",
            ],
            refund: ["credit note"],
            draft: ["not posted"],
            booked_differs: [
                "PPN booked (12000.00) differs from the PPN of the e-Faktur lines"
                " (11000.00)"
            ],
            code_04_full: ["code 04 needs the PPN tax on DPP Nilai Lain 11/12"],
            code_01_other: ["code 01 needs a full-rate PPN tax"],
            nitku: [
                "NITKU of PT Cabang Salah must be its NPWP followed by a 6-digit TKU"
            ],
            nik: ["NIK of Siti NIK Pendek must have 16 digits"],
        }
        for move, snippets in expected.items():
            mine = [
                m
                for rec, m in problems
                if (rec.id if rec else None) == (move and move.id)
            ]
            for snippet in snippets:
                self.assertTrue(
                    any(snippet in m for m in mine), f"{snippet!r} not in {mine!r}"
                )
        self.assertIn("PT Salah Data", text)
        # Each invoice's problems name it; nothing was written.
        for move, message in problems:
            if move:
                self.assertIn(move.name or "(draft)", message)
        with self.assertRaises(EfakturProblemsError):
            next(moves.with_user(self.accountant)._efaktur_coretax_iter_files())
        self.assertEqual({m.id: m.write_date for m in moves}, stamps)
        self.assertFalse(moves.l10n_id_coretax_document)
        self.assertEqual(moves.with_user(self.accountant)._efaktur_problems(), problems)

    def test_all_zero_npwp_refused(self):
        # Odoo's module passes a placeholder NPWP through as a real one.
        zero = self.env["res.partner"].create(
            {"name": "PT Nol", "is_company": True, "vat": "0" * 16, "street": "Jl. Nol"}
        )
        messages = self._messages(self._invoice(zero, [self._paper_line()]))
        self.assertEqual(len(messages), 1)
        self.assertIn("all zeros", messages[0])

    def test_legacy_15_digit_npwp_normalised(self):
        self.buyer_pt.vat = "98.765.432.1-098.000"  # 15 digits -> 0 + 15
        move = self._invoice(self.buyer_pt, [self._paper_line()])
        xml = etree.fromstring(move._efaktur_coretax_files()[0][1])
        self.assertEqual(xml.findtext(".//BuyerTin"), "0987654321098000")
        self.assertEqual(xml.findtext(".//BuyerIDTKU"), "0987654321098000000000")

    def test_nik_buyer_needs_no_npwp(self):
        # Odoo's module asks an NPWP (and PKP) from a buyer with a NIK only, and writes "NIK".
        self.assertFalse(self.buyer_nik.vat)
        move = self._invoice(self.buyer_nik, [self._paper_line()])
        xml = etree.fromstring(
            move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
        )
        self.assertEqual(xml.findtext(".//BuyerDocument"), "National ID")
        self.assertEqual(xml.findtext(".//BuyerTin"), "0" * 16)
        self.buyer_nik.l10n_id_buyer_document_number = "32730101"
        self.assertIn(
            "NIK of Budi Santoso must have 16 digits", self._messages(move)[0]
        )

    def test_two_taxes_on_a_line_withholding_left_out(self):
        # Odoo's module crashes on PPN + PPh 22/23 on one line.
        move = self._invoice(
            self.buyer_pt, [self._paper_line(taxes=[self.tax_11, self.tax_pph23])]
        )
        xml = etree.fromstring(
            move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
        )
        # 100,000: 11/12 = 91,666.67 -> 91,667; PPN 11,000.04 -> 11,000; PPh not in the file
        self.assertEqual(xml.findtext(".//OtherTaxBase"), "91667.00")
        self.assertEqual(xml.findtext(".//VAT"), "11000.00")
        self.assertEqual(len(xml.findall(".//GoodService")), 1)

    def test_global_discount_never_negative(self):
        # Odoo's module writes the discount line as a negative GoodService.
        move = self._invoice(
            self.buyer_pt,
            [
                self._paper_line(quantity=3),  # 300,000
                self._paper_line(price_unit=50000),  # 50,000
                {"name": "Diskon", "quantity": 1, "price_unit": -35000},
            ],
        )
        xml = etree.fromstring(move._efaktur_coretax_files()[0][1])
        # spread 35,000 pro rata 300/350 and 50/350: 30,000 and 5,000
        self.assertEqual(
            [n.text for n in xml.iter("TotalDiscount")], ["30000.00", "5000.00"]
        )
        self.assertEqual(
            [n.text for n in xml.iter("TaxBase")], ["270000.00", "45000.00"]
        )
        self.assertFalse([n for n in xml.iter() if (n.text or "").startswith("-")])

    def test_discount_larger_than_lines_refused(self):
        move = self._invoice(
            self.buyer_pt,
            [
                self._paper_line(),
                {
                    "name": "Diskon",
                    "quantity": 1,
                    "price_unit": -50000,
                    "taxes": [self.tax_12],
                },
            ],
        )
        self.assertTrue(any("cannot be spread" in m for m in self._messages(move)))

    def test_facility_07_without_stamp_and_zero_setting(self):
        move = self._invoice(
            self.buyer_pt,
            [self._paper_line(taxes=[self.tax_0])],
            l10n_id_kode_transaksi="08",
            l10n_id_coretax_add_info_08="TD.00501",
        )
        self.assertEqual(self._messages(move), [])
        self.company_data["company"].efaktur_facility_vat = "zero"
        xml = etree.fromstring(move._efaktur_coretax_files()[0][1])
        self.assertEqual(xml.findtext(".//FacilityStamp"), "TD.01101")
        self.assertEqual(xml.findtext(".//OtherTaxBase"), "91667.00")
        self.assertEqual(xml.findtext(".//VAT"), "0.00")

    def test_download_efaktur_is_ours(self):
        # Odoo's "Download e-Faktur" server action calls download_efaktur: our checks and XML.
        move = self._invoice(self.buyer_nik, [self._paper_line()])
        action = move.with_user(self.accountant).download_efaktur()
        # The action opens our export wizard on the selection.
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["res_model"], "efaktur.export.wizard")
        wizard = self.env["efaktur.export.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.invoice_ids, move)
        # Odoo's own e-Faktur document, when one is made, is built by our builder.
        document = (
            self.env["l10n_id_efaktur_coretax.document"]
            .with_user(self.accountant)
            .create({"invoice_ids": move.ids, "company_id": move.company_id.id})
        )
        document._generate_xml()
        xml = etree.fromstring(document.attachment_id.raw)
        self.assertEqual(xml.findtext(".//BuyerDocument"), "National ID")  # Odoo: "NIK"
        self.assertEqual(xml.findtext(".//OtherTaxBase"), "91667.00")  # Odoo: 91666.67
        # Regenerate uses our builder too.
        document.action_regenerate()
        self.assertEqual(
            etree.fromstring(document.attachment_id.raw).findtext(".//VAT"), "11000.00"
        )
        bad = self._invoice(self.buyer_pt, [self._paper_line(taxes=[self.tax_12])])
        action = bad.with_user(self.accountant).download_efaktur()
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .browse(action["res_id"])
        )
        with self.assertRaises(UserError):
            wizard._efaktur_export()  # action_export shows the problems dialog
        self.assertFalse(bad.l10n_id_coretax_document)
        self.assertFalse(bad.efaktur_batch_id)

    def test_collectors_02_03_keep_other_value(self):
        # Deliveries to VAT collectors keep code 02/03 and still state DPP Nilai Lain 11/12
        # (efaktur.md §2.5): 100,000 -> 91,667 -> PPN 11,000.
        for code in ("02", "03"):
            move = self._invoice(
                self.buyer_pt, [self._paper_line()], l10n_id_kode_transaksi=code
            )
            xml = etree.fromstring(
                move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
            )
            self.assertEqual(xml.findtext(".//TrxCode"), code)
            self.assertEqual(xml.findtext(".//OtherTaxBase"), "91667.00")
            self.assertEqual(xml.findtext(".//VAT"), "11000.00")

    def test_down_payment_refused(self):
        if "sale.order" not in self.env:
            self.skipTest("sale is not installed")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.buyer_pt.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.paper.id,
                            "product_uom_qty": 1,
                            "price_unit": 100000,
                            "tax_id": [Command.set(self.tax_11.ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 50})
        )
        wizard.create_invoices()
        invoice = order.invoice_ids
        invoice.invoice_date = "2025-06-10"
        invoice.action_post()
        self.assertTrue(any("down payment" in m for m in self._messages(invoice)))

    def test_settings_foreign_idtku_and_default_unit(self):
        company = self.company_data["company"]
        company.efaktur_foreign_idtku = "document"
        company.efaktur_default_uom_code_id = self.env.ref(
            "l10n_id_efaktur_coretax.uom_code_0033"
        )
        company.efaktur_default_opt = "B"
        move = self._invoice(
            self.buyer_passport,
            [{"name": "Biaya lain", "quantity": 1, "price_unit": 10000}],
            l10n_id_kode_transaksi="06",
        )
        xml = etree.fromstring(
            move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
        )
        self.assertEqual(xml.findtext(".//BuyerIDTKU"), "A1234567000000")
        self.assertEqual(xml.findtext(".//Unit"), "UM.0033")
        self.assertEqual(xml.findtext(".//Opt"), "B")
        self.assertEqual(xml.findtext(".//Code"), "000000")

    def test_several_companies_refused(self):
        other = self.setup_other_company()["company"]
        mine = self._invoice(self.buyer_pt, [self._paper_line()])
        theirs = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": other.id,
                "partner_id": self.buyer_pt.id,
                "invoice_date": "2025-06-10",
                "invoice_line_ids": [
                    Command.create({"name": "x", "price_unit": 1, "tax_ids": []})
                ],
            }
        )
        problems = (mine | theirs)._efaktur_problems()
        self.assertEqual(len(problems), 1)
        self.assertIn("several companies", problems[0][1])
