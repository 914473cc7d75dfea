# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Thin routes: Shopee push, TikTok webhook, OAuth callback.

Webhooks verify the signature over the raw body in constant time (failing closed without
a secret), store the event through the base inbox and answer 2xx at once; the order
detail is fetched later by the inbound cron.
"""

import json
import logging
import time

import jwt
from werkzeug.exceptions import BadRequest, Forbidden

from odoo import _, http
from odoo.http import request

from odoo.addons.base_integration.api.exceptions import SignatureError
from odoo.addons.base_integration.api.signing import verify_hmac
from odoo.addons.base_integration.controllers.webhook import (
    handle_webhook,
    json_response,
)

from ..api import shopee, tiktok

_logger = logging.getLogger(__name__)

STATE_TTL = 600  # the Shopee code itself expires in 10 minutes (developer-guide/20)


def _state_secret(env):
    return env["ir.config_parameter"].sudo().get_param("database.secret")


def make_state(env, shop):
    """OAuth ``state``: an HS256 JWT naming the shop and user, valid 10 minutes."""
    now = int(time.time())
    return jwt.encode(
        {
            "shop": shop.id,
            "uid": env.uid,
            "iat": now,
            "exp": now + STATE_TTL,
            "aud": "marketplace_sync",
        },
        _state_secret(env),
        algorithm="HS256",
    )


def read_state(env, state):
    """Shop id of a valid state.

    :raises jwt.InvalidTokenError: forged, expired or for another audience.
    """
    claims = jwt.decode(
        state, _state_secret(env), algorithms=["HS256"], audience="marketplace_sync"
    )
    return int(claims["shop"])


def _body_json(raw):
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


class MarketplaceController(http.Controller):
    def _shops(self, provider, shop_ref):
        domain = [("provider", "=", provider)]
        if shop_ref not in (None, ""):
            domain.append(("shop_ref", "=", str(shop_ref)))
        return request.env["marketplace.shop"].sudo().search(domain)

    @http.route(
        "/marketplace/shopee/push",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def shopee_push(self, **_kw):
        raw = request.httprequest.get_data(cache=True)
        # shop_id routes to the shop; partner-level pushes (codes 1, 2, 12) carry none.
        shop_ref = _body_json(raw).get("shop_id")
        shops = self._shops("shopee", shop_ref)
        if len(shops) > 1 and not shop_ref:
            shops = shops[:1]
        if not shops:
            return json_response(404, {"error": "unknown_shop"})
        shop = shops[0]
        # The signed URL is the callback URL registered at Shopee; behind a proxy that
        # rewrites it, set it on the shop.
        url = shop.sudo().shopee_push_url or request.httprequest.url

        def verify(body, headers):
            secret = shop.sudo().webhook_secret or shop.sudo().api_secret
            given = headers.get("Authorization")
            if not given:
                raise SignatureError("Missing Authorization header.", 401)
            # developer-guide/18: HMAC-SHA256(key, callback_url + "|" + raw body)
            verify_hmac(secret, url.encode() + b"|" + body, given)

        response = handle_webhook(
            shop.connection_id.sudo(),
            handler="_marketplace_process_event",
            describe=shopee.describe_push,
            verify_raw=verify,
            accepted_body=b"",  # Shopee expects 2xx with an empty body (developer-guide/18)
        )
        return response

    @http.route(
        "/marketplace/tiktok/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def tiktok_webhook(self, **_kw):
        raw = request.httprequest.get_data(cache=True)
        shops = self._shops("tiktok", _body_json(raw).get("shop_id"))
        if len(shops) != 1:
            return json_response(404, {"error": "unknown_shop"})

        def verify(body, headers):
            record = shops.sudo()
            # EcomPHP Webhook::verify: HMAC-SHA256(app_secret, app_key + raw body)
            verify_hmac(
                record.api_secret,
                (record.api_key or "").encode() + body,
                headers.get("Authorization"),
            )

        response = handle_webhook(
            shops.connection_id.sudo(),
            handler="_marketplace_process_event",
            describe=tiktok.describe_webhook,
            verify_raw=verify,
            accepted_body=b"",  # TikTok: 200, empty body, within 3 s (reference §2.8)
        )
        return response

    @http.route(
        "/marketplace/oauth/callback", type="http", auth="user", methods=["GET"]
    )
    def oauth_callback(
        self, state=None, code=None, auth_code=None, shop_id=None, **_kw
    ):
        """Platform redirect after authorization: check ``state``, exchange code."""
        code = code or auth_code
        if not state or not code:
            raise BadRequest(_("Missing state or code."))
        try:
            shop_id_from_state = read_state(request.env, state)
        except jwt.InvalidTokenError as exc:
            _logger.warning("OAuth callback with an invalid state: %s", exc)
            raise Forbidden(
                _("This authorization link is invalid or expired.")
            ) from exc
        shop = request.env["marketplace.shop"].browse(shop_id_from_state).exists()
        if not shop:
            raise Forbidden(_("Unknown shop."))
        shop.check_access("write")
        shop._marketplace_connect(code, shop_ref=shop_id)
        return request.redirect(
            f"/odoo/action-marketplace_sync.action_marketplace_shop/{shop.id}"
        )
