# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The waybill ledger: what we asked the carrier for and what it answered.

One row per external order id (a picking, or one package of it). Every change is
committed in a side transaction of its own (``stock.picking``'s
``_carrier_api_claim_in`` / ``_carrier_api_settle_in``), so that a rollback of the
request that clicked, or a worker killed mid-call, never erases "we asked" or "the
carrier accepted": the next attempt reads the row and looks the order up (or, for a
carrier that cannot, asks the user) instead of booking a second one.
The picking row is not used for this: at validation the request already holds it.
"""

from odoo import fields, models

from .const import DELIVERY_STATES

LEDGER_STATES = [
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class CarrierApiWaybill(models.Model):
    _name = "carrier.api.waybill"
    _description = "Carrier waybill request"
    _order = "id desc"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        required=True,
        ondelete="cascade",
        index=True,
    )
    carrier_id = fields.Many2one("delivery.carrier", string="Shipping method")
    reference = fields.Char(string="External order id", required=True)
    part = fields.Integer(string="Package number", default=0)
    state = fields.Selection(LEDGER_STATES, string="Status", required=True)
    sending_at = fields.Datetime(string="Sent at")
    uncertain = fields.Boolean(
        string="Outcome unknown",
        help="The carrier may have booked it (no answer, timeout, 5xx): look it up "
        "before sending again.",
    )
    waybill = fields.Char(string="Waybill number")
    carrier_order_id = fields.Char(string="Carrier order id")
    price = fields.Integer(string="Carrier price")
    message = fields.Text(string="Last message")
    # The carrier accepted a courier pickup of this waybill (committed in a side
    # transaction like the rest of the row: a rollback of the request that asked
    # leaves it, and the next request restores the pickup instead of asking again).
    pickup_requested_at = fields.Datetime(string="Pickup requested on")
    pickup_ref = fields.Char(string="Pickup number")
    pickup_start = fields.Datetime(string="Pickup from")
    pickup_end = fields.Datetime(string="Pickup until")
    # A pickup of this waybill was asked for and no clear answer is recorded yet:
    # set (committed) before the call, cleared when the carrier answers clearly. A
    # lost answer (timeout, 5xx), a worker killed during the call or a rollback of
    # the request leaves it set, and no request asks again until a person checked
    # the carrier's portal (*Not booked: ask again*).
    pickup_unclear_since = fields.Datetime(
        string="Pickup answer unclear since",
        help="A pickup of this waybill was asked for without a clear answer: the "
        "carrier may have booked a courier.",
    )
    # Tracking of this package (stock_picking_tracking.py): the picking's delivery
    # state is the aggregate of its packages' (const.aggregate_state).
    delivery_state = fields.Selection(DELIVERY_STATES, string="Delivery state")
    delivered_at = fields.Datetime(string="Delivered on")
    status_raw = fields.Char(string="Carrier status")
    status_unknown = fields.Boolean(
        string="Unknown carrier status",
        help="The carrier's latest status of this package is not in the status map; "
        "its delivery state was kept.",
    )
    tracked_at = fields.Datetime(string="Tracking read on")
    unknown_since = fields.Datetime(string="Carrier does not know the number since")
    tracking_stopped = fields.Boolean(
        string="Tracking given up",
        help="The carrier never knew this waybill within the configured time.",
    )

    _sql_constraints = [
        (
            "reference_unique",
            "UNIQUE(reference)",
            "An external order id is used once.",
        ),
    ]
