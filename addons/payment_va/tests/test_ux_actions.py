# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue 9: the VA buttons answer with what happened, as an invoicing user presses
them; a gateway that fails is a sentence, not a traceback; a VA opened by posting
is there when the form is read again."""

import re
import socket

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers.framework import Fault

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestUxVaActions(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._invoicing_user(login="ux-va-clerk")

    def _refuse_calls(self, connection):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        connection.sudo().base_url = f"http://127.0.0.1:{port}"

    def test_check_status_says_nothing_new(self):
        move, va = self._invoice_with_va()
        answer = va.with_user(self.clerk).action_check_status()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn(
            "1 virtual account(s) checked: no new payment", answer["params"]["message"]
        )
        self.assertEqual(answer["params"]["next"]["tag"], "soft_reload")
        self.assertTrue(va.last_checked_at)
        # a status call asked for by a person is real work for the dashboard
        logs = self.env["integration.log"].search(
            [("connection_id", "=", self.midtrans.id)], order="id desc", limit=1
        )
        self.assertTrue(logs.productive)

    def test_cancel_says_it_cancelled(self):
        move, va = self._invoice_with_va()
        answer = va.with_user(self.clerk).action_cancel()
        self.assertEqual(va.state, "cancelled")
        self.assertIn("1 virtual account(s) cancelled", answer["params"]["message"])

    def test_cancel_of_several_keeps_what_the_gateway_closed(self):
        """The gateway closes the first VA, then fails on the second: the first stays
        cancelled here (it is closed at the gateway), the second stays open, and the
        answer names it."""
        _move_a, va_a = self._invoice_with_va()
        _move_b, va_b = self._invoice_with_va(amount=175000)
        ref = re.escape(va_b.gateway_id or va_b.reference)
        self.gateway.faults.add(
            re.compile(rf".*/v2/{ref}/cancel$"), Fault(status=503), 20
        )
        answer = (va_a | va_b).with_user(self.clerk).action_cancel()
        self.assertEqual(va_a.state, "cancelled")
        self.assertEqual(va_b.state, "open")
        message = answer["params"]["message"]
        self.assertIn("1 virtual account(s) cancelled", message)
        self.assertIn(f"{va_b.display_name} could not be cancelled", message)
        self.assertEqual(answer["params"]["type"], "warning")

    def test_failing_gateway_is_a_sentence(self):
        move, va = self._invoice_with_va()
        self._refuse_calls(self.midtrans)
        for name, press in (
            ("Cancel", va.with_user(self.clerk).action_cancel),
            ("Check status", va.with_user(self.clerk).action_check_status),
        ):
            with self.subTest(button=name), self.assertRaises(UserError) as caught:
                press()
            text = str(caught.exception)
            self.assertIn("is not reachable right now", text)
            self.assertIn("Try again later", text)
            self.assertNotIn(self.midtrans.sudo().api_secret, text)
        self.assertEqual(va.state, "open", "nothing closed locally")

    def test_request_va_says_where_to_pay(self):
        self.midtrans.sudo().va_auto_create = False
        move = self._invoice()
        self.assertFalse(move.payment_va_current_id)
        answer = move.with_user(self.clerk).action_payment_va_request()
        self.assertTrue(move.payment_va_current_id)
        self.assertIn(f"Virtual account of {move.name}: ", answer["params"]["message"])
        self.assertIn(move.payment_va_current_id.va_number, answer["params"]["message"])

    def test_va_opened_right_after_posting(self):
        """The posting's after-commit callback opens the VA with the queue's own
        event, so the form read after the click shows it (no wait for the cron)."""
        move = self._invoice(post=False).with_user(self.clerk)
        move.action_post()
        self.assertFalse(move.payment_va_current_id, "queued: posting never waits")
        self.env.flush_all()
        # What the request's commit runs (a test cursor never commits).
        self.env.cr.postcommit.run()
        self.env.invalidate_all()  # written through another cursor
        self.assertTrue(move.payment_va_current_id)
        self.assertEqual(move.payment_va_current_id.state, "open")
        event = self.env["integration.event"].search(
            [("dedupe_key", "=", move._payment_va_refresh_key())]
        )
        self.assertEqual(event.state, "done")
        self.assertTrue(event.productive)

    def test_va_after_posting_tries_once_when_the_gateway_fails(self):
        """The person who posted waits for the after-commit call: one attempt, no
        retry budget; the event stays for the queue's own retries."""
        move = self._invoice(post=False).with_user(self.clerk)
        move.action_post()
        self.env.flush_all()
        charge = re.compile(r".*/v2/charge$")
        # 429 is retried even for a POST ("not processed"): the retry budget shows.
        self.gateway.faults.add(charge, Fault(status=429), times=10)
        self.gateway.requests.clear()
        self.env.cr.postcommit.run()
        self.env.invalidate_all()
        calls = [r for r in self.gateway.requests if charge.match(r.path)]
        self.assertEqual(len(calls), 1, "one attempt while the person waits")
        self.assertFalse(move.payment_va_current_id)
        event = self.env["integration.event"].search(
            [("dedupe_key", "=", move._payment_va_refresh_key())]
        )
        self.assertIn(event.state, ("received", "failed"))
        self.assertFalse(event.dead_letter)

    def test_not_connected_gateway(self):
        self.midtrans.sudo().api_secret = False
        self.midtrans.invalidate_recordset()
        self.assertEqual(self.midtrans.health_state, "not_connected")
        with self.assertRaisesRegex(UserError, "has no secret key yet"):
            self.midtrans.action_test_connection()

    def test_connection_form_shows_the_webhook_url_once(self):
        arch = self.env["integration.connection"].get_view(view_type="form")["arch"]
        self.assertEqual(arch.count('name="webhook_url"'), 1, arch)
