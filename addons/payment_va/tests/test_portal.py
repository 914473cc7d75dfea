# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer portal invoice page (/my/invoices/<id>?access_token=...) shows where to
pay: opened without a session, as the customer does from the invoice e-mail."""

from urllib.parse import urlparse

import pytz
from lxml import html

from odoo.tests import tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestPortal(PaymentVaCommon):
    def _portal_page(self, move):
        """Open the invoice's portal link without a session.

        :return: (parsed page, the VA block or None)
        """
        url = move.get_portal_url()
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            urlparse(response.url).path,
            f"/my/invoices/{move.id}",
            "the access token must open the page (no redirect to /my or the login)",
        )
        page = html.fromstring(response.content)
        # The page really is the invoice's (so an absent block means something).
        self.assertIn(move.name, page.text_content())
        blocks = page.xpath("//*[@id='payment_va_portal']")
        self.assertLessEqual(len(blocks), 1)
        return page, blocks[0] if blocks else None

    @staticmethod
    def _find(element, css_class):
        return element.xpath(f".//*[contains(@class, '{css_class}')]")

    def _text(self, element, css_class):
        nodes = self._find(element, css_class)
        return [" ".join(node.text_content().split()) for node in nodes]

    def _pay_manually(self, move):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {
                "journal_id": self.bank_journal.id,
                "payment_method_line_id": (
                    self.bank_journal.inbound_payment_method_line_ids[:1].id
                ),
            }
        )._create_payments()

    def test_invoice_va_shown_with_access_token(self):
        self.customer.tz = "Asia/Jayapura"  # WIT, UTC+9
        move, va = self._invoice_with_va(150000)
        self.assertEqual((va.state, va.bank_id.name), ("open", "BNI"))
        _page, block = self._portal_page(move)
        self.assertIsNotNone(block, "the open VA must be shown on the portal")
        invoice_va = self._find(block, "o_payment_va_invoice")[0]
        self.assertEqual(self._text(invoice_va, "o_payment_va_bank"), ["BNI"])
        self.assertEqual(self._text(invoice_va, "o_payment_va_number"), [va.va_number])
        amount = self._text(invoice_va, "o_payment_va_amount")[0]
        self.assertIn("150,000", amount)
        # The expiry is shown in the customer's time zone, not in UTC.
        expires = self._text(invoice_va, "o_payment_va_expires_at")[0]
        local = pytz.utc.localize(va.expires_at).astimezone(
            pytz.timezone("Asia/Jayapura")
        )
        self.assertIn(local.strftime("%H:%M"), expires)
        self.assertIn("(Asia/Jayapura)", invoice_va.text_content())
        # Without the token an anonymous visitor gets nothing (proves we are not
        # logged in).
        response = self.url_open(f"/my/invoices/{move.id}")
        self.assertNotEqual(urlparse(response.url).path, f"/my/invoices/{move.id}")
        self.assertNotIn(va.va_number, response.text)

    def test_mandiri_bill_key_shown(self):
        self.customer.payment_va_bank_id = self.env.ref(
            "payment_va.bank_midtrans_mandiri"
        )
        move, va = self._invoice_with_va(99000)
        self.assertTrue(va.bill_key)
        _page, block = self._portal_page(move)
        self.assertIsNotNone(block)
        self.assertEqual(
            self._text(block, "o_payment_va_bank"), ["Mandiri Bill Payment"]
        )
        self.assertEqual(self._text(block, "o_payment_va_biller_code"), ["70012"])
        self.assertEqual(self._text(block, "o_payment_va_bill_key"), [va.bill_key])
        self.assertFalse(self._text(block, "o_payment_va_number"))

    def test_invoice_without_va_shows_nothing(self):
        self.customer.payment_va_no_auto = True
        move = self._invoice(75000)
        self._process_outbound()
        self.assertFalse(move.payment_va_ids)
        _page, block = self._portal_page(move)
        self.assertIsNone(block)

    def test_paid_invoice_hides_va(self):
        # Paid outside the VA: the VA is still open until the queued refresh closes
        # it, so only the invoice's payment state hides it.
        move, va = self._invoice_with_va(60000)
        self._pay_manually(move)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(move.payment_va_current_id, va)
        page, block = self._portal_page(move)
        self.assertIsNone(block, "a paid invoice must not ask for a transfer")
        self.assertNotIn(va.va_number, page.text_content())
        # Paid through the VA (gateway notification, then the inbox).
        move, va = self._invoice_with_va(70000)
        response = self.midtrans_api.simulate_payment(va.reference)
        self.assertEqual(response.status_code, 200, response.text)
        self._process_inbound()
        self.assertEqual(va.state, "paid")
        page, block = self._portal_page(move)
        self.assertIsNone(block)
        self.assertNotIn(va.va_number, page.text_content())

    def test_customer_va_shown(self):
        self.customer.payment_va_no_auto = True
        customer_va = self.env["payment.va"].browse(
            self.customer.action_payment_va_create()["res_id"]
        )
        self.assertEqual((customer_va.mode, customer_va.state), ("customer", "open"))
        move = self._invoice(50000)
        self._process_outbound()
        self.assertFalse(move.payment_va_current_id)
        # Xendit has not activated it yet: its number is not shown.
        page, block = self._portal_page(move)
        self.assertIsNone(block)
        self.assertNotIn(customer_va.va_number, page.text_content())
        self._xendit_activate(customer_va)
        _page, block = self._portal_page(move)
        self.assertIsNotNone(block, "the customer's own VA must be shown")
        self.assertFalse(self._find(block, "o_payment_va_invoice"))
        customer_block = self._find(block, "o_payment_va_customer")[0]
        self.assertEqual(self._text(customer_block, "o_payment_va_bank"), ["BCA"])
        self.assertEqual(
            self._text(customer_block, "o_payment_va_number"), [customer_va.va_number]
        )
