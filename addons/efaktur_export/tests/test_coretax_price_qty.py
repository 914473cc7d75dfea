# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Price x Qty - TotalDiscount = TaxBase (efaktur.md §2.3 #8) also for fractional
quantities, with TotalDiscount written in sen. Expected values computed by hand below."""

from decimal import Decimal

from lxml import etree

from odoo.tests import tagged

from ..models import coretax_xml as cx
from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxPriceQty(CoretaxCase):
    def test_fractional_quantities_close_the_equation(self):
        move = self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.paper.id,
                    "name": "Frac",
                    "quantity": 1.5,
                    "price_unit": 666.67,
                },
                {
                    "product_id": self.paper.id,
                    "name": "Frac2",
                    "quantity": 0.33,
                    "price_unit": 30030.03,
                },
                {
                    "product_id": self.paper.id,
                    "name": "Frac3",
                    "quantity": 2.5,
                    "price_unit": 1234.56,
                    "discount": 10,
                },
            ],
            date="2025-07-02",
        )
        xml = move.with_user(self.accountant)._efaktur_coretax_files()[0][1]
        lines = {
            item.findtext("Name"): {child.tag: child.text for child in item}
            for item in etree.fromstring(xml).iter("GoodService")
        }
        # Frac: 666.67 x 1.5 = 1,000.005 -> DPP 1,000. 666.67 x 1.5 is not whole sen;
        # with quantity 1.5 the price must be an even number of sen: nearest 666.68,
        # 666.68 x 1.5 = 1,000.02, TotalDiscount 0.02. 11/12 x 1,000 = 916.67 -> 917;
        # PPN 12% = 110.04 -> 110.
        self.assertEqual(
            [lines["Frac"][t] for t in ("Price", "Qty", "TotalDiscount", "TaxBase")],
            ["666.68", "1.5", "0.02", "1000.00"],
        )
        self.assertEqual(lines["Frac"]["VAT"], "110.00")
        # Frac2: 30,030.03 x 0.33 = 9,909.91 -> DPP 9,910. With quantity 0.33 only whole
        # rupiah give whole sen (33 and 100 share no factor). 30,030 x 0.33 = 9,909.90 is
        # below the DPP, so 30,031: x 0.33 = 9,910.23, TotalDiscount 0.23.
        # 11/12 x 9,910 = 9,084.17 -> 9,084; PPN 12% = 1,090.08 -> 1,090.
        self.assertEqual(
            [lines["Frac2"][t] for t in ("Price", "Qty", "TotalDiscount", "TaxBase")],
            ["30031.00", "0.33", "0.23", "9910.00"],
        )
        self.assertEqual(lines["Frac2"]["VAT"], "1090.00")
        # Frac3: 1,234.56 x 2.5 = 3,086.40 (whole sen already), less 10% = 2,777.76 ->
        # DPP 2,778; TotalDiscount 3,086.40 - 2,778 = 308.40. 11/12 x 2,778 = 2,546.5
        # -> 2,547 (half up); PPN 12% = 305.64 -> 306.
        self.assertEqual(
            [lines["Frac3"][t] for t in ("Price", "Qty", "TotalDiscount", "TaxBase")],
            ["1234.56", "2.5", "308.40", "2778.00"],
        )
        self.assertEqual(lines["Frac3"]["OtherTaxBase"], "2547.00")
        self.assertEqual(lines["Frac3"]["VAT"], "306.00")
        self._assert_self_consistent(xml)

    def test_price_and_discount_rules(self):
        # Whole quantity: 55,000 x 20 = 1,100,000, DPP 1,000,000 -> discount 100,000.
        self.assertEqual(
            cx.price_and_discount(Decimal(1100000), Decimal(20), Decimal(1000000)),
            (Decimal("55000.00"), Decimal("100000.00")),
        )
        # Three decimals: 0.333 would need steps of 10 rupiah (1000 / gcd(333, 1000)
        # sen); the price keeps its sen: 10,000 / 0.333 = 30,030.03003 -> 30,030.03,
        # x 0.333 = 9,999.99999 < 10,000, so raised to 30,030.04: x 0.333 =
        # 10,000.00332, TotalDiscount 0.00332 -> 0.00; the equation holds within half a sen.
        price, discount = cx.price_and_discount(
            Decimal(10000), Decimal("0.333"), Decimal(10000)
        )
        self.assertEqual((price, discount), (Decimal("30030.04"), Decimal("0.00")))
        self.assertLessEqual(
            abs(price * Decimal("0.333") - discount - 10000), Decimal("0.005")
        )
