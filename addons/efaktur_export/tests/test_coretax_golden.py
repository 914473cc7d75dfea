# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Golden files: each expected figure is computed by hand in the golden file's comment."""

from odoo.tests import tagged

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxGolden(CoretaxCase):
    def test_worked_example_2_11(self):
        inv1 = self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.paper.id,
                    "name": "Kertas A4 80gsm",
                    "quantity": 20,
                    "price_unit": 55000,
                    "discount": 10,
                }
            ],
            date="2025-06-10",
        )
        inv2 = self._invoice(
            self.buyer_nik,
            [
                {
                    "product_id": self.install.id,
                    "name": "Jasa instalasi",
                    "quantity": 1,
                    "price_unit": 8945,
                }
            ],
            date="2025-06-11",
        )
        self.assertAlmostEqual(inv2.amount_tax, 983.95)
        moves = (inv2 | inv1).with_user(self.accountant)
        files = moves._efaktur_coretax_files()
        self.assertEqual(len(files), 1)
        self.assertTrue(files[0][0].endswith(".xml"))
        self.assertXmlEqual(
            files[0][1], "worked_2_11.xml", {"INV1": inv1.name, "INV2": inv2.name}
        )

    def test_buyers_codes_and_tax_mixes(self):
        inv1 = self._invoice(
            self.buyer_branch,
            [
                {"display_type": "line_section", "name": "Goods"},
                {
                    "product_id": self.paper.id,
                    "name": "Kertas A4 80gsm",
                    "quantity": 2,
                    "price_unit": 111000,
                    "taxes": [self.tax_11_incl],
                },
                {"display_type": "line_note", "name": "Delivered Monday"},
                {
                    "product_id": self.install.id,
                    "name": "Jasa instalasi",
                    "quantity": 1,
                    "price_unit": 500000,
                    "taxes": [self.tax_11, self.tax_pph23],
                },
                {"name": "Ongkos kirim", "quantity": 1, "price_unit": 50000},
            ],
            date="2025-07-01",
        )
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["res.currency.rate"].create(
            {
                "name": "2025-07-01",
                "currency_id": usd.id,
                "company_id": self.company_data["company"].id,
                "inverse_company_rate": 16000.0,
            }
        )
        inv2 = self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.paper.id,
                    "name": "Kertas A4 80gsm",
                    "quantity": 3,
                    "price_unit": 100,
                },
                {
                    "product_id": self.install.id,
                    "name": "Jasa instalasi",
                    "quantity": 2,
                    "price_unit": 50,
                },
                {"name": "Discount", "quantity": 1, "price_unit": -40},
            ],
            date="2025-07-02",
            currency_id=usd.id,
        )
        inv3 = self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.car.id,
                    "name": "Mobil sedan",
                    "quantity": 1,
                    "price_unit": 10000000,
                    "taxes": [self.tax_12, self.tax_luxury],
                }
            ],
            date="2025-07-03",
            l10n_id_kode_transaksi="01",
        )
        inv4 = self._invoice(
            self.buyer_pt,
            [
                {
                    "product_id": self.paper.id,
                    "name": "Kertas A4 80gsm",
                    "quantity": 1,
                    "price_unit": 1000000,
                    "taxes": [self.tax_0],
                }
            ],
            date="2025-07-04",
            l10n_id_kode_transaksi="07",
            l10n_id_coretax_add_info_07="TD.00512",
            l10n_id_coretax_custom_doc="SKB-123/2025",
            efaktur_custom_doc_date="2025-05-01",
        )
        inv5 = self._invoice(
            self.buyer_passport,
            [
                {
                    "product_id": self.install.id,
                    "name": "Jasa instalasi",
                    "quantity": 1,
                    "price_unit": 300000,
                }
            ],
            date="2025-07-05",
            l10n_id_kode_transaksi="06",
        )
        self.assertEqual(inv4.l10n_id_coretax_facility_info_07, "TD.01112")
        moves = (inv5 | inv3 | inv1 | inv4 | inv2).with_user(self.accountant)
        self.assertEqual(moves._efaktur_problems(), [])
        files = moves._efaktur_coretax_files()
        self.assertEqual(len(files), 1)
        names = {
            f"INV{i}": m.name for i, m in enumerate((inv1, inv2, inv3, inv4, inv5), 1)
        }
        self.assertXmlEqual(files[0][1], "mix.xml", names)
        self._assert_self_consistent(files[0][1])

    def test_split_in_files_of_max_per_file(self):
        moves = self.env["account.move"]
        for day in range(1, 6):
            moves |= self._invoice(
                self.buyer_pt,
                [{"product_id": self.paper.id, "quantity": 1, "price_unit": 1000}],
                date=f"2025-08-0{day}",
            )
        files = moves.with_user(self.accountant)._efaktur_coretax_files(max_per_file=2)
        # 5 invoices, 2 per file -> 3 files holding 2, 2, 1, in date order.
        self.assertEqual(len(files), 3)
        from lxml import etree

        refs = [
            [node.text for node in etree.fromstring(xml).iter("RefDesc")]
            for _name, xml in files
        ]
        self.assertEqual([len(r) for r in refs], [2, 2, 1])
        self.assertEqual(
            sum(refs, []), moves.sorted(lambda m: m.invoice_date).mapped("name")
        )
        self.assertEqual(len({name for name, _xml in files}), 3)
        # The one-file-at-a-time variant yields the very same files.
        streamed = moves.with_user(self.accountant)._efaktur_coretax_iter_files(
            max_per_file=2
        )
        self.assertEqual(
            [xml for _name, xml in streamed], [xml for _name, xml in files]
        )
