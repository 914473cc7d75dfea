# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Inbox handler of Biteship webhooks: a hint, the shipment is re-read by API."""

from odoo import _, models

from odoo.addons.base_integration.api.exceptions import IgnoreEvent


class IntegrationConnection(models.Model):
    _inherit = "integration.connection"  # pylint: disable=consider-merging-classes-inherited

    def _carrier_api_biteship_webhook(self, event):
        """Find our shipment from the hint (order id, else waybill), then poll it: the
        state changes only from what ``GET /v1/trackings`` answers (§5.5)."""
        self.ensure_one()
        data = event._get_payload()
        order_id = str(data.get("order_id") or "")
        Picking = self.env["stock.picking"].sudo()
        ledger = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("carrier_order_id", "=", order_id)])
        )
        pickings = ledger.picking_id.filtered(
            lambda p: p.carrier_id.carrier_api_connection_id == self
        )
        waybill = str(data.get("courier_waybill_id") or "")
        if not pickings and waybill:
            pickings = Picking.search(
                [
                    ("carrier_tracking_ref", "=", waybill),
                    ("carrier_id.carrier_api_connection_id", "=", self.id),
                ]
            )
        pickings = pickings.filtered("carrier_tracking_ref")
        if not pickings:
            raise IgnoreEvent(_("No shipment of ours for Biteship order %s.", order_id))
        # The cron may be polling them right now: it holds their rows. NOWAIT raises
        # a concurrency error and the inbox retries the event soon, so the answer is
        # applied once, by one of the two.
        pickings = pickings._carrier_api_track_lock("nowait")
        pickings.write({"carrier_api_next_poll": False})
        summary = pickings._carrier_api_track(manual=True)
        return summary["updated"]
