# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stock to platforms: free quantity − buffer, batched, per-SKU failures recorded."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestStock(MarketplaceCase):
    def test_batched_push_with_failures(self):
        shop = self.shopee_shop
        shop.write({"stock_push_enabled": True, "stock_safety_buffer": 2})
        products = self.env["product.product"].create(
            [
                {"name": f"Varian {i}", "is_storable": True, "type": "consu"}
                for i in range(120)
            ]
        )
        stock = self.warehouse.lot_stock_id
        Quant = self.env["stock.quant"]
        for index, product in enumerate(products):
            Quant._update_available_quantity(product, stock, 10 + index % 5)
        maps = self.env["marketplace.product.map"].create(
            [
                {
                    "shop_id": shop.id,
                    "item_id": "5000",
                    "model_id": str(7000 + i),
                    "product_id": p.id,
                }
                for i, p in enumerate(products)
            ]
        )
        self.shopee_api.stock_failures.add((5000, 7003))
        # a flash sale holds 15 units of the first listing: never pushed below that
        maps[0].promotion_stock = 15
        calls = shop._marketplace_push_stock(maps)
        self.assertEqual(calls, 3)  # 120 models of one item, ≤50 per call
        self.assertEqual(self.shopee_api.stock[(5000, 7000)], 15)
        self.assertEqual(self.shopee_api.stock[(5000, 7005)], 8)
        self.assertEqual(self.shopee_api.stock[(5000, 7004)], 12)
        failed = maps.filtered("stock_push_error")
        self.assertEqual(failed.model_id, "7003")
        self.assertIn("reserved", failed.stock_push_error)
        self.assertFalse(maps.filtered("stock_dirty"))

    def test_reservation_marks_dirty_and_queues_one_push(self):
        shop = self.shopee_shop
        shop.stock_push_enabled = True
        self.env["stock.quant"]._update_available_quantity(
            self.kaos, self.warehouse.lot_stock_id, 10
        )
        self.env["marketplace.product.map"].search([]).stock_dirty = False
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        kaos_map = self.env["marketplace.product.map"].search(
            [("shop_id", "=", shop.id), ("product_id", "=", self.kaos.id)]
        )
        self.assertTrue(kaos_map.stock_dirty)
        events = self.env["integration.event"].search(
            [
                ("connection_id", "=", shop.connection_id.id),
                ("direction", "=", "outbound"),
            ]
        )
        self.assertEqual(len(events), 1)  # coalesced by dedupe_key
        events.next_attempt_at = False  # debounced 30 s: make it due now
        self.env.flush_all()
        self.env["integration.event"]._process_pending("outbound")
        self.assertEqual(events.state, "done", events.error)
        # 10 on hand − 2 reserved by the order
        self.assertEqual(self.shopee_api.stock[(1001, 2001)], 8)

    def test_warehouse_user_moves_stock_of_mapped_products(self):
        """A warehouse user without any sales or marketplace right reserves and
        validates a delivery of a mapped product: the mapping is flagged all the
        same (no AccessError on the mappings)."""
        shop = self.shopee_shop
        shop.stock_push_enabled = True
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.kaos, stock, 10)
        maps = self.env["marketplace.product.map"].search([])
        maps.stock_dirty = False
        user = new_test_user(
            self.env, login="ms_stock_only", groups="stock.group_stock_user"
        )
        picking = (
            self.env["stock.picking"]
            .with_user(user)
            .create(
                {
                    "picking_type_id": self.warehouse.out_type_id.id,
                    "location_id": stock.id,
                    "location_dest_id": self.env.ref(
                        "stock.stock_location_customers"
                    ).id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.kaos.name,
                                "product_id": self.kaos.id,
                                "product_uom_qty": 2,
                                "location_id": stock.id,
                                "location_dest_id": self.env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        kaos_map = maps.filtered(
            lambda m: m.product_id == self.kaos and m.shop_id == shop
        )
        self.assertTrue(kaos_map.stock_dirty)
        kaos_map.stock_dirty = False
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(kaos_map.stock_dirty)

    def test_tiktok_bundle_quantity(self):
        shop = self.tiktok_shop
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.kopi, stock, 9)
        self.env["stock.quant"]._update_available_quantity(self.gula, stock, 5)
        bundle = self.env["marketplace.product.map"].create(
            {
                "shop_id": shop.id,
                "item_id": "99",
                "model_id": "990",
                "line_ids": [
                    (0, 0, {"product_id": self.kopi.id, "quantity": 2}),
                    (0, 0, {"product_id": self.gula.id, "quantity": 1}),
                ],
            }
        )
        shop._marketplace_push_stock(bundle)
        self.assertEqual(self.tiktok_api.inventory["990"], 4)  # min(9 // 2, 5)

    def _variants(self, count):
        products = self.env["product.product"].create(
            [
                {"name": f"Varian {i}", "is_storable": True, "type": "consu"}
                for i in range(count)
            ]
        )
        for index, product in enumerate(products):
            self.env["stock.quant"]._update_available_quantity(
                product, self.warehouse.lot_stock_id, 10 + index
            )
        return products

    def test_free_quantity_read_once_for_all_mappings(self):
        shop = self.shopee_shop
        products = self._variants(40)
        maps = self.env["marketplace.product.map"].create(
            [
                {
                    "shop_id": shop.id,
                    "item_id": "5000",
                    "model_id": str(7000 + i),
                    "product_id": p.id,
                }
                for i, p in enumerate(products)
            ]
        )
        self.env.invalidate_all()
        maps = maps.browse(maps.ids)
        Product = type(self.env["product.product"])
        with patch.object(
            Product,
            "_compute_quantities_dict",
            autospec=True,
            side_effect=Product._compute_quantities_dict,
        ) as reads:
            quantities = maps._marketplace_available_qty()
        self.assertEqual(reads.call_count, 1, "one read for the warehouse")
        self.assertEqual(quantities[maps[7].id], 17)

    def test_full_push_through_the_outbox_reads_current_stock(self):
        """The nightly cron queues one event per shop; its handler reads the
        quantities when it runs, not when it was queued."""
        shop = self.shopee_shop
        shop.stock_push_enabled = True
        self.env["marketplace.product.map"].search([]).stock_dirty = False
        self.env["marketplace.shop"]._cron_push_stock_full()
        events = self.env["integration.event"].search(
            [
                ("connection_id", "=", shop.connection_id.id),
                ("handler", "=", "_marketplace_push_stock_event"),
            ]
        )
        self.assertEqual(len(events), 1)
        self.env["stock.quant"]._update_available_quantity(
            self.kaos, self.warehouse.lot_stock_id, 7
        )
        self.env.flush_all()
        self.env["integration.event"]._process_pending("outbound")
        self.assertEqual(events.state, "done", events.error)
        self.assertEqual(self.shopee_api.stock[(1001, 2001)], 7)
        self.assertEqual(self.shopee_api.stock[(1002, 0)], 0)
