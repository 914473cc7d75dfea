# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""NSFP ranges (efaktur.md §1.5): their checks, who may do what, and allocation."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .legacy_common import LegacyCase


@tagged("post_install", "-at_install")
class TestNsfpRange(LegacyCase):
    def test_serial_checks(self):
        for first, last, error in (
            ("000240000001", "0002400000010", "13 digits"),  # 12 digits
            ("00024000000010", "0002400000010", "13 digits"),  # 14 digits
            ("0002300000001", "0002400000010", "same year"),
            ("0002400000010", "0002400000001", "is after the last serial"),
        ):
            with (
                self.assertRaisesRegex(ValidationError, error),
                self.env.cr.savepoint(),
            ):
                self._range(first, last)
        # As printed on a faktur (000-24.00000001): the punctuation is dropped.
        nsfp_range = self._range("000-24.00000001", "000-24.00000010")
        self.assertEqual(
            (nsfp_range.number_min, nsfp_range.number_max, nsfp_range.next_number),
            ("0002400000001", "0002400000010", "0002400000001"),
        )
        self.assertEqual((nsfp_range.year, nsfp_range.available), (2024, 10))

    def test_overlapping_ranges_refused(self):
        self._range("0002400000001", "0002400000100")
        for first, last in (
            ("0002400000100", "0002400000200"),  # shares its first serial
            ("0002400000050", "0002400000060"),  # inside
            ("0002400000000", "0002400000001"),  # shares the last
        ):
            with (
                self.assertRaisesRegex(ValidationError, "overlaps"),
                self.env.cr.savepoint(),
            ):
                self._range(first, last)
        self._range("0002400000101", "0002400000200")  # adjacent is fine
        # Another company may hold the same numbers (its own DJP allocation).
        other = self.env["res.company"].create({"name": "PT Lain"})
        self.env["efaktur.nsfp.range"].create(
            {
                "number_min": "0002400000001",
                "number_max": "0002400000100",
                "company_id": other.id,
            }
        )

    def test_billing_user_reads_and_allocates_but_cannot_edit(self):
        nsfp_range = self._range("0002400000001", "0002400000003")
        Range = self.env["efaktur.nsfp.range"].with_user(self.accountant)
        with self.assertRaises(AccessError):
            Range.create({"number_min": "0002400000010", "number_max": "0002400000020"})
        with self.assertRaises(AccessError):
            nsfp_range.with_user(self.accountant).number_max = "0002400000009"
        self.assertEqual(
            Range._efaktur_allocate(self.company, 2, year=2024),
            ["0002400000001", "0002400000002"],
        )
        self.assertEqual(
            (nsfp_range.next_number, nsfp_range.available), ("0002400000003", 1)
        )

    def test_allocation_spills_oldest_first_and_refuses_when_short(self):
        later = self._range("0002400000101", "0002400000200")
        first = self._range("0002400000001", "0002400000002")
        Range = self.env["efaktur.nsfp.range"].with_user(self.accountant)
        self.assertEqual(
            Range._efaktur_allocate(self.company, 3, year=2024),
            ["0002400000001", "0002400000002", "0002400000101"],
        )
        self.assertEqual((first.available, later.available), (0, 99))
        with self.assertRaisesRegex(
            UserError, "100 missing \\(199 needed, 99 available\\)"
        ):
            Range._efaktur_allocate(self.company, 199, year=2024)
        # Nothing taken by the refused call.
        self.assertEqual(later.next_number, "0002400000102")
        with self.assertRaisesRegex(UserError, "for 2023 .* 1 missing"):
            Range._efaktur_allocate(
                self.company, 1, year=2023
            )  # a year has its own ranges
        self.assertEqual(Range._efaktur_allocate(self.company, 0), [])

    def test_used_range_is_kept(self):
        nsfp_range = self._range("0002400000001", "0002400000010")
        self.env["efaktur.nsfp.range"]._efaktur_allocate(self.company, 3)
        managed = nsfp_range.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "first serial cannot change"):
            managed.number_min = "0002400000002"
        with self.assertRaisesRegex(ValidationError, "up to 0002400000003"):
            managed.number_max = "0002400000002"
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            managed.unlink()
        with self.assertRaisesRegex(UserError, "moves only when invoices are exported"):
            managed.write({"next_number": "0002400000001"})
        managed.number_max = "0002400000003"  # down to the last used serial: fine
        self.assertEqual(nsfp_range.available, 0)

    def test_other_company_ranges_invisible(self):
        other = self.env["res.company"].create({"name": "PT Lain"})
        self.env["efaktur.nsfp.range"].create(
            {
                "number_min": "0002400000001",
                "number_max": "0002400000100",
                "company_id": other.id,
            }
        )
        Range = self.env["efaktur.nsfp.range"].with_user(self.accountant)
        self.assertFalse(Range.search([]))
        with self.assertRaisesRegex(UserError, "1 missing"):
            Range._efaktur_allocate(other, 1)
