# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("carrier_tracking_ref"):
            self._carrier_api_marketplace_enqueue()
        return result

    def _carrier_api_marketplace_enqueue(self):
        """Queue the push of our waybill to the platform, once per waybill."""
        for picking in self.sudo():
            order = picking.marketplace_order_id
            if (
                not order
                or not picking.carrier_api_is_ours
                or picking.marketplace_shipment_arranged
                or picking.picking_type_code != "outgoing"
            ):
                continue
            order.shop_id.connection_id._enqueue_outbound(
                "_carrier_api_marketplace_push",
                {"picking": picking.id, "waybill": picking.carrier_tracking_ref},
                dedupe_key=(
                    f"carrier-waybill:{picking.id}:{picking.carrier_tracking_ref}"
                ),
                record=picking,
            )
