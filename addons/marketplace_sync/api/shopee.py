# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shopee Open Platform v2 client: one method per remote operation, plain data out.

Sources (see ``/work/shared/reference/marketplaces.md`` §1):
* signing, tokens: open.shopee.com developer-guide/20 "Authorization and
  Authentication";
* orders and statuses: developer-guide/229 and the v2.order.* API pages;
* logistics: developer-guide/229 §8 and the v2.logistics.* pages;
* stock: v2.product.update_stock (≤50 models of one item per call);
* push: developer-guide/18.
"""

import hashlib
import hmac
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

API = "/api/v2"
PRODUCTION_URL = "https://partner.shopeemobile.com"
SANDBOX_URL = "https://openplatform.sandbox.test-stable.shopee.sg"
MAX_WINDOW_SECONDS = 15 * 24 * 3600  # get_order_list: time_to - time_from ≤ 15 days
MAX_DETAIL_BATCH = 50  # get_order_detail: 1-50 order_sn
MAX_STOCK_BATCH = 50  # update_stock: 1-50 models of one item
TOKEN_ERRORS = {
    "error_auth",
    "invalid_acceess_token",
    "invalid_access_token",
    "error_token",
}
RETRYABLE_ERRORS = {"error_server", "error_network", "error_busy", "error_inner"}
# Shipment arranged (tracking number requested) or further (developer-guide/229 §10).
ARRANGED_STATUSES = {"PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED"}
DETAIL_FIELDS = (
    "buyer_user_id,buyer_username,estimated_shipping_fee,recipient_address,"
    "actual_shipping_fee,item_list,pay_time,cancel_by,cancel_reason,package_list,"
    "shipping_carrier,payment_method,total_amount,note"
)


def sign(partner_key, *parts):
    """developer-guide/20: ``hex(HMAC-SHA256(partner_key, concat(parts)))``.

    No separators between the parts.

    Public APIs sign ``partner_id + path + timestamp``; shop APIs append ``access_token
    + shop_id``.
    """
    base = "".join(str(p) for p in parts)
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(push_key, callback_url, raw_body):
    """developer-guide/18: ``hex(HMAC-SHA256(key, callback_url + "|" + raw_body))``.

    ``raw_body`` must be the bytes as received, never re-serialised JSON.
    """
    message = callback_url.encode() + b"|" + raw_body
    return hmac.new(push_key.encode(), message, hashlib.sha256).hexdigest()


class ShopeeClient(MarketplaceClient):
    """Calls Shopee v2 for one shop (the operations of :class:`MarketplaceClient`, plus
    Shopee's own: lost pushes, escrow, returns, buyer cancellations).

    :param session: an ``IntegrationSession`` (timeouts, retries, masked log).
    :param base_url: host without trailing slash (production, sandbox or a test server).
    :param app_key: the app's partner id; :param app_secret: its partner key.
    :param shop_ref: the shop id; :param access_token: the current access token.
    """

    STOCK_BATCH = MAX_STOCK_BATCH

    def __init__(self, session, base_url, app_key, app_secret, **kwargs):
        super().__init__(session, base_url, app_key, app_secret, **kwargs)
        self.partner_id = int(app_key)
        self.partner_key = app_secret
        self.shop_id = int(self.shop_ref) if self.shop_ref else None

    # ------------------------------------------------------------------ plumbing
    def _query(self, path, shop_api):
        ts = int(self.clock())
        query = {"partner_id": self.partner_id, "timestamp": ts}
        if shop_api:
            if not self.access_token or not self.shop_id:
                raise TokenExpiredError(
                    "The shop has no access token: connect it first."
                )
            query["access_token"] = self.access_token
            query["shop_id"] = self.shop_id
            query["sign"] = sign(
                self.partner_key,
                self.partner_id,
                path,
                ts,
                self.access_token,
                self.shop_id,
            )
        else:
            query["sign"] = sign(self.partner_key, self.partner_id, path, ts)
        return query

    def _call(self, method, path, *, params=None, body=None, shop_api=True, raw=False):
        """Send one call; return ``response`` of the envelope (or the raw body).

        :raises TokenExpiredError: expired/invalid access token (refresh, then retry).
        :raises RetryableError: 429/5xx after retries, ``error_server``-like codes.
        :raises MarketplaceError: any other ``error`` code (``exc.code`` holds it).
        """
        path = API + path
        query = self._query(path, shop_api)
        query.update(params or {})
        kwargs = {"params": query, "accept_statuses": (400, 401, 403, 404)}
        if body is not None:
            kwargs["json"] = body
            # Shopee signs no body and its writes are keyed by order_sn/item: a replay
            # after a 5xx is answered with a business error, never applied twice.
            kwargs["retry_unsafe"] = True
        response = self.session.request(method, self.base_url + path, **kwargs)
        if (
            raw
            and response.status_code == 200
            and not response.headers.get("Content-Type", "").startswith(
                "application/json"
            )
        ):
            return response.content
        try:
            data = response.json()
        except ValueError as exc:
            raise RetryableError(
                f"Shopee answered HTTP {response.status_code} with a body that is not "
                "JSON."
            ) from exc
        error = data.get("error") if isinstance(data, dict) else "error_data"
        if error:
            message = f"{error}: {data.get('message') or ''}".strip()
            if error in TOKEN_ERRORS or "access_token" in (data.get("message") or ""):
                raise TokenExpiredError(
                    message, status_code=response.status_code, code=error
                )
            if error in RETRYABLE_ERRORS:
                raise RetryableError(
                    message, status_code=response.status_code, code=error
                )
            raise MarketplaceError(
                message, status_code=response.status_code, code=error
            )
        if response.status_code != 200:
            raise MarketplaceError(
                f"HTTP {response.status_code}", status_code=response.status_code
            )
        return data.get("response", data)

    # ------------------------------------------------------------------ authorization
    def authorization_url(self, redirect_url, state):
        """The seller's authorization page (valid 5 minutes, developer-guide/20).

        Shopee hands back only what the redirect URL carries: ``state`` rides on it.
        """
        path = API + "/shop/auth_partner"
        query = self._query(path, shop_api=False)
        query["redirect"] = f"{redirect_url}?{urlencode({'state': state})}"
        return f"{self.base_url}{path}?{urlencode(query)}"

    def _token_pair(self, data):
        # ``expire_in`` is a lifetime in seconds (developer-guide/20)
        return {
            "access_token": data["access_token"],
            "refresh_token": data.get("refresh_token"),
            "expires_at": int(self.clock()) + int(data.get("expire_in") or 0),
        }

    def get_token(self, code, shop_ref=None):
        """Exchange a single-use authorization code for a token pair."""
        shop_id = int(shop_ref or self.shop_id)
        data = self._call(
            "POST",
            "/auth/token/get",
            shop_api=False,
            body={"code": code, "shop_id": shop_id, "partner_id": self.partner_id},
        )
        return self._token_pair(data)

    def refresh_token(self, refresh_token):
        """Rotate the token pair; the refresh token is single-use (developer-guide/20).

        :raises AuthenticationError: the refresh token was refused (used, expired or the
            authorization ended): the seller must authorize again.
        """
        try:
            data = self._call(
                "POST",
                "/auth/access_token/get",
                shop_api=False,
                body={
                    "refresh_token": refresh_token,
                    "shop_id": self.shop_id,
                    "partner_id": self.partner_id,
                },
            )
        except MarketplaceError as exc:
            raise AuthenticationError(
                f"Shopee refused the refresh token: {exc}", code=exc.code
            ) from exc
        return self._token_pair(data)

    def get_authorized_shop(self, shop_ref):
        """Shopee authorizes the shop id the token was asked for: nothing to look up."""
        return {"shop_ref": str(self.shop_id), "cipher": None, "name": None}

    def get_shop_info(self):
        data = self._call("GET", "/shop/get_shop_info")
        return {"name": data.get("shop_name") or str(self.shop_id)}

    # ------------------------------------------------------------------ orders
    def get_order_list(
        self, time_from, time_to, cursor="", page_size=100, field="update_time"
    ):
        """One page: ``{"more", "next_cursor", "order_list": [{"order_sn", ...}]}``."""
        if time_to - time_from > MAX_WINDOW_SECONDS:
            raise ValueError("Shopee order windows are at most 15 days.")
        params = {
            "time_range_field": field,
            "time_from": int(time_from),
            "time_to": int(time_to),
            "page_size": page_size,
            "response_optional_fields": "order_status",
        }
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/order/get_order_list", params=params)

    def list_orders(self, time_from, time_to, cursor="", page_size=100):
        """One page of full orders updated in ``[time_from, time_to]``.

        Shopee's list has order numbers only: the page's details follow in one
        ``get_order_detail`` call (page size ≤ 100, two detail calls at most).
        """
        page = self.get_order_list(time_from, time_to, cursor, page_size)
        refs = [o["order_sn"] for o in page.get("order_list") or []]
        return {
            "orders": self.get_orders(refs) if refs else [],
            "next_cursor": (page.get("next_cursor") or "") if page.get("more") else "",
        }

    def get_orders(self, order_sns):
        """Full orders for the order numbers (all needed optional fields named), by
        50 per call."""
        result = []
        order_sns = list(order_sns)
        for start in range(0, len(order_sns), MAX_DETAIL_BATCH):
            chunk = order_sns[start : start + MAX_DETAIL_BATCH]
            data = self._call(
                "GET",
                "/order/get_order_detail",
                params={
                    "order_sn_list": ",".join(chunk),
                    "response_optional_fields": DETAIL_FIELDS,
                },
            )
            result.extend(data.get("order_list") or [])
        return result

    @staticmethod
    def order_ref(raw):
        return str(raw.get("order_sn") or "") if isinstance(raw, dict) else ""

    @staticmethod
    def read_push(payload):
        """Push codes (developer-guide/18): 3 order status, 4 tracking number, 12
        authorization expires in 7 days, 2 deauthorization. ``code`` may arrive as a
        string (reference §1.10 [secondary]).

        :raises MalformedPayload: a field of the wrong type.
        """
        code = payload_api.integer(payload, "code")
        data = payload_api.obj(payload, "data")
        if code in (3, 4):
            return {
                "kind": "order",
                "ref": payload_api.identifier(data, "ordersn")
                or payload_api.identifier(data, "order_sn"),
                "update_time": payload_api.integer(data, "update_time"),
            }
        if code == 12:
            return {"kind": "authorization_expiring"}
        if code == 2:
            return {"kind": "deauthorized"}
        return {"kind": None, "code": code}

    # ------------------------------------------------------------------ cancel, returns
    def handle_buyer_cancellation(self, order_sn, accept):
        """Accept or reject the buyer's cancellation request of an ``IN_CANCEL`` order.

        ``POST v2.order.handle_buyer_cancellation`` body ``{order_sn, operation:
        "ACCEPT"|"REJECT"}`` (API page; reference §1.5).
        """
        return self._call(
            "POST",
            "/order/handle_buyer_cancellation",
            body={"order_sn": order_sn, "operation": "ACCEPT" if accept else "REJECT"},
        )

    def get_return_list(
        self, time_from, time_to, page_no=0, page_size=50, field="create_time"
    ):
        """One page of returns created (or updated, ``field="update_time"``) in
        ``[time_from, time_to]`` (Unix seconds).

        ``GET v2.returns.get_return_list`` (page_no, page_size, create/update time
        windows; developer-guide/227). Answer ``{"more", "return": [return detail]}``:
        field names from the shopee-sdk schema ``src/schemas/returns.ts``
        **[secondary]**; the list has no order filter, the caller filters by
        ``order_sn``.
        """
        return self._call(
            "GET",
            "/returns/get_return_list",
            params={
                "page_no": page_no,
                "page_size": page_size,
                f"{field}_from": int(time_from),
                f"{field}_to": int(time_to),
            },
        )

    def list_returns(self, time_from, time_to):
        """Every return updated in ``[time_from, time_to]`` (pages followed, bounded)."""
        result = []
        for page_no in range(50):
            page = self.get_return_list(
                time_from, time_to, page_no=page_no, field="update_time"
            )
            result += page.get("return") or []
            if not page.get("more"):
                break
        return result

    def get_return_detail(self, return_sn):
        """``GET v2.returns.get_return_detail?return_sn=`` (developer-guide/227)."""
        return self._call(
            "GET", "/returns/get_return_detail", params={"return_sn": return_sn}
        )

    # ------------------------------------------------------------------ logistics
    def get_shipping_parameter(self, order_sn):
        return self._call(
            "GET", "/logistics/get_shipping_parameter", params={"order_sn": order_sn}
        )

    def ship_order(self, order_sn, *, pickup=None, dropoff=None, non_integrated=None):
        body = {"order_sn": order_sn}
        if pickup is not None:
            body["pickup"] = pickup
        elif non_integrated is not None:
            body["non_integrated"] = non_integrated
        else:
            body["dropoff"] = dropoff or {}
        return self._call("POST", "/logistics/ship_order", body=body)

    def _shipping_mode(self, order_sn):
        """``ship_order`` arguments from ``get_shipping_parameter``: pickup at the first
        pickup address and slot when Shopee needs a pickup, else drop-off
        (developer-guide/229 §8)."""
        params = self.get_shipping_parameter(order_sn)
        if "pickup" not in (params.get("info_needed") or {}):
            return {"dropoff": {}}
        addresses = (params.get("pickup") or {}).get("address_list") or []
        address = next(
            (a for a in addresses if "pickup_address" in (a.get("address_flag") or [])),
            None,
        ) or (addresses[0] if addresses else None)
        slots = (address or {}).get("time_slot_list") or []
        if not address or not slots:
            raise MarketplaceError(
                "Shopee offers no pickup address or time slot.", code="no_pickup_slot"
            )
        return {
            "pickup": {
                "address_id": address["address_id"],
                "pickup_time_id": slots[0]["pickup_time_id"],
            }
        }

    def ship(
        self,
        order_ref,
        package_ref=None,
        *,
        tracking_number=None,
        shipping_provider_id=None,
        handover_method=None,
    ):
        """Arrange shipment of an order: ``non_integrated`` with the seller's own
        tracking number, otherwise pickup or drop-off as Shopee asks.

        ``ship_order`` has no idempotency key: a replay (of a call that was applied
        although its answer was lost) is refused with a status error. The order is then
        looked up; when Shopee has it arranged already, that is the answer.

        :returns: ``{"tracking_number": str | None, "already_arranged": bool}``.
        """
        if tracking_number:
            mode = {"non_integrated": {"tracking_number": tracking_number}}
        else:
            try:
                mode = self._shipping_mode(order_ref)
            except MarketplaceError:
                if self._arranged(order_ref):
                    return self._already_arranged(order_ref, tracking_number)
                raise
        try:
            self.ship_order(order_ref, **mode)
        except MarketplaceError:
            if not self._arranged(order_ref):
                raise
            return self._already_arranged(order_ref, tracking_number)
        return {"tracking_number": tracking_number or None, "already_arranged": False}

    def _arranged(self, order_ref):
        orders = self.get_orders([order_ref])
        return bool(orders) and orders[0].get("order_status") in ARRANGED_STATUSES

    def _already_arranged(self, order_ref, tracking_number):
        return {
            "tracking_number": self.get_tracking_number(order_ref) or tracking_number,
            "already_arranged": True,
        }

    def get_tracking_number(self, order_sn):
        data = self._call(
            "GET", "/logistics/get_tracking_number", params={"order_sn": order_sn}
        )
        return data.get("tracking_number") or ""

    def get_label(self, order_ref, package_ref=None):
        """Tracking number, then the air waybill once there is one.

        :returns: ``{"tracking_number": str, "label": bytes | None}``.
        """
        tracking = self.get_tracking_number(order_ref)
        label = self.download_label(order_ref) if tracking else None
        return {"tracking_number": tracking, "label": label}

    def download_label(self, order_sn, document_type="THERMAL_AIR_WAYBILL"):
        """create → result → download (developer-guide/229 §8.5); returns PDF bytes.

        :raises MarketplaceError: the document could not be created (listed reason).
        """
        order = [{"order_sn": order_sn, "shipping_document_type": document_type}]
        created = self._call(
            "POST", "/logistics/create_shipping_document", body={"order_list": order}
        )
        for result in created.get("result_list") or []:
            if result.get("fail_error"):
                raise MarketplaceError(
                    f"{result['fail_error']}: {result.get('fail_message', '')}",
                    code=result["fail_error"],
                )
        state = self._call(
            "POST",
            "/logistics/get_shipping_document_result",
            body={"order_list": order},
        )
        statuses = {r.get("status") for r in state.get("result_list") or []}
        if statuses != {"READY"}:
            raise RetryableError(f"Shipping document not ready yet: {sorted(statuses)}")
        return self._call(
            "POST",
            "/logistics/download_shipping_document",
            body={"shipping_document_type": document_type, "order_list": order},
            raw=True,
        )

    # ------------------------------------------------------------------ push catch-up
    def get_lost_push_messages(self):
        """Earliest unconfirmed lost pushes of the last 3 days (v2.push.
        get_lost_push_message): ``{"push_message_list": [...], "has_next_page",
        "last_message_id"}``. Partner-level call (public sign) **[inference]**."""
        return self._call("GET", "/push/get_lost_push_message", shop_api=False)

    def confirm_lost_push_messages(self, last_message_id):
        return self._call(
            "POST",
            "/push/confirm_consumed_lost_push_message",
            shop_api=False,
            body={"last_message_id": last_message_id},
        )

    # ------------------------------------------------------------------ stock, payment
    def update_stock(self, item_id, stocks):
        """Set seller stock of ≤50 models of one item (v2.product.update_stock).

        :param stocks: ``[(model_id, qty)]`` (``model_id`` 0 or empty for items without
            variants).
        :returns: ``{model_id: reason}`` of the refused models, ``model_id`` as given.
        """
        if not 1 <= len(stocks) <= MAX_STOCK_BATCH:
            raise ValueError("update_stock takes 1-50 models of one item.")
        given = {int(model_id or 0): model_id for model_id, _qty in stocks}
        data = self._call(
            "POST",
            "/product/update_stock",
            body={
                "item_id": int(item_id),
                "stock_list": [
                    {
                        "model_id": int(model_id or 0),
                        "seller_stock": [{"stock": int(qty)}],
                    }
                    for model_id, qty in stocks
                ],
            },
        )
        return {
            given.get(int(f.get("model_id") or 0), f.get("model_id")): f.get(
                "failed_reason"
            )
            for f in data.get("failure_list") or []
        }

    def get_escrow_detail(self, order_sn):
        return self._call(
            "GET", "/payment/get_escrow_detail", params={"order_sn": order_sn}
        )


# ---------------------------------------------------------------------- mapping
def order_gap(norm):
    """What the lines + shipping miss to reach ``expected_total`` (vouchers, mostly)."""
    lines = sum(
        li["unit_price"] * li["quantity"] - li["seller_discount"]
        for li in norm["lines"]
    )
    return norm["expected_total"] - (
        lines - norm["seller_discount"] + norm["shipping_fee"]
    )


def apply_escrow(norm, escrow):
    """Complete a normalized order with the vouchers of ``get_escrow_detail``.

    The order detail has no voucher breakdown; ``order_income`` has
    ``voucher_from_seller`` (seller-funded: lowers the sale), ``voucher_from_shopee``
    and ``coins`` (Shopee-funded: paid to the seller, so they raise what the sale order
    must total above ``total_amount``) and ``buyer_paid_shipping_fee`` (v2.payment.
    get_escrow_detail; field meanings per the escrow formula, reference §1.8).

    ``order_income.items[]`` say per item (``item_id``, ``model_id``) which share of
    the seller voucher it got (``discount_from_voucher_seller``) and its subtotals
    before and after the seller's item promotions (``original_price``,
    ``discounted_price``: "the subtotal of that specific item if quantity exceeds
    1"). When those shares add up to the voucher they go on their lines; otherwise
    the voucher stays order-level (``seller_discount``) and the model spreads it pro
    rata. A line the order detail gave no discounted price (bundle deals: "returns 0
    for bundle-deal items") takes its discount from the item subtotals.
    """
    income = (escrow or {}).get("order_income") or {}
    norm = dict(norm)
    lines = [dict(line) for line in norm["lines"]]
    items = {}
    for item in income.get("items") or []:
        if not isinstance(item, dict):
            continue
        key = (str(item.get("item_id") or ""), str(item.get("model_id") or "0"))
        entry = items.setdefault(
            key,
            {"voucher": Decimal(0), "original": Decimal(0), "discounted": Decimal(0)},
        )
        entry["voucher"] += optional_money(item.get("discount_from_voucher_seller"))
        entry["original"] += optional_money(item.get("original_price"))
        entry["discounted"] += optional_money(item.get("discounted_price"))
    by_line = {(line["item_id"], line["model_id"]): line for line in lines}
    for key, entry in items.items():
        line = by_line.get(key)
        if (
            line
            and not line["seller_discount"]
            and entry["discounted"]
            and entry["original"] > entry["discounted"]
        ):
            line["seller_discount"] = entry["original"] - entry["discounted"]
    voucher = optional_money(income.get("voucher_from_seller"))
    shares = {key: entry["voucher"] for key, entry in items.items() if entry["voucher"]}
    if voucher and sum(shares.values()) == voucher and set(shares) <= set(by_line):
        for key, share in shares.items():
            by_line[key]["seller_discount"] += share
        voucher = Decimal(0)
    norm["lines"] = lines
    norm["seller_discount"] = voucher
    platform = optional_money(income.get("voucher_from_shopee")) + optional_money(
        income.get("coins")
    )
    norm["platform_discount"] = platform
    norm["expected_total"] = norm["buyer_paid"] + platform
    if income.get("buyer_paid_shipping_fee") not in (None, ""):
        norm["shipping_fee"] = optional_money(income["buyer_paid_shipping_fee"])
    return norm


# Seller-borne fees of ``order_income``, by settlement bucket. Every field is one the
# documented formula subtracts from ``escrow_amount`` (open.shopee.com/documents/v2/
# v2.payment.get_escrow_detail, "For non cb sip affiliate shop (new formula)"); fees are
# sent as positive amounts. ``credit_card_transaction_fee`` is not used: it is
# ``buyer_transaction_fee + seller_transaction_fee`` (same page), and the buyer's part is
# not the seller's cost. Taxes (``escrow_tax``, ``withholding_tax``...) have no bucket.
ESCROW_FEE_BUCKETS = {
    "commission_fee": "commission",
    "service_fee": "service",
    "seller_order_processing_fee": "service",
    "shipping_seller_protection_fee_amount": "service",
    "delivery_seller_protection_fee_premium_amount": "service",
    "seller_transaction_fee": "transaction",
    "campaign_fee": "campaign",
    "order_ams_commission_fee": "campaign",
}
# Shipping terms of the same formula, signed as a cost for the seller: the carrier's
# ``actual_shipping_fee`` and return legs are paid out of the escrow, Shopee's rebate,
# the 3PL discount (ID only) and the return-shipping insurance claim come back.
ESCROW_SHIPPING_COST = {
    "actual_shipping_fee": 1,
    "reverse_shipping_fee": 1,
    "final_return_to_seller_shipping_fee": 1,
    "shopee_shipping_rebate": -1,
    "shipping_fee_discount_from_3pl": -1,
    "rsf_seller_protection_fee_claim_amount": -1,
}


def escrow_fees(escrow):
    """Fees of one escrow detail, by bucket.

    :param escrow: the ``get_escrow_detail`` answer (``{"order_income": {...}}``).
    :returns: ``{"fees": {bucket: Decimal}, "buyer_shipping": Decimal | None}``: costs
        are positive, a bucket may be negative (a rebate larger than the shipping cost).
        ``fees["shipping"]`` is the shipping paid out of the escrow net of Shopee's
        rebates, before what the buyer paid for shipping (``buyer_paid_shipping_fee``,
        returned apart, ``None`` when the field is absent): the invoice already bills
        that part to the buyer.
    """
    income = (escrow or {}).get("order_income") or {}
    fees = dict.fromkeys(FEE_BUCKETS, Decimal(0))
    for field, bucket in ESCROW_FEE_BUCKETS.items():
        fees[bucket] += optional_money(income.get(field))
    for field, sign in ESCROW_SHIPPING_COST.items():
        fees["shipping"] += sign * optional_money(income.get(field))
    buyer = income.get("buyer_paid_shipping_fee")
    return {
        "fees": fees,
        "buyer_shipping": None if buyer in (None, "") else optional_money(buyer),
    }


def describe_push(payload):
    """Event type, external id and dedupe key of a push (developer-guide/18).

    ``code`` and ``shop_id`` may arrive as strings (reference §1.10 [secondary]); every
    field read is type-checked. Order pushes dedupe on (shop, order_sn, status,
    update_time).

    :raises MalformedPayload: (a ``ValueError``) naming the field that is missing or
        of the wrong type.
    """
    code = payload_api.integer(payload, "code", required=True)
    data = payload_api.obj(payload, "data")
    shop_id = payload_api.identifier(payload, "shop_id") or ""
    if code in (3, 4):
        order_sn = payload_api.identifier(data, "ordersn") or payload_api.identifier(
            data, "order_sn"
        )
        if not order_sn:
            raise payload_api.MalformedPayload("order push without data.ordersn")
        status = payload_api.text(data, "status") or ""
        update_time = payload_api.identifier(data, "update_time") or ""
        tracking_no = payload_api.identifier(data, "tracking_no") or ""
        key = f"shopee:{shop_id}:{order_sn}:{code}:{status}:{update_time}:{tracking_no}"
        return {
            "event_type": f"shopee_{code}",
            "external_id": order_sn,
            "dedupe_key": key,
        }
    timestamp = payload_api.identifier(payload, "timestamp") or ""
    return {
        "event_type": f"shopee_{code}",
        "external_id": shop_id,
        "dedupe_key": f"shopee:{shop_id}:{code}:{timestamp}",
    }


def normalize_order(detail):
    """Map a ``get_order_detail`` entry to the neutral order shape (``api.common``).

    Prices: ``model_original_price`` is the list price per unit and
    ``model_discounted_price`` the seller's item price after its own discount; it
    "returns 0
    for bundle-deal items" (API page), in which case no item discount is derived here
    and the totals check decides. ``total_amount`` is what the buyer paid, shipping
    included. ``estimated_shipping_fee`` is taken as the buyer-paid shipping
    **[inference]**: the order detail has no buyer-paid shipping field (escrow detail
    has ``buyer_paid_shipping_fee``).

    :raises MalformedOrder: listing every missing or unreadable field.
    """
    problems = []
    if not isinstance(detail, dict):
        raise MalformedOrder("order payload is not an object")
    for key in ("order_sn", "order_status", "update_time"):
        if detail.get(key) in (None, ""):
            problems.append(f"missing {key}")
    items = detail.get("item_list")
    if not isinstance(items, list) or not items:
        problems.append("missing item_list")
        items = []
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"item_list[{index}] is not an object")
            continue
        qty = item.get("model_quantity_purchased")
        if not isinstance(qty, int) or qty <= 0:
            problems.append(
                f"item_list[{index}].model_quantity_purchased invalid: {qty!r}"
            )
            qty = 0
        original = money(
            item.get("model_original_price"),
            f"item_list[{index}].model_original_price",
            problems,
        )
        discounted = optional_money(item.get("model_discounted_price"))
        discount = (original - discounted) * qty if discounted else Decimal(0)
        lines.append(
            {
                "item_id": str(item.get("item_id") or ""),
                "model_id": str(item.get("model_id") or "0"),
                "sku": item.get("model_sku") or item.get("item_sku") or "",
                "name": " ".join(
                    filter(None, [item.get("item_name"), item.get("model_name")])
                ),
                "quantity": qty,
                "unit_price": original,
                "seller_discount": discount,
            }
        )
    total = money(detail.get("total_amount"), "total_amount", problems)
    shipping = optional_money(detail.get("estimated_shipping_fee"))
    if problems:
        raise MalformedOrder("; ".join(problems))
    address = detail.get("recipient_address") or {}
    name = address.get("name") or detail.get("buyer_username") or ""
    phone = address.get("phone") or ""
    return {
        "external_id": detail["order_sn"],
        "status": detail["order_status"],
        "create_time": int(detail.get("create_time") or detail["update_time"]),
        "update_time": int(detail["update_time"]),
        "currency": detail.get("currency") or "IDR",
        "commerce_platform": "SHOPEE",
        "buyer": {
            "external_id": str(detail.get("buyer_user_id") or ""),
            "name": name,
            "phone": phone,
            "street": address.get("full_address") or "",
            "city": address.get("city") or "",
            "state": address.get("state") or "",
            "zip": address.get("zipcode") or "",
            "country_code": address.get("region") or "ID",
            "masked": looks_masked(name, phone, address.get("full_address")),
        },
        "lines": lines,
        "seller_discount": Decimal(0),
        "platform_discount": Decimal(0),
        "shipping_fee": shipping,
        "buyer_paid": total,
        "expected_total": total,
        "packages": [
            {"id": p.get("package_number"), "tracking_number": ""}
            for p in detail.get("package_list") or []
        ],
        "cancel_reason": detail.get("cancel_reason") or "",
    }


def normalize_return(detail):
    """Map a return detail (get_return_detail / get_return_list entry) to the neutral
    return shape::

        {"external_id", "order_ref", "status", "update_time", "goods_back": bool,
         "refund_amount": Decimal,
         "lines": [{"item_id", "model_id", "sku", "quantity"}]}

    ``needs_logistics`` says whether the buyer sends the goods back (solution
    RETURN_REFUND) or not (REFUND); ``item[].amount`` is the returned quantity
    (shopee-sdk ``returns.ts`` **[secondary]**).

    :raises MalformedOrder: listing every missing field.
    """
    problems = []
    if not isinstance(detail, dict):
        raise MalformedOrder("return payload is not an object")
    for key in ("return_sn", "order_sn", "status"):
        if detail.get(key) in (None, ""):
            problems.append(f"missing {key}")
    amount = money(detail.get("refund_amount"), "refund_amount", problems)
    if problems:
        raise MalformedOrder("; ".join(problems))
    return {
        "external_id": str(detail["return_sn"]),
        "order_ref": str(detail["order_sn"]),
        "status": detail["status"],
        "update_time": int(detail.get("update_time") or 0),
        "goods_back": bool(detail.get("needs_logistics", True)),
        "refund_amount": amount,
        "lines": [
            {
                "item_id": str(item.get("item_id") or ""),
                "model_id": str(item.get("model_id") or "0"),
                "sku": item.get("variation_sku") or item.get("item_sku") or "",
                "quantity": int(item.get("amount") or 0),
            }
            for item in detail.get("item") or []
            if isinstance(item, dict)
        ],
    }
