# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An imitation of Shopee Open Platform v2, mounted under ``/shopee``.

Contract followed (see ``/work/shared/reference/marketplaces.md`` §1, from
open.shopee.com developer-guide/20, /229, /18 and the v2 API pages):

* every call carries ``partner_id``, ``timestamp`` and ``sign`` in the query; shop calls
  add ``access_token`` and ``shop_id``. ``sign = hex(HMAC-SHA256(partner_key, partner_id
  + path + timestamp [+ access_token + shop_id]))`` where ``path`` starts at
  ``/api/v2``. A wrong or missing sign answers ``error_sign``; a timestamp older than 5
  minutes ``error_param``;
* access tokens expire (``expire_in`` 14400 s, or whatever a test sets) and refresh
  tokens are single-use (a second use answers ``error_param``/invalid refresh token);
* ``get_order_list`` pages by ``cursor`` over a ``time_from``/``time_to`` window of at
  most 15 days; ``get_order_detail`` takes at most 50 order numbers;
* the seller's authorization page ``GET /api/v2/shop/auth_partner?partner_id&timestamp
  &sign&redirect`` (public sign, link valid 5 minutes) asks the seller to authorize the
  shop; on *Authorize* it redirects to ``redirect?code=..&shop_id=..`` with a single-use
  code valid 10 minutes (developer-guide/20, reference §1.2);
* pushes to Odoo are signed ``Authorization = hex(HMAC-SHA256(push_key, url + "|" +
  body))``;
* ``ship_order`` has no idempotency key: a replay of an applied call is refused with
  ``logistics.ship_order_status_error`` (the order is PROCESSED). Test fault
  ``lose_answer()``: a call is applied, then answered HTTP 500 (a lost answer).

Plain Python: no Odoo import.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import time

from .framework import Response, add_query, esc, html_page, redirect
from .marketplace import MarketplaceHandler

API = "/api/v2"
FIFTEEN_DAYS = 15 * 24 * 3600


def shopee_sign(partner_key, *parts):
    base = "".join(str(p) for p in parts)
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


