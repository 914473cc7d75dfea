# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""VA work under real concurrency: each thread has its own database transaction.

Like ``base_integration/tests/test_parallel_workers.py``: in a TransactionCase every
"cursor" is the test's one transaction, which cannot show a lost update or a second
VA. These tests commit their data and remove it at the end.
"""

import threading
import time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.base_integration.tests.common import IntegrationTestMixin
from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.midtrans import MidtransApi

# A click must never wait for a lock; if one does, fail instead of hanging the run.
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '10s'"


@tagged("post_install", "-at_install")
class TestVaConcurrency(IntegrationTestMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.midtrans_api = MidtransApi()
        self.gateway = GatewayServer(self.midtrans_api).start()
        self.addCleanup(self.gateway.stop)
        self.created = {}
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            idr = env.ref("base.IDR")
            self.created["idr_was_active"] = idr.active
            idr.active = True
            connection = env["integration.connection"].create(
                {
                    "name": "VA concurrency test",
                    "provider": "midtrans",
                    "company_id": company.id,
                    "base_url": self.midtrans_api.base_url,
                    "api_secret": MidtransApi.server_key,
                    "va_journal_id": env["account.journal"]
                    .search(
                        [("company_id", "=", company.id), ("type", "=", "bank")],
                        limit=1,
                    )
                    .id,
                    "va_mode": "invoice",
                    "va_auto_create": False,
                    "va_bank_ids": [
                        Command.set(
                            env["payment.va.bank"]
                            .search([("provider", "=", "midtrans")])
                            .ids
                        )
                    ],
                    "va_default_bank_id": env.ref("payment_va.bank_midtrans_bni").id,
                }
            )
            self.created["connection"] = connection.id
            self.created["partner"] = (
                env["res.partner"].create({"name": "PT Klik Dua Kali"}).id
            )
            self.created["user"] = new_test_user(
                env,
                login="va-clerk-concurrency",
                groups="account.group_account_invoice",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            ).id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection_id = self.created.get("connection")
            if connection_id:
                env["payment.va"].search(
                    [("connection_id", "=", connection_id)]
                ).unlink()
                env["integration.event"].search(
                    [("connection_id", "=", connection_id)]
                ).unlink()
            moves = env["account.move"].browse(self.created.get("moves", [])).exists()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            env["integration.connection"].browse(connection_id).exists().unlink()
            user = env["res.users"].browse(self.created.get("user")).exists()
            partners = user.partner_id | env["res.partner"].browse(
                self.created.get("partner")
            )
            user.unlink()
            partners.exists().unlink()
            if "idr_was_active" in self.created:
                env.ref("base.IDR").active = self.created["idr_was_active"]

    def _posted_invoice(self, amount):
        """Posted by the invoicing clerk, and committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.created["user"], {})
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.created["partner"],
                    "invoice_date": fields.Date.today(),
                    "currency_id": env.ref("base.IDR").id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Jasa konsultasi",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            move.action_post()
            self.created.setdefault("moves", []).append(move.id)
            return move.id

    def _in_threads(self, *targets):
        """Run the callables at once, each in its own thread; return their errors."""
        errors = []

        def run(target):
            try:
                target()
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(t,)) for t in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return errors

    # ------------------------------------------------------------------ D5
    def test_double_click_opens_one_va(self):
        """Two clicks on *Request VA* at the same moment, each request in its own
        transaction: one VA at the gateway, the other click is told to wait."""
        move_id = self._posted_invoice(150000)
        # The gateway takes its time: both requests are in flight together.
        self.gateway.faults.add("/midtrans/v2/charge", Fault(delay=1.0), times=2)
        barrier = threading.Barrier(2)
        answers = []

        def click():
            with self.registry.cursor() as cr:
                cr.execute(LOCK_TIMEOUT)
                env = api.Environment(cr, self.created["user"], {})
                move = env["account.move"].browse(move_id)
                self.assertFalse(move.payment_va_current_id)  # the form, loaded
                barrier.wait(timeout=30)
                try:
                    move.action_payment_va_request()
                    answers.append("done")
                except UserError as exc:
                    answers.append(str(exc))

        errors = self._in_threads(click, click)
        self.assertEqual(errors, [])
        self.assertEqual(len(answers), 2)
        self.assertIn("done", answers)
        self.assertEqual(
            len(self.gateway.requests_to("/midtrans/v2/charge")),
            1,
            f"one VA asked for at the gateway (answers: {answers})",
        )
        self.assertEqual(len(self.midtrans_api.transactions), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            vas = env["account.move"].browse(move_id).payment_va_ids
            self.assertEqual(vas.mapped("state"), ["open"])
            (order,) = self.midtrans_api.transactions.values()
            self.assertEqual(vas.gateway_id, order["transaction_id"])
        # Clicking again changes nothing.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.created["user"], {})
            env["account.move"].browse(move_id).action_payment_va_request()
        self.assertEqual(len(self.gateway.requests_to("/midtrans/v2/charge")), 1)

    def test_busy_invoice_is_refused_at_once(self):
        """While a worker holds the invoice, a click is told so at once (NOWAIT), and
        the queue's handler gives up for a later retry, instead of waiting."""
        move_id = self._posted_invoice(150000)
        with self.registry.cursor() as holder:
            holder.execute(
                "SELECT id FROM account_move WHERE id = %s FOR UPDATE", [move_id]
            )
            started = time.monotonic()
            with self.registry.cursor() as cr:
                cr.execute(LOCK_TIMEOUT)
                env = api.Environment(cr, self.created["user"], {})
                with self.assertRaisesRegex(UserError, "Someone else is working"):
                    env["account.move"].browse(move_id).action_payment_va_request()
            self.assertLess(time.monotonic() - started, 5)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                event = env["integration.event"].search(
                    [("dedupe_key", "=", f"payment_va_refresh:{move_id}")]
                )
                self.assertEqual(len(event), 1, "the click's event is committed")
                self.assertEqual(event.state, "received")
                env["integration.event"]._process_pending("outbound")
                self.assertEqual(event.state, "failed")
                self.assertFalse(event.dead_letter)
                self.assertIn("Someone else is working", event.error)
            holder.rollback()
        self.assertFalse(self.gateway.requests_to("/midtrans/v2/charge"))

    # ------------------------------------------------------------------ D15
    def test_recovery_keeps_progress_when_one_va_fails(self):
        """The recovery cron meets a conflict on the second VA (its row changed while
        the gateway was asked about it): the first and third stay checked."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection = env["integration.connection"].browse(
                self.created["connection"]
            )
            client = connection._payment_va_client()
            vas = env["payment.va"]
            for number in range(3):
                reference = f"VA-RECOVER-{number}"
                data = client.charge(client.build_charge(reference, 20000, "bni"))
                vas |= vas.create(
                    {
                        "connection_id": connection.id,
                        "mode": "invoice",
                        "partner_id": self.created["partner"],
                        "bank_id": env.ref("payment_va.bank_midtrans_bni").id,
                        "amount": 20000,
                        "state": "open",
                        "reference": reference,
                        "gateway_id": data["transaction_id"],
                    }
                )
            first, second, third = vas.sorted("id")
            ids = (first.id, second.id, third.id)
            second_path = f"/midtrans/v2/{second.gateway_id}/status"
        self.gateway.faults.add(second_path, Fault(delay=1.5))
        result = {}

        def cron():
            # A thread of its own, as the scheduler's: the cron commits per VA there.
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                result["done"] = env["payment.va"]._cron_recover()

        def meanwhile():
            # A notification for the second VA is processed while the cron waits for
            # the gateway's answer about it.
            deadline = time.monotonic() + 30
            while not self.gateway.requests_to(second_path):
                if time.monotonic() > deadline:
                    raise AssertionError("the cron never asked about the second VA")
                time.sleep(0.02)
            with self.registry.cursor() as cr:
                cr.execute(
                    "UPDATE payment_va SET gateway_status = 'booked elsewhere'"
                    " WHERE id = %s",
                    [ids[1]],
                )

        errors = self._in_threads(cron, meanwhile)
        self.assertEqual(errors, [])
        self.assertEqual(result.get("done"), 2)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            first, second, third = env["payment.va"].browse(ids)
            self.assertTrue(first.last_checked_at, "kept despite the later failure")
            self.assertTrue(third.last_checked_at, "the run went on after it")
            self.assertFalse(second.last_checked_at, "tried again next run")
            self.assertEqual(second.gateway_status, "booked elsewhere")
