# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Thin routes: Shopee push, TikTok webhook, OAuth callback.

Webhooks verify the signature over the raw body in constant time (failing closed without
a secret), store the event through the base inbox and answer 2xx at once; the order
detail is fetched later by the inbound cron.
"""

import logging
import time

import jwt
from werkzeug.exceptions import BadRequest, Forbidden

from odoo import _, http
from odoo.http import request

from odoo.addons.base_integration.api import payload as payload_api
from odoo.addons.base_integration.api.exceptions import SignatureError
from odoo.addons.base_integration.api.signing import verify_hmac
from odoo.addons.base_integration.controllers.webhook import (
    handle_webhook,
    read_body,
    too_large,
    verification_secret,
)

from ..api import shopee, tiktok

_logger = logging.getLogger(__name__)

STATE_TTL = 600  # the Shopee code itself expires in 10 minutes (developer-guide/20)


def _state_secret(env):
    return env["ir.config_parameter"].sudo().get_param("database.secret")


def make_state(env, shop):
    """OAuth ``state``: an HS256 JWT naming the shop and the user, valid 10 minutes,
    whose nonce is stored server-side so that the callback accepts it once, from the
    same user (review D20). Only who may change the shop gets one."""
    shop.check_access("write")
    now = int(time.time())
    nonce = env["integration.oauth.state"]._issue(shop.sudo().connection_id, STATE_TTL)
    return jwt.encode(
        {
            "shop": shop.id,
            "uid": env.uid,
            "jti": nonce,
            "iat": now,
            "exp": now + STATE_TTL,
            "aud": "marketplace_sync",
        },
        _state_secret(env),
        algorithm="HS256",
    )


def read_state(env, state):
    """Shop id of a valid state, which is used up by this call.

    :raises jwt.InvalidTokenError: forged, expired, for another audience, issued to
        another user, or already used.
    """
    claims = jwt.decode(
        state, _state_secret(env), algorithms=["HS256"], audience="marketplace_sync"
    )
    if claims.get("uid") != env.uid:
        raise jwt.InvalidTokenError("state issued to another user")
    shop = env["marketplace.shop"].sudo().browse(int(claims["shop"])).exists()
    if not shop or not env["integration.oauth.state"]._consume(
        claims.get("jti"), shop.connection_id
    ):
        raise jwt.InvalidTokenError("state already used or unknown")
    return shop.id


def _routing_shop_ref(raw):
    """The ``shop_id`` a push names, to route it before its signature is checked:
    ``None`` when the body does not say (or is not usable; it is refused later)."""
    try:
        payload = payload_api.loads(raw or b"{}")
        return (
            payload_api.identifier(payload, "shop_id")
            if isinstance(payload, dict)
            else None
        )
    except payload_api.MalformedPayload:
        return None


class MarketplaceController(http.Controller):
    def _shops(self, provider, shop_ref):
        domain = [("provider", "=", provider)]
        if shop_ref:
            domain.append(("shop_ref", "=", shop_ref))
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
        # The size limit applies before anything is read or parsed (review D20).
        raw = read_body()
        if raw is None:
            return too_large()
        # shop_id routes to the shop; partner-level pushes (codes 1, 2, 12) carry none.
        # An unknown shop is refused like a wrong signature (the answer must not tell
        # which shops exist).
        shop = self._shops("shopee", _routing_shop_ref(raw))[:1]
        secret = verification_secret(shop, shop.webhook_secret or shop.api_secret)
        # The signed URL is the callback URL registered at Shopee; behind a proxy that
        # rewrites it, set it on the shop.
        url = shop.shopee_push_url or request.httprequest.url

        def verify(body, headers):
            given = headers.get("Authorization")
            if not given:
                raise SignatureError("Missing Authorization header.", 401)
            # developer-guide/18: HMAC-SHA256(key, callback_url + "|" + raw body)
            verify_hmac(secret, url.encode() + b"|" + body, given)

        return handle_webhook(
            shop.connection_id,
            handler="_marketplace_process_event",
            describe=shopee.describe_push,
            verify_raw=verify,
            accepted_body=b"",  # Shopee expects 2xx with an empty body (developer-guide/18)
            raw=raw,
        )

    @http.route(
        "/marketplace/tiktok/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def tiktok_webhook(self, **_kw):
        raw = read_body()
        if raw is None:
            return too_large()
        shops = self._shops("tiktok", _routing_shop_ref(raw))
        shop = shops if len(shops) == 1 else shops.browse()
        secret = verification_secret(shop, shop.api_secret)
        app_key = (shop.api_key or "").encode()

        def verify(body, headers):
            # EcomPHP Webhook::verify: HMAC-SHA256(app_secret, app_key + raw body)
            verify_hmac(secret, app_key + body, headers.get("Authorization"))

        return handle_webhook(
            shop.connection_id,
            handler="_marketplace_process_event",
            describe=tiktok.describe_webhook,
            verify_raw=verify,
            accepted_body=b"",  # TikTok: 200, empty body, within 3 s (reference §2.8)
            raw=raw,
        )

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
                _("This authorization link is invalid, expired or already used.")
            ) from exc
        shop = request.env["marketplace.shop"].browse(shop_id_from_state).exists()
        if not shop:
            raise Forbidden(_("Unknown shop."))
        shop.check_access("write")
        shop._marketplace_connect(code, shop_ref=shop_id)
        return request.redirect(
            f"/odoo/action-marketplace_sync.action_marketplace_shop/{shop.id}"
        )
