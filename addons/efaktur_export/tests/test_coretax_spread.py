# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoice-level discounts spread over the lines: never a negative line (efaktur.md §2.8),
also with several discount lines."""

from decimal import Decimal

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSpreadDiscounts(TransactionCase):
    def _spread(self, line_dpps, discount_dpps):
        items = [
            {"key": "ppn", "dpp": Decimal(d), "spread": Decimal(0)} for d in line_dpps
        ]
        negatives = [
            {"key": "ppn", "dpp": Decimal(d), "label": f"discount {n}"}
            for n, d in enumerate(discount_dpps)
        ]
        problems = []

        def problem(message, **values):
            problems.append(message % values)

        self.env["account.move"]._efaktur_spread_discounts(items, negatives, problem)
        return [i["dpp"] - i["spread"] for i in items], problems

    def test_two_discounts_keep_every_line_positive(self):
        # Lines 100 and 10, discounts -50 and -50: 10 is left, shared 10:1 as the lines
        # were: 100/110 × 10 = 9.090909…, 10/110 × 10 = 0.909090… (rounded to 6 places).
        left, problems = self._spread([100, 10], [-50, -50])
        self.assertFalse(problems)
        self.assertEqual(sum(left), Decimal(10))
        self.assertAlmostEqual(float(left[0]), 100 / 11, places=5)
        self.assertAlmostEqual(float(left[1]), 10 / 11, places=5)
        self.assertTrue(all(value > 0 for value in left))

    def test_discounts_larger_than_what_is_left_are_refused(self):
        # 100 - 60 leaves 40: the second -60 cannot be spread (it would make -20).
        left, problems = self._spread([100], [-60, -60])
        self.assertEqual(len(problems), 1)
        self.assertIn("discount 1", problems[0])
        self.assertEqual(left, [Decimal(40)])
