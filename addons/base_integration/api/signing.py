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

    A missing token is checked first, so that the answer does not depend on whether a
    secret is configured (webhook answers must not tell, review D20).

    :raises SignatureError: 401 when given is empty, 403 when expected is not
        configured or the values differ (the same message for both).
    """
    if not given or not str(given).strip():
        raise SignatureError("Missing signature or token.", 401)
    if not expected:
        raise SignatureError("Invalid signature or token.", 403)
    if not hmac.compare_digest(_to_bytes(expected), _to_bytes(given.strip())):
        raise SignatureError("Invalid signature or token.", 403)


def verify_hmac(secret, message, given, digestmod=hashlib.sha256):
    """Check that given is the hex HMAC of message (case-insensitive hex).

    :raises SignatureError: as :func:`verify_token`.
    """
    given = (given or "").strip().lower()
    if not given:
        raise SignatureError("Missing signature or token.", 401)
    if not secret:
        raise SignatureError("Invalid signature or token.", 403)
    verify_token(hmac_hex(secret, message, digestmod), given)
