# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Midtrans Core API client for bank-transfer virtual accounts (no ORM).

Contract (docs.midtrans.com, summarised in /work/shared/reference/payments.md §1):

* ``POST /v2/charge``, ``GET /v2/{id}/status``, ``POST /v2/{id}/cancel``, ``POST
  /v2/{id}/expire`` with ``Authorization: Basic base64(ServerKey + ":")``.
* Business errors may come back with HTTP 200 and a body ``status_code`` >= 400 (the
  official client checks the body, not the HTTP status); ``407`` is the *success* code
  of ``expire``.
* ``signature_key = SHA512(order_id + status_code + gross_amount + ServerKey)`` over the
  strings exactly as received (https-notification-webhooks "Verifying Signature Key";
  never re-format ``gross_amount`` - ``"150000.00"`` is hashed with its decimals).
"""

import base64
import hashlib
import hmac
from decimal import Decimal, InvalidOperation

from odoo.addons.base_integration.api.exceptions import (
    AuthenticationError,
    PermanentError,
    RetryableError,
    SignatureError,
)

SANDBOX_URL = "https://api.sandbox.midtrans.com"
PRODUCTION_URL = "https://api.midtrans.com"

# bank code -> how the charge is built (payments.md §1.2)
BANK_TRANSFER_BANKS = ("bca", "bni", "bri", "cimb", "permata")
ECHANNEL_BANKS = ("mandiri",)
SUPPORTED_BANKS = BANK_TRANSFER_BANKS + ECHANNEL_BANKS

# transaction_status values that mean "money received" (card "capture" included for
# completeness; VAs settle directly) - https-notification-webhooks "Status Definition".
PAID_STATUSES = ("settlement", "capture")
CLOSED_UNPAID_STATUSES = ("expire", "cancel", "failure")
REVERSAL_STATUSES = ("deny", "refund", "chargeback")
PARTIAL_REVERSAL_STATUSES = ("partial_refund", "partial_chargeback")

# Body status codes that are not errors: 200 OK, 201 pending/created, 202 denied/expired
# notification, 407 "Success, transaction has expired"
# (reference-link/expire-transaction).
OK_BODY_CODES = {"200", "201", "202", "407"}
RETRYABLE_BODY_CODES = {"429", "500", "502", "503", "504", "505"}


def signature(order_id, status_code, gross_amount, server_key):
    """Hex SHA512 of ``order_id + status_code + gross_amount + server_key`` (strings as
    given)."""
    text = f"{order_id}{status_code}{gross_amount}{server_key}"
    return hashlib.sha512(text.encode()).hexdigest()


def verify_signature(payload, server_key):
    """Check a notification's ``signature_key`` in constant time.

    :raises SignatureError: 401 when ``signature_key`` is missing, 403 when it is wrong,
        when one of the signed fields is not a string, or when no server key is
        configured (closed).
    """
    if not server_key:
        raise SignatureError(
            "No Midtrans server key is configured: request refused.", 403
        )
    given = payload.get("signature_key")
    if not given or not isinstance(given, str):
        raise SignatureError("Missing signature_key.", 401)
    parts = [payload.get(name) for name in ("order_id", "status_code", "gross_amount")]
    if not all(isinstance(part, str) for part in parts):
        # Hash only what was received; a number here means the body was re-encoded.
        raise SignatureError(
            "order_id, status_code and gross_amount must be strings.", 403
        )
    expected = signature(*parts, server_key)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise SignatureError("Invalid signature_key.", 403)


def parse_amount(text):
    """``"150000.00"`` -> ``Decimal("150000.00")``; raises ``ValueError`` on anything
    else."""
    try:
        value = Decimal(str(text))
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Invalid amount {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"Invalid amount {text!r}")
    return value


def paid_amount(data):
    """The amount to compare with the invoice.

    With Automatic Fee Imposition Midtrans raises ``gross_amount`` by the fee and
    reports the merchant's amount in
    ``metadata.extra_info.gross_amount_info.original_amount``
    (Midtrans/midtrans-php#118); the fee is the customer's, not an overpayment.
    """
    info = ((data.get("metadata") or {}).get("extra_info") or {}).get(
        "gross_amount_info"
    ) or {}
    if info.get("original_amount") not in (None, ""):
        return parse_amount(info["original_amount"])
    return parse_amount(data.get("gross_amount"))


def va_details(data):
    """``{"bank", "va_number", "biller_code", "bill_key"}`` from a
    charge/status/notification."""
    if data.get("va_numbers"):
        first = data["va_numbers"][0]
        return {"bank": first.get("bank"), "va_number": first.get("va_number")}
    if data.get("permata_va_number"):
        return {"bank": "permata", "va_number": data["permata_va_number"]}
    if data.get("bill_key"):
        return {
            "bank": "mandiri",
            "biller_code": data.get("biller_code"),
            "bill_key": data["bill_key"],
        }
    return {}


class MidtransClient:
    """One method per remote operation; returns parsed JSON dicts.

    :param session: a ``base_integration`` ``IntegrationSession``.
    :param base_url: ``https://api.sandbox.midtrans.com`` or production (no trailing
        slash).
    :param server_key: the merchant's server key.
    """

    def __init__(self, session, base_url, server_key):
        if not server_key:
            raise PermanentError("The Midtrans server key is not configured.")
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.server_key = server_key
        token = base64.b64encode(f"{server_key}:".encode()).decode()
        self.headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Basic {token}",
        }

    # -------------------------------------------------------------- plumbing
    def _call(self, method, path, payload=None, *, accept_404=False, **kw):
        data = self.session.request_json(
            method,
            f"{self.base_url}{path}",
            json=payload,
            headers=self.headers,
            accept_statuses=(404,) if accept_404 else (),
            **kw,
        )
        if not isinstance(data, dict):
            raise RetryableError(
                "Midtrans answered with a JSON value that is not an object."
            )
        code = str(data.get("status_code") or "200")
        if code in OK_BODY_CODES:
            return data
        message = data.get("status_message") or "Midtrans error"
        if data.get("validation_messages"):
            message = f"{message} {'; '.join(map(str, data['validation_messages']))}"
        if accept_404 and code == "404":
            return None
        if code in RETRYABLE_BODY_CODES:
            raise RetryableError(
                message, status_code=int(code), code=code, response_body=data
            )
        if code in ("401", "403"):
            raise AuthenticationError(
                message, status_code=int(code), code=code, response_body=data
            )
        raise PermanentError(
            message,
            status_code=int(code) if code.isdigit() else None,
            code=code,
            response_body=data,
        )

    # -------------------------------------------------------------- operations
    @staticmethod
    def build_charge(
        order_id,
        amount,
        bank,
        *,
        va_number=None,
        expiry_minutes=None,
        order_time=None,
        bill_info=None,
        customer=None,
    ):
        """The ``/v2/charge`` body for a closed VA (payments.md §1.2).

        :param amount: whole rupiah (int); Midtrans rejects decimals.
        :param order_time: ``"YYYY-MM-DD HH:MM:SS +0700"`` for ``custom_expiry``.
        """
        if bank not in SUPPORTED_BANKS:
            raise PermanentError(
                f"Midtrans does not offer a virtual account for bank {bank}."
            )
        body = {
            "transaction_details": {"order_id": order_id, "gross_amount": int(amount)}
        }
        if bank in ECHANNEL_BANKS:
            label, value = bill_info or ("Payment:", order_id)
            # bill_info1 max 10 chars, bill_info2 max 30
            # (reference-link/e-channel-object)
            body["payment_type"] = "echannel"
            body["echannel"] = {"bill_info1": label[:10], "bill_info2": value[:30]}
            if va_number:
                body["echannel"]["bill_key"] = va_number
        else:
            body["payment_type"] = "bank_transfer"
            body["bank_transfer"] = {"bank": bank}
            if va_number:
                body["bank_transfer"]["va_number"] = va_number
        if expiry_minutes:
            body["custom_expiry"] = {
                "expiry_duration": int(expiry_minutes),
                "unit": "minute",
            }
            if order_time:
                body["custom_expiry"]["order_time"] = order_time
        if customer:
            body["customer_details"] = customer
        return body

    def charge(self, body):
        """Create the VA. On a 406 (order_id already used, e.g. our earlier attempt
        whose
        answer was lost) the existing transaction is read back and returned when it is
        the same order and amount; otherwise the error is raised.

        :raises PermanentError, RetryableError, AuthenticationError:
        """
        try:
            return self._call("POST", "/v2/charge", body)
        except PermanentError as exc:
            if exc.code != "406":
                raise
            order_id = body["transaction_details"]["order_id"]
            existing = self.get_status(order_id)
            if (
                existing
                and existing.get("transaction_status") == "pending"
                and parse_amount(existing.get("gross_amount"))
                == body["transaction_details"]["gross_amount"]
            ):
                return existing
            raise

    def get_status(self, reference):
        """``GET /v2/{order_id or transaction_id}/status``; ``None`` when Midtrans
        answers 404."""
        return self._call("GET", f"/v2/{reference}/status", accept_404=True)

    def cancel(self, reference):
        """Cancel a pending transaction (reference/cancel-api-1)."""
        return self._call("POST", f"/v2/{reference}/cancel", retry_unsafe=True)

    def expire(self, reference):
        """Expire a pending transaction; its order_id can be reused
        (reference-link/expire-transaction)."""
        return self._call("POST", f"/v2/{reference}/expire", retry_unsafe=True)
