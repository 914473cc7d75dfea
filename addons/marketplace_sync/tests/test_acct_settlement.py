# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A settlement books the payout on the marketplace transit account; the bank
statement line of the aggregated payout then clears the settlements, so the bank
account counts the money once (review D3)."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .acct_common import AccountingCase


@tagged("post_install", "-at_install")
class TestSettlementTransit(AccountingCase):
    def _settled(self, names):
        orders = self.env["marketplace.order"]
        for name in names:
            mp = self.invoiced_shopee(name)
            self.shopee_api.settle(name)
            mp.action_import_settlement()
            self.assertEqual(mp.settlement_id.state, "posted", name)
            orders |= mp
        return orders

    def test_payout_goes_to_transit_then_bank_line_clears_it(self):
        orders = self._settled(["2611TRANSIT01", "2611TRANSIT02"])
        settlements = orders.settlement_id
        bank_account = self.bank_journal.default_account_id
        payout = sum(settlements.mapped("payout_amount"))
        # the settlement entries touch the transit account, never the bank
        moves = settlements.move_id
        self.assertFalse(
            moves.line_ids.filtered(lambda line: line.account_id == bank_account)
        )
        self.assertEqual(self.balance(self.transit), payout)
        for settlement in settlements:
            transit = settlement.move_id.line_ids.filtered(
                lambda line: line.account_id == self.transit
            )
            self.assertEqual(transit.debit, settlement.payout_amount)
            self.assertFalse(transit.reconciled)
        for mp in orders:
            self.assertIn(
                mp.sale_order_id.invoice_ids.payment_state, ("paid", "in_payment")
            )
        # Shopee pays both orders out in one transfer: one bank statement line
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": "2026-03-02",
                "payment_ref": "SHOPEE WITHDRAWAL 2611",
                "amount": payout,
            }
        )
        self.assertFalse(st_line.is_reconciled)
        settlements.with_user(self.accountant)._reconcile_payout(st_line)
        self.assertTrue(st_line.is_reconciled)
        self.assertEqual(self.balance(self.transit), 0.0)
        for settlement in settlements:
            transit = settlement.move_id.line_ids.filtered(
                lambda line: line.account_id == self.transit
            )
            self.assertTrue(transit.reconciled)
        # the bank account holds the payout once: the statement line only
        self.assertEqual(self.balance(bank_account), payout)
        suspense = self.bank_journal.suspense_account_id
        self.assertEqual(self.balance(suspense), 0.0)

    def test_bank_line_must_match_the_settlements(self):
        orders = self._settled(["2611TRANSIT03"])
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": "2026-03-02",
                "payment_ref": "SHOPEE WITHDRAWAL",
                "amount": orders.settlement_id.payout_amount + 1000,
            }
        )
        with self.assertRaisesRegex(UserError, "differ"):
            orders.settlement_id.with_user(self.accountant)._reconcile_payout(st_line)
        self.assertFalse(st_line.is_reconciled)
        self.assertEqual(self.balance(self.transit), orders.settlement_id.payout_amount)

    def test_accountant_books_and_problems_name_the_transit_account(self):
        mp = self.invoiced_shopee()
        self.shopee_api.settle(mp.name)
        settlement = self.env["marketplace.settlement"]._import_for(mp)
        self.assertEqual(settlement.state, "draft")
        # the transit account must be reconcilable: the bank line clears it
        plain = self.env["account.account"].create(
            {
                "name": "Not reconcilable",
                "code": "11129902",
                "account_type": "asset_current",
                "company_ids": [self.company.id],
            }
        )
        with self.assertRaises(ValidationError):
            self.shopee_shop.receivable_account_id = plain
        self.transit.reconcile = False
        self.shopee_shop.settlement_journal_id = False
        with self.assertRaises(UserError) as caught:
            settlement.with_user(self.accountant).action_book()
        message = str(caught.exception)
        self.assertIn("payout journal", message)
        self.assertIn(self.transit.display_name, message)
        self.assertEqual(settlement.state, "draft")
        self.transit.reconcile = True
        self.shopee_shop.settlement_journal_id = self.misc_journal
        settlement.with_user(self.accountant).action_book()
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.move_id.journal_id, self.misc_journal)
        transit = settlement.move_id.line_ids.filtered(
            lambda line: line.account_id == self.transit
        )
        self.assertEqual(transit.debit, settlement.payout_amount)

    def test_salesperson_with_invoicing_rights_imports_from_the_order(self):
        """The order's *Import settlement* button (shown to invoicing users). The
        marketplace's sale orders are nobody's own (the intake creates them), so the
        clerk sees all sales documents."""
        clerk = new_test_user(
            self.env,
            login="mkacct_clerk",
            groups="sales_team.group_sale_salesman_all_leads,"
            "account.group_account_invoice",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        mp = self.invoiced_shopee()
        self.shopee_api.settle(mp.name)
        mp.with_user(clerk).action_import_settlement()
        settlement = mp.settlement_id
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.transit_line_id.account_id, self.transit)
        self.assertTrue(mp.settlement_checked_at)
