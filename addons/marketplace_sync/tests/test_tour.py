# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour: a parked order is retried from the Marketplace menu."""

from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestTour(MarketplaceCase):
    def test_retry_tour(self):
        order = self.shopee_order(order_sn="TOUR0000001")
        order["item_list"][1]["item_id"] = 8888
        self.shopee_shop._marketplace_fetch_and_import(["TOUR0000001"])
        mp = self.mp_order(self.shopee_shop, "TOUR0000001")
        self.assertEqual(mp.state, "attention")
        self.env["marketplace.product.map"].create(
            {
                "shop_id": self.shopee_shop.id,
                "item_id": "8888",
                "model_id": "0",
                "product_id": self.topi.id,
            }
        )
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        admin.company_id = self.company
        self.start_tour(
            "/odoo", "marketplace_sync_retry_tour", login="admin", timeout=120
        )
        self.assertEqual(mp.state, "imported")


@tagged("post_install", "-at_install")
class TestShipTour(MarketplaceCase):
    def test_sync_confirm_arrange_shipment_tour(self):
        """Sync now → the READY_TO_SHIP order is confirmed with its delivery → Arrange
        shipment → tracking number (browser)."""
        self.shopee_order(order_sn="TOURSHIP0001")
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        admin.company_id = self.company
        self.start_tour(
            "/odoo", "marketplace_sync_ship_tour", login="admin", timeout=180
        )
        mp = self.mp_order(self.shopee_shop, "TOURSHIP0001")
        self.assertEqual(mp.sale_order_id.state, "sale")
        picking = mp.sale_order_id.picking_ids
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertTrue(picking.carrier_tracking_ref.startswith("SPXID"))
        self.assertIn("TOURSHIP0001", self.shopee_api.shipped)
