# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ask the couriers to collect a batch of ready deliveries in a time window."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CarrierApiPickupWizard(models.TransientModel):
    _name = "carrier.api.pickup.wizard"
    _description = "Request a courier pickup"

    picking_ids = fields.Many2many("stock.picking", string="Deliveries", required=True)
    start = fields.Datetime(
        string="From",
        required=True,
        default=lambda self: fields.Datetime.now() + timedelta(hours=1),
    )
    end = fields.Datetime(
        string="Until",
        required=True,
        default=lambda self: fields.Datetime.now() + timedelta(hours=4),
    )

    @api.constrains("start", "end")
    def _check_window(self):
        _ = self.env._
        for wizard in self:
            if wizard.end <= wizard.start:
                raise ValidationError(_("The pickup window must end after it starts."))

    def action_request(self):
        """One request per carrier and sender; each carrier's answer stands on its
        own (an acceptance is kept whatever the next carrier says), and the result
        lists what was requested, booked with the order, refused or not offered."""
        self.ensure_one()
        _ = self.env._
        if self.start < fields.Datetime.now() - timedelta(minutes=5):
            raise UserError(_("The pickup window starts in the past."))
        summary = self.picking_ids._carrier_api_request_pickup(self.start, self.end)
        lines = []
        if summary["requested"]:
            lines.append(
                _(
                    "Pickup requested: %s",
                    ", ".join(summary["requested"].mapped("name")),
                )
            )
        if summary["with_order"]:
            lines.append(
                _(
                    "Courier booked with the order (no separate request): %s",
                    ", ".join(summary["with_order"].mapped("name")),
                )
            )
        for pickings, message in summary["refused"]:
            lines.append(
                _(
                    "Refused (%(pickings)s): %(message)s",
                    pickings=", ".join(pickings.mapped("name")),
                    message=message,
                )
            )
        if summary["unsupported"]:
            for carrier in summary["unsupported"].carrier_id:
                names = summary["unsupported"].filtered(
                    lambda p, c=carrier: p.carrier_id == c
                )
                lines.append(
                    _(
                        "%(carrier)s takes no pickup request through its API: ask "
                        "for it in the carrier's portal (%(pickings)s).",
                        carrier=carrier.name,
                        pickings=", ".join(names.mapped("name")),
                    )
                )
        trouble = bool(summary["refused"] or summary["unsupported"])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Some pickups were not requested")
                if trouble
                else _("Pickup"),
                "message": "\n".join(lines),
                "type": "warning" if trouble else "success",
                "sticky": trouble,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
