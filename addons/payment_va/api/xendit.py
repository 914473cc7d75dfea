# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Xendit Fixed Virtual Account client (legacy ``/callback_virtual_accounts`` API, no
ORM).

Contract (payments.md §2; xendit-python ``VirtualAccount``): Basic auth with the secret
key as user name and an empty password; errors ``{"error_code", "message"}``; callbacks
are not signed - only the static ``x-callback-token`` header authenticates them, so the
payment is re-read with ``GET /callback_virtual_account_payments/payment_id={id}``
before booking.
"""

import base64
import json
from datetime import datetime, timezone

from odoo.addons.base_integration.api.exceptions import PermanentError, RetryableError
from odoo.addons.base_integration.api.signing import verify_token

PRODUCTION_URL = (
    "https://api.xendit.co"  # test and live differ by key only (payments.md §2.1)
)

SUPPORTED_BANKS = (
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

# FVA statuses in which the bank has registered the number (the "FVA created/updated"
# callback says ACTIVE; it starts PENDING): only then is it shown to the customer.
PAYABLE_STATUSES = ("ACTIVE",)


def verify_callback_token(expected, given):
    """Constant-time compare of ``x-callback-token`` (Odoo's payment_xendit does the
    same).

    :raises SignatureError: 401 missing, 403 wrong or no token configured.
    """
    verify_token(expected, given)


def iso_utc(dt):
    """Naive-UTC or aware datetime -> ``2026-01-31T17:00:00.000Z``."""
    if dt.tzinfo:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_iso(text):
    """``...Z`` -> naive UTC datetime (what Odoo stores)."""
    dt = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


class XenditClient:
    """:param session: ``IntegrationSession``; :param secret_key: the secret API key."""

    def __init__(self, session, base_url, secret_key):
        if not secret_key:
            raise PermanentError("The Xendit secret API key is not configured.")
        self.session = session
        self.base_url = base_url.rstrip("/")
        token = base64.b64encode(f"{secret_key}:".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {token}",
            "Content-Type": "application/json",
        }

    def _call(self, method, path, payload=None, **kw):
        try:
            data = self.session.request_json(
                method,
                f"{self.base_url}{path}",
                json=payload,
                headers=self.headers,
                **kw,
            )
        except (PermanentError, RetryableError) as exc:
            body = exc.response_body
            code = None
            if isinstance(body, dict):
                code = body.get("error_code")
            elif isinstance(body, (str, bytes)):
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                code = parsed.get("error_code") if isinstance(parsed, dict) else None
            exc.code = exc.code or code
            raise
        return data

    def list_banks(self):
        """``GET /available_virtual_account_banks`` (cheap authenticated call)."""
        return self._call("GET", "/available_virtual_account_banks")

    @staticmethod
    def build_fixed_va(
        external_id,
        bank_code,
        name,
        *,
        amount=None,
        expires_at=None,
        single_use=True,
        number=None,
    ):
        """Body of ``POST /callback_virtual_accounts``.

        ``amount`` given -> closed VA for exactly that amount (per invoice); ``None`` ->
        open, reusable VA (per customer). ``name``: letters and spaces only (payments.md
        §2.2).
        """
        if bank_code not in SUPPORTED_BANKS:
            raise PermanentError(
                f"Xendit does not offer a virtual account for bank {bank_code}."
            )
        clean_name = (
            "".join(ch for ch in name if ch.isalpha() or ch == " ").strip()
            or "Customer"
        )
        body = {
            "external_id": external_id,
            "bank_code": bank_code,
            "name": clean_name[:50],
        }
        if amount is not None:
            body.update(
                is_closed=True, expected_amount=int(amount), is_single_use=single_use
            )
        else:
            body.update(is_closed=False, is_single_use=False)
        if expires_at:
            body["expiration_date"] = iso_utc(expires_at)
        if number:
            body["virtual_account_number"] = number
        return body

    def create_fixed_va(self, body, idempotency_key):
        """Create the FVA; the idempotency key makes a retried POST safe."""
        return self._call(
            "POST",
            "/callback_virtual_accounts",
            body,
            idempotency_key=idempotency_key,
            idempotency_header="X-IDEMPOTENCY-KEY",
        )

    def get_fixed_va(self, va_id):
        return self._call("GET", f"/callback_virtual_accounts/{va_id}")

    def update_fixed_va(self, va_id, values):
        """``PATCH`` expected_amount, expiration_date, ...; idempotent."""
        return self._call(
            "PATCH", f"/callback_virtual_accounts/{va_id}", values, retry_unsafe=True
        )

    def expire_fixed_va(self, va_id, now=None):
        """FVAs cannot be deleted: set ``expiration_date`` to now so no payment is
        accepted."""
        return self.update_fixed_va(
            va_id, {"expiration_date": iso_utc(now or datetime.utcnow())}
        )

    def get_payment(self, payment_id):
        """``GET /callback_virtual_account_payments/payment_id={id}``; ``None`` when
        unknown."""
        try:
            return self._call(
                "GET", f"/callback_virtual_account_payments/payment_id={payment_id}"
            )
        except PermanentError as exc:
            if exc.status_code == 404:
                return None
            raise
