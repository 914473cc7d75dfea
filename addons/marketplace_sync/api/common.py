# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What both marketplace clients share: typed errors and the neutral order shape.

A *normalized order* is a plain dict every platform adapter returns, so that the Odoo
side maps one shape only::

    {
        "external_id": str,          # Shopee order_sn / TikTok order id
        "status": str,               # the platform's own status string
        "create_time": int, "update_time": int,   # Unix seconds
        "currency": "IDR",
        "commerce_platform": str,    # SHOPEE / TIKTOK_SHOP / TOKOPEDIA
        "buyer": {"external_id", "name", "phone", "street", "city", "state", "zip",
                  "country_code", "masked": bool},
        "lines": [{"item_id", "model_id", "sku", "name", "quantity",
                   "unit_price",            # price before any discount, per unit
                   "seller_discount"}],     # total seller-funded discount of the line
        "seller_discount": amount,   # order-level seller discount not in the lines
        "platform_discount": amount, # funded by the marketplace (paid to the seller)
        "shipping_fee": amount,      # what the buyer paid for shipping
        "buyer_paid": amount,        # what the buyer paid in total
        "expected_total": amount,    # what the sale order must total (tax included)
        "packages": [{"id", "tracking_number"}],
        "cancel_reason": str,
    }
"""

from decimal import Decimal, InvalidOperation

from odoo.addons.base_integration.api.exceptions import (  # noqa: F401 (re-exported)
    AuthenticationError,
    IntegrationError,
    PermanentError,
    RetryableError,
)


class MarketplaceError(PermanentError):
    """The platform refused a call with a business error code (``code`` holds it)."""


class TokenExpiredError(AuthenticationError):
    """The access token is expired or invalid: refresh it once, then retry the call."""


class MalformedOrder(ValueError):
    """An order payload lacks what the mapping needs; the message lists all problems."""


def money(value, field, problems):
    """Parse an amount sent as a number or a string into a ``Decimal``.

    TikTok sends amounts as strings ("12345"), Shopee as numbers. Missing or unreadable
    amounts are appended to ``problems`` (the caller raises once with all of them).
    """
    if value is None or value == "":
        problems.append(f"missing amount {field}")
        return Decimal(0)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        problems.append(f"unreadable amount {field}={value!r}")
        return Decimal(0)


def optional_money(value):
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def looks_masked(*values):
    """Shopee and TikTok mask buyer data with asterisks (reference §4.3)."""
    return any("*" in (v or "") for v in values)


# Settlement fee buckets, in booking order; what no bucket explains is "other" (the
# remainder between the invoiced amount and the payout, booked on the shop's general
# fee account).
FEE_BUCKETS = ("commission", "service", "transaction", "campaign", "shipping")
