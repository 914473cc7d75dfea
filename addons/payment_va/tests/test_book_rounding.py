# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Booking a VA payment: rupiah rounding written off (D16), invoices linked and
reconciled through the outstanding account whatever the accounting app (D18)."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestBookRounding(PaymentVaCommon):
    def _settle(self, va):
        response = self.midtrans_api.simulate_payment(va.reference)
        self.assertEqual(response.status_code, 200, response.text)

    def _rounding_lines(self, payment):
        return payment.move_id.line_ids.filtered(
            lambda line: line.account_id == self.midtrans.va_rounding_account_id
        )

    def _receivable_lines(self, payment):
        return payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    # ------------------------------------------------------------------ D16
    def test_rounding_account_defaults_to_cash_difference_loss(self):
        self.assertEqual(
            self.midtrans.va_rounding_account_id,
            self.env.company.default_cash_difference_expense_account_id,
        )
        self.assertTrue(self.midtrans.va_rounding_account_id)

    def test_cents_short_written_off_invoice_paid(self):
        """11,101.11 is asked as 11,101: paid, the invoice is paid, 0.11 written off."""
        move, va = self._invoice_with_va(11101.11)
        self.assertEqual(va.amount, 11101)
        self._settle(va)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertEqual(payment.amount, 11101)
        self.assertEqual(move.payment_state, "paid")
        self.assertTrue(move.currency_id.is_zero(move.amount_residual))
        rounding = self._rounding_lines(payment)
        self.assertEqual(len(rounding), 1)
        self.assertAlmostEqual(rounding.balance, 0.11)
        self.assertTrue(
            payment.currency_id.is_zero(
                sum(self._receivable_lines(payment).mapped("amount_residual"))
            ),
            "no customer credit and nothing open",
        )
        # Nothing is due any more: no VA for Rp 0 (or Rp 1) is opened.
        self._process_outbound()
        self.assertEqual(len(move.payment_va_ids), 1)

    def test_half_rupiah_over_written_off(self):
        """11,101.50 is asked as 11,102: paid, the 0.50 paid over is written off, not
        left as a customer credit of fifty cents."""
        move, va = self._invoice_with_va(11101.50)
        self.assertEqual(va.amount, 11102)
        self._settle(va)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertEqual(move.payment_state, "paid")
        rounding = self._rounding_lines(payment)
        self.assertAlmostEqual(rounding.balance, -0.50)
        self.assertTrue(
            payment.currency_id.is_zero(
                sum(self._receivable_lines(payment).mapped("amount_residual"))
            )
        )

    def test_cents_written_off_in_the_batch_path(self):
        invoices = [self._invoice(amount) for amount in (20202.22, 30303.61)]
        self._process_outbound()
        vas = [move.payment_va_current_id for move in invoices]
        self.assertEqual([va.amount for va in vas], [20202, 30304])
        for va in vas:
            self._settle(va)
        self._process_inbound()
        self.assertEqual([move.payment_state for move in invoices], ["paid", "paid"])
        payments = self._payments(self.midtrans)
        self.assertEqual(len(payments), 2)
        self.assertAlmostEqual(
            sum(self._rounding_lines(payments).mapped("balance")), 0.22 - 0.39
        )

    def test_real_difference_is_not_written_off(self):
        """Only the sub-rupiah rounding: a partial payment stays partial."""
        move, va = self._invoice_with_va(11101.11)
        self.midtrans_api.simulate_payment(va.reference, gross_amount=11000)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertFalse(self._rounding_lines(payment))
        self.assertEqual(move.payment_state, "partial")
        self.assertAlmostEqual(move.amount_residual, 101.11)

    def test_customer_va_rounding_on_the_last_invoice(self):
        """Per-customer VA: 100,000 and 50,000.30 paid with 150,000 closes both."""
        old = self._invoice(100000, date="2026-01-05")
        new = self._invoice(50000.30, date="2026-02-05")
        va = self.env["payment.va"].browse(
            self.customer.action_payment_va_create()["res_id"]
        )
        self.xendit_api.callback_url = self._url(self.xendit_customer)
        self.xendit_api.simulate_payment(va.reference, 150000)
        self._process_inbound()
        self.assertEqual((old.payment_state, new.payment_state), ("paid", "paid"))
        payment = self._payments(self.xendit_customer)
        self.assertEqual(payment.invoice_ids, old + new)
        rounding = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == self.xendit_customer.va_rounding_account_id
        )
        self.assertAlmostEqual(rounding.balance, 0.30)

    def test_config_check_requires_the_rounding_account(self):
        self.midtrans.sudo().va_rounding_account_id = False
        with self.assertRaisesRegex(UserError, "rounding write-off account"):
            self.midtrans._payment_va_check_config()

    # ------------------------------------------------------------------ D18
    def test_payment_links_its_invoice(self):
        move, va = self._invoice_with_va(150000)
        self._settle(va)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertEqual(payment.invoice_ids, move)
        self.assertEqual(payment.reconciled_invoice_ids, move)
        self.assertIn(payment, move.matched_payment_ids)

    def test_reconciles_when_accounting_app_books_payments_without_entry(self):
        """With ``account_accountant`` installed, Odoo creates a payment without an
        outstanding account (and so without a journal entry) when its method line has
        none. A VA payment still gets its entry and closes the invoice."""
        Move = type(self.env["account.move"])
        self.bank_journal.inbound_payment_method_line_ids.payment_account_id = False
        move, va = self._invoice_with_va(150000)
        with patch.object(
            Move, "_get_invoice_in_payment_state", lambda self: "in_payment"
        ):
            self._settle(va)
            self._process_inbound()
            payment = self._payments(self.midtrans)
            self.assertTrue(payment.move_id, "the payment has a journal entry")
            # Through the outstanding receipts account, never straight to the bank.
            self.assertTrue(payment.outstanding_account_id.reconcile)
            self.assertNotEqual(
                payment.outstanding_account_id, self.bank_journal.default_account_id
            )
            move.invalidate_recordset(["payment_state"])
            self.assertEqual(move.payment_state, "in_payment")
            self.assertTrue(move.currency_id.is_zero(move.amount_residual))

    def test_config_check_refuses_booking_straight_to_the_bank(self):
        line = self.midtrans._payment_va_method_line()
        line.payment_account_id = self.bank_journal.default_account_id
        with self.assertRaisesRegex(UserError, "outstanding receipts account"):
            self.midtrans._payment_va_check_config()
