# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The README's "Try it" path in real Chromium.

The consent page and the control panel are on the gateway server's origin: the
consent page is answered over HTTP here and the browser tour starts where it sends
the browser back (Odoo's OAuth callback); the panel's actions are its HTTP routes,
called between the tours. Odoo's screens are driven by the tours
(``payment_va_marketplace/static/tests/tours/demo_try_it_tour.js``).
"""

import logging
import os
import time
from urllib.parse import parse_qs, urlsplit

import polib
import requests

from odoo import Command, fields
from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.base_integration.tests.gateway_servers.midtrans import MidtransApi
from odoo.addons.base_integration.tests.gateway_servers.panel import DemoPanel
from odoo.addons.marketplace_sync.tests.common import MarketplaceCase

_logger = logging.getLogger(__name__)
JSON = {"Accept": "application/json"}
SUITE = (
    "base_integration",
    "marketplace_sync",
    "payment_va",
    "payment_va_marketplace",
    "carrier_api",
    "carrier_api_marketplace",
    "efaktur_export",
)


CORE = ("base", "web", "mail", "sale", "stock", "account", "stock_delivery", "delivery")


class DemoTourCase(MarketplaceCase):
    screens = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.midtrans_api = cls.server.mount(MidtransApi())
        cls.panel = cls.server.mount(DemoPanel())
        journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")], limit=1
        )
        banks = cls.env["payment.va.bank"].search([("provider", "=", "midtrans")])
        cls.midtrans = (
            cls.env["integration.connection"]
            .sudo()
            .create(
                {
                    "name": "Midtrans (tour)",
                    "provider": "midtrans",
                    "company_id": cls.company.id,
                    "base_url": cls.midtrans_api.base_url,
                    "api_secret": MidtransApi.server_key,
                    "va_journal_id": journal.id,
                    "va_mode": "invoice",
                    "va_bank_ids": [Command.set(banks.ids)],
                    "va_default_bank_id": cls.env.ref(
                        "payment_va.bank_midtrans_bni"
                    ).id,
                }
            )
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.company_ids |= cls.company
        cls.admin.company_id = cls.company

    def setUp(self):
        super().setUp()
        self.panel.settings.clear()
        self.server.faults.clear()
        self.panel_post(
            "/panel/settings/save",
            {
                "odoo_url": self.base_url(),
                "midtrans_notification_url": self.base_url()
                + self.midtrans._get_webhook_path(),
            },
        )
        self.panel_post(
            "/panel/api/catalog",
            {
                "gateway": "tiktok",
                "products": [
                    {
                        "item_id": "1729582718312370000",
                        "model_id": "1729582718312380001",
                        "sku": "KOPI-250",
                        "name": "Kopi Gayo",
                        "price": 50000,
                    }
                ],
            },
        )
        self.panel_post(
            "/panel/api/catalog",
            {
                "gateway": "shopee",
                "products": [
                    {
                        "item_id": 1002,
                        "model_id": 0,
                        "sku": "TOPI",
                        "name": "Topi",
                        "price": 100000,
                    }
                ],
            },
        )

    def panel_post(self, path, body):
        answer = requests.post(
            self.server.url + path, json=body, headers=JSON, timeout=30
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        return answer.json()


@tagged("post_install", "-at_install")
class TestDemoTryIt(DemoTourCase):
    def test_try_it_path(self):
        timings = {}
        started = time.monotonic()
        # 1. Connect shop: the consent page, then the browser back on Odoo.
        shop = self.tiktok_shop
        shop.sudo().write(
            {"access_token": False, "refresh_token": False, "tiktok_shop_cipher": False}
        )
        self.tiktok_api.redirect_url = self.base_url() + "/marketplace/oauth/callback"
        link = shop.with_user(self.admin).action_connect()["url"]
        page = requests.get(link, timeout=10)
        self.assertIn("Authorize shop <b class='shop'>Toko Test</b>", page.text)
        form = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        answer = requests.post(
            link.split("?")[0],
            data=dict(form, decision="authorize"),
            allow_redirects=False,
            timeout=10,
        )
        self.assertEqual(answer.status_code, 302, answer.text)
        location = answer.headers["Location"]
        self.assertTrue(location.startswith(self.tiktok_api.redirect_url + "?code="))
        self.start_tour(
            location[len(self.base_url()) :], "demo_connect_shop_tour", login="admin"
        )
        self.env.invalidate_all()
        self.assertIn(shop.sudo().access_token, self.tiktok_api.access_tokens)
        self.assertEqual(shop.tiktok_shop_cipher, self.tiktok_api.shop_cipher)
        timings["connect"] = time.monotonic() - started

        # 2. An order arrives from the panel; confirmed; the shipment is arranged.
        result = self.panel_post(
            "/panel/tiktok/create_order",
            {"lines": [{"sku": "KOPI-250", "quantity": 2}], "buyer": "Rina Tour"},
        )["result"]
        self.assertEqual(result["odoo_status"], 200)
        self.process_inbound()
        mp = self.mp_order(shop, result["order"])
        self.assertEqual(mp.state, "imported", mp.error_message)
        mark = time.monotonic()
        self.start_tour(
            f"/odoo/action-marketplace_sync.action_marketplace_order/{mp.id}",
            "demo_order_ship_tour",
            login="admin",
            timeout=180,
        )
        picking = mp.sale_order_id.picking_ids
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertEqual(
            self.tiktok_api.orders[result["order"]]["status"], "AWAITING_COLLECTION"
        )
        timings["order and shipment"] = time.monotonic() - mark

        # 3. An invoice's VA is paid from the panel; the invoice is paid.
        mark = time.monotonic()
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.env["res.partner"].create({"name": "CV Tour"}).id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Jasa",
                            "quantity": 1,
                            "price_unit": 150000,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        self.env["integration.event"]._process_pending("outbound")
        va = move.payment_va_current_id
        self.assertEqual((va.connection_id, va.state), (self.midtrans, "open"))
        paid = self.panel_post("/panel/midtrans/pay", {"va": va.reference})
        self.assertEqual(paid["result"]["odoo_status"], 200)
        self.process_inbound()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
            "payment_va_invoice_paid_tour",
            login="admin",
        )
        timings["VA payment"] = time.monotonic() - mark

        # 4. Shopee is down: the order push fails; back up, the event is retried.
        mark = time.monotonic()
        self.panel_post("/panel/outage/down", {"gateway": "shopee"})
        result = self.panel_post(
            "/panel/shopee/create_order", {"lines": [{"sku": "TOPI", "quantity": 1}]}
        )["result"]
        self.assertEqual(result["odoo_status"], 200)
        self.process_inbound()
        event = self.env["integration.event"].search(
            [("external_id", "=", result["order"])]
        )
        self.assertEqual(event.state, "failed")
        self.assertIn("503", event.error)
        self.panel_post("/panel/outage/up", {"gateway": "shopee"})
        self.start_tour(
            "/odoo/action-base_integration.integration_event_action_failed",
            "demo_retry_failed_event_tour",
            login="admin",
        )
        self.assertEqual(event.state, "done")
        self.assertEqual(
            self.mp_order(self.shopee_shop, result["order"]).state, "imported"
        )
        timings["failed event retried"] = time.monotonic() - mark
        timings["total"] = time.monotonic() - started
        _logger.info(
            "Try-it tour timings: %s",
            ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        )


def suite_english_terms(env):
    """The suite's English terms that have no different Indonesian translation:
    what must not be seen on an Indonesian screen once translations are complete."""
    terms = set()
    for module in SUITE:
        reader = TranslationModuleReader(env.cr, [module], lang="en_US")
        module_terms = {row[4].strip() for row in reader if row[4] and row[4].strip()}
        po = os.path.join(get_module_path(module), "i18n", "id.po")
        same = {
            e.msgid.strip()
            for e in polib.pofile(po)
            if e.msgstr and e.msgstr.strip() == e.msgid.strip()
        }
        terms |= {t for t in module_terms - same if any(c.islower() for c in t)}
    return terms


@tagged("post_install", "-at_install")
class TestDemoIndonesian(DemoTourCase):
    """The screens of the Try-it path in Indonesian. The tour itself must pass; the
    English terms it finds are reported (the lead completes the translations)."""

    screens = None  # {screen: visible text}, kept for the class

    def _screens(self):
        if DemoTourCase.screens is None:
            self.env["res.lang"]._activate_lang("id_ID")
            self.env["ir.module.module"].search(
                [
                    ("name", "in", SUITE + CORE),
                    ("state", "=", "installed"),
                ]
            )._update_translations(["id_ID"])
            self.admin.lang = "id_ID"
            # something on each screen: an imported order, a failed event
            self.panel_post(
                "/panel/tiktok/create_order",
                {"lines": [{"sku": "KOPI-250", "quantity": 1}]},
            )
            self.panel_post("/panel/outage/down", {"gateway": "shopee"})
            self.panel_post(
                "/panel/shopee/create_order",
                {"lines": [{"sku": "TOPI", "quantity": 1}]},
            )
            self.process_inbound()
            self.start_tour(
                "/odoo", "demo_indonesian_screens_tour", login="admin", timeout=240
            )
            params = (
                self.env["ir.config_parameter"]
                .sudo()
                .search([("key", "like", "demo_tour.text.%")])
            )
            DemoTourCase.screens = {
                p.key[len("demo_tour.text.") :]: p.value for p in params
            }
        return DemoTourCase.screens

    def test_indonesian_screens_tour(self):
        screens = self._screens()
        self.assertEqual(len(screens), 16, sorted(screens))
        # the menus are Indonesian: the translations are loaded and used
        self.assertIn("Toko", screens["shops"])

    def test_no_english_term_of_the_suite_on_indonesian_screens(self):
        terms = suite_english_terms(self.env)
        # the terms are the suite's English ones (here a button)
        self.assertIn("Connect shop", terms)
        found = {}
        for screen, text in self._screens().items():
            # a label with a help tooltip is shown with a "?" after it
            lines = {line.strip().rstrip("?").strip() for line in text.splitlines()}
            seen = sorted(
                t for t in terms if t in lines or (len(t) >= 20 and t in text)
            )
            if seen:
                found[screen] = seen
        _logger.info(
            "English terms of the suite (%s) on Indonesian screens: %s",
            len(terms),
            found,
        )
        if os.environ.get("DEMO_TOUR_DUMP"):
            with open(os.environ["DEMO_TOUR_DUMP"], "w") as handle:
                for screen, text in self._screens().items():
                    handle.write(f"===== {screen}\n{text}\n")
        self.assertFalse(found, f"English terms on Indonesian screens: {found}")
