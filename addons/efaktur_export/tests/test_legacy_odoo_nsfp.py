# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The legacy CSV keeps the NSFP Odoo's own e-Faktur (l10n_id_efaktur) already gave an
invoice, ``l10n_id_tax_number``: code 2 + status 1 + serial 13 digits (efaktur.md §1.5)."""

from odoo.tests import tagged

from ..models.efaktur_problems import EfakturProblemsError
from .legacy_common import LegacyCase


@tagged("post_install", "-at_install")
class TestLegacyOdooNsfp(LegacyCase):
    def _jasa(self, date="2024-03-15"):
        return self._invoice(
            self.buyer_contoh,
            [{"name": "Jasa", "quantity": 1, "price_unit": 1000}],
            date=date,
        )

    def test_odoo_number_is_kept_and_takes_no_serial(self):
        self.assertIn("l10n_id_tax_number", self.env["account.move"]._fields)
        nsfp_range = self._range("0002400000001", "0002400000050")
        move = self._jasa()
        move.l10n_id_tax_number = "0100002400009999"  # given by l10n_id_efaktur in 2024
        fresh = self._jasa()
        rows = self._rows(self._csv_of(self._export(move | fresh)))
        fk = {row[18]: row for row in rows if row[0] == "FK"}  # REFERENSI -> FK row
        # §1.2: KD_JENIS_TRANSAKSI, FG_PENGGANTI, NOMOR_FAKTUR (the 13-digit serial).
        self.assertEqual(fk[move.name][1:4], ["01", "0", "0002400009999"])
        self.assertEqual(move.efaktur_nsfp, "0100002400009999")
        self.assertEqual(move.efaktur_nsfp_serial, "0002400009999")
        # Only the invoice without an NSFP took one from the range.
        self.assertEqual(fresh.efaktur_nsfp_serial, "0002400000001")
        self.assertEqual(nsfp_range.next_number, "0002400000002")

    def test_odoo_number_needs_no_range(self):
        move = self._jasa()
        move.l10n_id_tax_number = "0110002400000777"  # a replacement (status 1)
        self._export(move)
        self.assertEqual(move.efaktur_nsfp, "0110002400000777")
        self.assertEqual(move.efaktur_nsfp_status, "1")

    def test_odoo_number_of_another_code_or_taken_serial_is_a_problem(self):
        self._range("0002400000001", "0002400000050")
        ours = self._jasa()
        self._export(ours)
        self.assertEqual(ours.efaktur_nsfp_serial, "0002400000001")
        other_code = self._jasa()
        other_code.l10n_id_tax_number = "0400002400000555"
        taken = self._jasa()
        taken.l10n_id_tax_number = "0100002400000001"  # the serial ours holds
        with self.assertRaises(EfakturProblemsError) as caught:
            self._export(other_code | taken)
        messages = {move: msg for move, msg in caught.exception.problems}
        self.assertIn("transaction code 04", messages[other_code])
        self.assertIn(ours.name, messages[taken])
        self.assertFalse(other_code.efaktur_nsfp_serial)
        self.assertFalse(taken.efaktur_nsfp_serial)
