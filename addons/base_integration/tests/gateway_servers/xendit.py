# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of the Xendit Fixed Virtual Account (legacy ``/callback_virtual_accounts``)
API.

Sources (see /work/shared/reference/payments.md §2):

* Basic auth with the secret API key as user name and an empty password.
* ``POST /callback_virtual_accounts`` (``external_id``, ``bank_code``, ``name``,
  ``is_closed``, ``expected_amount``, ``is_single_use``, ``expiration_date``; header
  ``X-IDEMPOTENCY-KEY``), ``GET``/``PATCH /callback_virtual_accounts/{id}``, ``GET
  /callback_virtual_account_payments/payment_id={payment_id}`` (xendit-python), ``POST
  /callback_virtual_accounts/external_id={external_id}/simulate_payment`` (test mode),
  ``GET /available_virtual_account_banks``.
* Errors: ``{"error_code": "...", "message": "..."}`` with a 4xx status.
* Paid callback: integer ``amount``, ``payment_id``, ``callback_virtual_account_id``,
  UTC ``Z`` timestamps, header ``x-callback-token`` (no body signature).
"""

import base64
import itertools
import uuid
from datetime import datetime, timezone

from .framework import GatewayHandler, Response

BANKS = (
    "BCA",
    "BNI",
    "BRI",
    "BJB",
    "BSI",
    "CIMB",
    "MANDIRI",
    "PERMATA",
    "SAHABAT_SAMPOERNA",
)


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _parse_iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class XenditApi(GatewayHandler):
    prefix = "/xendit"
    name = "xendit"
    secret_key = "xnd_development_TEST_SECRET"
    callback_token = "xendit-callback-token-TEST"
    owner_id = "5fd1c319b9986239d7ec5567"
    merchant_code = "88608"

    def __init__(self):
        super().__init__()
        self.callback_url = None  # set by tests: where simulate_payment posts
        self.reset()

    def reset(self):
        with self.lock:
            self.accounts = {}  # id -> FVA dict
            self.payments = {}  # payment_id -> payment dict
            self.idempotent_answers = {}
            self._numbers = itertools.count(1)

    def register_routes(self):
        self.route("GET", "/available_virtual_account_banks", self.banks)
        self.route("POST", "/callback_virtual_accounts", self.create_va)
        self.route("GET", "/callback_virtual_accounts/{va_id}", self.get_va)
        self.route("PATCH", "/callback_virtual_accounts/{va_id}", self.update_va)
        self.route(
            "GET",
            "/callback_virtual_account_payments/payment_id={payment_id}",
            self.get_payment,
        )
        self.route(
            "POST",
            "/callback_virtual_accounts/external_id={external_id}/simulate_payment",
            self.simulate_route,
        )

    # ------------------------------------------------------------------ helpers
    def _authorized(self, request):
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode()
        return request.header("Authorization") == f"Basic {token}"

    @staticmethod
    def _error(status, code, message):
        return Response(status, {"error_code": code, "message": message})

    def _unauthorized(self):
        return self._error(401, "INVALID_API_KEY", "API key is invalid")

    def error_response(self, status, request):
        return self._error(status, "SERVER_ERROR", "An unexpected error occurred")

    def _by_external_id(self, external_id):
        for account in self.accounts.values():
            if account["external_id"] == external_id:
                return account
        return None

    # ------------------------------------------------------------------ routes
    def banks(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        return Response(
            200,
            [{"name": code.replace("_", " ").title(), "code": code} for code in BANKS],
        )

    def create_va(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        key = request.header("X-IDEMPOTENCY-KEY")
        with self.lock:
            if key and key in self.idempotent_answers:
                return self.idempotent_answers[key]
        try:
            data = request.json() or {}
        except ValueError:
            return self._error(
                400, "INVALID_JSON_FORMAT", "Request body is not valid JSON"
            )
        missing = [f for f in ("external_id", "bank_code", "name") if not data.get(f)]
        if missing:
            return self._error(
                400, "API_VALIDATION_ERROR", f"{', '.join(missing)} is required"
            )
        if data["bank_code"] not in BANKS:
            return self._error(
                400, "BANK_NOT_SUPPORTED_ERROR", "That bank code is not supported"
            )
        is_closed = bool(data.get("is_closed", False))
        expected = data.get("expected_amount")
        if is_closed and not expected:
            return self._error(
                400,
                "EXPECTED_AMOUNT_REQUIRED_ERROR",
                "expected_amount is required when is_closed is true",
            )
        if expected is not None and (not isinstance(expected, int) or expected < 1):
            return self._error(
                400, "API_VALIDATION_ERROR", "expected_amount must be an integer"
            )
        now = datetime.now(timezone.utc)
        expiration = data.get("expiration_date") or "2057-11-27T17:00:00.000Z"
        with self.lock:
            suffix = (
                data.get("virtual_account_number")
                or f"{9999000000 + next(self._numbers)}"
            )
            account = {
                "id": uuid.uuid4().hex[:24],
                "owner_id": self.owner_id,
                "external_id": data["external_id"],
                "bank_code": data["bank_code"],
                "merchant_code": self.merchant_code,
                "name": data["name"],
                "account_number": f"{self.merchant_code}{suffix}",
                "is_closed": is_closed,
                "is_single_use": bool(data.get("is_single_use", False)),
                "status": "PENDING",
                "currency": "IDR",
                "expiration_date": expiration,
                "created": _iso(now),
                "updated": _iso(now),
            }
            if expected is not None:
                account["expected_amount"] = expected
            self.accounts[account["id"]] = account
            response = Response(200, dict(account))
            if key:
                self.idempotent_answers[key] = response
            return response

    def _va_not_found(self):
        return self._error(
            404,
            "CALLBACK_VIRTUAL_ACCOUNT_NOT_FOUND_ERROR",
            "Could not find callback virtual account",
        )

    def get_va(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        with self.lock:
            account = self.accounts.get(request.params["va_id"])
            if not account:
                return self._va_not_found()
            return Response(200, dict(account))

    def update_va(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        data = request.json() or {}
        with self.lock:
            account = self.accounts.get(request.params["va_id"])
            if not account:
                return self._va_not_found()
            for field in (
                "expected_amount",
                "expiration_date",
                "is_single_use",
                "description",
                "suggested_amount",
            ):
                if field in data:
                    account[field] = data[field]
            now = datetime.now(timezone.utc)
            if _parse_iso(account["expiration_date"]) <= now:
                account["status"] = "INACTIVE"
            account["updated"] = _iso(now)
            return Response(200, dict(account))

    def get_payment(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        with self.lock:
            payment = self.payments.get(request.params["payment_id"])
            if not payment:
                return self._error(
                    404,
                    "CALLBACK_VIRTUAL_ACCOUNT_PAYMENT_NOT_FOUND_ERROR",
                    "Callback virtual account payment not found",
                )
            return Response(200, dict(payment))

    def simulate_route(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        data = request.json() or {}
        account = self._by_external_id(request.params["external_id"])
        if not account:
            return self._va_not_found()
        try:
            self.simulate_payment(account["external_id"], int(data.get("amount") or 0))
        except ValueError as exc:
            return self._error(400, "API_VALIDATION_ERROR", str(exc))
        return Response(
            200,
            {
                "status": "COMPLETED",
                "message": "Payment for the Fixed VA is currently being processed",
            },
        )

    # ------------------------------------------------------------------ simulation
    def record_payment(self, external_id, amount, force=False):
        """Book a payment gateway-side and return the paid-callback body (no delivery).

        ``force`` pays an inactive/expired VA anyway (a race at the bank) to test that
        path.
        """
        with self.lock:
            account = self._by_external_id(external_id)
            if not account:
                raise ValueError(f"unknown external_id {external_id}")
            if not force:
                if account["status"] == "INACTIVE":
                    raise ValueError("virtual account is inactive")
                if account["is_closed"] and amount != account.get("expected_amount"):
                    raise ValueError(
                        "amount differs from expected_amount on a closed VA"
                    )
            now = datetime.now(timezone.utc)
            payment = {
                "id": uuid.uuid4().hex[:24],
                "payment_id": uuid.uuid4().hex[:24],
                "callback_virtual_account_id": account["id"],
                "owner_id": self.owner_id,
                "external_id": external_id,
                "account_number": account["account_number"],
                "bank_code": account["bank_code"],
                "amount": int(amount),
                "transaction_timestamp": _iso(now),
                "merchant_code": self.merchant_code,
                "currency": "IDR",
                "sender_name": "JOHN DOE",
                "created": _iso(now),
                "updated": _iso(now),
            }
            self.payments[payment["payment_id"]] = payment
            if account["is_single_use"]:
                account["status"] = "INACTIVE"
            return dict(payment)

    def send_payment_callback(self, payment, url=None, token=None, timeout=30):
        token = self.callback_token if token is None else token
        headers = {"x-callback-token": token} if token else {}
        return self.send_callback(
            url or self.callback_url, payment, headers=headers, timeout=timeout
        )

    def simulate_payment(self, external_id, amount, url=None, force=False, notify=True):
        """Pay the FVA ``external_id`` and send the paid callback as documented.

        :return: ``(payment_dict, requests.Response or None)``
        """
        payment = self.record_payment(external_id, amount, force=force)
        if not notify:
            return payment, None
        return payment, self.send_payment_callback(payment, url=url)

    def va_status_callback(self, va_id, status="ACTIVE"):
        """Body of the "FVA created/updated" callback."""
        with self.lock:
            account = self.accounts[va_id]
            account["status"] = status
            body = {k: v for k, v in account.items() if k != "expected_amount"}
        return body
