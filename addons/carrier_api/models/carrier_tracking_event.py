# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The raw status history of a shipment, as the carrier told it (the timeline)."""

from odoo import fields, models

from .const import DELIVERY_STATES


class CarrierTrackingEvent(models.Model):
    _name = "carrier.api.tracking.event"
    _description = "Carrier tracking event"
    _order = "picking_id, at, id"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        required=True,
        ondelete="cascade",
        index=True,
    )
    waybill = fields.Char(string="Waybill number")
    at = fields.Datetime(string="Date")
    status_raw = fields.Char(string="Carrier status", required=True)
    description = fields.Char(string="Carrier note")
    location = fields.Char(string="Place")
    delivery_state = fields.Selection(DELIVERY_STATES, string="Delivery state")
    unknown = fields.Boolean(
        string="Unknown status",
        help="The carrier's status is not in the status map: kept, the delivery state "
        "was left unchanged.",
    )
