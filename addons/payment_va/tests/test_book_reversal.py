# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A reversed VA payment keeps its journal entry and its number (issue 8, point 2)."""

from odoo.tests import tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestBookReversal(PaymentVaCommon):
    def _settle(self, va):
        response = self.midtrans_api.simulate_payment(va.reference)
        self.assertEqual(response.status_code, 200, response.text)
        self._process_inbound()

    def test_deny_after_settlement_keeps_entry_and_number(self):
        """The black-box sequence: settlement, booked; Midtrans ``deny`` (a Mandiri
        bank reversal); the next payment. Before, the cancelled payment had no entry
        left and the next payment got the same number."""
        move, va = self._invoice_with_va(150000)
        self._settle(va)
        first = self._payments(self.midtrans)
        entry, number = first.move_id, first.name
        self.assertTrue(number)

        self.midtrans_api.simulate_payment(va.reference, status="deny")
        self._process_inbound()

        self.assertEqual(first.state, "canceled")
        self.assertEqual(first.name, number, "the payment keeps its number")
        self.assertTrue(entry.exists(), "the payment's entry is never deleted")
        self.assertEqual(first.move_id, entry)
        self.assertEqual((entry.state, entry.name), ("posted", number))
        reversal = entry.reversal_move_ids
        self.assertEqual(len(reversal), 1)
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(va.transaction_ids.reversal_move_id, reversal)
        self.assertEqual(va.transaction_ids.state, "reversed")
        # The reversal cancels the entry line by line, reconciled with it.
        for line in entry.line_ids.filtered(lambda line: line.account_id.reconcile):
            self.assertTrue(line.reconciled, line.account_id.display_name)
            self.assertIn(
                reversal,
                (line.matched_debit_ids + line.matched_credit_ids).mapped(
                    lambda partial: (
                        (partial.debit_move_id + partial.credit_move_id).move_id
                    )
                ),
            )
        self.assertEqual(move.payment_state, "not_paid")
        self.assertEqual(move.amount_residual, 150000)

        # The invoice is open again: a new VA, paid; its payment gets a new number.
        self._process_outbound()
        new_va = move.payment_va_current_id
        self.assertTrue(new_va)
        self.assertNotEqual(new_va, va)
        self._settle(new_va)
        second = self._payments(self.midtrans) - first
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second.name, number, "a payment number is never reused")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        names = (
            self.env["account.move"]
            .search([("journal_id", "=", self.bank_journal.id)])
            .mapped("name")
        )
        self.assertEqual(len(names), len(set(names)), names)

    def test_refund_after_settlement_reverses_with_today_date(self):
        move, va = self._invoice_with_va(90000)
        self._settle(va)
        payment = self._payments(self.midtrans)
        self.midtrans_api.simulate_payment(va.reference, status="refund")
        self._process_inbound()
        reversal = payment.move_id.reversal_move_ids
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(move.payment_state, "not_paid")
        activity = move.activity_ids.filtered(lambda a: "reversed" in (a.summary or ""))
        self.assertIn(reversal.name, activity.note)
