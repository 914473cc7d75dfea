# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which invoices a period export and the "To Export" list take: those Odoo gives an
e-Faktur (Indonesian company, PKP buyer, taxed; ``l10n_id_coretax_efaktur_available``), of
the current company, last month by default; and batches that stay what was sent."""

from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import date_utils
from odoo.tools.safe_eval import safe_eval

from ..models.efaktur_problems import EfakturProblemsError
from .legacy_common import LegacyCase


class Undone(Exception):
    """Rolls a savepoint back in a test."""


@tagged("post_install", "-at_install")
class TestExportScope(LegacyCase):
    def _paper(self):
        return {"product_id": self.paper.id, "quantity": 1, "price_unit": 55000}

    def _new_wizard(self, user=None, **vals):
        return (
            self.env["efaktur.export.wizard"]
            .with_user(user or self.accountant)
            .create(vals)
        )

    def _to_export(self, invoices):
        action = self.env.ref("efaktur_export.efaktur_to_export_action")
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .search([("id", "in", invoices.ids)] + safe_eval(action.domain))
        )

    # -- eligibility (Odoo's l10n_id_coretax_efaktur_available) -------------------------

    def test_untaxed_and_non_pkp_invoices_do_not_block_the_period(self):
        taxed = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        deposit = self._invoice(
            self.buyer_pt,
            [{"name": "Deposit", "quantity": 1, "price_unit": 1000, "taxes": []}],
            date="2025-07-03",
        )
        not_pkp = self.env["res.partner"].create(
            {
                "name": "Toko Kecil",
                "l10n_id_pkp": False,
                "country_id": self.indonesia.id,
            }
        )
        retail = self._invoice(not_pkp, [self._paper()], date="2025-07-04")
        invoices = taxed | deposit | retail
        self.assertEqual(
            invoices.mapped("l10n_id_coretax_efaktur_available"), [True, False, False]
        )
        self.assertEqual(self._to_export(invoices), taxed)

        batch = self._new_wizard(
            date_from="2025-07-01", date_to="2025-07-31"
        )._efaktur_export()
        self.assertEqual(batch.invoice_ids, taxed)
        self.assertEqual((deposit | retail).mapped("efaktur_state"), ["to_export"] * 2)

        # Selected by hand, the untaxed invoice is listed with its reason.
        with self.assertRaises(EfakturProblemsError) as caught:
            self._new_wizard(invoice_ids=[Command.set(deposit.ids)])._efaktur_export()
        self.assertEqual({move for move, _msg in caught.exception.problems}, {deposit})

    def test_invoices_of_a_company_outside_indonesia_are_not_to_export(self):
        inv = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        self.assertEqual(self._to_export(inv), inv)
        self.company.account_fiscal_country_id = self.env.ref("base.sg")
        self.assertFalse(inv.l10n_id_coretax_efaktur_available)
        self.assertFalse(self._to_export(inv))
        with self.assertRaises(UserError):
            self._new_wizard(
                date_from="2025-07-01", date_to="2025-07-31"
            )._efaktur_export()

    # -- period and company --------------------------------------------------------------

    def test_no_selection_exports_last_month(self):
        end = date_utils.start_of(date.today(), "month") - timedelta(days=1)
        start = date_utils.start_of(end, "month")
        last_month = self._invoice(self.buyer_pt, [self._paper()], date=start)
        before = self._invoice(
            self.buyer_pt, [self._paper()], date=start - timedelta(days=1)
        )
        old = self._invoice(self.buyer_contoh, [self._paper()], date="2024-03-15")
        self._range("0002400000001", "0002400000050")

        wizard = self._new_wizard()
        self.assertEqual((wizard.date_from, wizard.date_to), (start, end))
        # The menu's form shows the same period; a selection has none.
        defaults = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .with_context(efaktur_default_period=True)
            .default_get(["date_from", "date_to"])
        )
        self.assertEqual((defaults["date_from"], defaults["date_to"]), (start, end))
        selected = self._new_wizard(invoice_ids=[Command.set(before.ids)])
        self.assertFalse(selected.date_from or selected.date_to)

        batch = wizard._efaktur_export()
        self.assertEqual(batch.invoice_ids, last_month)
        self.assertFalse(old.efaktur_nsfp_serial, "a 2024 invoice took no NSFP")

    def test_two_companies_active_exports_the_current_one(self):
        other = self.setup_other_company(name="PT Lain")
        company2 = other["company"]
        self.accountant.company_ids = [Command.link(company2.id)]
        mine = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        theirs = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.buyer_pt.id,
                "invoice_date": "2025-07-02",
                "journal_id": other["default_journal_sale"].id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Jasa",
                            "quantity": 1,
                            "price_unit": 1000,
                            "tax_ids": [Command.set(other["default_tax_sale"].ids)],
                        }
                    )
                ],
            }
        )
        theirs.action_post()
        wizard = (
            self.env["efaktur.export.wizard"]
            .with_user(self.accountant)
            .with_context(allowed_company_ids=[self.company.id, company2.id])
            .create({"date_from": "2025-07-01", "date_to": "2025-07-31"})
        )
        batch = wizard._efaktur_export()
        self.assertEqual(batch.invoice_ids, mine)
        self.assertEqual(theirs.efaktur_state, "to_export")

    # -- batches -------------------------------------------------------------------------

    def test_batch_cannot_be_deleted(self):
        inv = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        batch = self._new_wizard(invoice_ids=[Command.set(inv.ids)])._efaktur_export()
        # The accounting manager has the delete right, and is still refused.
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            batch.with_user(self.manager).unlink()
        self.assertTrue(batch.exists())
        self.assertEqual(inv.efaktur_batch_id, batch)
        self.assertEqual(inv.efaktur_state, "exported")

    def test_batch_numbers_have_no_gap(self):
        inv1 = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        inv2 = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-03")
        inv3 = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-04")
        first = self._new_wizard(invoice_ids=[Command.set(inv1.ids)])._efaktur_export()
        # An export numbered, then undone (as when a later file meets a problem).
        with self.assertRaises(Undone), self.env.cr.savepoint():
            self._new_wizard(invoice_ids=[Command.set(inv2.ids)])._efaktur_export()
            raise Undone()
        third = self._new_wizard(invoice_ids=[Command.set(inv3.ids)])._efaktur_export()
        prefix, number = first.name.rsplit("/", 1)
        self.assertEqual(third.name, f"{prefix}/{int(number) + 1:05d}")

    # -- waiting for a faktur number -----------------------------------------------------

    def test_legacy_invoices_do_not_wait_for_a_faktur_number(self):
        self._range("0002400000001", "0002400000050")
        legacy = self._invoice(
            self.buyer_contoh,
            [{"name": "Jasa", "quantity": 1, "price_unit": 1000}],
            date="2024-03-15",
        )
        coretax = self._invoice(self.buyer_pt, [self._paper()], date="2025-07-02")
        self._export(legacy | coretax)
        self.assertTrue(legacy.efaktur_nsfp)
        action = self.env.ref("efaktur_export.efaktur_waiting_number_action")
        waiting = (
            self.env["account.move"]
            .with_user(self.accountant)
            .search([("id", "in", (legacy | coretax).ids)] + safe_eval(action.domain))
        )
        self.assertEqual(waiting, coretax)
