# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tours, as a warehouse user: ready delivery → Create waybill → Print label;
then the shipment moves on at the carrier → Refresh tracking → Delivered, with its
timeline."""

import requests

from odoo.tests import HttpCase, tagged

from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from .ship_common import CarrierShipMixin


@tagged("post_install", "-at_install")
class TestWaybillTour(CarrierShipMixin, HttpCase):
    def _waybill_tour(self, picking):
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "carrier_api_waybill_tour",
            login=self.user.login,
            timeout=120,
        )
        self.assertEqual(picking.carrier_api_state, "sent")
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(picking.carrier_tracking_ref, self._shipments()[0]["waybill"])

    def test_waybill_label_then_tracking_to_delivered_tour(self):
        picking = self._ready_picking()
        self._waybill_tour(picking)
        # The courier picks the parcel up and delivers it: the carrier's state, moved
        # over the test server's control route (what the demo panel's buttons call).
        waybill = picking.carrier_tracking_ref
        route = f"{self.biteship_api.base_url}/_control/advance/{waybill}"
        steps = []
        for _step in cc.MAIN_PATH[1:]:
            answer = requests.post(route, json={}, timeout=10)
            self.assertEqual(answer.status_code, 200, answer.text)
            steps.append(answer.json()["step"])
        self.assertEqual(steps, list(cc.MAIN_PATH[1:]))
        self.assertFalse(picking.carrier_api_tracking_event_ids)  # Odoo not told yet
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
            "carrier_api_tracking_tour",
            login=self.user.login,
            timeout=120,
        )
        picking.invalidate_recordset()
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        # Biteship says dropping_off for both in transit and out for delivery; the
        # timeline keeps one event per (time to the second, status), so the two may
        # be one line.
        statuses = picking.carrier_api_tracking_event_ids.sorted("at").mapped(
            "status_raw"
        )
        self.assertEqual(
            list(dict.fromkeys(statuses)),
            ["confirmed", "picked", "dropping_off", "delivered"],
        )
        self.assertTrue(picking.carrier_api_delivered_at)
