# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The legacy e-Faktur CSV (efaktur.md §1) of invoices dated 2024 or earlier, exported by a
billing user through the wizard. Expected values are worked out by hand from §1 in the
comments, never saved from the code's output."""

import base64
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import efaktur_legacy_csv as lc
from ..models.efaktur_problems import EfakturProblemsError
from .legacy_common import LegacyCase

# §1.6, verbatim; only the invoice number is the one Odoo gives (REFERENSI).
EXAMPLE_1_6 = """\
"FK","KD_JENIS_TRANSAKSI","FG_PENGGANTI","NOMOR_FAKTUR","MASA_PAJAK","TAHUN_PAJAK","TANGGAL_FAKTUR","NPWP","NAMA","ALAMAT_LENGKAP","JUMLAH_DPP","JUMLAH_PPN","JUMLAH_PPNBM","ID_KETERANGAN_TAMBAHAN","FG_UANG_MUKA","UANG_MUKA_DPP","UANG_MUKA_PPN","UANG_MUKA_PPNBM","REFERENSI","KODE_DOKUMEN_PENDUKUNG"
"LT","NPWP","NAMA","JALAN","BLOK","NOMOR","RT","RW","KECAMATAN","KELURAHAN","KABUPATEN","PROPINSI","KODE_POS","NOMOR_TELEPON"
"OF","KODE_OBJEK","NAMA","HARGA_SATUAN","JUMLAH_BARANG","HARGA_TOTAL","DISKON","DPP","PPN","TARIF_PPNBM","PPNBM"
"FK","01","0","0002400000123","3","2024","15/3/2024","019876543210000","PT CONTOH JAYA","JL. MERDEKA NO. 1 JAKARTA","1350000","148500","0","","0","0","0","0","{ref}","0"
"OF","SKU-01","Kertas A4","50000","20","1000000","0","1000000","110000","0","0"
"OF","SKU-02","Tinta","100000","4","400000","50000","350000","38500","0","0"
"""  # noqa: E501


