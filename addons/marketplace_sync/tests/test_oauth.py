# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Connect shop: authorization URL, signed ``state``, code exchange in the callback."""

from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..controllers.main import make_state
from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestOAuth(MarketplaceCase):
    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        self.admin.company_ids |= self.company
        self.admin.company_id = self.company
        self.authenticate("admin", "admin")

    def _state(self, shop, user=None):
        """The ``state`` that *Connect shop* puts in the authorization link."""
        action = shop.with_user(user or self.admin).action_connect()
        url = urlsplit(action["url"])
        if shop.provider == "shopee":
            url = urlsplit(parse_qs(url.query)["redirect"][0])
        return parse_qs(url.query)["state"][0]

    def _callback(self, state, code):
        return self.url_open(
            f"/marketplace/oauth/callback?state={state}&code={code}&shop_id=54804",
            allow_redirects=False,
        )

    def test_shopee_connect_flow(self):
        action = self.shopee_shop.with_user(self.admin).action_connect()
        url = urlsplit(action["url"])
        self.assertTrue(url.path.endswith("/api/v2/shop/auth_partner"))
        query = parse_qs(url.query)
        redirect = query["redirect"][0]
        self.assertIn("/marketplace/oauth/callback?state=", redirect)
        state = parse_qs(urlsplit(redirect).query)["state"][0]
        code = self.shopee_api.issue_auth_code()
        response = self.url_open(
            f"/marketplace/oauth/callback?state={state}&code={code}&shop_id=54804",
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.env.invalidate_all()
        token = self.shopee_shop.sudo().access_token
        self.assertIn(token, self.shopee_api.access_tokens)
        self.assertTrue(self.shopee_shop.auth_expires_at)

    def test_forged_or_missing_state_refused(self):
        code = self.shopee_api.issue_auth_code()
        before = self.shopee_shop.sudo().access_token
        forged = make_state(self.env, self.shopee_shop)[:-4] + "abcd"
        response = self.url_open(
            f"/marketplace/oauth/callback?state={forged}&code={code}"
        )
        self.assertEqual(response.status_code, 403)
        response = self.url_open(f"/marketplace/oauth/callback?code={code}")
        self.assertEqual(response.status_code, 400)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.sudo().access_token, before)
        self.assertEqual(self.shopee_api.auth_codes[code], "valid")

    def test_tiktok_connect_reads_shop_cipher(self):
        self.tiktok_shop.sudo().tiktok_shop_cipher = False
        state = self._state(self.tiktok_shop)
        code = self.tiktok_api.issue_auth_code()
        self.url_open(
            f"/marketplace/oauth/callback?state={state}&code={code}",
            allow_redirects=False,
        )
        self.env.invalidate_all()
        self.assertEqual(
            self.tiktok_shop.tiktok_shop_cipher, self.tiktok_api.shop_cipher
        )

    def test_state_of_another_user_refused(self):
        # Both may connect the shop; the link of one is no good to the other (D20).
        other = new_test_user(
            self.env,
            login="mp_other_manager",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        state = self._state(self.shopee_shop, user=other)
        before = self.shopee_shop.sudo().access_token
        code = self.shopee_api.issue_auth_code()
        response = self._callback(state, code)  # opened by admin
        self.assertEqual(response.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.sudo().access_token, before)
        self.assertEqual(self.shopee_api.auth_codes[code], "valid")

    def test_state_usable_once(self):
        state = self._state(self.shopee_shop)
        first = self._callback(state, self.shopee_api.issue_auth_code())
        self.assertIn(first.status_code, (302, 303))
        self.env.invalidate_all()
        connected = self.shopee_shop.sudo().access_token
        code = self.shopee_api.issue_auth_code()
        replay = self._callback(state, code)
        self.assertEqual(replay.status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.sudo().access_token, connected)
        self.assertEqual(self.shopee_api.auth_codes[code], "valid")

    def test_salesperson_gets_no_state(self):
        salesman = new_test_user(
            self.env,
            login="mp_oauth_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        with self.assertRaises(AccessError):
            self.shopee_shop.with_user(salesman).action_connect()
