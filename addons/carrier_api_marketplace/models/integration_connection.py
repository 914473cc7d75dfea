# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import (
    IgnoreEvent,
    IntegrationError,
    PermanentError,
)


class IntegrationConnection(models.Model):
    _inherit = "integration.connection"

    def _carrier_api_marketplace_push(self, event):
        """Outbox handler: arrange the shipment on the platform with our waybill,
        through marketplace_sync (locks, "arranged" committed once the platform
        accepted, "already arranged" counted as success).

        Re-checks that the work is still needed: the waybill queued is still the
        delivery's (not cancelled, emptied or replaced since), the carrier still ours,
        the order not cancelled, no other delivery of the order arranged already.
        """
        self.ensure_one()
        data = event._get_payload()
        picking = self.env["stock.picking"].sudo().browse(data.get("picking")).exists()
        if not picking or picking.marketplace_shipment_arranged:
            raise IgnoreEvent(_("The delivery is gone or already arranged."))
        if not picking.carrier_tracking_ref:
            raise IgnoreEvent(_("The delivery's waybill is cancelled by now."))
        if picking.carrier_tracking_ref != data.get("waybill"):
            raise IgnoreEvent(_("The delivery has another waybill by now."))
        if not picking._carrier_api_marketplace_watched():
            raise IgnoreEvent(
                _("The delivery is not shipped with our carrier any more.")
            )
        if picking.marketplace_order_id.lifecycle == "cancelled":
            # nothing to ship: not a dead letter for someone to look at
            raise IgnoreEvent(_("The order is cancelled on the platform."))
        sibling = picking._carrier_api_marketplace_arranged_sibling()
        if sibling:
            # not an error to retry: the platform takes one shipment per order. Said on
            # the delivery, where the waybill is (an ignored event keeps no note).
            picking._carrier_api_marketplace_refuse_backorder(sibling)
            return picking.id
        self.env.flush_all()
        try:
            picking._marketplace_check_arrangeable()
            picking._marketplace_arrange_once()
        except UserError as exc:
            # The platform's own error keeps its retryability (5xx, timeouts...).
            if isinstance(exc.__cause__, IntegrationError):
                raise exc.__cause__ from None
            raise PermanentError(str(exc)) from None
        finally:
            # the side cursor wrote both: what this transaction read is old
            picking.invalidate_recordset()
            picking.marketplace_order_id.invalidate_recordset()
        return picking.id