@tagged("post_install", "-at_install")
class TestLegacyCsv(LegacyCase):
    def _example_invoice(self, date="2024-03-15"):
        return self._invoice(
            self.buyer_contoh,
            [
                {"product_id": self.kertas.id, "quantity": 20, "price_unit": 50000},
                {
                    "product_id": self.tinta.id,
                    "quantity": 4,
                    "price_unit": 100000,
                    "discount": 12.5,  # 400,000 - 12.5% = 350,000
                },
            ],
            date=date,
        )

    def test_composed_example_1_6(self):
        self._range("0002400000123", "0002400000200")
        move = self._example_invoice()
        text = self._csv_of(self._export(move))
        # Hand check of §1.6: DPP 1,000,000 + 350,000 = 1,350,000; PPN 11% = 110,000 +
        # 38,500 = 148,500; discount of the second line 400,000 - 350,000 = 50,000.
        self.assertEqual(text, EXAMPLE_1_6.format(ref=move.name))
        # §1.5: code 01 + status 0 + the first serial of the range.
        self.assertEqual(move.efaktur_nsfp, "0100002400000123")
        self.assertEqual(move.efaktur_nsfp_serial, "0002400000123")

    def test_of_sums_equal_fk_totals_when_lines_drift(self):
        self._range("0002400000001", "0002400000050")
        lines = [
            {"name": name, "quantity": 1, "price_unit": price}
            for name, price in (
                ("Jasa A", 1000.60),
                ("Jasa B", 1000.60),
                ("Jasa C", 1000.60),
                ("Jasa D", 50),
                ("Jasa E", 50),
            )
        ]
        move = self._invoice(self.buyer_contoh, lines, date="2024-05-02")
        rows = self._rows(self._csv_of(self._export(move)))
        fk = rows[3]
        ofs = rows[4:]
        # By hand (§1.2, §1.4):
        #   DPP 3 x 1,000.60 + 2 x 50 = 3,101.80 -> JUMLAH_DPP 3,102 (half up)
        #   PPN booked 3 x 110.07 + 2 x 5.50 = 341.21 -> JUMLAH_PPN 341 (rounded down)
        #   lines rounded once: DPP 1,001 x 3 + 50 x 2 = 3,103 (one too many),
        #   PPN 110.066 -> 110 (x 3), 5.5 -> 6 (x 2) = 342 (one too many):
        #   naive per-line rounding drifts from the FK totals by 1 on both.
        #   The -1 / -1 goes to the first line that stays >= 0: Jasa A -> 1,000 / 109, and
        #   its DISKON absorbs it: HARGA_TOTAL 1,001 - DPP 1,000 = 1.
        self.assertEqual(fk[10:12], ["3102", "341"])
        self.assertEqual(
            [row[1:9] for row in ofs],
            [
                ["", "Jasa A", "1000.6", "1", "1001", "1", "1000", "109"],
                ["", "Jasa B", "1000.6", "1", "1001", "0", "1001", "110"],
                ["", "Jasa C", "1000.6", "1", "1001", "0", "1001", "110"],
                ["", "Jasa D", "50", "1", "50", "0", "50", "6"],
                ["", "Jasa E", "50", "1", "50", "0", "50", "6"],
            ],
        )
        self.assertEqual(sum(int(row[7]) for row in ofs), int(fk[10]))
        self.assertEqual(sum(int(row[8]) for row in ofs), int(fk[11]))

    def test_adjustment_spread_when_no_single_line_can_take_it(self):
        # §1.4 "spread over several lines if needed": two 1-rupiah lines, totals 0: neither
        # line can take -2 alone; each goes down to 0.
        lines = [
            {"dpp": Decimal(1), "ppn": Decimal(0)},
            {"dpp": Decimal(1), "ppn": Decimal(0)},
        ]
        lc.adjust_to_totals(lines, Decimal(0), Decimal(0))
        self.assertEqual([(x["dpp"], x["ppn"]) for x in lines], [(0, 0), (0, 0)])
        # A +2 difference goes whole to the first line.
        lines = [{"dpp": Decimal(5), "ppn": Decimal(1)}, {"dpp": Decimal(5), "ppn": 0}]
        lc.adjust_to_totals(lines, Decimal(12), Decimal(1))
        self.assertEqual([x["dpp"] for x in lines], [7, 5])

    def test_csv_quoting(self):
        # §1.1: every value quoted, an embedded quote written \" (Odoo's _csv_row).
        self.assertEqual(
            lc.csv_row(["FK", 'PT "Maju"', "a\nb"]), '"FK","PT \\"Maju\\"","a b"\n'
        )

    def test_nik_buyer_per_26_2017(self):
        self._range("0002400000001", "0002400000050")
        move = self._invoice(
            self.buyer_nik,
            [{"name": "Jasa instalasi", "quantity": 1, "price_unit": 10000}],
            date="2024-07-01",
        )
        fk = self._rows(self._csv_of(self._export(move)))[3]
        # §1.2 NPWP/NAMA/REFERENSI for a buyer without NPWP: 15 zeros, the name tagged with
        # the NIK, the NIK in the reference (PER-26/PJ/2017). Code 04 as on the partner.
        self.assertEqual(fk[1], "04")
        self.assertEqual(fk[7], "000000000000000")
        self.assertEqual(fk[8], "3273010101900001#NIK#NAMA#Budi Santoso")
        self.assertEqual(fk[18], f"{move.name} 3273010101900001")
        # DPP 10,000; PPN 11% = 1,100 (code 04 has no 11/12 rule in 2024).
        self.assertEqual(fk[10:12], ["10000", "1100"])

    def test_sixteen_digit_npwp_of_a_15_digit_one_written_with_15(self):
        self._range("0002400000001", "0002400000050")
        move = self._invoice(
            self.buyer_pt,  # vat 0987654321098000 = 0 + 987654321098000
            [{"name": "Jasa", "quantity": 1, "price_unit": 1000}],
            date="2024-07-01",
        )
        fk = self._rows(self._csv_of(self._export(move)))[3]
        self.assertEqual(fk[7], "987654321098000")

    def test_every_problem_of_both_kinds_at_once(self):
        no_identity = self.env["res.partner"].create(
            {
                "name": "Toko Tanpa NPWP",
                "l10n_id_kode_transaksi": "01",
                "street": "Jl. Pasar 3",
            }
        )
        legacy = self._invoice(
            no_identity,
            [{"name": "Barang", "quantity": 1, "price_unit": 1000}],
            date="2024-02-01",
        )
        bad_npwp = self.buyer_pt.copy({"vat": "12345", "name": "PT Salah NPWP"})
        coretax = self._invoice(
            bad_npwp,
            [{"name": "Barang", "quantity": 1, "price_unit": 1000}],
            date="2025-02-01",
        )
        wizard = self._wizard(legacy | coretax)
        with self.assertRaises(EfakturProblemsError) as raw:
            wizard._efaktur_build_files(legacy | coretax)
        # One error carrying the problems of both invoices (Coretax first, then legacy).
        self.assertEqual(
            [move for move, _message in raw.exception.problems],
            [coretax, legacy, legacy.browse()],
        )
        with self.assertRaises(UserError) as caught:
            wizard._efaktur_export()
        message = str(caught.exception)
        self.assertIn("Toko Tanpa NPWP has no NPWP and no 16-digit NIK", message)
        self.assertIn("PER-26/PJ/2017", message)
        self.assertIn("Not enough NSFP serials for 2024", message)
        self.assertIn("1 missing", message)
        self.assertIn("the NPWP of PT Salah NPWP must have 16 digits", message)
        self.assertFalse(legacy.efaktur_nsfp_serial)
        self.assertEqual((legacy | coretax).mapped("efaktur_state"), ["to_export"] * 2)

    def test_legacy_and_coretax_in_one_export(self):
        self._range("0002400000001", "0002400000050")
        old = self._example_invoice(date="2024-12-31")
        new = self._invoice(
            self.buyer_pt,
            [{"product_id": self.paper.id, "quantity": 1, "price_unit": 55000}],
            date="2025-01-01",
        )
        files = self._export(old | new)
        self.assertEqual(
            sorted(n.rsplit(".", 1)[1] for n in files), ["csv", "xml", "zip"]
        )
        rows = self._rows(self._csv_of(files))
        self.assertEqual([row[0] for row in rows[3:]], ["FK", "OF", "OF"])
        self.assertEqual(rows[3][18], old.name)
        self.assertEqual(old.efaktur_nsfp_serial, "0002400000001")
        self.assertFalse(new.efaktur_nsfp_serial)
        self.assertEqual((old | new).mapped("efaktur_state"), ["exported"] * 2)

    def test_csv_kept_in_the_batch_as_text_csv(self):
        self._range("0002400000001", "0002400000050")
        move = self._example_invoice()
        action = self._wizard(move).action_export()
        batch = (
            self.env["efaktur.export.batch"]
            .with_user(self.accountant)
            .browse(action["res_id"])
        )
        self.assertEqual(batch.invoice_ids, move)
        self.assertEqual(batch.attachment_ids.mapped("mimetype"), ["text/csv"])
        self.assertEqual(move.efaktur_state, "exported")

    def test_re_export_keeps_the_nsfp(self):
        nsfp_range = self._range("0002400000001", "0002400000050")
        move = self._example_invoice()
        first = self._rows(self._csv_of(self._export(move)))[3][3]
        self.assertEqual(first, "0002400000001")
        self.assertEqual(nsfp_range.next_number, "0002400000002")
        # Exported again (its batch's Re-export), then reset to draft, re-posted, exported.
        action = move.efaktur_batch_id.with_user(self.accountant).action_reexport()
        batch = self.env["efaktur.export.batch"].browse(action["res_id"])
        again = self._rows(
            self._csv_of(
                {a.name: base64.b64decode(a.datas) for a in batch.attachment_ids}
            )
        )[3][3]
        move.button_draft()
        move.action_post()
        third = self._rows(self._csv_of(self._export(move)))[3][3]
        self.assertEqual({first, again, third}, {"0002400000001"})
        self.assertEqual(nsfp_range.next_number, "0002400000002")
        self.assertEqual(nsfp_range.available, 49)
        # A copy is a new invoice: it gets its own serial (copy=False).
        self.assertFalse(move.copy().efaktur_nsfp_serial)

    def test_range_exhausted_nothing_allocated(self):
        nsfp_range = self._range("0002400000001", "0002400000001")
        moves = self._example_invoice() | self._example_invoice(date="2024-03-16")
        with self.assertRaises(UserError) as caught:
            self._wizard(moves)._efaktur_export()
        # Two invoices, one serial left: 1 missing.
        self.assertIn(
            f"Not enough NSFP serials for 2024 in company {self.company.name}: 1 missing"
            " (2 needed, 1 available)",
            str(caught.exception),
        )
        self.assertEqual(nsfp_range.next_number, "0002400000001")
        self.assertEqual(moves.mapped("efaktur_nsfp_serial"), [False, False])

    def test_serials_of_the_invoice_year_only(self):
        self._range("0002400000001", "0002400000050")
        move = self._example_invoice(date="2023-11-30")
        problems = move.with_user(self.accountant)._efaktur_legacy_problems()
        self.assertEqual(
            [message for _move, message in problems],
            [
                f"Not enough NSFP serials for 2023 in company {self.company.name}: 1"
                " missing (1 needed, 0 available). Add the range DJP gave you (e-Nofa)"
                " under e-Faktur > NSFP Ranges (Legacy)."
            ],
        )

    def test_replacement_keeps_the_serial_with_status_1(self):
        self._range("0002400000001", "0002400000050")
        original = self._example_invoice()
        self._export(original)
        replacement = self._example_invoice(date="2024-03-20")
        replacement.l10n_id_replace_invoice_id = original
        fk = self._rows(self._csv_of(self._export(replacement)))[3]
        # §1.5: same serial, status digit 1; §1.2 REFERENSI "<old> replaced by <new>".
        self.assertEqual(fk[2:4], ["1", "0002400000001"])
        self.assertEqual(fk[18], f"{original.name} replaced by {replacement.name}")
        self.assertEqual(replacement.efaktur_nsfp, "0110002400000001")

    def test_problems_listed_without_writing(self):
        self._range("0002400000001", "0002400000050")
        move = self._invoice(
            self.buyer_contoh,
            [
                {"name": "Tanpa pajak", "quantity": 1, "price_unit": 1000, "taxes": []},
                {
                    "name": "Mewah",
                    "quantity": 1,
                    "price_unit": 1000,
                    "taxes": [self.tax_12, self.tax_luxury],
                },
            ],
            date="2024-04-01",
        )
        with self.assertRaises(EfakturProblemsError) as caught:
            move.with_user(self.accountant)._efaktur_legacy_csv_file()
        messages = [message for _move, message in caught.exception.problems]
        self.assertEqual(
            messages,
            [
                f"Invoice {move.name}: line 'Tanpa pajak' has no PPN tax.",
                f"Invoice {move.name}: line 'Mewah' bears PPnBM, which the legacy export"
                " does not write.",
                f"Invoice {move.name}: it has no line to report.",
            ],
        )
        self.assertFalse(move.efaktur_nsfp_serial)