class ShopeeApi(MarketplaceHandler):
    prefix = "/shopee"
    name = "shopee"
    order_key = "order_sn"
    status_field = "order_status"
    code_prefix = "code-"
    consent_title = "Shopee authorization"

    partner_id = 1000016
    partner_key = "shopee-partner-key-test"
    push_key = "shopee-push-key-test"
    shop_id = 54804
    shop_name = "Toko Test"
    app_name = "Odoo Indonesia Suite"
    token_lifetime = 14400

    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self):
        result = super().reset()
        with self.lock:
            self.orders = {}  # order_sn -> detail dict
            self.escrows = {}  # order_sn -> escrow detail
            self.stock = {}  # (item_id, model_id) -> stock
            self.stock_failures = set()  # (item_id, model_id) answering in failure_list
            self.shipped = {}  # order_sn -> ship_order body
            self.returns = {}  # return_sn -> return detail (v2.returns.*)
            self.cancellation_answers = []  # handle_buyer_cancellation bodies
            self.tracking = {}  # order_sn -> tracking number
            self.access_tokens = {}  # token -> expires_at
            self.refresh_tokens = {}  # token -> "valid" | "used"
            self.auth_codes = {}
            self.refresh_calls = 0
            self._seq = itertools.count(1)
            self.clock_offset = 0
            # expire every token after N more shop calls (None: never)
            self.expire_tokens_after = None
            self.lost_pushes = []  # [(message_id, message)] not confirmed yet
        return result

    # ------------------------------------------------------------------ test helpers
    def now(self):
        return int(time.time()) + self.clock_offset

    def issue_tokens(self, lifetime=None):
        """Create a token pair as if the shop had just authorized the app."""
        with self.lock:
            access = "acc-" + secrets.token_hex(8)
            refresh = "ref-" + secrets.token_hex(8)
            self.access_tokens[access] = self.now() + (lifetime or self.token_lifetime)
            self.refresh_tokens[refresh] = "valid"
            return access, refresh, lifetime or self.token_lifetime

    # ``order_income`` amounts the documented formula adds to / subtracts from
    # ``escrow_amount`` (v2.payment.get_escrow_detail, non cb sip affiliate shops;
    # reference §1.8).
    ESCROW_PLUS = (
        "original_cost_of_goods_sold",
        "seller_return_refund",
        "shopee_discount",
        "buyer_paid_shipping_fee",
        "shopee_shipping_rebate",
        "shipping_fee_discount_from_3pl",
        "rsf_seller_protection_fee_claim_amount",
        "buyer_paid_packaging_fee",
    )
    ESCROW_MINUS = (
        "original_shopee_discount",
        "voucher_from_seller",
        "seller_coin_cash_back",
        "actual_shipping_fee",
        "reverse_shipping_fee",
        "final_return_to_seller_shipping_fee",
        "seller_transaction_fee",
        "service_fee",
        "commission_fee",
        "campaign_fee",
        "shipping_seller_protection_fee_amount",
        "delivery_seller_protection_fee_premium_amount",
        "final_escrow_product_gst",
        "order_ams_commission_fee",
        "escrow_tax",
        "sales_tax_on_lvg",
        "reverse_shipping_fee_sst",
        "shipping_fee_sst",
        "withholding_tax",
        "overseas_return_service_fee",
        "vat_on_imported_goods",
        "withholding_vat_tax",
        "withholding_pit_tax",
        "seller_order_processing_fee",
        "trade_in_bonus_by_seller",
    )

    def settle(self, order_sn, **income):
        """Store the escrow detail of a settled order and return it.

        Defaults: the buyer paid the items and the estimated shipping, the carrier
        charged that shipping, commission 6.5 %, service fee 4 % of the items and
        transaction fee 2 % of the buyer's total (invented values, IDR). ``income``
        overrides ``order_income`` fields; ``escrow_amount`` is computed with the
        documented formula unless given.
        """
        with self.lock:
            order = self.orders[order_sn]
            items = order["item_list"]
            goods = sum(
                i["model_discounted_price"] * i["model_quantity_purchased"]
                for i in items
            )
            shipping = order.get("estimated_shipping_fee") or 0
            values = dict.fromkeys(self.ESCROW_PLUS + self.ESCROW_MINUS, 0)
            values.update(
                buyer_total_amount=order["total_amount"],
                order_original_price=sum(
                    i["model_original_price"] * i["model_quantity_purchased"]
                    for i in items
                ),
                original_cost_of_goods_sold=goods,
                cost_of_goods_sold=goods,
                voucher_from_shopee=0,
                coins=0,
                buyer_transaction_fee=0,
                buyer_paid_shipping_fee=shipping,
                estimated_shipping_fee=shipping,
                actual_shipping_fee=shipping,
                final_shipping_fee=0,
                commission_fee=round(goods * 0.065),
                service_fee=round(goods * 0.04),
                seller_transaction_fee=round(order["total_amount"] * 0.02),
            )
            values.update(income)
            if "escrow_amount" not in income:
                values["escrow_amount"] = sum(
                    values[k] for k in self.ESCROW_PLUS
                ) - sum(values[k] for k in self.ESCROW_MINUS)
            values.setdefault("credit_card_transaction_fee", 0)
            values["credit_card_transaction_fee"] = (
                values["buyer_transaction_fee"] + values["seller_transaction_fee"]
            )
            values.setdefault("total_adjustment_amount", 0)
            values.setdefault("escrow_amount_after_adjustment", values["escrow_amount"])
            escrow = {
                "order_sn": order_sn,
                "buyer_user_name": order.get("buyer_username", ""),
                "return_order_sn_list": [],
                "order_income": values,
            }
            self.escrows[order_sn] = escrow
            return escrow

    def push_payload(self, order_sn, status=None, update_time=None, code=3):
        order = self.orders[order_sn]
        return {
            "data": {
                "items": [],
                "ordersn": order_sn,
                "status": status or order["order_status"],
                "completed_scenario": "",
                "update_time": update_time or order["update_time"],
            },
            "shop_id": self.shop_id,
            "code": code,
            "timestamp": self.now(),
        }

    def push(self, url, payload, key=None, sign=True, signature=None):
        """POST a push to Odoo signed like Shopee does (developer-guide/18)."""
        body = json.dumps(payload).encode()
        headers = {}
        if sign:
            headers["Authorization"] = (
                signature
                or hmac.new(
                    (key or self.push_key).encode(),
                    url.encode() + b"|" + body,
                    hashlib.sha256,
                ).hexdigest()
            )
        return self.send_callback(url, body, headers=headers)

    # ------------------------------------------------------------------ plumbing
    def error_response(self, status, request):
        return Response(
            status,
            {
                "error": "error_server",
                "message": "injected fault",
                "request_id": "fault",
            },
        )

    def _error(self, error, message, status=400):
        return Response(
            status,
            {"error": error, "message": message, "request_id": secrets.token_hex(8)},
        )

    def _ok(self, response, **extra):
        body = {"error": "", "message": "", "request_id": secrets.token_hex(8)}
        if response is not None:
            body["response"] = response
        body.update(extra)
        return Response(200, body)

    def _check(self, request, shop_api=True):
        """Sign, timestamp and token checks (developer-guide/20); None when fine."""
        path = request.path[len(self.prefix) :]
        partner_id = request.arg("partner_id")
        timestamp = request.arg("timestamp")
        sign = request.arg("sign")
        if not (partner_id and timestamp and sign):
            return self._error(
                "error_param", "partner_id, timestamp and sign are required"
            )
        if str(partner_id) != str(self.partner_id):
            return self._error("error_param", "invalid partner_id")
        if abs(self.now() - int(timestamp)) > 300:
            return self._error("error_param", "Invalid timestamp")
        parts = [partner_id, path, timestamp]
        if shop_api:
            access_token = request.arg("access_token", "")
            shop_id = request.arg("shop_id", "")
            parts += [access_token, shop_id]
        expected = shopee_sign(self.partner_key, *parts)
        if not hmac.compare_digest(expected, sign):
            return self._error("error_sign", "Wrong sign.", status=403)
        if shop_api:
            if str(shop_id) != str(self.shop_id):
                return self._error("error_shop", "shop_id invalid", status=403)
            with self.lock:
                expires = self.access_tokens.get(access_token)
                if expires is not None and self.expire_tokens_after is not None:
                    self.expire_tokens_after -= 1
                    if self.expire_tokens_after < 0:
                        self.expire_tokens_after = None
                        for token in self.access_tokens:
                            self.access_tokens[token] = 0
                        expires = 0
            if expires is None or expires <= self.now():
                return self._error(
                    "invalid_acceess_token", "Invalid access_token.", status=403
                )
        return None

    def register_routes(self):
        r = self.route
        r("GET", API + "/shop/auth_partner", self.auth_page)
        r("POST", API + "/shop/auth_partner", self.auth_answer)
        r("POST", API + "/auth/token/get", self.token_get)
        r("POST", API + "/auth/access_token/get", self.token_refresh)
        r("GET", API + "/shop/get_shop_info", self.shop_info)
        r("GET", API + "/order/get_order_list", self.order_list)
        r("GET", API + "/order/get_order_detail", self.order_detail)
        r("POST", API + "/order/handle_buyer_cancellation", self.buyer_cancellation)
        r("GET", API + "/returns/get_return_list", self.return_list)
        r("GET", API + "/returns/get_return_detail", self.return_detail)
        r("GET", API + "/logistics/get_shipping_parameter", self.shipping_parameter)
        r("POST", API + "/logistics/ship_order", self.ship_order)
        r("GET", API + "/logistics/get_tracking_number", self.tracking_number)
        r("POST", API + "/logistics/create_shipping_document", self.create_document)
        r("POST", API + "/logistics/get_shipping_document_result", self.document_result)
        r("POST", API + "/logistics/download_shipping_document", self.download_document)
        r("POST", API + "/product/update_stock", self.update_stock)
        r("GET", API + "/payment/get_escrow_detail", self.escrow_detail)
        r("GET", API + "/push/get_lost_push_message", self.lost_push)
        r(
            "POST",
            API + "/push/confirm_consumed_lost_push_message",
            self.confirm_lost_push,
        )

    # ------------------------------------------------------------------ auth
    def _auth_link_error(self, params):
        """Why an authorization link is refused (public sign, 5 minutes), or None."""
        partner_id = params.get("partner_id")
        timestamp = params.get("timestamp") or ""
        sign = params.get("sign") or ""
        if str(partner_id) != str(self.partner_id):
            return "invalid partner_id"
        if not timestamp.isdigit() or abs(self.now() - int(timestamp)) > 300:
            return "The authorization link has expired (it is valid 5 minutes)."
        expected = shopee_sign(
            self.partner_key, partner_id, API + "/shop/auth_partner", timestamp
        )
        if not hmac.compare_digest(expected, sign):
            return "Wrong sign."
        if not params.get("redirect", "").startswith(("http://", "https://")):
            return "redirect is required"
        return None

    def auth_page(self, request):
        """The seller's consent page (Shopee shows a login, then this question)."""
        params = {k: request.arg(k, "") for k in self.AUTH_PARAMS}
        error = self._auth_link_error(params)
        if error:
            return html_page(
                "Shopee authorization",
                f"<main class='consent'><section><h1>Shopee Open Platform</h1>"
                f"<p class='msg error'>{esc(error)}</p></section></main>",
                status=400 if "sign" in error or "partner" in error else 403,
            )
        body = (
            "<main class='consent'><section><h1>Shopee Open Platform (test)</h1>"
            f"<p>Authorize shop <b class='shop'>{esc(self.shop_name)}</b> "
            f"(shop_id {self.shop_id}) for app <b class='app'>{esc(self.app_name)}"
            f"</b> (partner_id {self.partner_id})?</p>"
            "<p class='muted'>The app may read orders, arrange shipments and update "
            "stock of this shop for 365 days.</p>"
            + self._consent_form("shopee_consent", params)
            + "<p class='muted'>After Authorize you return to "
            f"<code>{esc(params['redirect'])}</code></p></section></main>"
        )
        return html_page("Shopee authorization", body)

    AUTH_PARAMS = ("partner_id", "timestamp", "sign", "redirect")

    def auth_answer(self, request):
        """The seller's answer: a code on the redirect URL, as Shopee sends it back."""
        params = request.form()
        error = self._auth_link_error(params)
        if error:
            return self._consent_refused(error, 403)
        if params.get("decision") != "authorize":
            return self._consent_cancelled()
        code = self.issue_auth_code()
        return redirect(
            add_query(params["redirect"], code=code, shop_id=str(self.shop_id)),
            status=302,
        )

    def token_get(self, request):
        error = self._check(request, shop_api=False)
        if error:
            return error
        body = request.json() or {}
        with self.lock:
            if self.auth_codes.get(body.get("code")) != "valid":
                return self._error("error_param", "Invalid code")
            self.auth_codes[body["code"]] = "used"
        access, refresh, lifetime = self.issue_tokens()
        return Response(
            200,
            {
                "access_token": access,
                "refresh_token": refresh,
                "expire_in": lifetime,
                "request_id": secrets.token_hex(8),
                "error": "",
                "message": "",
                "shop_id_list": [self.shop_id],
            },
        )

    def token_refresh(self, request):
        error = self._check(request, shop_api=False)
        if error:
            return error
        body = request.json() or {}
        with self.lock:
            self.refresh_calls += 1
            token = body.get("refresh_token")
            if self.refresh_tokens.get(token) != "valid":
                return self._error("error_param", "Invalid refresh_token.")
            # developer-guide/20: a refresh token is single-use
            self.refresh_tokens[token] = "used"
        access, refresh, lifetime = self.issue_tokens()
        return Response(
            200,
            {
                "partner_id": self.partner_id,
                "shop_id": self.shop_id,
                "access_token": access,
                "refresh_token": refresh,
                "expire_in": lifetime,
                "request_id": secrets.token_hex(8),
                "error": "",
                "message": "",
            },
        )

    def shop_info(self, request):
        return self._check(request) or self._ok(
            None, shop_name="Toko Test", region="ID", status="NORMAL"
        )

    # ------------------------------------------------------------------ orders
    def order_list(self, request):
        error = self._check(request)
        if error:
            return error
        field = request.arg("time_range_field")
        try:
            time_from = int(request.arg("time_from"))
            time_to = int(request.arg("time_to"))
            page_size = int(request.arg("page_size"))
        except (TypeError, ValueError):
            return self._error(
                "error_param", "time_from, time_to and page_size are required"
            )
        if field not in ("create_time", "update_time"):
            return self._error("error_param", "time_range_field is invalid")
        if time_from > time_to or time_to - time_from > FIFTEEN_DAYS:
            return self._error(
                "order.order_list_invalid_time",
                "Start time must be earlier than end time and diff in 15days.",
            )
        if not 1 <= page_size <= 100:
            return self._error("error_param", "page_size should be between 1 and 100")
        offset = int(request.arg("cursor") or 0)
        with self.lock:
            matching = sorted(
                (o for o in self.orders.values() if time_from <= o[field] <= time_to),
                key=lambda o: (o[field], o["order_sn"]),
            )
            page = matching[offset : offset + page_size]
            more = offset + page_size < len(matching)
            order_list = [
                {"order_sn": o["order_sn"], "order_status": o["order_status"]}
                for o in page
            ]
        return self._ok(
            {
                "more": more,
                "next_cursor": str(offset + page_size) if more else "",
                "order_list": order_list,
            }
        )

    def order_detail(self, request):
        error = self._check(request)
        if error:
            return error
        sns = [s for s in (request.arg("order_sn_list") or "").split(",") if s]
        if not 1 <= len(sns) <= 50:
            return self._error(
                "error_param", "order_sn_list should contain 1-50 orders"
            )
        with self.lock:
            found = [
                json.loads(json.dumps(self.orders[sn]))
                for sn in sns
                if sn in self.orders
            ]
        return self._ok({"order_list": found})

    # ------------------------------------------------------------------ after-sales
    def buyer_cancellation(self, request):
        """v2.order.handle_buyer_cancellation ``{order_sn, operation}``: ACCEPT cancels
        the order, REJECT puts it back to READY_TO_SHIP; only for IN_CANCEL orders."""
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        with self.lock:
            order = self.orders.get(body.get("order_sn"))
            if not order:
                return self._error("error_not_found", "order not found")
            if body.get("operation") not in ("ACCEPT", "REJECT"):
                return self._error("error_param", "operation must be ACCEPT or REJECT")
            if order["order_status"] != "IN_CANCEL":
                return self._error(
                    "error_param", "The order has no buyer cancellation to handle."
                )
            self.cancellation_answers.append(body)
            if body["operation"] == "ACCEPT":
                order["order_status"] = "CANCELLED"
                order["cancel_by"] = "buyer"
                order["cancel_reason"] = "BUYER_REQUEST"
            else:
                order["order_status"] = "READY_TO_SHIP"
            order["update_time"] = max(order["update_time"] + 1, self.now())
        return self._ok({"order_status": order["order_status"]})

    def put_return(self, detail):
        """Add or replace a return (a get_return_detail ``response``)."""
        with self.lock:
            detail.setdefault("update_time", self.now())
            detail.setdefault("create_time", detail["update_time"])
            self.returns[detail["return_sn"]] = detail
        return detail

    def return_list(self, request):
        """v2.returns.get_return_list: page_no/page_size, create_time_from/to or
        update_time_from/to; answers ``{"more", "return": [...]}``."""
        error = self._check(request)
        if error:
            return error
        try:
            page_no = int(request.arg("page_no"))
            page_size = int(request.arg("page_size"))
        except (TypeError, ValueError):
            return self._error("error_param", "page_no and page_size are required")
        if not 1 <= page_size <= 100:
            return self._error("error_param", "page_size should be between 1 and 100")
        field = "update_time" if request.arg("update_time_from") else "create_time"
        time_from = int(request.arg(f"{field}_from") or 0)
        time_to = int(request.arg(f"{field}_to") or 2**40)
        with self.lock:
            matching = sorted(
                (r for r in self.returns.values() if time_from <= r[field] <= time_to),
                key=lambda r: (r[field], r["return_sn"]),
            )
            start = page_no * page_size
            page = json.loads(json.dumps(matching[start : start + page_size]))
        return self._ok({"more": start + page_size < len(matching), "return": page})

    def return_detail(self, request):
        error = self._check(request)
        if error:
            return error
        with self.lock:
            detail = self.returns.get(request.arg("return_sn"))
        if not detail:
            return self._error("error_not_found", "return not found")
        return self._ok(json.loads(json.dumps(detail)))

    # ------------------------------------------------------------------ logistics
    def shipping_parameter(self, request):
        error = self._check(request)
        if error:
            return error
        sn = request.arg("order_sn")
        if sn not in self.orders:
            return self._error("error_not_found", "order not found")
        return self._ok(
            {
                "info_needed": {
                    "pickup": ["address_id", "pickup_time_id"],
                    "dropoff": [],
                },
                "pickup": {
                    "address_list": [
                        {
                            "address_id": 2826,
                            "address_flag": ["default_address", "pickup_address"],
                            "time_slot_list": [
                                {"pickup_time_id": "1639472400", "date": 1639472400}
                            ],
                        }
                    ]
                },
                "dropoff": {"branch_list": []},
            }
        )

    def ship_order(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        sn = body.get("order_sn")
        with self.lock:
            order = self.orders.get(sn)
            if not order:
                return self._error("error_not_found", "order not found")
            if order["order_status"] not in ("READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    "logistics.ship_order_status_error",
                    "Order status cannot be shipped.",
                )
            self.shipped[sn] = body
            if "non_integrated" in body:
                self.tracking[sn] = body["non_integrated"].get("tracking_number")
            else:
                self.tracking[sn] = f"SPXID{next(self._seq):010d}"
            order["order_status"] = "PROCESSED"
            order["update_time"] = max(order["update_time"] + 1, self.now())
        return self._ok(None)

    def tracking_number(self, request):
        error = self._check(request)
        if error:
            return error
        sn = request.arg("order_sn")
        return self._ok({"tracking_number": self.tracking.get(sn, "")})

    def create_document(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        results = [
            {"order_sn": o["order_sn"]}
            if o.get("order_sn") in self.tracking
            else {
                "order_sn": o.get("order_sn"),
                "fail_error": "logistics.tracking_number_invalid",
                "fail_message": "No tracking number",
            }
            for o in body.get("order_list", [])
        ]
        return self._ok({"result_list": results})

    def document_result(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        return self._ok(
            {
                "result_list": [
                    {"order_sn": o.get("order_sn"), "status": "READY"}
                    for o in body.get("order_list", [])
                ]
            }
        )

    def download_document(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        sns = ",".join(o.get("order_sn", "") for o in body.get("order_list", []))
        pdf = b"%PDF-1.4\n% Shopee AWB " + sns.encode() + b"\n%%EOF\n"
        return Response(200, pdf, {"Content-Type": "application/pdf"})

    # ------------------------------------------------------------------ stock / payment
    def update_stock(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        item_id = body.get("item_id")
        stock_list = body.get("stock_list") or []
        if not item_id or not 1 <= len(stock_list) <= 50:
            return self._error("error_param", "stock_list should contain 1-50 models")
        success, failure = [], []
        with self.lock:
            for entry in stock_list:
                key = (int(item_id), int(entry.get("model_id") or 0))
                if key in self.stock_failures:
                    failure.append(
                        {
                            "model_id": key[1],
                            "failed_reason": "stock is less than reserved stock",
                        }
                    )
                    continue
                qty = entry["seller_stock"][0]["stock"]
                self.stock[key] = qty
                success.append({"model_id": key[1], "seller_stock": [{"stock": qty}]})
        return self._ok({"success_list": success, "failure_list": failure})

    def lose_push(self, payload):
        """Record a push that Shopee could not deliver (for get_lost_push_message)."""
        with self.lock:
            self.lost_pushes.append((next(self._seq), payload))

    def lost_push(self, request):
        error = self._check(request, shop_api=False)
        if error:
            return error
        with self.lock:
            page = self.lost_pushes[:100]
            more = len(self.lost_pushes) > 100
        return self._ok(
            {
                "push_message_list": [
                    dict(m, data=json.dumps(m["data"])) for _i, m in page
                ],
                "has_next_page": more,
                "last_message_id": page[-1][0] if page else 0,
            }
        )

    def confirm_lost_push(self, request):
        error = self._check(request, shop_api=False)
        if error:
            return error
        last = (request.json() or {}).get("last_message_id") or 0
        with self.lock:
            self.lost_pushes = [(i, m) for i, m in self.lost_pushes if i > last]
        return self._ok(None)

    def escrow_detail(self, request):
        error = self._check(request)
        if error:
            return error
        sn = request.arg("order_sn")
        if sn not in self.escrows:
            return self._error("error_not_found", "escrow not found")
        return self._ok(self.escrows[sn])
