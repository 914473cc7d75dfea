# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo control panel over real HTTP: each action changes the imitated gateway and
sends Odoo a signed push or notification that Odoo accepts (answer 200, event stored),
and the inbox then does the work: an order is created, an invoice is paid once."""

import requests

from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers.panel import DemoPanel
from odoo.addons.marketplace_sync.tests.common import MarketplaceCase
from odoo.addons.payment_va.tests.common import PaymentVaCommon

JSON = {"Accept": "application/json"}


def _post(server, path, body):
    return requests.post(server.url + path, json=body, headers=JSON, timeout=30)


@tagged("post_install", "-at_install")
class TestDemoPanelMarketplace(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.panel = cls.server.mount(DemoPanel())

    def setUp(self):
        super().setUp()
        self.panel.settings.clear()
        self.panel.settings["odoo_url"] = self.base_url()
        # the SKUs mapped in MarketplaceCase, told to the panel through its route
        for gateway, products in (
            (
                "shopee",
                [
                    {"item_id": 1001, "model_id": 2001, "sku": "KAOS-HIT-L"},
                    {"item_id": 1002, "model_id": 0, "sku": "TOPI"},
                ],
            ),
            (
                "tiktok",
                [
                    {
                        "item_id": "1729582718312370000",
                        "model_id": "1729582718312380001",
                        "sku": "KOPI-250",
                    },
                    {
                        "item_id": "1729582718312370001",
                        "model_id": "1729582718312380002",
                        "sku": "GULA-1",
                    },
                ],
            ),
        ):
            for product in products:
                product.update(name=product["sku"], price=50000)
            answer = _post(
                self.server,
                "/panel/api/catalog",
                {"gateway": gateway, "products": products},
            )
            self.assertEqual(answer.status_code, 200, answer.text)

    def _order(self, shop, ref):
        self.process_inbound()
        return self.mp_order(shop, ref)

    def test_shopee_order_created_then_cancelled(self):
        answer = _post(
            self.server,
            "/panel/shopee/create_order",
            {
                "lines": [
                    {"sku": "KAOS-HIT-L", "quantity": 2},
                    {"sku": "TOPI", "quantity": 1},
                ],
                "voucher": 2000,
                "buyer": "Siti Aminah",
            },
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        result = answer.json()["result"]
        self.assertEqual(result["odoo_status"], 200)
        self.assertEqual(result["status"], "READY_TO_SHIP")
        ref = result["order"]
        # the push Odoo accepted is the one the real Shopee signs (HMAC of URL|body)
        events = self.env["integration.event"].search(
            [("connection_id", "=", self.shopee_shop.connection_id.id)]
        )
        self.assertEqual(events.mapped("external_id"), [ref])
        mp = self._order(self.shopee_shop, ref)
        self.assertEqual(mp.state, "imported", mp.error_message)
        sale = mp.sale_order_id
        self.assertEqual(sale.state, "sale")
        lines = sale.order_line.filtered(lambda line: line.product_id == self.kaos)
        self.assertEqual(sum(lines.mapped("product_uom_qty")), 2)
        # By hand: 2 × (50,000 − 1,000 voucher per unit) + 1 × 50,000 + 12,000
        # shipping = 160,000, what the buyer paid.
        self.assertEqual(mp.expected_total, 160000)
        self.assertEqual(sale.amount_total, 160000)
        answer = _post(
            self.server, "/panel/shopee/set_status", {"order": ref, "step": "cancelled"}
        )
        self.assertEqual(answer.json()["result"]["status"], "CANCELLED")
        self.assertEqual(
            self._order(self.shopee_shop, ref).sale_order_id.state, "cancel"
        )

    def test_tiktok_order_with_platform_voucher(self):
        answer = _post(
            self.server,
            "/panel/tiktok/create_order",
            {"lines": [{"sku": "KOPI-250", "quantity": 3}], "voucher": 5000},
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        ref = answer.json()["result"]["order"]
        self.assertEqual(answer.json()["result"]["odoo_status"], 200)
        mp = self._order(self.tiktok_shop, ref)
        self.assertEqual(mp.state, "imported", mp.error_message)
        # By hand: the buyer pays 3 × 50,000 − 5,000 + 9,000 = 154,000; TikTok funds
        # the 5,000 voucher, so the sale order totals 159,000.
        self.assertEqual(mp.buyer_paid, 154000)
        self.assertEqual(mp.sale_order_id.amount_total, 159000)
        self.assertEqual(self.tiktok_api.orders[ref]["status"], "AWAITING_SHIPMENT")

    def test_every_step_is_accepted_and_read(self):
        """Each step's push is accepted; Odoo re-reads the order and follows."""
        for gateway, shop, sku in (
            ("shopee", self.shopee_shop, "TOPI"),
            ("tiktok", self.tiktok_shop, "GULA-1"),
        ):
            ref = _post(
                self.server,
                f"/panel/{gateway}/create_order",
                {"lines": [{"sku": sku, "quantity": 1}]},
            ).json()["result"]["order"]
            for step, lifecycle in (
                ("shipped", "shipped"),
                ("delivered", "delivered"),
                ("return_requested", "returning" if gateway == "shopee" else None),
                ("completed", "completed"),
            ):
                answer = _post(
                    self.server,
                    f"/panel/{gateway}/set_status",
                    {"order": ref, "step": step},
                )
                self.assertEqual(answer.status_code, 200, answer.text)
                self.assertEqual(answer.json()["result"]["odoo_status"], 200, step)
                mp = self._order(shop, ref)
                if lifecycle:
                    self.assertEqual(mp.lifecycle, lifecycle, (gateway, step))
        # Shopee's TO_RETURN made Odoo read the return the panel put on the platform
        returns = self.env["marketplace.return"].search(
            [("shop_id", "=", self.shopee_shop.id)]
        )
        self.assertEqual(returns.mapped("platform_status"), ["REQUESTED"])

    def test_status_steps_and_refusals(self):
        ref = _post(
            self.server,
            "/panel/shopee/create_order",
            {"lines": [{"sku": "TOPI", "quantity": 1}], "paid": False},
        ).json()["result"]["order"]
        self.assertEqual(self.shopee_api.orders[ref]["order_status"], "UNPAID")
        mp = self._order(self.shopee_shop, ref)
        self.assertFalse(mp.sale_order_id.state == "sale")
        _post(self.server, "/panel/shopee/set_status", {"order": ref, "step": "paid"})
        self.assertEqual(self._order(self.shopee_shop, ref).sale_order_id.state, "sale")
        # refused without touching the gateway: unknown SKU, unknown order, bad step
        orders = dict(self.shopee_api.orders)
        for path, body, text in (
            ("create_order", {"lines": [{"sku": "NOPE", "quantity": 1}]}, "NOPE"),
            ("create_order", {"lines": [{"sku": "TOPI", "quantity": 0}]}, "least"),
            ("set_status", {"order": "X", "step": "paid"}, "not on this shop"),
            ("set_status", {"order": ref, "step": "teleported"}, "Unknown step"),
        ):
            answer = _post(self.server, f"/panel/shopee/{path}", body)
            self.assertEqual(answer.status_code, 400, answer.text)
            self.assertIn(text, answer.json()["error"])
        self.assertEqual(self.shopee_api.orders, orders)
        # a browser form is answered by a redirect to the page with the message
        form = requests.post(
            self.server.url + "/panel/shopee/set_status",
            data={"order": ref, "step": "shipped"},
            allow_redirects=False,
            timeout=30,
        )
        self.assertEqual(form.status_code, 303)
        page = requests.get(self.server.url + form.headers["Location"], timeout=30)
        self.assertIn("SHIPPED", page.text)
        self.assertIn("Odoo answered HTTP 200", page.text)

    def test_page_lists_shops_and_orders(self):
        ref = _post(
            self.server,
            "/panel/tiktok/create_order",
            {"lines": [{"sku": "GULA-1", "quantity": 1}], "buyer": "<b>Eko</b>"},
        ).json()["result"]["order"]
        page = requests.get(self.server.url + "/", timeout=30)
        self.assertEqual(page.status_code, 200)
        self.assertIn("text/html", page.headers["Content-Type"])
        self.assertIn(ref, page.text)
        self.assertIn("Toko Test", page.text)
        self.assertIn("&lt;b&gt;Eko&lt;/b&gt;", page.text)  # escaped
        self.assertNotIn("<b>Eko</b>", page.text)
        self.assertNotIn("http://", page.text.split("<script>")[1])  # no CDN
        state = requests.get(self.server.url + "/panel/api/state", timeout=30).json()
        self.assertTrue(state["shopee"]["connected"])
        self.assertEqual(state["tiktok"]["orders"][0]["ref"], ref)


