# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Connect shop in the demo: Odoo's authorization link opens the test server's consent
page, *Authorize* redirects to Odoo's callback with a code, and the callback's token
exchange succeeds against the same server. Real HTTP on every hop."""

from urllib.parse import parse_qs, urlsplit

import requests

from odoo.tests import tagged

from odoo.addons.marketplace_sync.tests.common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestDemoConsent(MarketplaceCase):
    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        self.admin.company_ids |= self.company
        self.admin.company_id = self.company
        self.authenticate("admin", "admin")
        self.tiktok_api.redirect_url = self.base_url() + "/marketplace/oauth/callback"

    def _disconnect(self, shop):
        shop.sudo().write({"access_token": False, "refresh_token": False})

    def _consent(self, action, decision="authorize"):
        """Open the consent page the action links to, answer it; the server's answer."""
        page = requests.get(action["url"], timeout=10)
        self.assertEqual(page.status_code, 200, page.text)
        self.assertIn("text/html", page.headers["Content-Type"])
        self.assertIn("Authorize shop", page.text)
        self.assertIn("Toko Test", page.text)
        # The form posts back the link's own (signed) parameters.
        form = dict(parse_qs(urlsplit(action["url"]).query))
        form = {k: v[0] for k, v in form.items()}
        form["decision"] = decision
        return requests.post(
            action["url"].split("?")[0], data=form, allow_redirects=False, timeout=10
        )

    def test_shopee_consent_then_token_exchange(self):
        shop = self.shopee_shop
        self._disconnect(shop)
        action = shop.with_user(self.admin).action_connect()
        self.assertEqual(
            urlsplit(action["url"]).path, "/shopee/api/v2/shop/auth_partner"
        )
        answer = self._consent(action)
        self.assertEqual(answer.status_code, 302, answer.text)
        location = answer.headers["Location"]
        # developer-guide/20: back to the redirect URL with code and shop_id added
        # to the query Odoo put there (state).
        callback = urlsplit(location)
        self.assertEqual(callback.path, "/marketplace/oauth/callback")
        query = parse_qs(callback.query)
        self.assertEqual(query["shop_id"], ["54804"])
        code = query["code"][0]
        self.assertEqual(self.shopee_api.auth_codes[code], "valid")
        self.assertTrue(query["state"][0])
        response = self.url_open(location, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text)
        self.assertIn(
            "action-marketplace_sync.action_marketplace_shop",
            response.headers["Location"],
        )
        self.env.invalidate_all()
        self.assertEqual(self.shopee_api.auth_codes[code], "used")
        token = shop.sudo().access_token
        self.assertIn(token, self.shopee_api.access_tokens)
        # the new token works for a shop call
        self.assertEqual(
            shop.sudo()._marketplace_client().get_shop_info()["name"], "Toko Test"
        )

    def test_tiktok_consent_then_token_exchange(self):
        shop = self.tiktok_shop
        self._disconnect(shop)
        shop.sudo().tiktok_shop_cipher = False
        action = shop.with_user(self.admin).action_connect()
        self.assertEqual(urlsplit(action["url"]).path, "/tiktok/oauth/authorize")
        answer = self._consent(action)
        self.assertEqual(answer.status_code, 302, answer.text)
        location = answer.headers["Location"]
        self.assertTrue(location.startswith(self.tiktok_api.redirect_url + "?"))
        query = parse_qs(urlsplit(location).query)
        state = parse_qs(urlsplit(action["url"]).query)["state"][0]
        self.assertEqual(query["state"], [state])
        response = self.url_open(location, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text)
        self.env.invalidate_all()
        self.assertIn(shop.sudo().access_token, self.tiktok_api.access_tokens)
        self.assertEqual(shop.tiktok_shop_cipher, self.tiktok_api.shop_cipher)

    def test_cancel_or_tampered_link_gives_no_code(self):
        codes = dict(self.shopee_api.auth_codes)
        action = self.shopee_shop.with_user(self.admin).action_connect()
        answer = self._consent(action, decision="cancel")
        self.assertEqual(answer.status_code, 200)
        self.assertIn("cancelled", answer.text)
        self.assertEqual(self.shopee_api.auth_codes, codes)
        # Shopee signs partner_id + path + timestamp: a wrong sign or an old
        # timestamp is refused, on the page and on the answer.
        tampered = action["url"].replace("sign=", "sign=0")
        page = requests.get(tampered, timeout=10)
        self.assertEqual(page.status_code, 400)
        self.assertIn("Wrong sign", page.text)
        post = requests.post(
            action["url"].split("?")[0],
            data={
                "partner_id": "1000016",
                "timestamp": "1",
                "sign": "x",
                "redirect": "http://x/",
                "decision": "authorize",
            },
            allow_redirects=False,
            timeout=10,
        )
        self.assertEqual(post.status_code, 403)
        self.assertEqual(self.shopee_api.auth_codes, codes)
        tiktok = requests.get(
            self.tiktok_api.base_url + "/oauth/authorize?app_key=wrong&state=s",
            timeout=10,
        )
        self.assertEqual(tiktok.status_code, 400)
