# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What both marketplace clients share: typed errors, one client interface and the
neutral order shape.

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

import time
from decimal import Decimal, InvalidOperation

from odoo.addons.base_integration.api import exceptions
from odoo.addons.base_integration.api.exceptions import (  # noqa: F401 (re-exported)
    AuthenticationError,
    IntegrationError,
    PermanentError,
    RetryableError,
)


class MarketplaceError(PermanentError):
    """The platform refused a call with a business error code (``code`` holds it)."""


class TokenExpiredError(exceptions.TokenExpiredError):
    """The access token is expired or invalid: refresh it once, then retry the call.

    The suite's ``TokenExpiredError``: retryable for the queue, so an event that meets
    an expired token waits for its retry instead of becoming a dead letter.
    """


class MarketplaceClient:
    """The operations ``marketplace.shop`` uses, under the same names on every platform.

    Each platform's client implements them in its own ``api/<platform>.py`` (how many
    calls an operation takes, what the platform names its fields); the models call the
    names below and never ask which platform they talk to. Results are plain data:

    * ``refresh_token(refresh_token)`` / ``get_token(code, shop_ref)``: a token pair
      ``{"access_token", "refresh_token", "expires_at"}`` (``expires_at`` in Unix
      seconds);
    * ``authorization_url(redirect_url, state)``: the seller's consent page;
    * ``get_authorized_shop(shop_ref)``: ``{"shop_ref", "cipher", "name"}`` of the shop
      the token serves, or ``None``;
    * ``get_shop_info()``: ``{"name"}``, a cheap authenticated call;
    * ``list_orders(time_from, time_to, cursor="", page_size=100)``: one page of full
      orders updated in the window, ``{"orders": [...], "next_cursor": str}`` (an empty
      cursor ends the window);
    * ``get_orders(refs)``: full orders by platform order number (batched as needed);
    * ``order_ref(raw)``: the platform order number of a full order;
    * ``update_stock(item_id, [(model_id, qty)])``: ``{model_id: reason}`` of refused
      models, at most ``STOCK_BATCH`` models per call;
    * ``ship(order_ref, package_ref, tracking_number=None, ...)``: arrange shipment;
      ``{"tracking_number", "already_arranged"}``. A platform that answers "already
      arranged" (a replay) is success;
    * ``get_label(order_ref, package_ref)``: ``{"tracking_number", "label"}`` (PDF
      bytes or ``None``);
    * ``list_returns(time_from, time_to)``: return records created or updated in the
      window (every page);
    * ``read_push(payload)``: what a stored push asks for, ``{"kind": "order", "ref",
      "update_time"}``, ``{"kind": "authorization_expiring"}``, ``{"kind":
      "deauthorized"}`` or ``{"kind": None, "code"}`` (not used);
      :raises MalformedPayload: a field of the wrong type.

    Capabilities the models must respect: ``SHIPS_PACKAGES`` (shipment is arranged per
    platform package, so an order without a package cannot ship yet) and
    ``NEEDS_SHIPPING_PROVIDER`` (seller-arranged shipping names the carrier by the
    platform's provider id, see ``delivery_option`` / ``get_shipping_providers``).
    """

    STOCK_BATCH = 50
    SHIPS_PACKAGES = False
    NEEDS_SHIPPING_PROVIDER = False
    # When ``access_token`` expires (Unix seconds), as far as the caller knows: the
    # caller sets it, and refreshes in time.
    token_expires_at = None

    def __init__(
        self,
        session,
        base_url,
        app_key,
        app_secret,
        *,
        shop_ref=None,
        shop_cipher=None,
        access_token=None,
        auth_url=None,
        clock=time.time,
    ):
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.shop_ref = shop_ref
        self.shop_cipher = shop_cipher
        self.access_token = access_token
        self.auth_url = auth_url
        self.clock = clock

    @staticmethod
    def read_push(payload):
        raise NotImplementedError

    @staticmethod
    def delivery_option(raw_order):
        """The platform's delivery option of an order, for ``get_shipping_providers``."""
        return None


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
