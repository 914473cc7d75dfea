# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""TikTok Shop Open API client (202309+; serves TikTok Shop and Tokopedia storefronts).

Sources (``/work/shared/reference/marketplaces.md`` §2):
* signing: EcomPHP ``src/Client.php::prepareSignature`` citing partner.tiktokshop.com
  doc/page/274638; access token in header ``x-tts-access-token`` from 202309 on;
* tokens: EcomPHP ``src/Auth.php``; ``*_expire_in`` are Unix timestamps **[secondary]**;
* orders: TTS OpenAPI ``order.md``; fulfilment ``fulfillment.md``; webhooks ``event.md``
  and EcomPHP ``src/Webhook.php::verify``.
"""

import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import urlencode

from odoo.addons.base_integration.api import payload as payload_api

from .common import (
    FEE_BUCKETS,
    AuthenticationError,
    MalformedOrder,
    MarketplaceClient,
    MarketplaceError,
    RetryableError,
    TokenExpiredError,
    looks_masked,
    money,
    optional_money,
)

PRODUCTION_URL = "https://open-api.tiktokglobalshop.com"
AUTH_URL = "https://auth.tiktok-shops.com"
MAX_DETAIL_BATCH = 50
# Ship Package accepted, or further (order.md statuses).
ARRANGED_STATUSES = {
    "AWAITING_COLLECTION",
    "PARTIALLY_SHIPPING",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
}


def sign(app_secret, path, params, body=b""):
    """Request sign (EcomPHP ``Client::prepareSignature``).

    Sort the query parameters except ``sign``/``access_token`` (array values skipped),
    ``s = path + concat(key + value)``, append the exact body bytes for non-GET JSON
    calls, wrap as ``secret + s + secret`` and return ``hex(HMAC-SHA256(secret,
    wrapped))``.
    """
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k not in ("sign", "access_token", "x-tts-access-token")
        and not isinstance(v, (list, tuple))
    )
    base = path + "".join(f"{k}{v}" for k, v in items)
    message = app_secret.encode() + base.encode() + (body or b"") + app_secret.encode()
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_signature(app_key, app_secret, raw_body):
    """``hex(HMAC-SHA256(app_secret, app_key + raw_body))``.

    Source: EcomPHP ``Webhook::verify``.
    """
    return hmac.new(
        app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256
    ).hexdigest()


def is_token_error(code):
    """105xxx and 360xxx are token/authorization errors (EcomPHP ``Resource.php``)."""
    return str(code).startswith(("105", "360"))


class TiktokClient(MarketplaceClient):
    """Calls the TikTok Shop API for one shop (the operations of
    :class:`MarketplaceClient`, plus TikTok's own: cancellations, statements).

    :param session: an ``IntegrationSession``; :param base_url: API host;
    :param auth_url: token host; :param app_key/app_secret: the app;
    :param shop_ref: the shop id; :param shop_cipher: from
        ``/authorization/202309/shops``; :param access_token: token.
    """

    STOCK_BATCH = 100
    SHIPS_PACKAGES = True
    NEEDS_SHIPPING_PROVIDER = True

    def __init__(self, session, base_url, app_key, app_secret, **kwargs):
        super().__init__(session, base_url, app_key, app_secret, **kwargs)
        self.auth_url = (self.auth_url or AUTH_URL).rstrip("/")

    def _unwrap(self, response):
        try:
            data = response.json()
        except ValueError as exc:
            raise RetryableError(
                f"TikTok answered HTTP {response.status_code} with a body that is not "
                "JSON."
            ) from exc
        code = data.get("code") if isinstance(data, dict) else None
        if code not in (0, "0"):
            message = (
                f"{code}: {data.get('message') if isinstance(data, dict) else data}"
            )
            if is_token_error(code):
                raise TokenExpiredError(
                    message, status_code=response.status_code, code=code
                )
            if response.status_code in (429,) or response.status_code >= 500:
                raise RetryableError(
                    message, status_code=response.status_code, code=code
                )
            raise MarketplaceError(message, status_code=response.status_code, code=code)
        return data.get("data") or {}

    def _call(self, method, path, *, params=None, body=None, shop_api=True):
        if not self.access_token:
            raise TokenExpiredError("The shop has no access token: connect it first.")
        query = {"app_key": self.app_key, "timestamp": int(self.clock())}
        if shop_api:
            query["shop_cipher"] = self.shop_cipher
        query.update({k: v for k, v in (params or {}).items() if v not in (None, "")})
        raw = (
            json.dumps(body, separators=(",", ":")).encode()
            if body is not None
            else b""
        )
        query["sign"] = sign(
            self.app_secret, path, query, raw if method != "GET" else b""
        )
        headers = {
            "x-tts-access-token": self.access_token,
            "Content-Type": "application/json",
        }
        response = self.session.request(
            method,
            self.base_url + path,
            params=query,
            data=raw or None,
            headers=headers,
            accept_statuses=(400, 401, 403, 404),
            # the signed body is byte-identical on a replay; writes are keyed by ids
            retry_unsafe=True,
        )
        return self._unwrap(response)

    # ------------------------------------------------------------------ authorization
    def authorization_url(self, redirect_url, state):
        """The seller's consent page; the redirect URL is the one registered with the
        app, so only ``state`` travels."""
        query = urlencode({"app_key": self.app_key, "state": state})
        return f"{self.auth_url}/oauth/authorize?{query}"

    def _token(self, path, params):
        params = dict(params, app_key=self.app_key, app_secret=self.app_secret)
        response = self.session.request(
            "GET", self.auth_url + path, params=params, accept_statuses=(400, 401, 403)
        )
        data = self._unwrap(response)
        if not data.get("access_token"):
            raise MarketplaceError("TikTok returned no access token.")
        # ``*_expire_in`` are Unix timestamps, not durations (reference §2.1)
        return {
            "access_token": data["access_token"],
            "refresh_token": data.get("refresh_token"),
            "expires_at": int(data.get("access_token_expire_in") or 0),
        }

    def get_token(self, code, shop_ref=None):
        """Exchange an authorization code for a token pair."""
        return self._token(
            "/api/v2/token/get",
            {"auth_code": code, "grant_type": "authorized_code"},
        )

    def refresh_token(self, refresh_token):
        """Rotate the token pair.

        :raises AuthenticationError: the refresh token was refused (TikTok answers a
            36004xxx code, which the API calls read as a token error): the seller must
            authorize again.
        """
        try:
            return self._token(
                "/api/v2/token/refresh",
                {"refresh_token": refresh_token, "grant_type": "refresh_token"},
            )
        except (MarketplaceError, TokenExpiredError) as exc:
            raise AuthenticationError(
                f"TikTok refused the refresh token: {exc}", code=exc.code
            ) from exc

    def get_authorized_shops(self):
        return self._call("GET", "/authorization/202309/shops", shop_api=False).get(
            "shops", []
        )

    def get_authorized_shop(self, shop_ref):
        """The authorized shop of that id (or the only one): its cipher signs every
        shop call."""
        shops = self.get_authorized_shops()
        match = next((s for s in shops if str(s.get("id")) == str(shop_ref)), None) or (
            shops[0] if len(shops) == 1 else None
        )
        if not match:
            return None
        return {
            "shop_ref": str(match.get("id")),
            "cipher": match.get("cipher"),
            "name": match.get("name"),
        }

    def get_shop_info(self):
        shops = self.get_authorized_shops()
        match = next(
            (s for s in shops if s.get("cipher") == self.shop_cipher),
            shops[0] if shops else {},
        )
        return {"name": match.get("name") or str(self.shop_ref or "")}

    # ------------------------------------------------------------------ orders
    def search_orders(
        self, update_time_ge, update_time_lt, page_token="", page_size=50
    ):
        """One page: ``{"orders": [...full orders...], "next_page_token": str}``."""
        return self._call(
            "POST",
            "/order/202309/orders/search",
            params={
                "page_size": page_size,
                "page_token": page_token,
                "sort_field": "update_time",
                "sort_order": "ASC",
            },
            body={
                "update_time_ge": int(update_time_ge),
                "update_time_lt": int(update_time_lt),
            },
        )

    def list_orders(self, time_from, time_to, cursor="", page_size=100):
        """One page of full orders updated in ``[time_from, time_to)`` (the search
        answers full orders)."""
        page = self.search_orders(
            time_from, time_to, page_token=cursor, page_size=page_size
        )
        return {
            "orders": page.get("orders") or [],
            "next_cursor": page.get("next_page_token") or "",
        }

    def get_orders(self, order_ids):
        result = []
        order_ids = list(order_ids)
        for start in range(0, len(order_ids), MAX_DETAIL_BATCH):
            chunk = order_ids[start : start + MAX_DETAIL_BATCH]
            data = self._call(
                "GET", "/order/202309/orders", params={"ids": ",".join(chunk)}
            )
            result.extend(data.get("orders") or [])
        return result

    @staticmethod
    def order_ref(raw):
        return str(raw.get("id") or "") if isinstance(raw, dict) else ""

    @staticmethod
    def read_push(payload):
        """Webhook types (event.md): 1 ORDER_STATUS_CHANGE, 7
        UPCOMING_AUTHORIZATION_EXPIRATION, 6 SELLER_DEAUTHORIZATION.

        :raises MalformedPayload: a field of the wrong type.
        """
        kind = payload_api.integer(payload, "type")
        data = payload_api.obj(payload, "data")
        if kind == 1:
            return {
                "kind": "order",
                "ref": payload_api.identifier(data, "order_id"),
                "update_time": payload_api.integer(data, "update_time"),
            }
        if kind == 7:
            return {"kind": "authorization_expiring"}
        if kind == 6:
            return {"kind": "deauthorized"}
        return {"kind": None, "code": kind}

    # ------------------------------------------------------------------ fulfilment
    def ship_package(
        self,
        package_id,
        *,
        handover_method="PICKUP",
        pickup_slot=None,
        self_shipment=None,
    ):
        body = {"handover_method": handover_method}
        if pickup_slot:
            body["pickup_slot"] = pickup_slot
        if self_shipment:
            body["self_shipment"] = self_shipment
        return self._call(
            "POST", f"/fulfillment/202309/packages/{package_id}/ship", body=body
        )

    def ship(
        self,
        order_ref,
        package_ref=None,
        *,
        tracking_number=None,
        shipping_provider_id=None,
        handover_method=None,
    ):
        """Ship Package: ``handover_method`` (PICKUP by default) for platform
        shipping; with the seller's own tracking number ``DROP_OFF`` and
        ``self_shipment`` naming the provider id (fulfillment.md).

        A package TikTok no longer lets ship is looked up: when the order has it
        shipped already (a replay), that is the answer.

        :returns: ``{"tracking_number": str | None, "already_arranged": bool}``.
        """
        if not package_ref:
            raise MarketplaceError("The order has no TikTok package yet.")
        package = package_ref.split(",")[0]
        kwargs = {"handover_method": handover_method or "PICKUP"}
        if tracking_number:
            kwargs = {
                "handover_method": "DROP_OFF",
                "self_shipment": {
                    "tracking_number": tracking_number,
                    "shipping_provider_id": shipping_provider_id,
                },
            }
        try:
            self.ship_package(package, **kwargs)
        except MarketplaceError:
            tracking = self._arranged_tracking(order_ref, package)
            if tracking is None:
                raise
            return {
                "tracking_number": tracking or tracking_number,
                "already_arranged": True,
            }
        return {"tracking_number": tracking_number or None, "already_arranged": False}

    def _arranged_tracking(self, order_ref, package):
        """The package's tracking number ("" without one) when the order is shipped
        or waiting for collection, else ``None``."""
        orders = self.get_orders([order_ref])
        if not orders or orders[0].get("status") not in ARRANGED_STATUSES:
            return None
        return next(
            (
                line.get("tracking_number")
                for line in orders[0].get("line_items") or []
                if line.get("package_id") == package and line.get("tracking_number")
            ),
            "",
        )

    def get_label(self, order_ref, package_ref=None):
        """Shipping document: its URL is valid 24 h, so the PDF is downloaded at once
        (fulfillment.md).

        :returns: ``{"tracking_number": str, "label": bytes | None}``.
        """
        package = (package_ref or "").split(",")[0]
        doc = self.get_shipping_document(package)
        url = doc.get("doc_url")
        return {
            "tracking_number": doc.get("tracking_number") or "",
            "label": self.download(url) if url else None,
        }

    @staticmethod
    def delivery_option(raw_order):
        return (
            raw_order.get("delivery_option_id") if isinstance(raw_order, dict) else None
        )

    def get_shipping_providers(self, delivery_option_id):
        """``[{"id", "name"}]`` of a delivery option, for ``self_shipment``.

        ``GET /logistics/202309/delivery_options/{id}/shipping_providers`` (TTS OpenAPI
        ``logistics.md``; the sheet §2.4 only says "Provider IDs come from Get Shipping
        Providers") **[secondary]**.
        """
        return self._call(
            "GET",
            f"/logistics/202309/delivery_options/{delivery_option_id}"
            "/shipping_providers",
        ).get("shipping_providers", [])

    # ------------------------------------------------------------------ after-sales
    # return_refund.md (TTS OpenAPI) and EcomPHP ``ReturnRefund.php`` (reference §2.5):
    # approve/reject take an ``idempotency_key`` query parameter (≤255 chars).
    def search_cancellations(self, order_ids):
        """Cancellations of the orders: ``[{"cancel_id", "cancel_status", "cancel_type",
        "order_id", ...}]`` (``POST /return_refund/202309/cancellations/search``)."""
        return self._call(
            "POST",
            "/return_refund/202309/cancellations/search",
            params={"page_size": 50},
            body={"order_ids": [str(o) for o in order_ids]},
        ).get("cancellations", [])

    def approve_cancellation(self, cancel_id, idempotency_key):
        return self._call(
            "POST",
            f"/return_refund/202309/cancellations/{cancel_id}/approve",
            params={"idempotency_key": idempotency_key},
            body={},
        )

    def reject_cancellation(
        self, cancel_id, idempotency_key, reject_reason, comment=""
    ):
        """``reject_reason`` is one of ``GET /return_refund/202309/reject_reasons``."""
        body = {"reject_reason": reject_reason}
        if comment:
            body["comment"] = comment
        return self._call(
            "POST",
            f"/return_refund/202309/cancellations/{cancel_id}/reject",
            params={"idempotency_key": idempotency_key},
            body=body,
        )

    def get_reject_reasons(self, return_or_cancel_id):
        """``[{"name", "text"}]`` a seller may give to reject that request."""
        return self._call(
            "GET",
            "/return_refund/202309/reject_reasons",
            params={"return_or_cancel_id": return_or_cancel_id},
        ).get("reasons", [])

    def search_returns(self, order_ids=None, update_time_ge=None, update_time_lt=None):
        """All returns of the orders or of the update window (pages followed).

        ``POST /return_refund/202309/returns/search``: page_size 10-50, body filters
        ``order_ids``, ``update_time_ge``/``update_time_lt``; answer ``return_orders``
        and ``next_page_token``.
        """
        body = {}
        if order_ids:
            body["order_ids"] = [str(o) for o in order_ids]
        if update_time_ge is not None:
            body["update_time_ge"] = int(update_time_ge)
        if update_time_lt is not None:
            body["update_time_lt"] = int(update_time_lt)
        result, token = [], ""
        for _page in range(100):  # bounded
            data = self._call(
                "POST",
                "/return_refund/202309/returns/search",
                params={"page_size": 50, "page_token": token},
                body=body,
            )
            result.extend(data.get("return_orders") or [])
            token = data.get("next_page_token") or ""
            if not token:
                break
        return result

    def list_returns(self, time_from, time_to):
        """Every return updated in ``[time_from, time_to]`` (``update_time_lt`` is
        exclusive, return_refund.md)."""
        return self.search_returns(update_time_ge=time_from, update_time_lt=time_to + 1)

    def get_shipping_document(self, package_id, document_type="SHIPPING_LABEL"):
        """``{"doc_url" (valid 24 h), "tracking_number"}``."""
        return self._call(
            "GET",
            f"/fulfillment/202309/packages/{package_id}/shipping_documents",
            params={"document_type": document_type, "document_format": "PDF"},
        )

    def download(self, url):
        return self.session.request("GET", url).content

    def get_order_statement(self, order_id, version="202501"):
        """Settlement of one order: ``{"settlement_amount": Decimal | None, "raw": data}``.

        ``/finance/202309/...`` is documented for US/UK only; SEA shops must use
        ``202501``, where an unsettled order answers zero amounts (reference §2.7
        [secondary]): a zero or missing total is returned as ``None`` (pending).
        ``settlement_amount = revenue_amount + fee_amount + adjustment_amount``.
        """
        data = self._call(
            "GET", f"/finance/{version}/orders/{order_id}/statement_transactions"
        )
        records = data.get("statement_transactions") or []
        total = sum(optional_money(r.get("settlement_amount")) for r in records)
        if not total and data.get("settlement_amount") not in (None, ""):
            total = optional_money(data.get("settlement_amount"))
        return {"settlement_amount": total or None, "raw": data}

    def update_stock(self, item_id, stocks, warehouse_id=None):
        """Set stock of SKUs of one product (``inventory/update``).

        :param stocks: ``[(sku_id, qty)]``; the call must cover every warehouse of the
            SKU (``warehouse_id`` may be omitted when the shop has one).
        :returns: ``{sku_id: error message}`` for refused SKUs, ``sku_id`` as given.
        """

        def entry(qty):
            values = {"quantity": int(qty)}
            if warehouse_id:
                values["warehouse_id"] = warehouse_id
            return values

        given = {str(sku): sku for sku, _qty in stocks}
        data = self._call(
            "POST",
            f"/product/202309/products/{item_id}/inventory/update",
            body={
                "skus": [
                    {"id": str(sku), "inventory": [entry(qty)]} for sku, qty in stocks
                ]
            },
        )
        failures = {}
        for error in data.get("errors") or []:
            sku = str((error.get("detail") or {}).get("sku_id"))
            failures[given.get(sku, sku)] = error.get("message")
        return failures


# ---------------------------------------------------------------------- mapping
# ``fee_tax_breakdown.fee`` of Get Transactions by Order 202501 (TTS OpenAPI finance.md,
# partner.tiktokshop.com/docv2/page/get-transactionsby-order-202501), by bucket; the
# same names are read from the flat 202309 records. Fields not listed here
# (``fee_tax_breakdown.tax``, refund administration fee, new programmes) are left to the
# remainder ("other"). ``affiliate_commission_amount_before_pit`` / ``_deposit`` /
# ``_release`` are other views of the affiliate commission and are not added.
STATEMENT_FEE_BUCKETS = {
    "platform_commission_amount": "commission",
    "dynamic_commission_amount": "commission",  # Indonesia only
    "referral_fee_amount": "commission",  # US only
    "transaction_fee_amount": "transaction",
    "credit_card_handling_fee_amount": "transaction",
    "seller_paylater_handling_fee_amount": "transaction",
    "sfp_service_fee_amount": "service",
    "mall_service_fee_amount": "service",
    "pre_order_service_fee_amount": "service",
    "shipping_fee_guarantee_service_fee": "service",
    "installation_service_fee": "service",
    "dt_handling_fee_amount": "service",  # Dilayani Tokopedia fulfilment
    "tsp_commission_amount": "service",
    "epr_pob_service_fee_amount": "service",
    "fee_per_item_sold_amount": "service",
    "vn_fix_infrastructure_fee": "service",
    "affiliate_commission_amount": "campaign",
    "affiliate_ads_commission_amount": "campaign",
    "affiliate_partner_commission_amount": "campaign",
    "external_affiliate_marketing_fee_amount": "campaign",
    "cofunded_creator_bonus_amount": "campaign",
    "tap_shop_ads_commission": "campaign",
    "campaign_resource_fee": "campaign",
    "flash_sales_service_fee_amount": "campaign",
    "voucher_xtra_service_fee_amount": "campaign",
    "bonus_cashback_service_fee_amount": "campaign",
    "cofunded_promotion_service_fee_amount": "campaign",
    "live_specials_fee_amount": "campaign",
}


def statement_fees(data):
    """Fees of one order statement, by bucket.

    Amounts are signed as they move the seller's balance, a fee negative: peers' live
    data, e.g. ``699 - 45 - 20.99 - ... = settlement_amount`` **[secondary]**; the
    202501 page writes ``settlement_amount = revenue_amount - shipping_cost_amount -
    fee_tax_amount`` without saying the sign.

    202501 (``data.sku_transactions[]``): fees from ``fee_tax_breakdown.fee``; shipping
    from ``shipping_cost_breakdown`` (its contributory amounts; ``supplementary_component``
    only details them), where ``customer_paid_shipping_fee_amount`` is the buyer's
    share. 202309 flat records (``data.statement_transactions[]``): the same fee names;
    their shipping is left to the remainder.

    :returns: ``{"fees": {bucket: Decimal}, "buyer_shipping": Decimal | None}``, costs
        positive, ``fees["shipping"]`` before the buyer's share (see
        ``shopee.escrow_fees``).
    """
    data = data or {}
    fees = dict.fromkeys(FEE_BUCKETS, Decimal(0))
    buyer_shipping = None
    skus = data.get("sku_transactions") or []
    for record in skus:
        breakdown = (record.get("fee_tax_breakdown") or {}).get("fee") or {}
        for field, bucket in STATEMENT_FEE_BUCKETS.items():
            fees[bucket] -= optional_money(breakdown.get(field))
        shipping = record.get("shipping_cost_breakdown")
        if shipping is None:
            if record.get("shipping_cost_amount") not in (None, ""):
                # the total includes the buyer's share, as its breakdown does
                fees["shipping"] -= optional_money(record["shipping_cost_amount"])
                buyer_shipping = buyer_shipping or Decimal(0)
            continue
        for field, value in shipping.items():
            if isinstance(value, dict):
                continue  # supplementary_component: details, not contributions
            if field == "customer_paid_shipping_fee_amount":
                buyer_shipping = (buyer_shipping or Decimal(0)) + optional_money(value)
            else:
                fees["shipping"] -= optional_money(value)
    if not skus:
        for record in data.get("statement_transactions") or []:
            for field, bucket in STATEMENT_FEE_BUCKETS.items():
                fees[bucket] -= optional_money(record.get(field))
    return {"fees": fees, "buyer_shipping": buyer_shipping}


def describe_webhook(payload):
    """Dedupe on ``tts_notification_id``.

    The signature has no timestamp (reference §2.8). Every field read is type-checked.

    :raises MalformedPayload: (a ``ValueError``) naming the field that is missing or
        of the wrong type.
    """
    notification = payload_api.identifier(payload, "tts_notification_id")
    if not notification:
        raise payload_api.MalformedPayload("webhook without tts_notification_id")
    data = payload_api.obj(payload, "data")
    event_type = payload_api.integer(payload, "type") or 0
    external_id = (
        payload_api.identifier(data, "order_id")
        or payload_api.identifier(payload, "shop_id")
        or ""
    )
    return {
        "event_type": f"tiktok_{event_type}",
        "external_id": external_id,
        "dedupe_key": f"tiktok:{notification}",
    }


def normalize_order(order):
    """Map a 202309 order object to the neutral shape (``api.common``).

    ``line_items`` hold one unit each; they are grouped by ``sku_id``. Per unit:
    ``original_price``, ``seller_discount``, ``platform_discount`` (order.md). The sale
    order carries the product at ``original_price``, the seller discount as its own line
    and the buyer shipping fee; the platform-funded discount is paid to the seller by
    TikTok, so the sale order must total ``payment.total_amount +
    payment.platform_discount`` minus the buyer fees that go to the platform (ID:
    ``buyer_service_fee``, insurance fees) **[inference]**.

    :raises MalformedOrder: listing every problem.
    """
    problems = []
    if not isinstance(order, dict):
        raise MalformedOrder("order payload is not an object")
    for key in ("id", "status", "update_time"):
        if order.get(key) in (None, ""):
            problems.append(f"missing {key}")
    payment = order.get("payment")
    if not isinstance(payment, dict):
        problems.append("missing payment")
        payment = {}
    items = order.get("line_items")
    if not isinstance(items, list) or not items:
        problems.append("missing line_items")
        items = []
    grouped = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"line_items[{index}] is not an object")
            continue
        key = str(item.get("sku_id") or "")
        if not key:
            problems.append(f"line_items[{index}].sku_id missing")
        original = money(
            item.get("original_price"), f"line_items[{index}].original_price", problems
        )
        seller_discount = optional_money(item.get("seller_discount"))
        line = grouped.setdefault(
            key,
            {
                "item_id": str(item.get("product_id") or ""),
                "model_id": key,
                "sku": item.get("seller_sku") or "",
                "name": " ".join(
                    filter(None, [item.get("product_name"), item.get("sku_name")])
                ),
                "quantity": 0,
                "unit_price": original,
                "seller_discount": Decimal(0),
                "_prices": set(),
            },
        )
        line["quantity"] += 1
        line["seller_discount"] += seller_discount
        line["_prices"].add(original)
    for line in grouped.values():
        if len(line.pop("_prices")) > 1:
            problems.append(f"SKU {line['model_id']} has several original prices")
    total = money(payment.get("total_amount"), "payment.total_amount", problems)
    shipping = optional_money(payment.get("shipping_fee"))
    platform_discount = optional_money(payment.get("platform_discount"))
    buyer_fees = sum(
        optional_money(payment.get(k))
        for k in (
            "buyer_service_fee",
            "item_insurance_fee",
            "shipping_insurance_fee",
            "tax",
            "retail_delivery_fee",
        )
    )
    if problems:
        raise MalformedOrder("; ".join(problems))
    address = order.get("recipient_address") or {}
    districts = {
        d.get("address_level"): d.get("address_name")
        for d in address.get("district_info") or []
        if isinstance(d, dict)
    }
    name = address.get("name") or ""
    phone = address.get("phone_number") or ""
    return {
        "external_id": str(order["id"]),
        "status": order["status"],
        "create_time": int(order.get("create_time") or order["update_time"]),
        "update_time": int(order["update_time"]),
        "currency": payment.get("currency") or "IDR",
        "commerce_platform": order.get("commerce_platform") or "TIKTOK_SHOP",
        "buyer": {
            "external_id": str(order.get("user_id") or ""),
            "name": name,
            "phone": phone,
            "street": address.get("full_address")
            or address.get("address_detail")
            or "",
            "city": districts.get("L2") or "",
            "state": districts.get("L1") or "",
            "zip": address.get("postal_code") or "",
            "country_code": address.get("region_code") or "ID",
            "masked": looks_masked(name, phone),
        },
        "lines": list(grouped.values()),
        "seller_discount": Decimal(0),
        "platform_discount": platform_discount,
        "shipping_fee": shipping,
        "buyer_paid": total,
        "expected_total": total + platform_discount - buyer_fees,
        "packages": [
            {
                "id": p.get("id"),
                "tracking_number": next(
                    (
                        li.get("tracking_number")
                        for li in items
                        if li.get("package_id") == p.get("id")
                        and li.get("tracking_number")
                    ),
                    "",
                ),
            }
            for p in order.get("packages") or []
        ],
        "cancel_reason": order.get("cancel_reason") or "",
    }


def normalize_return(record):
    """Map a ``return_orders[]`` entry to the neutral return shape (see
    ``shopee.normalize_return``). ``return_type`` ``REFUND`` = the buyer keeps the
    goods; ``RETURN_AND_REFUND`` = they come back. ``return_line_items`` hold one unit
    each; ``refund_amount.refund_total`` is what the buyer gets back (return_refund.md).

    :raises MalformedOrder: listing every missing field.
    """
    problems = []
    if not isinstance(record, dict):
        raise MalformedOrder("return payload is not an object")
    for key in ("return_id", "order_id", "return_status"):
        if record.get(key) in (None, ""):
            problems.append(f"missing {key}")
    amount = money(
        (record.get("refund_amount") or {}).get("refund_total"),
        "refund_amount.refund_total",
        problems,
    )
    if problems:
        raise MalformedOrder("; ".join(problems))
    lines = {}
    for item in record.get("return_line_items") or []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("sku_id") or "")
        line = lines.setdefault(
            key,
            {
                "item_id": str(item.get("product_id") or ""),
                "model_id": key,
                "sku": item.get("seller_sku") or "",
                "quantity": 0,
            },
        )
        line["quantity"] += 1
    goods_back = record.get("return_type") == "RETURN_AND_REFUND" and not record.get(
        "can_buyer_keep_item"
    )
    return {
        "external_id": str(record["return_id"]),
        "order_ref": str(record["order_id"]),
        "status": record["return_status"],
        "update_time": int(record.get("update_time") or 0),
        "goods_back": goods_back,
        "refund_amount": amount,
        "lines": list(lines.values()),
    }
