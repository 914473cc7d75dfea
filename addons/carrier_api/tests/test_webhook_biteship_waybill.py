# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The ``order.waybill_id`` webhook over HTTP: the waybill Biteship issued after the
order is read from ``GET /v1/orders/:id`` and replaces the order id stand-in."""

import re

from odoo.tests import tagged

from .test_webhook_biteship import BiteshipWebhookCase

ORDER_READ = re.compile(r"^/biteship/v1/orders/[0-9a-f]+$")


@tagged("post_install", "-at_install")
class TestBiteshipWebhookWaybill(BiteshipWebhookCase):
    def test_waybill_webhook_records_the_waybill(self):
        self.biteship_api.defer_waybill = True
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        order_id = picking.carrier_tracking_ref
        waybill = self.biteship_api.issue_waybill(order_id)
        response = self._post(
            {
                "event": "order.waybill_id",
                "order_id": order_id,
                "courier_waybill_id": waybill,
                "courier_company": "jne",
            }
        )
        self.assertEqual(response.status_code, 200)
        self.gateway.requests.clear()
        self._process()
        self.assertEqual(self._events().state, "done")
        self.assertTrue(any(ORDER_READ.search(r.path) for r in self.gateway.requests))
        self.assertEqual(picking.carrier_tracking_ref, waybill)
        self.assertEqual(picking.sudo().carrier_api_package_ids.waybill, waybill)
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
