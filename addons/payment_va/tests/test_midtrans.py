# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Midtrans per-invoice VAs end to end: real HTTP to the local Midtrans imitation and to
Odoo's own notification route."""

import base64
from unittest.mock import patch

import requests

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestMidtrans(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Who handles payments to review: an accountant, not an integration admin.
        cls.accountant = new_test_user(
            cls.env,
            login="va-midtrans-accountant",
            groups="account.group_account_manager",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _notify(self, order_id, **kw):
        return self.midtrans_api.send_notification(order_id, **kw)

    def _settle(self, va, gross_amount=None):
        response = self.midtrans_api.simulate_payment(
            va.reference, gross_amount=gross_amount
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response

    # ------------------------------------------------------------------ creation
    def test_post_invoice_opens_va(self):
        move, va = self._invoice_with_va(150000)
        self.assertEqual(va.state, "open")
        self.assertEqual(va.amount, 150000)
        self.assertEqual(va.bank_code, "bni")
        self.assertTrue(va.va_number)
        self.assertNotIn("/", va.reference, "order_id goes into URL paths")
        self.assertRegex(va.reference, r"-[0-9a-f]{12}$", "unique per attempt")
        charge = self.gateway.requests_to("/midtrans/v2/charge")[-1]
        token = base64.b64encode(f"{self.midtrans_api.server_key}:".encode()).decode()
        self.assertEqual(charge.header("Authorization"), f"Basic {token}")
        body = charge.json()
        self.assertEqual(body["transaction_details"]["gross_amount"], 150000)
        self.assertIsInstance(body["transaction_details"]["gross_amount"], int)
        self.assertEqual(body["custom_expiry"]["unit"], "minute")
        self.assertEqual(move.payment_va_instructions, va.payment_instructions)

    def test_mandiri_bill_on_invoice_pdf(self):
        self.customer.payment_va_bank_id = self.env.ref(
            "payment_va.bank_midtrans_mandiri"
        )
        try:
            move, va = self._invoice_with_va(99000)
        finally:
            self.customer.payment_va_bank_id = False
        self.assertEqual(va.biller_code, "70012")
        self.assertTrue(va.bill_key)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", move.ids)[0]
            .decode()
        )
        self.assertIn(va.bill_key, html)
        self.assertIn("70012", html)

    def test_button_without_config_lists_problems(self):
        move = self._invoice(50000)
        self._process_outbound()
        self.midtrans.sudo().va_journal_id = False
        move.payment_va_ids.state = "cancelled"
        with self.assertRaisesRegex(UserError, "receiving bank journal"):
            move.action_payment_va_request()

    def test_gateway_auth_error_is_translated(self):
        self.midtrans.sudo().api_secret = "wrong"
        move = self._invoice(50000)
        event = self.env["integration.event"].search(
            [
                ("direction", "=", "outbound"),
                ("res_id", "=", move.id),
                ("res_model", "=", "account.move"),
            ]
        )
        self._process_outbound()
        self.assertFalse(move.payment_va_ids)
        self.assertEqual(event.state, "failed")
        self.assertIn("server key", event.error)

    # ------------------------------------------------------------------ booking
    def test_settlement_books_and_reconciles(self):
        move, va = self._invoice_with_va(150000)
        response = self._settle(va)
        self.assertEqual(response.json()["status"], "accepted")
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.amount, 150000)
        self.assertEqual(payment.journal_id, self.bank_journal)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(va.state, "paid")
        status_calls = self.gateway.requests_to(f"/midtrans/v2/{va.gateway_id}/status")
        self.assertTrue(status_calls, "the payment was confirmed with the status API")
        # The paid VA needs no replacement.
        self._process_outbound()
        self.assertEqual(len(move.payment_va_ids), 1)

    def test_pending_books_nothing_and_settlement_before_pending(self):
        move, va = self._invoice_with_va(120000)
        self.assertEqual(self._notify(va.reference).status_code, 200)  # pending
        self._process_inbound()
        self.assertFalse(self._payments(self.midtrans))
        self.assertEqual(va.state, "open")
        # Out of order: settlement first, then a late pending for the same transaction.
        move2, va2 = self._invoice_with_va(80000)
        pending_body = self.midtrans_api.notification_for(va2.reference)
        self._settle(va2)
        self.midtrans_api.send_callback(
            self.midtrans_api.notification_url, pending_body
        )
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        self.assertEqual(va2.state, "paid")
        self.assertIn(move2.payment_state, ("paid", "in_payment"))

    def test_forged_or_missing_signature_stores_nothing(self):
        _move, va = self._invoice_with_va(150000)
        self.midtrans_api.set_status(va.reference, "settlement")
        before = len(self._events(self.midtrans))
        forged = self._notify(
            va.reference, overrides={"signature_key": "0" * 128}, resign=False
        )
        self.assertEqual(forged.status_code, 403)
        missing = self._notify(
            va.reference, overrides={"signature_key": ""}, resign=False
        )
        self.assertEqual(missing.status_code, 401)
        # A key from another merchant signs a perfectly shaped body: still refused.
        body = self.midtrans_api.notification_for(va.reference)
        from odoo.addons.base_integration.tests.gateway_servers.midtrans import (
            midtrans_signature,
        )

        body["signature_key"] = midtrans_signature(
            body["order_id"], body["status_code"], body["gross_amount"], "other-key"
        )
        other = self.midtrans_api.send_callback(
            self.midtrans_api.notification_url, body
        )
        self.assertEqual(other.status_code, 403)
        self.assertEqual(len(self._events(self.midtrans)), before)
        self._process_inbound()
        self.assertFalse(self._payments(self.midtrans))

    def test_malformed_json_is_400(self):
        response = requests.post(
            self.midtrans_api.notification_url,
            data=b'{"order_id": ',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid JSON", response.json()["message"])
        self.assertFalse(self._events(self.midtrans))

    def test_tampered_amount_caught_by_status_api(self):
        move, va = self._invoice_with_va(150000)
        # Well-formed and correctly signed, but the gateway says the VA is still
        # pending.
        forged = self._notify(
            va.reference,
            overrides={
                "transaction_status": "settlement",
                "status_code": "200",
                "gross_amount": "150000.00",
            },
        )
        self.assertEqual(forged.status_code, 200)
        self._process_inbound()
        self.assertFalse(self._payments(self.midtrans))
        self.assertEqual(move.payment_state, "not_paid")
        event = self._events(self.midtrans)
        self.assertEqual(event.state, "failed", "kept for a re-check, not trusted")
        self.assertIn("status API says pending", event.error)
        # Paid for real, but the notification claims more than was paid. Same dedupe key
        # as the forged one: the waiting event is re-checked and books the confirmed
        # data.
        self.midtrans_api.set_status(va.reference, "settlement", gross_amount=100000)
        response = self._notify(va.reference, overrides={"gross_amount": "150000.00"})
        self.assertEqual(response.json()["status"], "duplicate")
        self._make_due(self.midtrans)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.assertEqual(payment.amount, 100000, "only the confirmed amount is booked")
        self.assertEqual(move.payment_state, "partial")

    def test_fifty_duplicates_sequential_and_concurrent(self):
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.set_status(va.reference, "settlement")
        answers = [self._notify(va.reference).status_code for _ in range(25)]
        answers += [
            r.status_code
            for r in self._post_concurrently(
                lambda: self._notify(va.reference), 25, workers=8
            )
        ]
        self.assertEqual(answers, [200] * 50)
        self.assertEqual(len(self._events(self.midtrans)), 1)
        self._process_inbound()
        # A re-delivery after processing and the recovery cron change nothing.
        self._notify(va.reference)
        self.env["payment.va"]._cron_recover()
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        self.assertEqual(len(va.transaction_ids), 1)
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_status_api_down_retried_later(self):
        move, va = self._invoice_with_va(150000)
        self.gateway.faults.add(
            f"/midtrans/v2/{va.gateway_id}/status", Fault(status=503), times=10
        )
        self._settle(va)
        self._process_inbound()
        event = self._events(self.midtrans)
        self.assertEqual(event.state, "failed")
        self.assertTrue(event.next_attempt_at)
        self.assertFalse(event.dead_letter)
        self.assertFalse(
            self._payments(self.midtrans), "nothing booked on unconfirmed data"
        )
        self.gateway.faults.clear()
        self._make_due(self.midtrans)
        self._process_inbound()
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_unknown_va_goes_to_review(self):
        client = self.midtrans._payment_va_client()
        client.charge(client.build_charge("NOT-IN-ODOO-1", 75000, "bri"))
        self.midtrans_api.simulate_payment("NOT-IN-ODOO-1")
        self._process_inbound()
        review = self.env["payment.va.review"].search(
            [("connection_id", "=", self.midtrans.id)]
        )
        self.assertEqual(review.reason, "unknown_va")
        self.assertEqual(review.amount, 75000)
        self.assertTrue(review.activity_ids)
        self.assertFalse(self._payments(self.midtrans))
        # A person allocates it to an invoice.
        move = self._invoice(75000)
        wizard = (
            self.env["payment.va.review.allocate"]
            .with_user(self.accountant)
            .create(
                {
                    "review_id": review.id,
                    "partner_id": self.customer.id,
                    "move_id": move.id,
                }
            )
        )
        wizard.action_allocate()
        self.assertEqual(review.state, "allocated")
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_expired_va_paid_goes_to_review(self):
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.simulate_payment(va.reference, status="expire")
        self._process_inbound()
        self.assertEqual(va.state, "expired")
        # The bank still accepted a transfer (race at the bank).
        self.midtrans_api.simulate_payment(va.reference, status="settlement")
        self._process_inbound()
        review = self.env["payment.va.review"].search([("va_id", "=", va.id)])
        self.assertEqual(review.reason, "expired_va")
        self.assertEqual(review.move_id, move)
        self.assertFalse(self._payments(self.midtrans))
        review.with_user(self.accountant).action_mark_refunded()
        self.assertEqual(review.state, "refunded")

    def test_expire_after_settlement_is_noop_and_deny_reverses(self):
        move, va = self._invoice_with_va(150000)
        self._settle(va)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        self.midtrans_api.simulate_payment(va.reference, status="expire")
        self._process_inbound()
        self.assertEqual(va.state, "paid")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        # Mandiri-style reversal: deny after settlement.
        self.midtrans_api.simulate_payment(va.reference, status="deny")
        self._process_inbound()
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(move.payment_state, "not_paid")
        self.assertEqual(va.transaction_ids.state, "reversed")
        self.assertTrue(
            move.activity_ids.filtered(lambda a: "reversed" in (a.summary or ""))
        )

    def test_partial_payment_and_credit_note_replace_va(self):
        move, va = self._invoice_with_va(200000)
        # A credit note of 50,000 reduces the amount due: the VA is replaced.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "reason": "diskon"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.price_unit = 50000
        credit_note.action_post()  # posting a reversal reconciles it with the invoice
        self.assertEqual(move.amount_residual, 150000)
        self._process_outbound()
        self.assertEqual(va.state, "cancelled")
        self.assertEqual(
            self.midtrans_api.transactions[va.reference]["transaction_status"],
            "cancel",
            "the old VA is cancelled at the gateway",
        )
        new_va = move.payment_va_current_id
        self.assertEqual(new_va.amount, 150000)
        self.assertEqual(va.replaced_by_id, new_va)
        # Partial payment (open-amount account): invoice partially paid, a new VA for
        # the rest.
        self._settle(new_va, gross_amount=100000)
        self._process_inbound()
        self.assertEqual(move.payment_state, "partial")
        self._process_outbound()
        self.assertEqual(move.payment_va_current_id.amount, 50000)

    def test_recovery_cron_books_missed_settlement(self):
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.set_status(va.reference, "settlement")  # notification lost
        self.env["payment.va"]._cron_recover()
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        # The late original notification is a duplicate.
        response = self._notify(va.reference)
        self.assertEqual(response.json()["status"], "duplicate")

    def test_reconciliation_report(self):
        _move, va = self._invoice_with_va(150000)
        self._settle(va)
        self._process_inbound()
        payment = self._payments(self.midtrans)
        report = self.env["payment.va.reconcile.report"].create(
            {"connection_id": self.midtrans.id}
        )
        report.action_compute()
        self.assertEqual(report.line_ids.status, "match")
        self.assertEqual(report.difference_count, 0)
        # A payment booked by hand in Odoo on a VA has no gateway counterpart.
        extra = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 1000,
                "journal_id": self.bank_journal.id,
                "memo": "manual",
                "payment_va_id": va.id,
            }
        )
        extra.action_post()
        report.action_compute()
        self.assertEqual(report.difference_count, 1)
        self.assertEqual(
            report.line_ids.filtered(
                lambda line: line.status == "missing_at_gateway"
            ).payment_id,
            extra,
        )
        self.assertIn(payment, report.line_ids.payment_id)

    def test_overpayment_leaves_customer_credit(self):
        move, va = self._invoice_with_va(150000)
        self._settle(va, gross_amount=200000)
        self._process_inbound()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        payment = self._payments(self.midtrans)
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertAlmostEqual(receivable.amount_residual, -50000)

    def test_archived_connection_is_refused_and_stores_nothing(self):
        _move, va = self._invoice_with_va(150000)
        self.midtrans.sudo().active = False
        self.env.flush_all()
        response = self._notify(va.reference)
        self.assertEqual(response.status_code, 403)  # like a bad signature (D20)
        self.assertFalse(self._events(self.midtrans.with_context(active_test=False)))

    def test_invoicing_user_without_integration_rights(self):
        """Least privilege: an invoicing clerk requests a VA and registers a payment."""
        clerk = self.env["res.users"].create(
            {
                "name": "Kasir",
                "login": "kasir-va",
                "email": "kasir@example.com",
                "company_id": self.env.company.id,
                "company_ids": [(6, 0, self.env.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("account.group_account_invoice").id])
                ],
            }
        )
        self.midtrans.sudo().va_auto_create = False
        move = self._invoice(90000).with_user(clerk)
        move.action_payment_va_request()
        va = move.payment_va_current_id
        self.assertEqual((va.state, va.amount), ("open", 90000))
        self.assertFalse(clerk.has_group("base_integration.group_integration_user"))
        # A partial payment by the clerk replaces the VA through the outbox.
        self.env["account.payment.register"].with_user(clerk).with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"amount": 40000})._create_payments()
        self._process_outbound()
        self.assertEqual(move.payment_va_current_id.amount, 50000)
        va_customer = self.env["payment.va"].browse(
            self.customer.with_user(clerk).action_payment_va_create()["res_id"]
        )
        self.assertEqual(va_customer.provider, "xendit")

    # ------------------------------------------------------------------ bulk booking
    def test_batch_books_plain_settlements_and_leaves_the_rest(self):
        """One inbox run books many settlements together; the unusual ones (pending,
        unknown order) still go through the one-by-one path and end exactly as they
        would alone."""
        Transaction = type(self.env["payment.va.transaction"])
        invoices = [self._invoice(100000 + i) for i in range(6)]
        self._process_outbound()
        vas = [move.payment_va_current_id for move in invoices]
        for va in vas[:4]:
            self._settle(va)
        self._settle(vas[4], gross_amount=60000)  # partial payment
        self.midtrans_api.send_notification(vas[5].reference)  # still pending
        client = self.midtrans._payment_va_client()
        client.charge(client.build_charge("NOT-IN-ODOO-2", 75000, "bri"))
        self.midtrans_api.simulate_payment("NOT-IN-ODOO-2")
        with (
            patch.object(
                Transaction,
                "_book_many",
                autospec=True,
                side_effect=Transaction._book_many,
            ) as book_many,
            patch.object(
                Transaction,
                "_book",
                autospec=True,
                side_effect=Transaction._book,
            ) as book_one,
        ):
            self._process_inbound()
        self.assertTrue(book_many.called)
        booked_in_bulk = sum(len(call.args[2]) for call in book_many.call_args_list)
        self.assertEqual(booked_in_bulk, 5, "the five payments to open VAs")
        self.assertEqual(
            book_one.call_count, 1, "only the unknown order went one by one"
        )
        payments = self._payments(self.midtrans)
        self.assertEqual(len(payments), 5)
        self.assertTrue(all(p.state in ("in_process", "paid") for p in payments))
        for move in invoices[:4]:
            self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoices[4].payment_state, "partial")
        self.assertEqual(invoices[4].amount_residual, 100004 - 60000)
        self.assertEqual(invoices[5].payment_state, "not_paid")
        self.assertEqual(vas[5].state, "open")
        self.assertEqual(len(self.env["payment.va.review"].search([])), 1)
        events = self._events(self.midtrans)
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(
            events.filtered(lambda e: e.external_id)
            .mapped("res_model")
            .count("account.payment"),
            5,
        )
        # The partial payment opened a VA for what is still due, as one by one would.
        self._process_outbound()
        self.assertEqual(invoices[4].payment_va_current_id.amount, 40004)

    def test_batch_failure_falls_back_to_one_by_one(self):
        Transaction = type(self.env["payment.va.transaction"])
        invoices = [self._invoice(120000 + i) for i in range(3)]
        self._process_outbound()
        for move in invoices:
            self._settle(move.payment_va_current_id)
        with patch.object(
            Transaction,
            "_book_many",
            autospec=True,
            side_effect=RuntimeError("bulk path broken"),
        ):
            self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 3)
        for move in invoices:
            self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(set(self._events(self.midtrans).mapped("state")), {"done"})

    def test_batch_with_status_api_down_fails_each_event(self):
        """Rewritten (issue 8 point 5): each event's status call is its own; when all
        of them fail, each event fails with its own error and waits for its retry
        (asked at most twice each), nothing is booked and nothing is dead-lettered."""
        invoices = [self._invoice(130000 + i) for i in range(4)]
        self._process_outbound()
        for move in invoices:
            self._settle(move.payment_va_current_id)
        self.gateway.faults.add("/midtrans/v2/", Fault(status=503), times=100)
        self._process_inbound()
        events = self._events(self.midtrans)
        self.assertEqual(len(events), 4)
        self.assertEqual(set(events.mapped("state")), {"failed"})
        self.assertTrue(all(events.mapped("next_attempt_at")))
        self.assertFalse(any(events.mapped("dead_letter")))
        self.assertEqual(set(events.mapped("attempts")), {1})
        status_calls = [
            r for r in self.gateway.requests_to("/midtrans/v2/") if "status" in r.path
        ]
        self.assertLessEqual(
            len(status_calls), 2 * 4, "one status call (and its retry) per event"
        )
        self.assertTrue(all("503" in (event.error or "") for event in events))
        self.assertFalse(self._payments(self.midtrans))
        self.gateway.faults.clear()
        self._make_due(self.midtrans)
        self._process_inbound()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self._payments(self.midtrans)), 4)
