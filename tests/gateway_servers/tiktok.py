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
* token endpoints ``/api/v2/token/get`` and ``/api/v2/token/refresh`` return absolute
  Unix ``access_token_expire_in`` / ``refresh_token_expire_in``;
* order search pages with ``page_token`` over ``update_time_ge``/``update_time_lt``;
* webhooks to Odoo are signed ``Authorization = hex(HMAC-SHA256(app_secret, app_key +
  body))``.

Plain Python: no Odoo import.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import time

from .framework import Response
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

    app_key = "tts-app-key-test"
    app_secret = "tts-app-secret-test"
    shop_id = "7494001234567890"
    shop_cipher = "ROW_cipher_test"
    token_lifetime = 7 * 24 * 3600

    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self):
        with self.lock:
            self.orders = {}
            self.shipped = {}
            self.inventory = {}  # sku_id -> quantity
            self.inventory_failures = set()
            self.statements = {}  # order_id -> statement_transactions list
            self.access_tokens = {}
            self.refresh_tokens = {}
            self.auth_codes = {}
            self.refresh_calls = 0
            self._seq = itertools.count(1)

    # ------------------------------------------------------------------ helpers
    def now(self):
        return int(time.time())

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
        r("GET", "/api/v2/token/get", self.token_get)
        r("GET", "/api/v2/token/refresh", self.token_refresh)
        r("GET", "/authorization/202309/shops", self.shops)
        r("POST", "/order/202309/orders/search", self.order_search)
        r("GET", "/order/202309/orders", self.order_detail)
        r("POST", "/fulfillment/202309/packages/{package_id}/ship", self.ship_package)
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
        if (
            records is None
        ):  # not settled yet: SEA answers zero amounts (reference §2.7)
            records = [
                {"settlement_amount": "0", "revenue_amount": "0", "fee_amount": "0"}
            ]
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
