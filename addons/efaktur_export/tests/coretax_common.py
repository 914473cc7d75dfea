# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Indonesian company, taxes, buyers and a least-privilege billing user for the Coretax tests."""

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

GOLDEN = Path(__file__).parent / "golden"


class CoretaxCase(AccountTestInvoicingCommon):
    @classmethod
    @AccountTestInvoicingCommon.setup_country("id")
    def setUpClass(cls):
        super().setUpClass()
        # Fictitious NPWPs (efaktur.md §2.11) without the checksum base_vat verifies.
        cls.env = cls.env(context=dict(cls.env.context, no_vat_validation=True))
        company = cls.company_data["company"].with_env(cls.env)
        company.write({"vat": "0123456789012000", "street": "Jl. Thamrin 1"})
        company.partner_id.l10n_id_tku = "000000"
        chart = cls.env["account.chart.template"].with_company(company)
        cls.tax_11 = chart.ref("tax_ST1")  # 11% = 12% of DPP Nilai Lain 11/12
        cls.tax_12 = chart.ref("tax_ST3")  # 12% on the full price
        cls.tax_0 = chart.ref("tax_ST0")  # 0%: not collected
        cls.tax_luxury = chart.ref("tax_luxury_sales")  # PPnBM 20%
        cls.tax_11_incl = cls.env["account.tax"].create(
            {
                "name": "PPN 11% included",
                "amount": 11.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": company.id,
            }
        )
        cls.tax_pph23 = cls.env["account.tax"].create(
            {
                "name": "PPh 23 2%",
                "amount": -2.0,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.indonesia = cls.env.ref("base.id")
        cls.buyer_pt = cls.env["res.partner"].create(
            {
                "name": "PT Pelanggan Setia",
                "is_company": True,
                "vat": "0987654321098000",
                "l10n_id_pkp": True,
                "l10n_id_kode_transaksi": "04",
                "l10n_id_buyer_document_type": "TIN",
                "street": "Jl. Sudirman No. 5",
                "city": "Bandung",
                "zip": "40111",
                "email": "pajak@pelanggan.example",
                "country_id": cls.indonesia.id,
            }
        )
        cls.buyer_branch = cls.env["res.partner"].create(
            {
                "name": "Cabang Surabaya",
                "parent_id": cls.buyer_pt.id,
                "type": "invoice",
                "l10n_id_tku": "000001",
                "street": "Jl. Pemuda No. 1",
                "city": "Surabaya",
                "zip": "60271",
                "email": "sby@pelanggan.example",
                "country_id": cls.indonesia.id,
            }
        )
        cls.buyer_nik = cls.env["res.partner"].create(
            {
                "name": "Budi Santoso",
                "l10n_id_kode_transaksi": "04",
                "l10n_id_buyer_document_type": "NIK",
                "l10n_id_buyer_document_number": "3273010101900001",
                "street": "Jl. Braga No. 9",
                "city": "Bandung",
                "country_id": cls.indonesia.id,
            }
        )
        cls.buyer_passport = cls.env["res.partner"].create(
            {
                "name": "John Smith",
                "l10n_id_kode_transaksi": "06",
                "l10n_id_buyer_document_type": "Passport",
                "l10n_id_buyer_document_number": "A1234567",
                "street": "1 Main Street",
                "city": "Boston",
                "zip": "02110",
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.paper = cls.env["product.product"].create(
            {"name": "Kertas A4 80gsm", "type": "consu", "list_price": 55000}
        )
        cls.install = cls.env["product.product"].create(
            {"name": "Jasa instalasi", "type": "service", "list_price": 8945}
        )
        cls.car = cls.env["product.product"].create(
            {"name": "Mobil sedan", "type": "consu", "list_price": 10000000}
        )
        cls.accountant = cls.env["res.users"].create(
            {
                "name": "Billing clerk",
                "login": "efaktur_billing",
                "email": "billing@seller.example",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )

    @classmethod
    def _invoice(cls, partner, lines, date="2025-06-10", post=True, **vals):
        """A customer invoice; ``lines`` are dicts of invoice line values, a ``taxes`` key
        holding the list of taxes (default 11%)."""
        commands = []
        for line in lines:
            line = dict(line)
            taxes = line.pop("taxes", [cls.tax_11])
            if "display_type" not in line:
                line["tax_ids"] = [Command.set([t.id for t in taxes])]
            commands.append(Command.create(line))
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "date": date,
                "invoice_line_ids": commands,
                **vals,
            }
        )
        if post:
            move.action_post()
        return move

    # -- element-by-element comparison -------------------------------------

    def assertXmlEqual(self, actual_bytes, golden_name, substitutions=None):
        """Parse both documents and compare element paths and texts (not bytes)."""
        text = (GOLDEN / golden_name).read_text()
        for key, value in (substitutions or {}).items():
            text = text.replace("{" + key + "}", value)
        expected = etree.fromstring(text.encode())
        actual = etree.fromstring(actual_bytes)

        def flatten(root):
            tree = root.getroottree()
            return [
                (tree.getpath(node), (node.text or "").strip())
                for node in root.iter()
                if isinstance(node.tag, str)
            ]

        self.assertEqual(actual.attrib, expected.attrib)
        want, got = flatten(expected), flatten(actual)
        for (path_w, text_w), (path_g, text_g) in zip(want, got, strict=False):
            self.assertEqual(path_g, path_w, "element order differs")
            self.assertEqual(text_g, text_w, f"at {path_w}")
        self.assertEqual(len(got), len(want), "element count differs")

    def _assert_self_consistent(self, xml_bytes):
        """Anyone recomputing from the file's own figures finds them again (§2.3, §2.6).

        Price x Qty - TotalDiscount = TaxBase exactly when Qty has at most two decimals
        (Odoo's default unit precision); within half a sen otherwise (``price_and_discount``).
        """

        def whole(value):
            return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)

        for item in etree.fromstring(xml_bytes).iter("GoodService"):
            get = {
                child.tag: Decimal(child.text)
                for child in item
                if child.tag != "Name" and child.text and child.text[0].isdigit()
            }
            gap = get["Price"] * get["Qty"] - get["TotalDiscount"] - get["TaxBase"]
            if -get["Qty"].normalize().as_tuple().exponent <= 2:
                self.assertEqual(gap, 0, item.findtext("Name"))
            else:
                self.assertLessEqual(abs(gap), Decimal("0.005"), item.findtext("Name"))
            self.assertGreaterEqual(get["TotalDiscount"], 0)
            self.assertIn(
                get["OtherTaxBase"], (get["TaxBase"], whole(get["TaxBase"] * 11 / 12))
            )
            # the amount not collected, or 0 (facility setting)
            self.assertIn(
                get["VAT"], (0, whole(get["OtherTaxBase"] * get["VATRate"] / 100))
            )
            # PPnBM on the DPP, not on DPP Nilai Lain (coretax_xml.line_amounts)
            self.assertEqual(get["STLG"], whole(get["TaxBase"] * get["STLGRate"] / 100))
