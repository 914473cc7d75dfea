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
        accepted, "already arranged" counted as success)."""
        self.ensure_one()
        data = event._get_payload()
        picking = self.env["stock.picking"].sudo().browse(data.get("picking")).exists()
        if not picking or picking.marketplace_shipment_arranged:
            raise IgnoreEvent(_("The delivery is gone or already arranged."))
        if picking.carrier_tracking_ref != data.get("waybill"):
            raise IgnoreEvent(_("The delivery has another waybill by now."))
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
            picking.invalidate_recordset()
        return picking.id
