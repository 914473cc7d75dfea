# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Buyers, products and NSFP ranges for the legacy e-Faktur CSV tests (efaktur.md §1)."""

import base64
import csv
import io

from odoo import Command

from .coretax_common import CoretaxCase


class LegacyCase(CoretaxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"].with_env(cls.env)
        # §1.6's buyer: a 15-digit NPWP, code 01, the address on one line.
        cls.buyer_contoh = cls.env["res.partner"].create(
            {
                "name": "PT CONTOH JAYA",
                "is_company": True,
                "vat": "019876543210000",
                "l10n_id_pkp": True,
                "l10n_id_kode_transaksi": "01",
                "street": "JL. MERDEKA NO. 1 JAKARTA",
                "country_id": cls.indonesia.id,
            }
        )
        cls.kertas = cls.env["product.product"].create(
            {"name": "Kertas A4", "default_code": "SKU-01", "type": "consu"}
        )
        cls.tinta = cls.env["product.product"].create(
            {"name": "Tinta", "default_code": "SKU-02", "type": "consu"}
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Chief accountant",
                "login": "efaktur_manager",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("account.group_account_manager").id,
                        ]
                    )
                ],
            }
        )

    @classmethod
    def _range(cls, first, last, company=None):
        """A range entered by the accounting manager."""
        return (
            cls.env["efaktur.nsfp.range"]
            .with_user(cls.manager)
            .create(
                {
                    "number_min": first,
                    "number_max": last,
                    "company_id": (company or cls.company).id,
                }
            )
        )

    def _wizard(self, invoices):
        return (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .create({"invoice_ids": [Command.set(invoices.ids)]})
        )

    def _export(self, invoices):
        """Export through the wizard as the billing user: ``{filename: bytes}``."""
        batch = self._wizard(invoices)._efaktur_export()
        return {a.name: base64.b64decode(a.datas) for a in batch.attachment_ids}

    @staticmethod
    def _csv_of(files):
        (name,) = [n for n in files if n.endswith(".csv")]
        return files[name].decode("utf-8")

    @staticmethod
    def _rows(text):
        """The CSV parsed with §1.1's quoting (every value quoted, ``\\"`` inside)."""
        return list(csv.reader(io.StringIO(text), doublequote=False, escapechar="\\"))
