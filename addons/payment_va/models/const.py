# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Status maps and error tables of the gateways (as Odoo's ``payment_<provider>/const.py``).

Error texts are lazy (``_lt``): they are translated in the language of the user who
reads them, with ``env._(TEXT) % {...}``.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# Midtrans ``transaction_status`` -> what it means for a virtual account
# (https-notification-webhooks "Status Definition", payments.md §1.6). "capture" is
# the card equivalent of "settlement", listed for completeness. "deny" also follows a
# settlement for Mandiri bill payment after a bank reversal (payments.md §5 item 3).
MIDTRANS_STATUS_MAPPING = {
    "pending": "pending",
    "settlement": "paid",
    "capture": "paid",
    "expire": "expired",
    "cancel": "cancelled",
    "failure": "cancelled",
    "deny": "reversed",
    "refund": "reversed",
    "chargeback": "reversed",
    "partial_refund": "partially_reversed",
    "partial_chargeback": "partially_reversed",
}

# Midtrans ``fraud_status`` values that allow booking; not every method sends one.
MIDTRANS_FRAUD_OK = (None, "", "accept")

# A batch stops asking the status API after this many consecutive calls that got no
# answer at all (timeout, connection refused): the gateway is unreachable, and each
# further call would only wait for its own timeout. Calls that the gateway answers
# with an error fail only their own event.
BATCH_UNANSWERED_LIMIT = 2

# Gateway error code -> actionable sentence. ``%(detail)s`` is the gateway's own
# message, ``%(gateway)s`` the provider's name.
MIDTRANS_ERROR_MESSAGES = {
    "401": _lt(
        "Midtrans refused the server key. Check the key and that the environment "
        "(sandbox/production) matches it."
    ),
    "406": _lt(
        "Midtrans already has a transaction with this order ID. Cancel it first or "
        "request a new virtual account."
    ),
    "400": _lt("Midtrans rejected the request: %(detail)s"),
    "412": _lt("Midtrans can no longer change this transaction: %(detail)s"),
}
XENDIT_ERROR_MESSAGES = {
    "INVALID_API_KEY": _lt(
        "Xendit refused the secret API key. Check the key and its Money-In write "
        "permission."
    ),
    "REQUEST_FORBIDDEN_ERROR": _lt(
        "The Xendit API key lacks the permission for virtual accounts (Money-In: "
        "write)."
    ),
    "BANK_NOT_SUPPORTED_ERROR": _lt("Xendit does not offer this bank on your account."),
    "VIRTUAL_ACCOUNT_NUMBER_OUTSIDE_RANGE": _lt(
        "The VA number is outside the range Xendit assigned to your account."
    ),
    "CALLBACK_VIRTUAL_ACCOUNT_NAME_NOT_ALLOWED_ERROR": _lt(
        "Xendit does not allow this customer name on a virtual account."
    ),
    "EXPECTED_AMOUNT_REQUIRED_ERROR": _lt("A closed virtual account needs an amount."),
    "MINIMUM_EXPECTED_AMOUNT_ERROR": _lt("The amount is below the bank's minimum."),
    "MAXIMUM_EXPECTED_AMOUNT_ERROR": _lt("The amount is above the bank's maximum."),
    "API_VALIDATION_ERROR": _lt("Xendit rejected the request: %(detail)s"),
}
ERROR_MESSAGES = {
    "midtrans": MIDTRANS_ERROR_MESSAGES,
    "xendit": XENDIT_ERROR_MESSAGES,
}
# The code whose sentence also explains a bare HTTP 401/403 of that gateway.
AUTH_ERROR_CODES = {"midtrans": "401", "xendit": "INVALID_API_KEY"}
ERROR_UNREACHABLE = _lt(
    "%(gateway)s is not reachable right now (%(detail)s). Try again later."
)
ERROR_GENERIC = _lt("%(gateway)s error: %(detail)s")
ERROR_NOT_ASKED = _lt(
    "Not asked: %(gateway)s did not answer the previous %(count)s status calls of this "
    "batch. Will try again."
)