@tagged("post_install", "-at_install")
class TestDemoPanelPayments(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.panel = cls.gateway.mount(DemoPanel())

    def _set_urls(self, xendit=None):
        answer = _post(
            self.gateway,
            "/panel/settings/save",
            {
                "odoo_url": self.base_url(),
                "midtrans_notification_url": self._url(self.midtrans),
                "xendit_callback_url": self._url(xendit or self.xendit),
            },
        )
        self.assertEqual(answer.status_code, 200, answer.text)

    def test_midtrans_pay_once(self):
        self._set_urls()
        move, va = self._invoice_with_va(150000)
        self.assertEqual(va.connection_id, self.midtrans)
        state = requests.get(self.gateway.url + "/panel/api/state", timeout=30).json()
        self.assertEqual(state["midtrans"]["vas"][0]["ref"], va.reference)
        answer = _post(self.gateway, "/panel/midtrans/pay", {"va": va.reference})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["result"]["odoo_status"], 200)
        self._process_inbound()  # re-reads the status API, which says settlement
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(va.state, "paid")
        self.assertEqual(len(self._payments(self.midtrans)), 1)
        again = _post(self.gateway, "/panel/midtrans/pay", {"va": va.reference})
        self.assertEqual(again.status_code, 400)
        self.assertIn("settlement", again.json()["error"])
        self._process_inbound()
        self.assertEqual(len(self._payments(self.midtrans)), 1)

    def test_midtrans_partial_refused_and_expiry(self):
        self._set_urls()
        move, va = self._invoice_with_va(150000)
        part = _post(
            self.gateway, "/panel/midtrans/pay", {"va": va.reference, "amount": 50000}
        )
        self.assertEqual(part.status_code, 400)
        self.assertIn("exact amount", part.json()["error"])
        answer = _post(self.gateway, "/panel/midtrans/expire", {"va": va.reference})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["result"]["odoo_status"], 200)
        self._process_inbound()
        self.assertEqual(va.state, "expired")
        self.assertEqual(move.payment_state, "not_paid")

    def test_xendit_closed_va_paid_and_open_va_paid_in_parts(self):
        self._set_urls()
        move = self._invoice(120000)
        va = self.env["payment.va"]._create_for_invoice(move, self.xendit)
        part = _post(
            self.gateway, "/panel/xendit/pay", {"va": va.reference, "amount": 20000}
        )
        self.assertEqual(part.status_code, 400)
        self.assertIn("bank refuses", part.json()["error"])
        answer = _post(self.gateway, "/panel/xendit/pay", {"va": va.reference})
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["result"]["odoo_status"], 200)
        self._process_inbound()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(len(self._payments(self.xendit)), 1)
        # a customer's open VA takes any amount: 50,000 of an 80,000 invoice
        invoice = self._invoice(80000)
        customer_va = self.env["payment.va"].browse(
            self.customer.action_payment_va_create()["res_id"]
        )
        self._set_urls(xendit=self.xendit_customer)
        answer = _post(
            self.gateway,
            "/panel/xendit/pay",
            {"va": customer_va.reference, "amount": 50000},
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self._process_inbound()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 30000)
