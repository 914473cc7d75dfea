# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The life of an invoice's VA: requested through the outbox, opened once, replaced
(new before old), renewed when it expires, never for a few rupiah, on the gateway the
rules choose; shown to the customer only once the bank can take the transfer."""

import time
from datetime import date, datetime, timedelta

from lxml import html

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestVaLifecycle(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._invoicing_user()

    # ------------------------------------------------------------------ helpers
    def _refresh_events(self, move):
        return self.env["integration.event"].search(
            [
                ("direction", "=", "outbound"),
                ("dedupe_key", "=", f"payment_va_refresh:{move.id}"),
            ]
        )

    def _clerk_invoice(self, amount, **kw):
        """Posted by the invoicing clerk, as in the office."""
        move = self._invoice(amount, post=False, **kw).with_user(self.clerk)
        move.action_post()
        return move

    def _pay_by_hand(self, move, amount):
        self.env["account.payment.register"].with_user(self.clerk).with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"amount": amount})._create_payments()

    def _gateway_orders(self, move):
        prefix = move.name.replace("/", "-")
        return {
            ref: tx
            for ref, tx in self.midtrans_api.transactions.items()
            if ref.startswith(prefix)
        }

    def _pass_expiry(self, va):
        """Time passes at the gateway: the VA's expiry time is behind us."""
        with self.midtrans_api.lock:
            self.midtrans_api.transactions[va.reference]["expiry_time"] = (
                "2000-01-01 00:00:00"
            )

    # ------------------------------------------------------------------ D5
    def test_request_button_runs_the_outbox_event(self):
        """The button and the queue are one path: the event posting queued (or a new
        one) is processed at once, and the VA's reference comes from its key."""
        self.midtrans.sudo().va_auto_create = False
        move = self._clerk_invoice(90000)
        self.assertFalse(self._refresh_events(move))
        move.action_payment_va_request()
        event = self._refresh_events(move)
        va = move.payment_va_current_id
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.state, event.res_model, event.res_id), ("done", va._name, va.id)
        )
        token = self.env["payment.va"]._payment_va_event_token(event, 90000)
        self.assertTrue(va.reference.endswith(f"-{token}"))
        # Posting with automatic creation: the click processes the queued event.
        self.midtrans.sudo().va_auto_create = True
        move2 = self._clerk_invoice(80000)
        queued = self._refresh_events(move2)
        self.assertEqual(queued.state, "received")
        move2.action_payment_va_request()
        self.assertEqual(self._refresh_events(move2), queued)
        self.assertEqual(queued.state, "done")
        self.assertEqual(len(self.gateway.requests_to("/midtrans/v2/charge")), 2)

    def test_lost_answer_retried_with_the_same_order_id(self):
        """The gateway made the VA but its answer never came back: the retry sends the
        same order_id, and Midtrans' duplicate answer gives back that VA."""
        self.midtrans.sudo().http_timeout = 1
        self.gateway.faults.add("/midtrans/v2/charge", Fault(delay=2.0))
        move = self._clerk_invoice(150000)
        self._process_outbound()
        event = self._refresh_events(move)
        self.assertEqual(event.state, "failed", "a timeout is retried later")
        self.assertFalse(move.payment_va_ids)
        deadline = time.monotonic() + 10
        while not self._gateway_orders(move) and time.monotonic() < deadline:
            time.sleep(0.1)  # the gateway finishes the first charge after the timeout
        self.assertEqual(len(self._gateway_orders(move)), 1)
        self._make_due(self.midtrans)
        self._process_outbound()
        self.assertEqual(event.state, "done", event.error)
        orders = self._gateway_orders(move)
        self.assertEqual(len(orders), 1, "one VA at the gateway, not two")
        (order,) = orders.values()
        va = move.payment_va_current_id
        self.assertEqual((va.gateway_id, va.amount), (order["transaction_id"], 150000))

    def test_new_va_opened_before_the_old_one_is_closed(self):
        move, old = self._invoice_with_va(200000)
        self._pay_by_hand(move, 50000)
        self.gateway.faults.add("/midtrans/v2/charge", Fault(status=503), times=10)
        self._process_outbound()
        event = self._refresh_events(move).filtered(lambda e: e.state == "failed")
        self.assertTrue(event, "opening the new VA failed: retried later")
        self.assertEqual(old.state, "open")
        self.assertEqual(
            self.midtrans_api.transactions[old.reference]["transaction_status"],
            "pending",
            "the old VA is still payable at the gateway",
        )
        self.assertFalse(self.gateway.requests_to("/cancel"))
        self.assertEqual(move.payment_va_current_id, old)
        self.assertIn(old.va_number, move.payment_va_instructions)
        # The gateway is back: the new VA is opened, then the old one closed.
        self.gateway.faults.clear()
        seen = len(self.gateway.requests)
        self._make_due(self.midtrans)
        self._process_outbound()
        new = move.payment_va_current_id
        self.assertEqual(
            (new.amount, old.state, old.replaced_by_id), (150000, "cancelled", new)
        )
        self.assertEqual(
            self.midtrans_api.transactions[old.reference]["transaction_status"],
            "cancel",
        )
        posts = [r.path for r in self.gateway.requests[seen:] if r.method == "POST"]
        self.assertEqual(
            posts, ["/midtrans/v2/charge", f"/midtrans/v2/{old.gateway_id}/cancel"]
        )

    # ------------------------------------------------------------------ D16
    def test_sub_rupiah_rest_queues_no_refresh(self):
        move, va = self._invoice_with_va(11101.11)
        self.assertEqual(va.amount, 11101)
        self.midtrans_api.simulate_payment(va.reference)
        self._process_inbound()
        self.assertEqual(va.state, "paid")
        self.assertLess(move.amount_residual, 1)
        self.assertFalse(
            self._refresh_events(move).filtered(lambda e: e.state == "received"),
            "nothing a VA could ask for is due: no refresh",
        )
        self._process_outbound()
        self.assertEqual(len(move.payment_va_ids), 1)

    def test_no_va_for_one_rupiah_or_below_the_bank_minimum(self):
        move, va = self._invoice_with_va(100000)
        self._pay_by_hand(move, 99999.25)  # 0.75 left: would round to Rp 1
        self._process_outbound()
        self.assertEqual(va.state, "cancelled", "the VA asked for the wrong amount")
        self.assertFalse(move.payment_va_current_id)
        self.assertFalse(move.payment_va_ids.filtered(lambda v: v.amount < 2))
        self.assertFalse(any(self._refresh_events(move).mapped("dead_letter")))
        # Rp 5,000 left, the bank takes Rp 10,000 at least.
        move2, va2 = self._invoice_with_va(100000)
        self._pay_by_hand(move2, 95000)
        self._process_outbound()
        self.assertEqual(va2.state, "cancelled")
        self.assertFalse(move2.payment_va_current_id)
        events = self._refresh_events(move2)
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertTrue(
            move2.message_ids.filtered(lambda m: "below the minimum" in (m.body or ""))
        )
        self.assertEqual(len(self.gateway.requests_to("/midtrans/v2/charge")), 2)
        with self.assertRaisesRegex(UserError, "below the minimum"):
            move2.with_user(self.clerk).action_payment_va_request()

    # ------------------------------------------------------------------ gateway choice
    def test_auto_create_off_does_not_block_the_next_gateway(self):
        self.midtrans.sudo().va_auto_create = False
        self.xendit.sudo().va_auto_create = True
        move = self._clerk_invoice(150000)
        self._process_outbound()
        self.assertEqual(move.payment_va_ids.connection_id, self.xendit)

    def test_gateway_rules_customer_then_journal_then_sequence(self):
        self.xendit.sudo().va_auto_create = True
        # By sequence: Midtrans first.
        move = self._clerk_invoice(150000)
        self._process_outbound()
        self.assertEqual(move.payment_va_ids.connection_id, self.midtrans)
        # The customer prefers Xendit.
        fan = self.env["res.partner"].create({"name": "PT Suka Xendit"})
        fan.payment_va_connection_id = self.xendit
        move = self._clerk_invoice(150000, partner=fan)
        self._process_outbound()
        self.assertEqual(move.payment_va_ids.connection_id, self.xendit)
        # Midtrans only for the invoices of a second sales journal.
        journal = self.company_data["default_journal_sale"].copy(
            {"name": "Penjualan toko", "code": "TOKO"}
        )
        self.midtrans.sudo().va_invoice_journal_ids = journal
        move = self._clerk_invoice(150000)
        self._process_outbound()
        self.assertEqual(move.payment_va_ids.connection_id, self.xendit)
        move = self._invoice(150000, post=False)
        move.journal_id = journal
        move.with_user(self.clerk).action_post()
        self._process_outbound()
        self.assertEqual(move.payment_va_ids.connection_id, self.midtrans)
        # The button follows the same rules (automatic creation does not matter).
        self.midtrans.sudo().va_auto_create = False
        self.xendit.sudo().va_auto_create = False
        move = self._invoice(150000, post=False)
        move.journal_id = journal
        move.with_user(self.clerk).action_post()
        move.with_user(self.clerk).action_payment_va_request()
        self.assertEqual(move.payment_va_ids.connection_id, self.midtrans)

    # ------------------------------------------------------------------ renewal
    def test_expired_va_renewed_while_the_invoice_is_open(self):
        move, va = self._invoice_with_va(150000)
        self._pass_expiry(va)
        self.env["payment.va"]._cron_recover()  # the status API now says "expire"
        self._process_inbound()
        self.assertEqual(va.state, "expired")
        self.assertEqual(
            self._refresh_events(move)
            .filtered(lambda e: e.state == "received")
            .handler,
            "_payment_va_outbound_refresh",
            "renewed through the outbox",
        )
        self._process_outbound()
        new = move.payment_va_current_id
        self.assertTrue(new)
        self.assertNotEqual(new.reference, va.reference)
        self.assertEqual((new.state, new.amount), ("open", 150000))
        # Its expiry notification (late, or resent) changes nothing more.
        self.midtrans_api.send_notification(va.reference)
        self._process_inbound()
        self._process_outbound()
        self.assertEqual(len(move.payment_va_ids), 2)

    def test_expired_va_not_renewed_when_switched_off(self):
        self.midtrans.sudo().va_renew_expired = False
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.simulate_payment(va.reference, status="expire")
        self._process_inbound()
        self._process_outbound()
        self.assertEqual(va.state, "expired")
        self.assertFalse(move.payment_va_current_id)
        self.assertFalse(
            self._refresh_events(move).filtered(lambda e: e.state == "received")
        )

    def _xendit_invoice_va(self, amount):
        self.midtrans.sudo().va_auto_create = False
        move = self._clerk_invoice(amount)
        return move, self.env["payment.va"]._create_for_invoice(move, self.xendit)

    def test_xendit_renewal_only_after_the_expiry(self):
        move, va = self._xendit_invoice_va(150000)
        # INACTIVE before its expiry: a single-use VA is paid, its callback may be late.
        self.xendit_api.accounts[va.gateway_id]["status"] = "INACTIVE"
        self.env["payment.va"]._cron_recover()
        self._process_outbound()
        self.assertEqual((va.state, len(move.payment_va_ids)), ("expired", 1))
        move2, va2 = self._xendit_invoice_va(130000)
        self.xendit_api.accounts[va2.gateway_id]["expiration_date"] = (
            "2000-01-01T00:00:00.000Z"
        )
        self.env["payment.va"]._cron_recover()
        self._process_outbound()
        self.assertEqual(va2.state, "expired")
        self.assertEqual(len(move2.payment_va_ids), 2)
        self.assertNotEqual(move2.payment_va_current_id, va2)
        self.assertEqual(move2.payment_va_current_id.state, "open")

    # ------------------------------------------------------------------ Xendit ACTIVE
    def test_xendit_va_shown_only_once_active(self):
        move, va = self._xendit_invoice_va(150000)
        self.assertEqual((va.state, va.gateway_status), ("open", "PENDING"))

        def pdf():
            return html.fromstring(
                self.env["ir.actions.report"]._render_qweb_html(
                    "account.report_invoice", move.ids
                )[0]
            ).text_content()

        def portal(invoice=move):
            return self.url_open(invoice.get_portal_url()).text

        self.assertFalse(va.va_number in portal(), "a PENDING VA is not on the portal")
        self.assertFalse(va.va_number in pdf(), "nor on the PDF")
        form = move.with_user(self.clerk)
        self.assertNotIn(va.va_number, form.payment_va_instructions)
        self.assertIn("Waiting for", form.payment_va_instructions)
        self.assertFalse(form.payment_va_ready or form.payment_va_expires_at)
        # The "FVA created/updated" callback says ACTIVE.
        self._xendit_activate(va)
        move.invalidate_recordset()
        self.assertTrue(form.payment_va_ready)
        self.assertIn(va.va_number, form.payment_va_instructions)
        self.assertTrue(va.va_number in pdf())
        self.assertTrue(va.va_number in portal())
        # The callback did not come (or came before the VA was committed, and was
        # ignored): the recovery cron is woken to ask Xendit (GET) soon.
        move2, va2 = self._xendit_invoice_va(140000)
        cron = self.env.ref("payment_va.ir_cron_payment_va_recover")
        self.assertTrue(
            self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])
        )
        self.assertFalse(va2.va_number in portal(move2))
        self.xendit_api.accounts[va2.gateway_id]["status"] = "ACTIVE"
        self.env["payment.va"]._cron_recover()
        self.assertTrue(va2.va_number in portal(move2))

    # ------------------------------------------------------------------ D23
    def test_reconciliation_report_in_wib_days(self):
        """Paid at 01:30 WIB on 1 April, i.e. 18:30 UTC on 31 March: the payment is
        dated 1 April, and so is the gateway payment in the April report."""
        move, va = self._invoice_with_va(150000)
        self.midtrans_api.set_status(va.reference, "settlement")
        self.midtrans_api.transactions[va.reference]["settlement_time"] = (
            "2026-04-01 01:30:00"
        )
        self.midtrans_api.send_notification(va.reference)
        self._process_inbound()
        transaction = va.transaction_ids
        self.assertEqual(transaction.paid_at, datetime(2026, 3, 31, 18, 30))
        self.assertEqual(transaction.payment_id.date, date(2026, 4, 1))
        Report = self.env["payment.va.reconcile.report"]
        april = Report.create(
            {
                "connection_id": self.midtrans.id,
                "date_from": date(2026, 4, 1),
                "date_to": date(2026, 4, 30),
            }
        )
        april.action_compute()
        self.assertEqual(april.line_ids.mapped("status"), ["match"])
        self.assertEqual(april.line_ids.date, date(2026, 4, 1))
        march = Report.create(
            {
                "connection_id": self.midtrans.id,
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
            }
        )
        march.action_compute()
        self.assertFalse(march.line_ids)
        # The default period is this WIB month, up to today in WIB.
        today = (fields.Datetime.now() + timedelta(hours=7)).date()
        defaults = Report.default_get(["date_from", "date_to"])
        self.assertEqual(
            tuple(
                map(fields.Date.to_date, (defaults["date_from"], defaults["date_to"]))
            ),
            (today.replace(day=1), today),
        )
