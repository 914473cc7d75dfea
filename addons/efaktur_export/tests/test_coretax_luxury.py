# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Luxury goods (PPnBM): 12% of DPP Nilai Lain 11/12 in January 2025 as a transition, the
full price from 1 February 2025 (PMK 131/2024, efaktur.md §2.6); PPnBM always on the DPP.
Expected values computed by hand below."""

from decimal import Decimal

from lxml import etree

from odoo.tests import tagged

from ..models import coretax_xml as cx
from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxLuxury(CoretaxCase):
    def _car(self, date, taxes=None):
        return self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.car.id,
                    "name": "Mobil sedan",
                    "quantity": 1,
                    "price_unit": 10000000,
                    "taxes": taxes or [self.tax_11, self.tax_luxury],
                }
            ],
            date=date,
            l10n_id_kode_transaksi="04",
        )

    def test_january_2025_luxury_on_eleven_twelfths(self):
        move = self._car("2025-01-15")
        # Booked: PPN 11% = 1,100,000 and PPnBM 20% = 2,000,000.
        self.assertAlmostEqual(move.amount_tax, 3100000.0)
        moves = move.with_user(self.accountant)
        self.assertEqual(moves._efaktur_problems(), [])
        xml = moves._efaktur_coretax_files()[0][1]
        item = next(etree.fromstring(xml).iter("GoodService"))
        line = {child.tag: child.text for child in item}
        # DPP 10,000,000; 11/12 = 9,166,666.67 -> 9,166,667; PPN 12% = 1,100,000.04 ->
        # 1,100,000; PPnBM 20% of the DPP 10,000,000 = 2,000,000 (not of 9,166,667).
        self.assertEqual(line["TaxBase"], "10000000.00")
        self.assertEqual(line["OtherTaxBase"], "9166667.00")
        self.assertEqual(line["VATRate"], "12")
        self.assertEqual(line["VAT"], "1100000.00")
        self.assertEqual(line["STLGRate"], "20")
        self.assertEqual(line["STLG"], "2000000.00")
        self._assert_self_consistent(xml)
        # The last day of the transition too.
        self.assertEqual(
            self._car("2025-01-31").with_user(self.accountant)._efaktur_problems(), []
        )

    def test_february_2025_luxury_needs_the_full_price(self):
        move = self._car("2025-02-01")
        messages = [
            m for _move, m in move.with_user(self.accountant)._efaktur_problems()
        ]
        self.assertEqual(len(messages), 1, messages)
        self.assertIn(
            "luxury goods pay PPN on the full price from February 2025", messages[0]
        )

    def test_stlg_on_the_dpp(self):
        # 1,000,000 at 11/12 with PPnBM 20%: DPP Nilai Lain 916,667, PPN 110,000.04 ->
        # 110,000; PPnBM 20% of 1,000,000 = 200,000 (of 916,667 it would be 183,333).
        amounts = cx.line_amounts(1000000, 12, other_value=True, stlg_rate=20)
        self.assertEqual(amounts["OtherTaxBase"], Decimal(916667))
        self.assertEqual(amounts["VAT"], Decimal(110000))
        self.assertEqual(amounts["STLG"], Decimal(200000))
