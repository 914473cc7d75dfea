# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Foreign-currency invoices: rupiah figures from the booked DPP, the booked PPN compared
within the rounding of the tax in the invoice currency, and free (100 % discount) lines
priced in rupiah without their included tax. Expected values computed by hand below, at
16,000 IDR/USD, from the rules of efaktur.md §2.3 and §2.6 (whole rupiah, half up; DPP
Nilai Lain = 11/12 of the rounded DPP; PPN = 12% of the rounded DPP Nilai Lain)."""

from lxml import etree

from odoo.tests import tagged

from odoo.addons.efaktur_export.models.efaktur_problems import EfakturProblemsError

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxCurrency(CoretaxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.env["res.currency.rate"].create(
            {
                "name": "2025-07-01",
                "currency_id": cls.usd.id,
                "company_id": cls.company_data["company"].id,
                "inverse_company_rate": 16000.0,
            }
        )

    def _usd_invoice(self, lines):
        return self._invoice(
            self.buyer_pt, lines, date="2025-07-02", currency_id=self.usd.id
        )

    def _lines(self, move):
        xml = move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
        self._assert_self_consistent(xml)
        return {
            item.findtext("Name"): {child.tag: child.text for child in item}
            for item in etree.fromstring(xml).iter("GoodService")
        }

    def test_ordinary_usd_price_exports(self):
        move = self._usd_invoice(
            [{"product_id": self.paper.id, "quantity": 1, "price_unit": 33.33}]
        )
        # Odoo books 11% of USD 33.33 = 3.6663 -> USD 3.67 -> 58,720 rupiah.
        self.assertAlmostEqual(move.amount_tax, 3.67)
        self.assertAlmostEqual(move.amount_tax_signed, 58720.0)
        line = self._lines(move)["Kertas A4 80gsm"]
        # DPP = 33.33 x 16,000 = 533,280; 11/12 = 488,840 exactly; PPN 12% = 58,660.80
        # -> 58,661. Booked 58,720: 59 rupiah apart, within 1 + 0.005 x 16,000 = 81.
        self.assertEqual(line["Price"], "533280.00")
        self.assertEqual(line["TotalDiscount"], "0.00")
        self.assertEqual(line["TaxBase"], "533280.00")
        self.assertEqual(line["OtherTaxBase"], "488840.00")
        self.assertEqual(line["VAT"], "58661.00")

    def test_tolerance_grows_with_the_lines_rounded_in_usd(self):
        move = self._usd_invoice(
            [
                {"product_id": self.paper.id, "quantity": 1, "price_unit": 33.33},
                {"product_id": self.install.id, "quantity": 3, "price_unit": 12.35},
                {"name": "Ongkos kirim", "quantity": 2, "price_unit": 7.77},
            ]
        )
        # Rounded per line in USD (the company's "round per line"):
        # 11% x 33.33 = 3.6663 -> 3.67; 11% x 37.05 = 4.0755 -> 4.08;
        # 11% x 15.54 = 1.7094 -> 1.71; total USD 9.46 = 151,360 rupiah.
        self.assertAlmostEqual(move.amount_tax, 9.46)
        self.assertAlmostEqual(move.amount_tax_signed, 151360.0)
        lines = self._lines(move)
        # 533,280 -> 488,840 -> 58,661 (above)
        # 37.05 x 16,000 = 592,800 -> 11/12 = 543,400 exactly -> 12% = 65,208
        # 15.54 x 16,000 = 248,640 -> 11/12 = 227,920 exactly -> 12% = 27,350.40 -> 27,350
        # file PPN 151,219; booked 151,360: 141 apart, more than one USD rounding (81)
        # but within 1 + 3 x 0.005 x 16,000 = 241.
        self.assertEqual(lines["Jasa instalasi"]["Price"], "197600.00")  # 592,800 / 3
        self.assertEqual(lines["Jasa instalasi"]["TaxBase"], "592800.00")
        self.assertEqual(lines["Jasa instalasi"]["VAT"], "65208.00")
        self.assertEqual(lines["Ongkos kirim"]["Price"], "124320.00")  # 248,640 / 2
        self.assertEqual(lines["Ongkos kirim"]["OtherTaxBase"], "227920.00")
        self.assertEqual(lines["Ongkos kirim"]["VAT"], "27350.00")

    def test_wrong_usd_tax_is_still_refused(self):
        tax_wrong = self.env["account.tax"].create(
            {
                "name": "PPN 12% wrongly set as 11/12",
                "amount": 12.0,
                "type_tax_use": "sale",
            }
        )
        tax_wrong.efaktur_role = "other_value"
        move = self._usd_invoice(
            [
                {
                    "product_id": self.paper.id,
                    "quantity": 1,
                    "price_unit": 100,
                    "taxes": [tax_wrong],
                }
            ]
        )
        # Booked 12% x USD 100 = USD 12 = 192,000; the file: 1,600,000 -> 1,466,667 ->
        # 176,000.04 -> 176,000; 16,000 apart, far beyond 1 + 80 = 81.
        with self.assertRaises(EfakturProblemsError) as caught:
            move.with_user(self.accountant)._efaktur_coretax_files()
        text = "\n".join(message for _move, message in caught.exception.problems)
        self.assertIn(
            "the PPN booked (192000.00) differs from the PPN of the e-Faktur lines"
            " (176000.00) by more than 81.00 rupiah",
            text,
        )
        self.assertIn("USD", text)

    def test_free_lines_are_priced_in_rupiah_without_included_tax(self):
        move = self._usd_invoice(
            [
                {"product_id": self.paper.id, "quantity": 2, "price_unit": 100},
                {
                    "product_id": self.paper.id,
                    "name": "Free",
                    "quantity": 1,
                    "price_unit": 50,
                    "discount": 100,
                },
                {
                    "product_id": self.paper.id,
                    "name": "Free incl",
                    "quantity": 2,
                    "price_unit": 55.50,
                    "discount": 100,
                    "taxes": [self.tax_11_incl],
                },
            ]
        )
        lines = self._lines(move)
        # USD 50 x 16,000 = 800,000 rupiah a unit, all of it discounted.
        self.assertEqual(lines["Free"]["Price"], "800000.00")
        self.assertEqual(lines["Free"]["TotalDiscount"], "800000.00")
        self.assertEqual(lines["Free"]["TaxBase"], "0.00")
        # USD 55.50 tax included: 55.50 / 1.11 = USD 50 excluded = 800,000 rupiah a unit;
        # 2 units: TotalDiscount 1,600,000.
        self.assertEqual(lines["Free incl"]["Price"], "800000.00")
        self.assertEqual(lines["Free incl"]["TotalDiscount"], "1600000.00")
        self.assertEqual(lines["Free incl"]["VAT"], "0.00")
        # The paid line: 200 x 16,000 = 3,200,000 -> 2,933,333.33 -> 2,933,333 -> 12% =
        # 351,999.96 -> 352,000 (booked USD 22 = 352,000).
        self.assertEqual(lines["Kertas A4 80gsm"]["Price"], "1600000.00")
        self.assertEqual(lines["Kertas A4 80gsm"]["VAT"], "352000.00")

    def test_free_rupiah_line_without_included_tax(self):
        move = self._invoice(
            self.buyer_pt,
            [
                {"product_id": self.paper.id, "quantity": 1, "price_unit": 100000},
                {
                    "product_id": self.paper.id,
                    "name": "Free incl",
                    "quantity": 1,
                    "price_unit": 111000,
                    "discount": 100,
                    "taxes": [self.tax_11_incl],
                },
            ],
            date="2025-07-02",
        )
        # 111,000 with 11% included = 100,000 excluded (§2.3 #5: Price excludes VAT).
        line = self._lines(move)["Free incl"]
        self.assertEqual(line["Price"], "100000.00")
        self.assertEqual(line["TotalDiscount"], "100000.00")
        self.assertEqual(line["TaxBase"], "0.00")
