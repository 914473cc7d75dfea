# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An imitation of the TikTok Shop Open API (202309+, also serving Tokopedia shops),
mounted under ``/tiktok`` (API host and auth host share the prefix).

Contract followed (``/work/shared/reference/marketplaces.md`` §2, from the TikTok Shop
OpenAPI spec and the EcomPHP SDK ``src/Client.php::prepareSignature``):

* every API call carries ``app_key``, ``timestamp``, ``sign`` (and ``shop_cipher`` on
  shop calls) in the query, the access token in header ``x-tts-access-token``; ``sign =
  hex(HMAC-SHA256(secret, secret + path + sorted(k+v) + body + secret))`` with ``sign``
  and ``access_token`` left out of the parameters and the raw body appended for non-GET
  calls;
* envelope ``{code, message, data, request_id}``; ``code`` 0 is success, 106001 wrong
  sign, 105002 expired access token (105xxx = token errors);
* the seller's authorization page ``GET /oauth/authorize?app_key&state`` (EcomPHP
  ``src/Auth.php``): on *Authorize* it redirects to the redirect URL registered with the
  app (``redirect_url``; default ``$ODOO_PUBLIC_URL`` or ``$ODOO_URL`` +
  ``/marketplace/oauth/callback``) with ``code`` and ``state`` (reference §2.1);
* token endpoints ``/api/v2/token/get`` and ``/api/v2/token/refresh`` return absolute
  Unix ``access_token_expire_in`` / ``refresh_token_expire_in``;
* order search pages with ``page_token`` over ``update_time_ge``/``update_time_lt``;
* webhooks to Odoo are signed ``Authorization = hex(HMAC-SHA256(app_secret, app_key +
  body))``;
* Ship Package on a package already shipped answers 21011015. Test fault
  ``lose_answer()``: a call is applied, then answered HTTP 500 (a lost answer).

