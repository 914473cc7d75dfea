# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared set-up: an Indonesian company, local Midtrans/Xendit test servers,
connections."""

import json
import threading
from datetime import timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.base_integration.tests.common import IntegrationTestMixin
from odoo.addons.base_integration.tests.gateway_servers.midtrans import (
    MidtransApi,  # noqa: I001 (path set by the import above)
)
from odoo.addons.base_integration.tests.gateway_servers.xendit import XenditApi

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name):
    return json.loads((FIXTURES / name).read_text())


class PaymentVaCommon(IntegrationTestMixin, AccountTestInvoicingHttpCommon):
    @classmethod
    @AccountTestInvoicingHttpCommon.setup_country("id")
    def setUpClass(cls):
        super().setUpClass()
        cls.midtrans_api = MidtransApi()
        cls.xendit_api = XenditApi()
        cls.gateway = cls._start_gateway_server(cls.midtrans_api, cls.xendit_api)
        cls.idr = cls.env.ref("base.IDR")
        cls.bank_journal = cls.company_data["default_journal_bank"]
        Bank = cls.env["payment.va.bank"]
        cls.midtrans_banks = Bank.search([("provider", "=", "midtrans")])
        cls.xendit_banks = Bank.search([("provider", "=", "xendit")])
        Connection = cls.env["integration.connection"].sudo()
        common = {
            "company_id": cls.env.company.id,
            "va_journal_id": cls.bank_journal.id,
            "responsible_user_id": cls.env.user.id,
        }
        cls.midtrans = Connection.create(
            {
                **common,
                "name": "Midtrans test",
                "sequence": 1,
                "provider": "midtrans",
                "base_url": cls.midtrans_api.base_url,
                "api_secret": MidtransApi.server_key,
                "va_mode": "invoice",
                "va_bank_ids": [Command.set(cls.midtrans_banks.ids)],
                "va_default_bank_id": cls.env.ref("payment_va.bank_midtrans_bni").id,
            }
        ).with_env(cls.env)
        cls.xendit = Connection.create(
            {
                **common,
                "name": "Xendit invoices",
                "sequence": 2,
                "provider": "xendit",
                "base_url": cls.xendit_api.base_url,
                "api_secret": XenditApi.secret_key,
                "webhook_secret": XenditApi.callback_token,
                "va_mode": "invoice",
                "va_auto_create": False,
                "va_bank_ids": [Command.set(cls.xendit_banks.ids)],
                "va_default_bank_id": cls.env.ref("payment_va.bank_xendit_bri").id,
            }
        ).with_env(cls.env)
        cls.xendit_customer = Connection.create(
            {
                **common,
                "name": "Xendit customers",
                "sequence": 3,
                "provider": "xendit",
                "base_url": cls.xendit_api.base_url,
                "api_secret": XenditApi.secret_key,
                "webhook_secret": XenditApi.callback_token,
                "va_mode": "customer",
                "va_bank_ids": [Command.set(cls.xendit_banks.ids)],
                "va_default_bank_id": cls.env.ref("payment_va.bank_xendit_bca").id,
            }
        ).with_env(cls.env)
        cls.customer = cls.env["res.partner"].create({"name": "PT Pelanggan Setia"})

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "base_integration.group_integration_manager"
        )

    def setUp(self):
        super().setUp()
        self.gateway.reset()
        self.midtrans_api.notification_url = self._url(self.midtrans)
        self.xendit_api.callback_url = self._url(self.xendit)

    # ------------------------------------------------------------------ helpers
    def _url(self, connection):
        return f"{self.base_url()}{connection._get_webhook_path()}"

    def _invoice(self, amount=150000, partner=None, post=True, date=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "invoice_date": date or fields.Date.today(),
                "currency_id": self.idr.id,
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
        if post:
            move.action_post()
        return move

    def _process_outbound(self):
        return self.env["integration.event"]._process_pending("outbound")

    def _process_inbound(self):
        return self.env["integration.event"]._process_pending("inbound")

    def _invoice_with_va(self, amount=150000, partner=None):
        move = self._invoice(amount, partner=partner)
        self._process_outbound()
        self.assertTrue(move.payment_va_current_id, "posting must open a VA")
        return move, move.payment_va_current_id

    def _payments(self, connection):
        return self.env["account.payment"].search(
            [("payment_va_id.connection_id", "=", connection.id)]
        )

    def _events(self, connection, **domain):
        return (
            super()
            ._events(connection, **domain)
            .filtered(lambda e: e.direction == "inbound")
        )

    def _make_due(self, connection):
        """Make events waiting for a retry due now (instead of sleeping)."""
        events = self.env["integration.event"].search(
            [
                ("connection_id", "=", connection.id),
                ("state", "=", "failed"),
                ("dead_letter", "=", False),
            ]
        )
        events.sudo().write(
            {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)}
        )
        self.env.flush_all()  # the inbox claims rows with raw SQL
        return events

    def _xendit_activate(self, va, status="ACTIVE"):
        """The bank registered the number: Xendit sends its "FVA created/updated"
        callback (payments.md §2.3), which the inbox then processes."""
        body = self.xendit_api.va_status_callback(va.gateway_id, status)
        response = self.xendit_api.send_callback(
            self._url(va.sudo().connection_id),
            body,
            headers={"x-callback-token": self.xendit_api.callback_token},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self._process_inbound()
        return response

    @classmethod
    def _invoicing_user(cls, login="va-clerk"):
        """A least-privilege user who posts invoices and clicks *Request VA*."""
        return new_test_user(
            cls.env,
            login=login,
            groups="account.group_account_invoice",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    @staticmethod
    def _post_concurrently(func, count, workers=16):
        """Call ``func()`` ``count`` times from ``workers`` threads; return results."""
        results, lock = [], threading.Lock()
        todo = list(range(count))

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    todo.pop()
                response = func()
                with lock:
                    results.append(response)

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return results
