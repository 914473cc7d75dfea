# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Ask the couriers to collect a batch of ready deliveries in a time window."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_integration.api.exceptions import IntegrationError

from ..api.base import CAP_PICKUP


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
        for wizard in self:
            if wizard.end <= wizard.start:
                raise ValidationError(_("The pickup window must end after it starts."))

    def action_request(self):
        """One request per carrier account; a refusal changes nothing."""
        self.ensure_one()
        pickings = self.picking_ids
        wrong = pickings.filtered(
            lambda p: (
                p.carrier_api_state != "sent"
                or p.state not in ("assigned", "done")
                or p.carrier_api_pickup_state == "requested"
            )
        )
        if wrong:
            raise UserError(
                _(
                    "A pickup is requested for deliveries with a waybill and no "
                    "pickup yet: %s",
                    ", ".join(wrong.mapped("name")),
                )
            )
        for carrier in pickings.carrier_id:
            batch = pickings.filtered(lambda p, c=carrier: p.carrier_id == c)
            client = carrier._carrier_api_client()
            if CAP_PICKUP not in client.capabilities:
                raise UserError(
                    _(
                        "%s takes no pickup request through its API (Biteship books "
                        "the pickup with the order itself).",
                        carrier.name,
                    )
                )
            first = batch[0]
            sender, problems, _warnings = (
                first._carrier_api_sender()._carrier_api_address(carrier, role="sender")
            )
            if problems:
                raise UserError("\n".join(problems))
            waybills = [w for p in batch for w in p._carrier_api_waybills()]
            try:
                result = client.request_pickup(waybills, sender, self.start, self.end)
            except IntegrationError as exc:
                raise UserError(
                    _(
                        "%(carrier)s refused the pickup: %(error)s",
                        carrier=carrier.name,
                        error=carrier._carrier_api_mask(str(exc)),
                    )
                ) from None
            batch.write(
                {
                    "carrier_api_pickup_state": "requested",
                    "carrier_api_pickup_ref": result.pickup_id,
                    "carrier_api_pickup_start": self.start,
                    "carrier_api_pickup_end": self.end,
                }
            )
        return {"type": "ir.actions.act_window_close"}
