# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Constant-time verification helpers for inbound webhooks."""

import hashlib
import hmac

from .exceptions import SignatureError


def _to_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode()


def hmac_hex(secret, message, digestmod=hashlib.sha256):
    """Lower-case hex HMAC of message with secret."""
    return hmac.new(_to_bytes(secret), _to_bytes(message), digestmod).hexdigest()


def sha512_hex(text):
    return hashlib.sha512(_to_bytes(text)).hexdigest()


def verify_token(expected, given):
    """Compare a shared token in constant time; fail closed without a configured secret.

    :raises SignatureError: 401 when given is empty, 403 when expected is not
        configured or the values differ.
    """
    if not expected:
        raise SignatureError(
            "No verification secret is configured: request refused.", 403
        )
    if not given:
        raise SignatureError("Missing signature or token.", 401)
    if not hmac.compare_digest(_to_bytes(expected), _to_bytes(given.strip())):
        raise SignatureError("Invalid signature or token.", 403)


def verify_hmac(secret, message, given, digestmod=hashlib.sha256):
    """Check that given is the hex HMAC of message (case-insensitive hex)."""
    if not secret:
        raise SignatureError(
            "No verification secret is configured: request refused.", 403
        )
    verify_token(hmac_hex(secret, message, digestmod), (given or "").strip().lower())
