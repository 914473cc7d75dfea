# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of the Midtrans Core API bank-transfer (virtual account) contract.

Sources (see /work/shared/reference/payments.md §1):

* ``POST /v2/charge`` with ``payment_type`` ``bank_transfer`` (BCA, BNI, BRI, CIMB,
  Permata via ``bank_transfer.bank``) or ``echannel`` (Mandiri bill payment:
  ``biller_code`` + ``bill_key``), ``Authorization: Basic base64(ServerKey + ":")``
  (docs.midtrans.com coreapi-core-api-bank-transfer-integration,
  reference-link/authorization).
* ``GET /v2/{order_id|transaction_id}/status``, ``POST /v2/{id}/cancel``, ``POST
  /v2/{id}/expire`` (status ``"407"``; an expired order_id may be reused).
* Amounts are integers in requests (decimals are rejected) and strings with two decimals
  (``"150000.00"``) in responses and notifications.
* Notifications: ``signature_key = SHA512(order_id + status_code + gross_amount +
  ServerKey)`` over the strings exactly as sent (https-notification-webhooks "Verifying
  Signature Key").
* Business errors come back as a JSON body with ``status_code`` >= 400. The official
  Python client treats a body ``status_code`` >= 400 as an error whatever the HTTP
  status, so this server answers business errors (406 duplicate order_id, 400
  validation) with **HTTP 200** and the error in the body - the harder case for a
  client. Authentication errors use HTTP 401.
"""

import base64
import hashlib
import itertools
import uuid
from datetime import datetime, timedelta, timezone

from .framework import GatewayHandler, Response

WIB = timezone(timedelta(hours=7))

BANK_TRANSFER_BANKS = ("bca", "bni", "bri", "cimb", "permata")

# status_code used in notifications per transaction_status. Only "202" for expire is
# documented (Permata sample); the others follow the Midtrans status-code table.
NOTIFICATION_STATUS_CODES = {
    "pending": "201",
    "settlement": "200",
    "capture": "200",
    "expire": "202",
    "cancel": "200",
    "deny": "202",
    "failure": "202",
    "refund": "200",
    "partial_refund": "200",
    "chargeback": "200",
    "partial_chargeback": "200",
}


def midtrans_signature(order_id, status_code, gross_amount, server_key):
    """SHA512(order_id + status_code + gross_amount + ServerKey), hex (payments.md
    §1.7)."""
    text = f"{order_id}{status_code}{gross_amount}{server_key}"
    return hashlib.sha512(text.encode()).hexdigest()


def _now_wib():
    return datetime.now(WIB).replace(microsecond=0)


class MidtransApi(GatewayHandler):
    prefix = "/midtrans"
    name = "midtrans"
    server_key = "SB-Mid-server-TEST-KEY"
    merchant_id = "G141532850"

    def __init__(self):
        super().__init__()
        self.notification_url = None  # set by tests: where simulate_payment posts
        self.reset()

    def reset(self):
        with self.lock:
            self.transactions = {}  # order_id -> dict (the current attempt)
            self._va_counter = itertools.count(1)

    def register_routes(self):
        self.route("POST", "/v2/charge", self.charge)
        self.route("GET", "/v2/{ref}/status", self.status)
        self.route("POST", "/v2/{ref}/cancel", self.cancel)
        self.route("POST", "/v2/{ref}/expire", self.expire)

    # ------------------------------------------------------------------ helpers
    def _authorized(self, request):
        token = base64.b64encode(f"{self.server_key}:".encode()).decode()
        return request.header("Authorization") == f"Basic {token}"

    @staticmethod
    def _error(status_code, message, http_status=200):
        return Response(
            http_status,
            {
                "status_code": str(status_code),
                "status_message": message,
                "id": str(uuid.uuid4()),
            },
        )

    def _unauthorized(self):
        return self._error(
            401,
            "Access denied due to unauthorized transaction, please check client or "
            "server key",
            http_status=401,
        )

    def error_response(self, status, request):
        return self._error(
            status,
            "Sorry. Our system is recovering from unexpected issues. Please retry.",
            http_status=status,
        )

    def _find(self, ref):
        tx = self.transactions.get(ref) or next(
            (t for t in self.transactions.values() if t["transaction_id"] == ref), None
        )
        if (
            tx
            and tx["transaction_status"] == "pending"
            and tx["expiry_time"] <= _now_wib().strftime("%Y-%m-%d %H:%M:%S")
        ):
            # Past its expiry the VA can no longer be paid (coreapi-advanced-features);
            # the status API then says "expire" (the expiry notification is not sent).
            tx["transaction_status"] = "expire"
        return tx

    def _public(self, tx, status_code=None):
        """The transaction as the status API / notification shows it (signed)."""
        body = {
            "transaction_time": tx["transaction_time"],
            "transaction_status": tx["transaction_status"],
            "transaction_id": tx["transaction_id"],
            "status_message": "midtrans payment notification",
            "status_code": status_code
            or NOTIFICATION_STATUS_CODES[tx["transaction_status"]],
            "payment_type": tx["payment_type"],
            "order_id": tx["order_id"],
            "merchant_id": self.merchant_id,
            "gross_amount": tx["gross_amount"],
            "fraud_status": "accept",
            "currency": "IDR",
            "expiry_time": tx["expiry_time"],
        }
        if tx.get("settlement_time"):
            body["settlement_time"] = tx["settlement_time"]
        if tx["payment_type"] == "echannel":
            body["biller_code"] = tx["biller_code"]
            body["bill_key"] = tx["bill_key"]
        elif tx["bank"] == "permata":
            body["permata_va_number"] = tx["va_number"]
        else:
            body["va_numbers"] = [{"bank": tx["bank"], "va_number": tx["va_number"]}]
            body["payment_amounts"] = tx.get("payment_amounts", [])
        body["signature_key"] = midtrans_signature(
            body["order_id"], body["status_code"], body["gross_amount"], self.server_key
        )
        return body

    # ------------------------------------------------------------------ routes
    def charge(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        try:
            data = request.json()
        except ValueError:
            return self._error(400, "Invalid JSON", http_status=400)
        details = (data or {}).get("transaction_details") or {}
        order_id = details.get("order_id")
        amount = details.get("gross_amount")
        payment_type = data.get("payment_type")
        errors = []
        if not order_id:
            errors.append("transaction_details.order_id is required")
        if not isinstance(amount, int) or isinstance(amount, bool):
            # "Our system will also do a validation if it detects any decimal amount
            # sent"
            errors.append("transaction_details.gross_amount must be an integer")
        elif amount < 1:
            errors.append(
                "transaction_details.gross_amount must be greater than or equal to 1"
            )
        bank = None
        if payment_type == "bank_transfer":
            bank = ((data.get("bank_transfer") or {}).get("bank") or "").lower()
            if bank not in BANK_TRANSFER_BANKS:
                errors.append("bank_transfer.bank is not supported")
        elif payment_type == "echannel":
            bank = "mandiri"
        else:
            errors.append("payment_type is not supported")
        if errors:
            return Response(
                200,
                {
                    "status_code": "400",
                    "status_message": (
                        "One or more parameters in the payload is invalid."
                    ),
                    "validation_messages": errors,
                },
            )
        with self.lock:
            existing = self.transactions.get(order_id)
            if existing and existing["transaction_status"] not in ("expire",):
                return self._error(
                    406,
                    "order_id has been paid and utilized, please use another order ID",
                )
            number = next(self._va_counter)
            now = _now_wib()
            expiry = now + timedelta(hours=24)
            custom = data.get("custom_expiry") or {}
            if custom.get("expiry_duration"):
                unit = custom.get("unit") or "minute"
                seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit]
                expiry = now + timedelta(
                    seconds=int(custom["expiry_duration"]) * seconds
                )
            tx = {
                "order_id": order_id,
                "transaction_id": str(uuid.uuid4()),
                "gross_amount": f"{amount}.00",
                "payment_type": payment_type,
                "bank": bank,
                "transaction_status": "pending",
                "transaction_time": now.strftime("%Y-%m-%d %H:%M:%S"),
                "expiry_time": expiry.strftime("%Y-%m-%d %H:%M:%S"),
            }
            if payment_type == "echannel":
                tx["biller_code"] = "70012"
                tx["bill_key"] = (data.get("echannel") or {}).get(
                    "bill_key"
                ) or f"{number:012d}"
            else:
                requested = (data.get("bank_transfer") or {}).get("va_number")
                tx["va_number"] = requested or f"{self.merchant_id[-5:]}{number:011d}"
            self.transactions[order_id] = tx
            body = self._public(tx, status_code="201")
        body.pop("signature_key")
        body["status_message"] = "Success, Bank Transfer transaction is created"
        return Response(200, body)

    def status(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        with self.lock:
            tx = self._find(request.params["ref"])
            if not tx:
                return self._error(
                    404, "The requested resource is not found", http_status=404
                )
            return Response(200, self._public(tx))

    def cancel(self, request):
        return self._finish(
            request, "cancel", "200", "Success, transaction is canceled"
        )

    def expire(self, request):
        return self._finish(
            request, "expire", "407", "Success, transaction has expired"
        )

    def _finish(self, request, new_status, status_code, message):
        if not self._authorized(request):
            return self._unauthorized()
        with self.lock:
            tx = self._find(request.params["ref"])
            if not tx:
                return self._error(
                    404, "The requested resource is not found", http_status=404
                )
            if tx["transaction_status"] != "pending":
                return self._error(
                    412, "Merchant cannot modify the status of the transaction"
                )
            tx["transaction_status"] = new_status
            body = self._public(tx, status_code=status_code)
        body["status_message"] = message
        return Response(200, body)

    # ------------------------------------------------------------------ simulation
    def set_status(self, order_id, status, gross_amount=None):
        """Change the gateway-side state without notifying (a missed notification)."""
        with self.lock:
            tx = self.transactions[order_id]
            tx["transaction_status"] = status
            if gross_amount is not None:
                tx["gross_amount"] = f"{int(gross_amount)}.00"
            if status == "settlement":
                now = _now_wib().strftime("%Y-%m-%d %H:%M:%S")
                tx["settlement_time"] = now
                if tx["payment_type"] == "bank_transfer":
                    tx["payment_amounts"] = [
                        {"paid_at": now, "amount": tx["gross_amount"]}
                    ]
            return dict(tx)

    def notification_for(self, order_id, overrides=None, resign=True):
        """The notification body for the current state, optionally tampered.

        ``overrides`` replaces fields; with ``resign`` the signature is recomputed over
        the tampered values (a well-formed forgery by someone holding the key).
        """
        with self.lock:
            body = self._public(self.transactions[order_id])
        if overrides:
            body.update(overrides)
            if resign:
                body["signature_key"] = midtrans_signature(
                    body["order_id"],
                    body["status_code"],
                    body["gross_amount"],
                    self.server_key,
                )
        return body

    def send_notification(
        self, order_id, url=None, overrides=None, resign=True, timeout=30
    ):
        body = self.notification_for(order_id, overrides=overrides, resign=resign)
        return self.send_callback(
            url or self.notification_url,
            body,
            headers={"User-Agent": "Veritrans"},
            timeout=timeout,
        )

    def simulate_payment(
        self, order_id, status="settlement", gross_amount=None, url=None, notify=True
    ):
        """Move the transaction to ``status`` and send the notification as documented.

        :param gross_amount: paid amount (rupiah) if different from the charged one.
        :return: the ``requests.Response`` of the notification, or None when ``notify``
            is off.
        """
        self.set_status(order_id, status, gross_amount=gross_amount)
        if not notify:
            return None
        return self.send_notification(order_id, url=url)
