# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour: ready delivery → Create waybill → Print label, as a warehouse user."""

from odoo.tests import HttpCase, tagged

from .ship_common import CarrierShipMixin


@tagged("post_install", "-at_install")
class TestWaybillTour(CarrierShipMixin, HttpCase):
    def test_create_waybill_and_print_label_tour(self):
        picking = self._ready_picking()
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "carrier_api_waybill_tour",
            login=self.user.login,
            timeout=120,
        )
        self.assertEqual(picking.carrier_api_state, "sent")
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(picking.carrier_tracking_ref, self._shipments()[0]["waybill"])
