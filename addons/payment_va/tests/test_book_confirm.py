# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What decides a booking: only data confirmed by the gateway (D19), event by event
(issue 8, point 5: one failing status call fails only its own event)."""

import uuid
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.base_integration.api.exceptions import CircuitOpenError
from odoo.addons.base_integration.api.http import IntegrationSession
from odoo.addons.base_integration.tests.gateway_servers import Fault

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestBookConfirm(PaymentVaCommon):
    # ------------------------------------------------------------------ D19
    def test_replayed_settlement_with_new_transaction_id_books_nothing(self):
        """The signature covers order_id, status_code and gross_amount only: a captured
        settlement replayed with an invented transaction_id is correctly signed. Even
        on a connection where status-API confirmation was switched off before, it
        books nothing twice."""
        self.midtrans.sudo().va_confirm_with_status_api = False
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.simulate_payment(va.reference)
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        replay = self.midtrans_api.send_notification(
            va.reference, overrides={"transaction_id": str(uuid.uuid4())}
        )
        self.assertEqual(replay.status_code, 200)
        self.assertEqual(replay.json()["status"], "accepted", "a new dedupe key")
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        self.assertEqual(len(va.transaction_ids), 1)
        self.assertFalse(self.env["payment.va.review"].search([("va_id", "=", va.id)]))
        events = self._events(self.midtrans)
        self.assertEqual(
            sorted(events.mapped("state")), ["done", "ignored"], events.mapped("error")
        )
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    def test_status_api_asked_by_trusted_reference(self):
        """The status API is asked by the VA's own transaction id, not by the id the
        (unsigned part of the) notification names."""
        _move, va = self._invoice_with_va(150000)
        self.midtrans_api.set_status(va.reference, "settlement")
        invented = str(uuid.uuid4())
        self.midtrans_api.send_notification(
            va.reference, overrides={"transaction_id": invented}
        )
        self._process_inbound()
        self.assertFalse(self.gateway.requests_to(f"/midtrans/v2/{invented}/status"))
        self.assertTrue(
            self.gateway.requests_to(f"/midtrans/v2/{va.gateway_id}/status")
        )
        self.assertFalse(self._payments(self.midtrans))
        event = self._events(self.midtrans)
        self.assertEqual(event.state, "ignored")
        self.assertIn(invented, event.error)

    def test_xendit_second_payment_to_paid_invoice_va_goes_to_review(self):
        """A closed, single-use VA is paid once; a second transfer that the bank let
        through anyway becomes a review item, not a second payment."""
        move = self._invoice(150000)
        va = self.env["payment.va"]._create_for_invoice(move, self.xendit)
        self.xendit_api.simulate_payment(va.reference, 150000)
        self._process_inbound()
        self.assertEqual(va.state, "paid")
        self.xendit_api.simulate_payment(va.reference, 150000, force=True)
        self._process_inbound()
        self.assertEqual(len(self._payments(self.xendit)), 1)
        review = self.env["payment.va.review"].search([("va_id", "=", va.id)])
        self.assertEqual((review.reason, review.amount), ("paid_va", 150000))
        self.assertIn(move.payment_state, ("paid", "in_payment"))

    # ------------------------------------------------------------------ batches
    def test_midtrans_batch_one_failing_status_call_fails_only_its_event(self):
        invoices = [self._invoice(140000 + i) for i in range(3)]
        self._process_outbound()
        vas = [move.payment_va_current_id for move in invoices]
        # A proxy in front of Midtrans answers 503 for one order only, and quotes
        # the key in its error: neither may reach the other events.
        secret = self.midtrans_api.server_key
        self.gateway.faults.add(
            f"/midtrans/v2/{vas[1].gateway_id}/status",
            Fault(
                status=503,
                body={"status_code": "503", "status_message": f"upstream {secret}"},
            ),
            times=10,
        )
        for va in vas:
            self.midtrans_api.simulate_payment(va.reference)
        self._process_inbound()
        events = self._events(self.midtrans)
        by_va = {
            va: events.filtered(lambda e, va=va: e.external_id == va.gateway_id)
            for va in vas
        }
        self.assertEqual(by_va[vas[0]].state, "done")
        self.assertEqual(by_va[vas[2]].state, "done")
        failed = by_va[vas[1]]
        self.assertEqual(failed.state, "failed")
        self.assertFalse(failed.dead_letter)
        self.assertTrue(failed.next_attempt_at)
        self.assertIn("503", failed.error)
        self.assertNotIn(secret, failed.error)
        self.assertFalse(by_va[vas[0]].error or by_va[vas[2]].error)
        self.assertIn(invoices[0].payment_state, ("paid", "in_payment"))
        self.assertIn(invoices[2].payment_state, ("paid", "in_payment"))
        self.assertEqual(invoices[1].payment_state, "not_paid")
        self.gateway.faults.clear()
        self._make_due(self.midtrans)
        self._process_inbound()
        self.assertEqual(failed.state, "done", failed.error)
        self.assertEqual(len(self._payments(self.midtrans)), 3)

    def test_xendit_batch_one_failing_payment_call_fails_only_its_event(self):
        moves = [self._invoice(110000 + i) for i in range(3)]
        vas = [
            self.env["payment.va"]._create_for_invoice(move, self.xendit)
            for move in moves
        ]
        payments = [
            self.xendit_api.record_payment(va.reference, int(va.amount)) for va in vas
        ]
        self.gateway.faults.add(
            "/xendit/callback_virtual_account_payments/payment_id="
            + payments[1]["payment_id"],
            Fault(status=503),
            times=10,
        )
        for payment in payments:
            self.xendit_api.send_payment_callback(payment)
        self._process_inbound()
        events = self._events(self.xendit)
        states = {
            payment["payment_id"]: events.filtered(
                lambda e, p=payment: e.external_id == p["payment_id"]
            ).state
            for payment in payments
        }
        self.assertEqual(
            [states[p["payment_id"]] for p in payments], ["done", "failed", "done"]
        )
        self.assertEqual(len(self._payments(self.xendit)), 2)
        self.gateway.faults.clear()
        self._make_due(self.xendit)
        self._process_inbound()
        self.assertEqual(len(self._payments(self.xendit)), 3)

    def test_batch_open_circuit_fails_the_rest_without_calling(self):
        """When the connection's circuit breaker is open no call is sent at all: the
        batch answers that for every remaining event instead of trying each."""
        invoices = [self._invoice(160000 + i) for i in range(3)]
        self._process_outbound()
        for move in invoices:
            self.midtrans_api.simulate_payment(move.payment_va_current_id.reference)
        with patch.object(
            IntegrationSession,
            "request_json",
            autospec=True,
            side_effect=CircuitOpenError("The circuit of this connection is open."),
        ) as request:
            self._process_inbound()
        self.assertEqual(request.call_count, 1)
        events = self._events(self.midtrans)
        self.assertEqual(set(events.mapped("state")), {"failed"})
        self.assertFalse(any(events.mapped("dead_letter")))
        self.assertTrue(all("circuit" in event.error for event in events))
        self._make_due(self.midtrans)
        self._process_inbound()
        self.assertEqual(set(events.mapped("state")), {"done"})

    def test_batch_stops_asking_a_gateway_that_does_not_answer(self):
        """A gateway that answers nothing (connections dropped) is not asked for every
        event of the batch, each waiting for its own timeout: after two unanswered
        events the rest fail at once, saying they were not asked."""
        invoices = [self._invoice(170000 + i) for i in range(4)]
        self._process_outbound()
        for move in invoices:
            self.midtrans_api.simulate_payment(move.payment_va_current_id.reference)
        self.gateway.faults.add("/midtrans/v2/", Fault(drop=True), times=100)
        self._process_inbound()
        events = self._events(self.midtrans).sorted("id")
        self.assertEqual(set(events.mapped("state")), {"failed"})
        self.assertFalse(any(events.mapped("dead_letter")))
        not_asked = events.filtered(lambda e: "Not asked" in e.error)
        self.assertEqual(len(not_asked), 2, events.mapped("error"))
        status_calls = [
            r for r in self.gateway.requests_to("/midtrans/v2/") if "status" in r.path
        ]
        self.assertLessEqual(len(status_calls), 2 * 2, "two events asked, twice each")
        self.gateway.faults.clear()
        self._make_due(self.midtrans)
        self._process_inbound()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self._payments(self.midtrans)), 4)
