# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Faktur numbers back from Coretax's invoice list (issue 11 item 5), as a billing user.

The files are written here by hand: CSV text as Excel saves it, and xlsx workbooks built with
openpyxl, with the column names of Coretax's "Pajak Keluaran" list (efaktur.md §2.7)."""

import base64
import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models import coretax_invoice_list as cil
from .coretax_common import CoretaxCase

HEADER = ["Referensi", "Nomor Faktur Pajak", "Tanggal Faktur Pajak", "Status Faktur"]


def number(serial, code="04", status="00"):
    """A 17-digit Coretax number: transaction code, status code, 13-digit serial."""
    return f"{code}{status}25{serial:011d}"


def csv_bytes(header, rows, delimiter=";", bom=True):
    lines = [delimiter.join(header)] + [
        delimiter.join(str(cell) for cell in row) for row in rows
    ]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def xlsx_bytes(header, rows, title_rows=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Pajak Keluaran"
    for title in title_rows:
        sheet.append(title)
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestCoretaxImport(CoretaxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoices = [
            cls._invoice(
                cls.buyer_pt,
                [
                    {
                        "product_id": cls.paper.id,
                        "name": "Kertas A4 80gsm",
                        "quantity": index + 1,
                        "price_unit": 55000,
                    }
                ],
                date=f"2025-06-{index + 10:02d}",
            )
            for index in range(6)
        ]

    def _import(self, content, filename="pajak_keluaran.csv", tracking=False):
        env = self.env
        if tracking:  # the test base disables tracking; this import wants it
            # Finish the tracking the class setup left pending (its invoices).
            self.env.cr.precommit.run()
            env = env(
                context=dict(env.context, tracking_disable=False, mail_notrack=False)
            )
        wizard = (
            env["efaktur.coretax.import.wizard"]
            .with_user(self.accountant)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        return wizard

    def _by_row(self, wizard):
        return {line.row: line for line in wizard.line_ids}

    # -- matching ---------------------------------------------------------------------

    def test_match_by_refdesc_csv(self):
        inv1, inv2 = self.invoices[:2]
        content = csv_bytes(
            ["No", *HEADER, "NPWP Pembeli"],
            [
                [1, inv1.name, number(1), "10/06/2025", "APPROVED", "0987654321098000"],
                [2, inv2.name, number(2), "11/06/2025", "APPROVED", "0987654321098000"],
            ],
        )
        wizard = self._import(content, tracking=True)
        rows = self._by_row(wizard)
        self.assertEqual(sorted(rows), [2, 3], "row numbers as the spreadsheet shows")
        self.assertEqual(rows[2].move_id, inv1)
        self.assertEqual(rows[2].outcome, "recorded")
        self.assertEqual(inv1.efaktur_number, number(1))
        self.assertEqual(inv1.efaktur_number_date, date(2025, 6, 10))
        self.assertEqual(inv1.efaktur_number_status, "approved")
        self.assertEqual(inv2.efaktur_number, number(2))
        self.assertEqual(wizard.recorded_count, 2)
        self.assertEqual(wizard.problem_count, 0)
        # Tracked: the chatter shows the number arriving.
        self.env.cr.precommit.run()
        inv1.invalidate_recordset(["message_ids"])
        tracked = inv1.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "efaktur_number"
        )
        self.assertEqual(tracked.new_value_char, number(1))

    def test_match_by_invoice_number_in_reference(self):
        inv = self.invoices[0]
        # A reference edited in Coretax, the invoice number still in it; comma-separated
        # CSV without BOM, English column names, another case and spacing.
        content = csv_bytes(
            [
                " reference ",
                "TAX INVOICE NUMBER",
                "Tax Invoice Date",
                "tax_invoice_status",
            ],
            [[f"{inv.name} PO-7781", number(7), "2025-06-10", "Approved"]],
            delimiter=",",
            bom=False,
        )
        wizard = self._import(content)
        self.assertEqual(wizard.line_ids.outcome, "recorded", wizard.line_ids.message)
        self.assertEqual(inv.efaktur_number, number(7))

    def test_unknown_duplicate_changed_order_xlsx(self):
        inv1, inv2, inv3, inv4, inv5, inv6 = self.invoices
        inv4.sudo().efaktur_number = number(44)  # numbered before
        inv4.sudo().efaktur_number_status = "approved"
        # Other column order than Coretax's, an extra column, a title row above the header.
        header = ["Status Faktur", "NPWP Pembeli", "Nomor Faktur Pajak", "Referensi"]
        content = xlsx_bytes(
            header,
            [
                ("APPROVED", "0987654321098000", number(1), inv1.name),  # row 3
                ("APPROVED", "0987654321098000", number(1), inv1.name),  # 4 duplicate
                ("APPROVED", "0987654321098000", number(9), "INV/1999/99999"),  # 5
                (
                    "APPROVED",
                    "0987654321098000",
                    number(2)[1:],
                    inv2.name,
                ),  # 6: 16 dig.
                ("APPROVED", "0987654321098000", None, inv3.name),  # 7 no number
                ("APPROVED", "0987654321098000", number(44), inv5.name),  # 8 taken
                ("SIGNING IN PROGRESS", "0987654321098000", None, inv6.name),  # 9
                ("APPROVED", "0987654321098000", number(8), f"{inv2.name} {inv3.name}"),
                (None, None, None, None),  # blank: skipped
            ],
            title_rows=[("Daftar Faktur Pajak Keluaran",)],
        )
        wizard = self._import(content, "pajak_keluaran.xlsx")
        rows = self._by_row(wizard)
        self.assertEqual(sorted(rows), [3, 4, 5, 6, 7, 8, 9, 10], "no row dropped")
        self.assertEqual(rows[3].outcome, "recorded")
        self.assertEqual(inv1.efaktur_number, number(1))
        expected = {
            4: "Same row as row 3",
            5: "No posted customer invoice",
            6: "17 digits (found 16)",
            7: "APPROVED but the row has no faktur number",
            8: f"already on invoice {inv4.name}",
            10: "several invoices",
        }
        for row, reason in expected.items():
            self.assertEqual(rows[row].outcome, "problem", row)
            self.assertIn(reason, rows[row].message, row)
        self.assertEqual(rows[5].reference, "INV/1999/99999")
        self.assertEqual(rows[8].move_id, inv5)
        # Unknown status: kept as text and flagged, the invoice waits for its number.
        self.assertEqual(rows[9].outcome, "flagged")
        self.assertEqual(inv6.efaktur_number_status, "other")
        self.assertEqual(inv6.efaktur_number_status_text, "SIGNING IN PROGRESS")
        self.assertFalse(inv6.efaktur_number)
        for invoice in (inv2, inv3, inv5):
            self.assertFalse(invoice.efaktur_number, invoice.name)
        self.assertEqual(inv4.efaktur_number, number(44))
        self.assertEqual(wizard.recorded_count, 1)
        self.assertEqual(wizard.problem_count, 7)

    def test_only_own_companies_posted_invoices(self):
        cancelled = self._invoice(
            self.buyer_pt, [{"name": "Jasa", "quantity": 1, "price_unit": 1000}]
        )
        cancelled.button_draft()
        cancelled.button_cancel()
        other = self.setup_other_company()["company"]
        foreign = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": other.id,
                "partner_id": self.buyer_pt.id,
                "invoice_date": "2025-06-10",
                "invoice_line_ids": [
                    Command.create({"name": "Jasa", "quantity": 1, "price_unit": 1000})
                ],
            }
        )
        foreign.action_post()
        own = self.invoices[0]
        self.assertEqual(foreign.name, own.name, "same sequence in both companies")
        content = csv_bytes(
            HEADER,
            [
                [cancelled.name, number(1), "", "APPROVED"],
                [own.name, number(2), "", "APPROVED"],
            ],
        )
        wizard = self._import(content)
        rows = self._by_row(wizard)
        self.assertEqual(rows[2].outcome, "problem")
        self.assertIn("No posted customer invoice", rows[2].message)
        self.assertEqual(rows[3].move_id, own, "the user's company only")
        self.assertFalse(foreign.efaktur_number)
        self.assertFalse(cancelled.efaktur_number)
        # A user of both companies: the reference is ambiguous, nothing is written.
        own.sudo().efaktur_number = False
        self.accountant.company_ids = [Command.link(other.id)]
        wizard = (
            self.env["efaktur.coretax.import.wizard"]
            .with_user(self.accountant)
            .with_context(allowed_company_ids=[own.company_id.id, other.id])
            .create({"file": base64.b64encode(content), "filename": "list.csv"})
        )
        wizard.action_import()
        line = self._by_row(wizard)[3]
        self.assertEqual(line.outcome, "problem")
        self.assertIn("several invoices", line.message)
        self.assertFalse(own.efaktur_number or foreign.efaktur_number)

    # -- bad files ----------------------------------------------------------------------

    def test_malformed_files_nothing_written(self):
        inv = self.invoices[0]
        good_row = [inv.name, number(1), "10/06/2025", "APPROVED"]
        bad_files = {
            "empty.csv": b"",
            "blank.csv": b"\r\n  \r\n",
            "scan.pdf": b"%PDF-1.4\x00\x01\x02binary",
            "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "broken.xlsx": b"PK\x03\x04 not really a workbook",
            "no_reference.csv": csv_bytes(HEADER[1:], [good_row[1:]]),
            "no_number_column.xlsx": xlsx_bytes(
                ["Referensi", "Status Faktur"], [[inv.name, "APPROVED"]]
            ),
            "header_only.csv": csv_bytes(HEADER, []),
            "twice.csv": csv_bytes([*HEADER, "Referensi"], [[*good_row, inv.name]]),
        }
        for filename, content in bad_files.items():
            with self.subTest(filename=filename):
                with self.assertRaises(UserError) as caught:
                    self._import(content, filename)
                self.assertTrue(str(caught.exception))
                self.assertFalse(inv.efaktur_number)
                self.assertFalse(inv.efaktur_number_status)
        self.assertIn(
            "'Nomor Faktur Pajak'", self._error(bad_files["no_number_column.xlsx"])
        )
        self.assertIn("Referensi", self._error(bad_files["no_reference.csv"]))
        self.assertIn(".xls", self._error(bad_files["old.xls"], "old.xls"))

    def _error(self, content, filename="file.csv"):
        with self.assertRaises(UserError) as caught:
            self._import(content, filename)
        return str(caught.exception)

    # -- replacement, conflict, re-import ----------------------------------------------

    def test_amended_replaces_number(self):
        inv1, inv2 = self.invoices[:2]
        self._import(
            csv_bytes(
                HEADER,
                [
                    [inv1.name, number(1), "10/06/2025", "APPROVED"],
                    [inv2.name, number(2), "11/06/2025", "APPROVED"],
                ],
            )
        )
        # Replaced in Coretax: the old faktur turns AMENDED, the replacement (status code
        # 01) is APPROVED. Both orders of the two rows.
        new1, new2 = number(1, status="01"), number(2, status="01")
        replacement = csv_bytes(
            HEADER,
            [
                [inv1.name, number(1), "10/06/2025", "AMENDED"],
                [inv1.name, new1, "20/06/2025", "APPROVED"],
                [inv2.name, new2, "21/06/2025", "APPROVED"],
                [inv2.name, number(2), "11/06/2025", "AMENDED"],
            ],
        )
        wizard = self._import(replacement)
        self.assertEqual(
            wizard.line_ids.mapped("outcome"),
            ["recorded", "replaced", "replaced", "unchanged"],
            wizard.line_ids.mapped("message"),
        )
        for invoice, old, new, day in (
            (inv1, number(1), new1, 20),
            (inv2, number(2), new2, 21),
        ):
            self.assertEqual(invoice.efaktur_number, new)
            self.assertEqual(invoice.efaktur_number_status, "approved")
            self.assertEqual(invoice.efaktur_number_replaced, old)
            self.assertEqual(invoice.efaktur_number_date, date(2025, 6, day))
            note = invoice.message_ids.filtered(lambda m, o=old: o in (m.body or ""))
            self.assertTrue(note, "the old number is in the chatter")
            self.assertIn(new, note[0].body)
        # The same file again: nothing changes.
        self.env.cr.precommit.run()
        messages = len(inv1.message_ids) + len(inv2.message_ids)
        again = self._import(replacement)
        self.env.cr.precommit.run()
        self.assertEqual(set(again.line_ids.mapped("outcome")), {"unchanged"})
        self.assertEqual(len(inv1.message_ids) + len(inv2.message_ids), messages)
        self.assertEqual(inv1.efaktur_number, new1)

    def test_conflict_keeps_number(self):
        inv = self.invoices[0]
        self._import(csv_bytes(HEADER, [[inv.name, number(1), "", "APPROVED"]]))
        wizard = self._import(
            csv_bytes(HEADER, [[inv.name, number(5), "", "APPROVED"]])
        )
        self.assertEqual(wizard.line_ids.outcome, "problem")
        self.assertIn("Conflict", wizard.line_ids.message)
        self.assertIn(number(1), wizard.line_ids.message)
        self.assertEqual(inv.efaktur_number, number(1))
        # Rejected or cancelled for another number is a conflict too.
        wizard = self._import(
            csv_bytes(HEADER, [[inv.name, number(6), "", "CANCELED"]])
        )
        self.assertEqual(wizard.line_ids.outcome, "problem")
        self.assertEqual(inv.efaktur_number_status, "approved")
        # Cancelled for its own number: recorded, and the PDF no longer prints it.
        wizard = self._import(
            csv_bytes(HEADER, [[inv.name, number(1), "", "CANCELED"]])
        )
        self.assertEqual(wizard.line_ids.outcome, "recorded")
        self.assertEqual(inv.efaktur_number_status, "cancelled")

    def test_reimport_idempotent(self):
        inv1, inv2 = self.invoices[:2]
        content = xlsx_bytes(
            HEADER,
            [
                (inv1.name, number(1), date(2025, 6, 10), "APPROVED"),
                (inv2.name, None, date(2025, 6, 11), "REJECTED"),
            ],
        )
        first = self._import(content, "list.xlsx")
        self.assertEqual(first.line_ids.mapped("outcome"), ["recorded", "recorded"])
        self.assertEqual(inv2.efaktur_number_status, "rejected")
        self.env.cr.precommit.run()  # the tracking messages of the first import
        write_dates = (inv1.write_date, inv2.write_date)
        messages = len(inv1.message_ids), len(inv2.message_ids)
        second = self._import(content, "list.xlsx")
        self.env.cr.precommit.run()
        self.assertEqual(second.line_ids.mapped("outcome"), ["unchanged", "unchanged"])
        self.assertEqual((inv1.write_date, inv2.write_date), write_dates)
        self.assertEqual((len(inv1.message_ids), len(inv2.message_ids)), messages)

    # -- the number shown ---------------------------------------------------------------

    def test_number_on_pdf(self):
        inv, other = self.invoices[:2]
        self._import(csv_bytes(HEADER, [[inv.name, number(1), "", "APPROVED"]]))
        report = self.env["ir.actions.report"].with_user(self.accountant)
        html = report._render_qweb_html("account.report_invoice", inv.ids)[0].decode()
        self.assertIn(number(1), html)
        self.assertIn("Faktur Pajak:", html)
        html = report._render_qweb_html("account.report_invoice", other.ids)[0].decode()
        self.assertNotIn("Faktur Pajak:", html)

    def test_waiting_list_views_and_menus(self):
        inv1, inv2, inv3 = self.invoices[:3]
        self.env["efaktur.export.wizard"].with_user(self.accountant).create(
            {"invoice_ids": [Command.set((inv1 | inv2).ids)]}
        ).action_export()
        action = self.env.ref("efaktur_export.efaktur_waiting_number_action")
        user_env = self.env(user=self.accountant)

        def waiting():
            return user_env["account.move"].search(
                [("id", "in", (inv1 | inv2 | inv3).ids)] + safe_eval(action.domain)
            )

        self.assertEqual(
            waiting(), inv1 | inv2, "exported, no number; inv3 not exported"
        )
        self._import(
            csv_bytes(
                HEADER,
                [
                    [inv1.name, number(1), "", "APPROVED"],
                    [inv2.name, "", "", "REJECTED"],
                ],
            )
        )
        self.assertEqual(waiting(), inv2, "a rejected faktur still waits for a number")
        menus = user_env["ir.ui.menu"]._visible_menu_ids()
        for xmlid in ("menu_efaktur_import_numbers", "menu_efaktur_waiting_number"):
            self.assertIn(self.env.ref(f"efaktur_export.{xmlid}").id, menus)
        user_env["efaktur.coretax.import.wizard"].get_views([(False, "form")])
        views = user_env["account.move"].get_views(
            [
                (False, "form"),
                (self.env.ref("account.view_out_invoice_tree").id, "list"),
            ]
        )
        self.assertIn("efaktur_number", views["views"]["form"]["arch"])
        self.assertIn("efaktur_number_status", views["views"]["list"]["arch"])

    def test_parser_headers_and_cells(self):
        """The plain-Python reader alone."""
        self.assertEqual(
            cil.normalise_header("  Nomor__Faktur  Pajak "), "nomor faktur pajak"
        )
        rows = cil.parse(
            csv_bytes(
                [
                    "Status",
                    "Status Faktur",
                    "NO FAKTUR PAJAK",
                    "Referensi",
                    "Tgl Faktur",
                ],
                [
                    ["x", "Disetujui", "04.00-25.00000000001", "INV/1", "2025-06-10"],
                    ["x", "APPROVED", "4.00250000000001E+16", "INV/2", "tomorrow"],
                ],
            )
        )
        self.assertEqual(rows[0]["status"], "approved", "'Status Faktur' over 'Status'")
        self.assertEqual(rows[0]["number"], "04002500000000001")
        self.assertEqual(rows[0]["date"], date(2025, 6, 10))
        self.assertEqual(rows[1]["problem"][0], "number_length")
        rows = cil.parse(
            xlsx_bytes(HEADER, [("INV/3", 4002500000000001, None, "APPROVED")])
        )
        self.assertEqual(rows[0]["problem"], ("number_in_excel", {}))
