# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Whole rupiah, half up, in the order DPP -> DPP Nilai Lain -> PPN (PER-11/PJ/2025 art. 129;
efaktur.md §2.6). Expected values computed by hand in the comments."""

from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..models import coretax_xml as cx
from ..models.account_move import normalise_npwp


@tagged("post_install", "-at_install")
class TestCoretaxRounding(BaseCase):
    def test_art_129_examples(self):
        # PER-11/PJ/2025 art. 129 as quoted by DDTC: .49 down, .50 up.
        self.assertEqual(cx.rupiah(1500000.49), Decimal(1500000))
        self.assertEqual(cx.rupiah(1900000.50), Decimal(1900001))
        self.assertEqual(cx.rupiah(0.5), Decimal(1))

    def test_worked_examples_2_6(self):
        cases = [
            # DPP 100,000 -> 11/12 = 91,666.67 -> 91,667; PPN 12% = 11,000.04 -> 11,000
            (100000, 91667, 11000),
            # DPP 8,945 -> 8,199.583 -> 8,200; PPN = 984.00 -> 984 (a FLOOR gives 983)
            (8945, 8200, 984),
            # DPP 3,000,000 -> 2,750,000 exactly; PPN 330,000
            (3000000, 2750000, 330000),
        ]
        for dpp, other, vat in cases:
            amounts = cx.line_amounts(dpp, 12, other_value=True)
            self.assertEqual(amounts["TaxBase"], Decimal(dpp))
            self.assertEqual(amounts["OtherTaxBase"], Decimal(other), dpp)
            self.assertEqual(amounts["VAT"], Decimal(vat), dpp)

    def test_other_value_of_exactly_half_rounds_up(self):
        # DPP 18 -> 18 x 11/12 = 16.5 exactly -> 17 (half up); PPN 12% of 17 = 2.04 -> 2
        amounts = cx.line_amounts(18, 12, other_value=True)
        self.assertEqual(amounts["OtherTaxBase"], Decimal(17))
        self.assertEqual(amounts["VAT"], Decimal(2))

    def test_order_dpp_first(self):
        # DPP 1,000.50 rounds to 1,001 first; 11/12 of 1,001 = 917.58 -> 918;
        # PPN 12% of 918 = 110.16 -> 110. (From the unrounded DPP, 11/12 would be 917.125
        # -> 917 and PPN 110.04 -> 110: the order shows on DPP Nilai Lain.)
        amounts = cx.line_amounts(1000.50, 12, other_value=True)
        self.assertEqual(amounts["TaxBase"], Decimal(1001))
        self.assertEqual(amounts["OtherTaxBase"], Decimal(918))

    def test_luxury_full_price(self):
        # 10,000,000 at 12% on the full price plus PPnBM 20%: 1,200,000 and 2,000,000
        amounts = cx.line_amounts(10000000, 12, other_value=False, stlg_rate=20)
        self.assertEqual(amounts["OtherTaxBase"], Decimal(10000000))
        self.assertEqual(amounts["VAT"], Decimal(1200000))
        self.assertEqual(amounts["STLG"], Decimal(2000000))

    def test_npwp_normalisation(self):
        self.assertEqual(normalise_npwp("01.234.567.8-901.200"), "0012345678901200")
        self.assertEqual(normalise_npwp("0123456789012000"), "0123456789012000")
        self.assertIsNone(normalise_npwp("12345678901234"))  # 14 digits
        self.assertIsNone(normalise_npwp(False))

    def test_formats(self):
        self.assertEqual(cx.format_amount(Decimal(11000)), "11000.00")
        self.assertEqual(cx.format_number(Decimal("20.000")), "20")
        self.assertEqual(cx.format_number(Decimal("1.50")), "1.5")
