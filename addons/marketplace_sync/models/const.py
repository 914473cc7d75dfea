# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What Odoo does for each platform status, and where each settlement bucket is booked.

Plain data, read by the models (``marketplace.order``, ``marketplace.return``,
``marketplace.settlement.line``). The platform field names these maps key on are
documented next to the normalisation in ``api/shopee.py`` and ``api/tiktok.py``.
"""

# Order status -> (shown lifecycle, action), every status explicitly. No silent
# default: an unknown status parks the order (reference §4.3: unknown statuses with a
# default mapping pushed orders back to earlier states).
# Shopee: developer-guide/229 §10. READY_TO_SHIP = paid, past the buyer's free-cancel
# window.
SHOPEE_STATUS = {
    "UNPAID": ("pending", "wait"),
    "PENDING": ("pending", "wait"),
    "INVOICE_PENDING": ("pending", "wait"),
    "READY_TO_SHIP": ("to_ship", "confirm"),
    "RETRY_SHIP": ("to_ship", "confirm"),
    "PROCESSED": ("to_ship", "confirm"),
    "SHIPPED": ("shipped", "confirm"),
    "TO_CONFIRM_RECEIVE": ("delivered", "confirm"),
    "COMPLETED": ("completed", "confirm"),
    "IN_CANCEL": ("cancelling", "hold"),
    "CANCELLED": ("cancelled", "cancel"),
    "TO_RETURN": ("returning", "return"),
}
# TikTok Shop 202309 order.md; ON_HOLD is the one-hour remorse window.
TIKTOK_STATUS = {
    "UNPAID": ("pending", "wait"),
    "ON_HOLD": ("pending", "wait"),
    "AWAITING_SHIPMENT": ("to_ship", "confirm"),
    "PARTIALLY_SHIPPING": ("shipped", "confirm"),
    "AWAITING_COLLECTION": ("to_ship", "confirm"),
    "IN_TRANSIT": ("shipped", "confirm"),
    "DELIVERED": ("delivered", "confirm"),
    "COMPLETED": ("completed", "confirm"),
    "CANCELLED": ("cancelled", "cancel"),
}
ORDER_STATUS = {"shopee": SHOPEE_STATUS, "tiktok": TIKTOK_STATUS}
# The platform status of an order whose payout can be asked for: the amount "will
# change before order is completed" (v2.payment.get_escrow_detail); TikTok settles
# completed orders too (finance.md).
SETTLEABLE_STATUS = "COMPLETED"

# Return status -> what Odoo does ("wait", "refund", "close"). No default: an unknown
# status parks the return.
# Shopee ReturnStatus (developer-guide/227). ``COMPLETED`` is only in the shopee-sdk
# schema **[secondary]**; ``CLOSED`` is taken as "ended without refund" **[inference]**.
SHOPEE_RETURN_STATUS = {
    "REQUESTED": "wait",
    "PROCESSING": "wait",
    "JUDGING": "wait",
    "SELLER_DISPUTE": "wait",
    "ACCEPTED": "refund",
    "COMPLETED": "refund",
    "CANCELLED": "close",
    "CLOSED": "close",
}
# TikTok return_status (return_refund.md SearchReturns). Replacements are not handled
# by Odoo yet.
TIKTOK_RETURN_STATUS = {
    "RETURN_OR_REFUND_REQUEST_PENDING": "wait",
    "AWAITING_BUYER_SHIP": "wait",
    "BUYER_SHIPPED_ITEM": "wait",
    "AWAITING_BUYER_RESPONSE": "wait",
    "REFUND_OR_RETURN_REQUEST_REJECT": "close",
    "REJECT_RECEIVE_PACKAGE": "close",
    "RETURN_OR_REFUND_REQUEST_CANCEL": "close",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "refund",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "refund",
    "REPLACEMENT_REQUEST_PENDING": "wait",
    "REPLACEMENT_REQUEST_REJECT": "close",
    "REPLACEMENT_REQUEST_CANCEL": "close",
    "REPLACEMENT_REQUEST_REFUND_SUCCESS": "refund",
}
RETURN_STATUS = {"shopee": SHOPEE_RETURN_STATUS, "tiktok": TIKTOK_RETURN_STATUS}
# TikTok cancellation records (return_refund.md SearchCancellations): the buyer's
# request, and what it became once answered.
TIKTOK_CANCEL_PENDING = "CANCELLATION_REQUEST_PENDING"
TIKTOK_CANCEL_ANSWERED = {
    True: ("CANCELLATION_REQUEST_SUCCESS", "CANCELLATION_REQUEST_COMPLETE"),
    False: ("CANCELLATION_REQUEST_CANCEL",),
}

# Settlement fee bucket -> the shop's account field; an empty one falls back to
# ``fee_account_id`` ("other" is what no bucket explains).
BUCKET_ACCOUNT_FIELDS = {
    "commission": "commission_account_id",
    "service": "service_fee_account_id",
    "transaction": "transaction_fee_account_id",
    "campaign": "campaign_fee_account_id",
    "shipping": "shipping_fee_account_id",
    "other": "fee_account_id",
}

# Shopee's return list has no order filter: returns are paged in 15-day slices (same
# bound as get_order_list **[inference]**), up to ~90 days after the order.
SHOPEE_RETURN_WINDOW = 15 * 24 * 3600
SHOPEE_RETURN_SLICES = 6

# The settlement import asks the platform again for an order without a payout only
# after this many hours (an escrow appears days after completion, reference §1.8).
SETTLEMENT_RECHECK_HOURS = 6
# Orders asked per cron run, and the run's time budget (below the cron worker's
# limit): an hourly run of 200 keeps up with thousands of completed orders a day.
SETTLEMENT_BATCH = 200
SETTLEMENT_CRON_SECONDS = 240
