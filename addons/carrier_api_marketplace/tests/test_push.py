# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Our carrier's waybill on a marketplace delivery is pushed to the platform through
the outbox: queued once per waybill, retried after a platform error."""

from odoo.tests import new_test_user, tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.marketplace_sync.tests.common import MarketplaceCase

SHIP = "/shopee/api/v2/logistics/ship_order"


@tagged("post_install", "-at_install")
class TestCarrierWaybillPush(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse_user = new_test_user(
            cls.env,
            login="cam_wh_user",
            groups="carrier_api.group_carrier_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        service = cls.env["product.product"].create(
            {"name": "Biteship JNE", "type": "service"}
        )
        # Ours by its delivery type; no call to the carrier happens in these tests.
        cls.our_carrier = cls.env["delivery.carrier"].create(
            {"name": "Biteship JNE REG", "product_id": service.id}
        )
        cls.our_carrier.sudo().write({"delivery_type": "biteship"})

    def _picking(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        self.env.flush_all()
        picking = self.mp_order(
            self.shopee_shop, "201218V2Y6E59M"
        ).sale_order_id.picking_ids
        picking.carrier_id = self.our_carrier
        return picking.with_user(self.warehouse_user)

    def _push_events(self):
        return (
            self.env["integration.event"]
            .sudo()
            .search([("handler", "=", "_carrier_api_marketplace_push")])
        )

    def _drain(self):
        return self.env["integration.event"]._process_pending("outbound")

    def test_waybill_pushed_once_as_non_integrated(self):
        picking = self._picking()
        picking.carrier_tracking_ref = "JNE0009876"
        # the same waybill written again: still one event
        picking.sudo().write({"carrier_tracking_ref": "JNE0009876"})
        self.assertEqual(len(self._push_events()), 1)
        self.assertFalse(self.server.requests_to(SHIP))
        self._drain()
        self.assertEqual(self._push_events().state, "done")
        self.assertEqual(
            self.shopee_api.shipped["201218V2Y6E59M"]["non_integrated"],
            {"tracking_number": "JNE0009876"},
        )
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertEqual(len(self.server.requests_to(SHIP)), 1)
        # once arranged, nothing more is queued
        picking.sudo().write({"carrier_tracking_ref": "JNE0009999"})
        self.assertEqual(len(self._push_events()), 1)

    def test_platform_error_is_retried(self):
        picking = self._picking()
        self.server.faults.add(SHIP, Fault(status=500), times=10)
        picking.carrier_tracking_ref = "JNE0005555"
        self._drain()
        event = self._push_events()
        # failed this time, not for good: retried later with backoff
        self.assertEqual(event.state, "failed", event.error)
        self.assertFalse(event.dead_letter, event.error)
        self.assertGreaterEqual(event.attempts, 1)
        self.assertTrue(event.next_attempt_at)
        self.assertFalse(picking.marketplace_shipment_arranged)
        self.server.faults.clear()
        event.sudo().next_attempt_at = "2000-01-01 00:00:00"
        self._drain()
        self.assertEqual(event.state, "done")
        self.assertTrue(picking.marketplace_shipment_arranged)

    def test_other_carrier_not_pushed(self):
        picking = self._picking()
        service = self.env["product.product"].create({"name": "x", "type": "service"})
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "Fixed", "product_id": service.id, "delivery_type": "fixed"}
        )
        picking.carrier_tracking_ref = "FIX1"
        self.assertFalse(self._push_events())