Plain Python: no Odoo import.
"""

import hashlib
import hmac
import itertools
import json
import os
import secrets
import time

from .framework import Response, add_query, esc, html_page, redirect
from .marketplace import MarketplaceHandler


def tiktok_sign(app_secret, path, params, body=b""):
    """The documented signature (EcomPHP ``Client::prepareSignature``)."""
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k not in ("sign", "access_token", "x-tts-access-token")
        and not isinstance(v, (list, tuple))
    )
    base = path + "".join(f"{k}{v}" for k, v in items)
    if isinstance(body, str):
        body = body.encode()
    message = app_secret.encode() + base.encode() + (body or b"") + app_secret.encode()
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


class TiktokApi(MarketplaceHandler):
    prefix = "/tiktok"
    name = "tiktok"
    order_key = "id"
    status_field = "status"
    code_prefix = "ttcode-"
    consent_title = "TikTok Shop authorization"

    app_key = "tts-app-key-test"
    app_secret = "tts-app-secret-test"
    shop_id = "7494001234567890"
    shop_cipher = "ROW_cipher_test"
    shop_name = "Toko Test"
    app_name = "Odoo Indonesia Suite"
    token_lifetime = 7 * 24 * 3600

    def __init__(self):
        super().__init__()
        # The redirect URL registered with the app in the Partner Center.
        odoo = os.environ.get("ODOO_PUBLIC_URL") or os.environ.get("ODOO_URL")
        self.redirect_url = (
            odoo.rstrip("/") + "/marketplace/oauth/callback" if odoo else None
        )
        self.reset()

    def reset(self):
        result = super().reset()
        with self.lock:
            self.orders = {}
            self.shipped = {}
            self.cancellations = {}  # cancel_id -> cancellation (return_refund.md)
            self.returns = {}  # return_id -> return order (returns/search entry)
            self.idempotency = {}  # idempotency_key -> answer already given
            self.providers = {}  # delivery_option_id -> [{"id", "name"}]
            self.inventory = {}  # sku_id -> quantity
            self.inventory_failures = set()
            self.statements = {}  # order_id -> statement_transactions list
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.auth_codes = {}
            self.refresh_calls = 0
            self._seq = itertools.count(1)
        return result

    # ------------------------------------------------------------------ helpers
    def now(self):
        return int(time.time())

    def settle(self, order_id, fee=None, tax=None, shipping=None):
        """Store the Get Transactions by Order 202501 answer of a settled order.

        Shape per TTS OpenAPI ``finance.md`` (get-transactionsby-order-202501): totals
        on ``data``, one ``sku_transactions[]`` entry per SKU with ``revenue_breakdown``,
        ``fee_tax_breakdown.{fee,tax}`` and ``shipping_cost_breakdown``. Amounts are
        strings signed as they move the seller's balance (fees negative)
        **[secondary]**. Defaults (invented, IDR): platform commission 6.5 % and
        transaction fee 2 % of the SKU revenue; the carrier charged what the buyer
        paid for shipping. ``fee`` / ``tax`` / ``shipping`` override breakdown amounts
        of the first SKU (numbers).
        """
        with self.lock:
            order = self.orders[order_id]
            skus = {}
            for line in order["line_items"]:
                sku = skus.setdefault(
                    line["sku_id"],
                    {"name": line.get("sku_name", ""), "subtotal": 0, "discount": 0},
                )
                sku["subtotal"] += int(line["original_price"])
                sku["discount"] += int(line.get("seller_discount") or 0)
            paid_shipping = int(order["payment"].get("shipping_fee") or 0)
            transactions = []
            for index, (sku_id, sku) in enumerate(skus.items()):
                revenue = {
                    "subtotal_before_discount_amount": sku["subtotal"],
                    "seller_discount_amount": -sku["discount"],
                }
                net = sku["subtotal"] - sku["discount"]
                fees = {
                    "platform_commission_amount": -round(net * 0.065),
                    "transaction_fee_amount": -round(net * 0.02),
                }
                taxes = {}
                ship = {}
                if index == 0:
                    ship = {
                        "actual_shipping_fee_amount": -paid_shipping,
                        "customer_paid_shipping_fee_amount": paid_shipping,
                        "shipping_fee_discount_amount": 0,
                    }
                    fees.update(fee or {})
                    taxes.update(tax or {})
                    ship.update(shipping or {})
                transactions.append(
                    {
                        "sku_id": sku_id,
                        "sku_name": sku["name"],
                        "statement_id": "7300000000000000001",
                        "revenue_amount": sum(revenue.values()),
                        "revenue_breakdown": revenue,
                        "fee_tax_amount": sum(fees.values()) + sum(taxes.values()),
                        "fee_tax_breakdown": {"fee": fees, "tax": taxes},
                        "shipping_cost_amount": sum(ship.values()),
                        "shipping_cost_breakdown": ship,
                    }
                )
            for record in transactions:
                record["settlement_amount"] = (
                    record["revenue_amount"]
                    + record["fee_tax_amount"]
                    + record["shipping_cost_amount"]
                )

            def total(key):
                return str(sum(r[key] for r in transactions))

            def strings(value):
                if isinstance(value, dict):
                    return {k: strings(v) for k, v in value.items()}
                return str(value)

            data = {
                "currency": "IDR",
                "revenue_amount": total("revenue_amount"),
                "fee_and_tax_amount": total("fee_tax_amount"),
                "shipping_cost_amount": total("shipping_cost_amount"),
                "settlement_amount": total("settlement_amount"),
                "sku_transactions": [
                    {
                        k: (strings(v) if k not in ("sku_id", "sku_name") else v)
                        for k, v in r.items()
                    }
                    for r in transactions
                ],
                "total_count": len(transactions),
            }
            self.statements[order_id] = data
            return data

    def issue_tokens(self, lifetime=None):
        with self.lock:
            access = "tta-" + secrets.token_hex(8)
            refresh = "ttr-" + secrets.token_hex(8)
            expires = self.now() + (lifetime or self.token_lifetime)
            self.access_tokens[access] = expires
            self.refresh_tokens[refresh] = "valid"
            return access, refresh, expires

    def webhook_payload(
        self, order_id, status=None, update_time=None, notification_id=None
    ):
        order = self.orders[order_id]
        return {
            "type": 1,
            "tts_notification_id": notification_id or str(7000000000 + next(self._seq)),
            "shop_id": self.shop_id,
            "timestamp": self.now(),
            "data": {
                "order_id": order_id,
                "order_status": status or order["status"],
                "is_on_hold_order": False,
                "update_time": update_time or order["update_time"],
            },
        }

    def push(self, url, payload, sign=True, signature=None):
        body = json.dumps(payload).encode()
        headers = {}
        if sign:
            headers["Authorization"] = (
                signature
                or hmac.new(
                    self.app_secret.encode(),
                    self.app_key.encode() + body,
                    hashlib.sha256,
                ).hexdigest()
            )
        return self.send_callback(url, body, headers=headers)

    # ------------------------------------------------------------------ plumbing
    def error_response(self, status, request):
        return Response(
            status,
            {"code": 36009004, "message": "injected fault", "request_id": "fault"},
        )

    def _error(self, code, message, status=400):
        return Response(
            status,
            {"code": code, "message": message, "request_id": secrets.token_hex(8)},
        )

    def _ok(self, data):
        return Response(
            200,
            {
                "code": 0,
                "message": "Success",
                "data": data,
                "request_id": secrets.token_hex(8),
            },
        )

    def _check(self, request, shop_api=True):
        params = {k: v[0] for k, v in request.query.items()}
        if params.get("app_key") != self.app_key:
            return self._error(106002, "Invalid app_key", status=401)
        if (
            not params.get("timestamp")
            or abs(self.now() - int(params["timestamp"])) > 300
        ):
            return self._error(106003, "Invalid timestamp", status=401)
        path = request.path[len(self.prefix) :]
        body = request.body if request.method != "GET" else b""
        expected = tiktok_sign(self.app_secret, path, params, body)
        if not hmac.compare_digest(expected, params.get("sign") or ""):
            return self._error(
                106001,
                "Invalid credentials. The 'sign' query parameter is invalid",
                401,
            )
        if request.header("x-tts-access-token") is None:
            return self._error(105001, "Access token is missing", status=401)
        with self.lock:
            expires = self.access_tokens.get(request.header("x-tts-access-token"))
        if expires is None or expires <= self.now():
            return self._error(105002, "Access token is expired", status=401)
        if shop_api and params.get("shop_cipher") != self.shop_cipher:
            return self._error(106011, "Invalid shop_cipher", status=400)
        return None

    def register_routes(self):
        r = self.route
        r("GET", "/oauth/authorize", self.auth_page)
        r("POST", "/oauth/authorize", self.auth_answer)
        r("GET", "/api/v2/token/get", self.token_get)
        r("GET", "/api/v2/token/refresh", self.token_refresh)
        r("GET", "/authorization/202309/shops", self.shops)
        r("POST", "/order/202309/orders/search", self.order_search)
        r("GET", "/order/202309/orders", self.order_detail)
        r("POST", "/fulfillment/202309/packages/{package_id}/ship", self.ship_package)
        r(
            "GET",
            "/logistics/202309/delivery_options/{option_id}/shipping_providers",
            self.shipping_providers,
        )
        r("POST", "/return_refund/202309/cancellations/search", self.cancel_search)
        r(
            "POST",
            "/return_refund/202309/cancellations/{cancel_id}/approve",
            self.cancel_approve,
        )
        r(
            "POST",
            "/return_refund/202309/cancellations/{cancel_id}/reject",
            self.cancel_reject,
        )
        r("GET", "/return_refund/202309/reject_reasons", self.reject_reasons)
        r("POST", "/return_refund/202309/returns/search", self.return_search)
        r(
            "GET",
            "/fulfillment/202309/packages/{package_id}/shipping_documents",
            self.documents,
        )
        r("GET", "/docs/{package_id}.pdf", self.document_file)
        r(
            "GET",
            "/finance/202501/orders/{order_id}/statement_transactions",
            self.statement_transactions,
        )
        r(
            "POST",
            "/product/202309/products/{product_id}/inventory/update",
            self.inventory_update,
        )

    # ------------------------------------------------------------------ auth
    def _auth_error(self, params):
        if params.get("app_key") != self.app_key:
            return "Invalid app_key"
        if not self.redirect_url:
            return "The app has no redirect URL registered (set ODOO_URL)."
        return None

    def auth_page(self, request):
        """The seller's consent page."""
        params = {k: request.arg(k, "") for k in ("app_key", "state")}
        error = self._auth_error(params)
        if error:
            return html_page(
                "TikTok Shop authorization",
                f"<main class='consent'><section><h1>TikTok Shop</h1>"
                f"<p class='msg error'>{esc(error)}</p></section></main>",
                status=400,
            )
        body = (
            "<main class='consent'><section><h1>TikTok Shop Partner Center (test)"
            f"</h1><p>Authorize shop <b class='shop'>{esc(self.shop_name)}</b> "
            f"(shop {self.shop_id}) for app <b class='app'>{esc(self.app_name)}</b>"
            f" (app_key {esc(self.app_key)})?</p>"
            "<p class='muted'>Scopes: orders, fulfilment, products, finance.</p>"
            + self._consent_form("tiktok_consent", params)
            + "<p class='muted'>After Authorize you return to "
            f"<code>{esc(self.redirect_url)}</code></p></section></main>"
        )
        return html_page("TikTok Shop authorization", body)

    def auth_answer(self, request):
        params = request.form()
        error = self._auth_error(params)
        if error:
            return self._consent_refused(error, 400)
        if params.get("decision") != "authorize":
            return self._consent_cancelled()
        code = self.issue_auth_code()
        return redirect(
            add_query(self.redirect_url, code=code, state=params.get("state", "")),
            status=302,
        )

    def _token_answer(self, access, refresh, expires):
        return self._ok(
            {
                "access_token": access,
                "access_token_expire_in": expires,
                "refresh_token": refresh,
                "refresh_token_expire_in": expires + 300 * 24 * 3600,
                "open_id": "open-test",
                "seller_name": "Toko Test",
                "seller_base_region": "ID",
                "user_type": 0,
                "granted_scopes": ["seller.order.info"],
            }
        )

    def token_get(self, request):
        if (
            request.arg("app_key") != self.app_key
            or request.arg("app_secret") != self.app_secret
        ):
            return self._error(36004004, "invalid app credentials", status=401)
        code = request.arg("auth_code")
        with self.lock:
            if self.auth_codes.get(code) != "valid":
                return self._error(36004004, "invalid auth_code")
            self.auth_codes[code] = "used"
        return self._token_answer(*self.issue_tokens())

    def token_refresh(self, request):
        if (
            request.arg("app_key") != self.app_key
            or request.arg("app_secret") != self.app_secret
        ):
            return self._error(36004004, "invalid app credentials", status=401)
        with self.lock:
            self.refresh_calls += 1
            token = request.arg("refresh_token")
            if self.refresh_tokens.get(token) != "valid":
                return self._error(36004005, "invalid refresh_token")
            self.refresh_tokens[token] = "used"
        return self._token_answer(*self.issue_tokens())

    def shops(self, request):
        error = self._check(request, shop_api=False)
        if error:
            return error
        return self._ok(
            {
                "shops": [
                    {
                        "id": self.shop_id,
                        "name": "Toko Test",
                        "region": "ID",
                        "code": "IDLCTEST",
                        "cipher": self.shop_cipher,
                        "seller_type": "LOCAL",
                    }
                ]
            }
        )

    # ------------------------------------------------------------------ orders
    def order_search(self, request):
        error = self._check(request)
        if error:
            return error
        try:
            page_size = int(request.arg("page_size"))
        except (TypeError, ValueError):
            return self._error(36009003, "page_size is required")
        if not 1 <= page_size <= 100:
            return self._error(36009003, "page_size must be 1-100")
        body = request.json() or {}
        ge = body.get("update_time_ge", 0)
        lt = body.get("update_time_lt", 2**40)
        offset = int(request.arg("page_token") or 0)
        with self.lock:
            matching = sorted(
                (o for o in self.orders.values() if ge <= o["update_time"] < lt),
                key=lambda o: (o["update_time"], o["id"]),
            )
            page = [
                json.loads(json.dumps(o)) for o in matching[offset : offset + page_size]
            ]
            more = offset + page_size < len(matching)
        return self._ok(
            {
                "orders": page,
                "next_page_token": str(offset + page_size) if more else "",
                "total_count": len(matching),
            }
        )

    def order_detail(self, request):
        error = self._check(request)
        if error:
            return error
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 50:
            return self._error(36009003, "ids must contain 1-50 orders")
        with self.lock:
            found = [
                json.loads(json.dumps(self.orders[i])) for i in ids if i in self.orders
            ]
        return self._ok({"orders": found})

    # ------------------------------------------------------------------ fulfilment
    def _order_of_package(self, package_id):
        for order in self.orders.values():
            if any(p.get("id") == package_id for p in order.get("packages", [])):
                return order
        return None

    def ship_package(self, request):
        error = self._check(request)
        if error:
            return error
        package_id = request.params["package_id"]
        with self.lock:
            order = self._order_of_package(package_id)
            if not order:
                return self._error(21011001, "package not found")
            if order["status"] != "AWAITING_SHIPMENT":
                return self._error(21011015, "package status does not allow shipping")
            body = request.json() or {}
            self.shipped[package_id] = body
            tracking = (body.get("self_shipment") or {}).get("tracking_number") or (
                f"JX{next(self._seq):012d}"
            )
            for line in order.get("line_items", []):
                if line.get("package_id") == package_id:
                    line["tracking_number"] = tracking
            order["status"] = "AWAITING_COLLECTION"
            order["update_time"] = max(order["update_time"] + 1, self.now())
        return self._ok({})

    # ------------------------------------------------------------------ after-sales
    def request_cancellation(self, order_id):
        """The buyer asks to cancel (order flag + a pending BUYER_CANCEL record)."""
        with self.lock:
            order = self.orders[order_id]
            order["is_buyer_request_cancel"] = True
            order["update_time"] = max(order["update_time"] + 1, self.now())
            cancel_id = str(4000000000 + next(self._seq))
            self.cancellations[cancel_id] = {
                "cancel_id": cancel_id,
                "order_id": order_id,
                "cancel_status": "CANCELLATION_REQUEST_PENDING",
                "cancel_type": "BUYER_CANCEL",
                "role": "BUYER",
                "cancel_reason": "ecom_order_buyer_cancel_reason_change_of_mind",
                "create_time": self.now(),
                "update_time": self.now(),
            }
            return cancel_id

    def cancel_search(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        ids = set(body.get("order_ids") or [])
        with self.lock:
            found = [
                dict(c)
                for c in self.cancellations.values()
                if not ids or c["order_id"] in ids
            ]
        return self._ok(
            {"cancellations": found, "next_page_token": "", "total_count": len(found)}
        )

    def _answer_cancellation(self, request, approve):
        error = self._check(request)
        if error:
            return error
        key = request.arg("idempotency_key")
        with self.lock:
            if key and key in self.idempotency:
                return self._ok(self.idempotency[key])
            cancellation = self.cancellations.get(request.params["cancel_id"])
            if not cancellation:
                return self._error(36009003, "cancellation not found")
            if cancellation["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
                return self._error(36009003, "cancellation is not pending")
            if not approve and not (request.json() or {}).get("reject_reason"):
                return self._error(36009003, "reject_reason is required")
            order = self.orders[cancellation["order_id"]]
            order["is_buyer_request_cancel"] = False
            if approve:
                cancellation["cancel_status"] = "CANCELLATION_REQUEST_SUCCESS"
                order["status"] = "CANCELLED"
                order["cancel_reason"] = cancellation["cancel_reason"]
            else:
                cancellation["cancel_status"] = "CANCELLATION_REQUEST_CANCEL"
            cancellation["answer"] = request.json() or {}
            order["update_time"] = max(order["update_time"] + 1, self.now())
            if key:
                self.idempotency[key] = {}
        return self._ok({})

    def cancel_approve(self, request):
        return self._answer_cancellation(request, True)

    def cancel_reject(self, request):
        return self._answer_cancellation(request, False)

    def reject_reasons(self, request):
        error = self._check(request)
        if error:
            return error
        if not request.arg("return_or_cancel_id"):
            return self._error(36009003, "return_or_cancel_id is required")
        return self._ok(
            {
                "reasons": [
                    {
                        "name": "seller_reject_apply_product_has_been_packed",
                        "text": "The product has been packed",
                    }
                ]
            }
        )

    def put_return(self, record):
        """Add or replace a return (a returns/search ``return_orders[]`` entry)."""
        with self.lock:
            record.setdefault("update_time", self.now())
            record.setdefault("create_time", record["update_time"])
            self.returns[record["return_id"]] = record
        return record

    def return_search(self, request):
        error = self._check(request)
        if error:
            return error
        try:
            page_size = int(request.arg("page_size") or 10)
        except ValueError:
            return self._error(36009003, "page_size must be a number")
        if not 10 <= page_size <= 50:
            return self._error(36009003, "page_size must be 10-50")
        body = request.json() or {}
        ids = set(body.get("order_ids") or [])
        ge = body.get("update_time_ge", 0)
        lt = body.get("update_time_lt", 2**40)
        offset = int(request.arg("page_token") or 0)
        with self.lock:
            matching = sorted(
                (
                    r
                    for r in self.returns.values()
                    if (not ids or r["order_id"] in ids) and ge <= r["update_time"] < lt
                ),
                key=lambda r: (r["update_time"], r["return_id"]),
            )
            page = json.loads(json.dumps(matching[offset : offset + page_size]))
            more = offset + page_size < len(matching)
        return self._ok(
            {
                "return_orders": page,
                "next_page_token": str(offset + page_size) if more else "",
                "total_count": len(matching),
            }
        )

    def shipping_providers(self, request):
        error = self._check(request)
        if error:
            return error
        with self.lock:
            providers = self.providers.get(request.params["option_id"])
        if providers is None:
            return self._error(36009003, "delivery option not found")
        return self._ok({"shipping_providers": providers})

    def documents(self, request):
        error = self._check(request)
        if error:
            return error
        package_id = request.params["package_id"]
        with self.lock:
            order = self._order_of_package(package_id)
            tracking = next(
                (
                    li.get("tracking_number")
                    for li in (order or {}).get("line_items", [])
                    if li.get("package_id") == package_id and li.get("tracking_number")
                ),
                None,
            )
        if not tracking:
            return self._error(21011020, "package is not shipped yet")
        return self._ok(
            {
                "doc_url": f"{self.base_url}/docs/{package_id}.pdf",
                "tracking_number": tracking,
            }
        )

    def document_file(self, request):
        pdf = (
            b"%PDF-1.4\n% TikTok label "
            + request.params["package_id"].encode()
            + b"\n%%EOF\n"
        )
        return Response(200, pdf, {"Content-Type": "application/pdf"})

    def statement_transactions(self, request):
        error = self._check(request)
        if error:
            return error
        order_id = request.params["order_id"]
        if order_id not in self.orders:
            return self._error(36009003, "order not found")
        records = self.statements.get(order_id)
        if records is None:  # not settled yet: SEA answers zero amounts (§2.7)
            return self._ok(
                {
                    "order_id": order_id,
                    "currency": "IDR",
                    "revenue_amount": "0",
                    "fee_and_tax_amount": "0",
                    "shipping_cost_amount": "0",
                    "settlement_amount": "0",
                    "sku_transactions": [],
                }
            )
        if isinstance(records, dict):  # Get Transactions by Order 202501
            return self._ok(dict(records, order_id=order_id))
        # a list: flat records as 202309 answers them
        return self._ok({"order_id": order_id, "statement_transactions": records})

    def inventory_update(self, request):
        error = self._check(request)
        if error:
            return error
        body = request.json() or {}
        errors = []
        with self.lock:
            for sku in body.get("skus", []):
                if sku.get("id") in self.inventory_failures:
                    errors.append(
                        {
                            "code": 12052048,
                            "message": "SKU cannot be updated",
                            "detail": {"sku_id": sku.get("id")},
                        }
                    )
                    continue
                self.inventory[sku["id"]] = sum(
                    i["quantity"] for i in sku.get("inventory", [])
                )
        return self._ok({"errors": errors} if errors else {})
