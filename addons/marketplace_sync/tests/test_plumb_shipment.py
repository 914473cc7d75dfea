# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Arrange shipment exactly once, on real transactions: a double click, a request
rolled back after the platform accepted, a row somebody else holds."""

import threading

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .plumb_common import RealCursorCase, Rollback

ORDER_SN = "2612PLUMBSHIP"


@tagged("post_install", "-at_install")
class TestArrangeShipmentRealCursors(RealCursorCase):
    def setUp(self):
        super().setUp()
        self.shopee_api.put_order(
            {"order_sn": ORDER_SN, "order_status": "READY_TO_SHIP"}
        )
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            shop = env["marketplace.shop"].browse(self.shopee_id)
            user = new_test_user(
                env,
                login=f"mp_shipper_{self.shopee_id}",
                groups="sales_team.group_sale_salesman,stock.group_stock_user",
                company_id=shop.company_id.id,
            )
            self.created.append(("res.partner", user.partner_id.ids))
            self.created.append(("res.users", user.ids))
            product = env["product.product"].create(
                {"name": "Kaos plumbing", "type": "consu"}
            )
            self.created.append(("product.template", product.product_tmpl_id.ids))
            sale = env["sale.order"].create(
                {
                    "partner_id": shop.partner_id.id,
                    "company_id": shop.company_id.id,
                    "warehouse_id": shop.warehouse_id.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "price_unit": 100000,
                                "tax_id": [Command.set(shop.tax_id.ids)],
                            }
                        )
                    ],
                }
            )
            sale.action_confirm()
            order = env["marketplace.order"].create(
                {
                    "name": ORDER_SN,
                    "shop_id": shop.id,
                    "sale_order_id": sale.id,
                    "state": "imported",
                    "lifecycle": "to_ship",
                    "platform_status": "READY_TO_SHIP",
                }
            )
            sale.marketplace_order_id = order
            self.created.append(("sale.order", sale.ids))
            self.created.append(("stock.picking", sale.picking_ids.ids))
            self.user_id, self.picking_id, self.order_id = (
                user.id,
                sale.picking_ids.id,
                order.id,
            )
        self.addCleanup(self._cancel_documents)

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _cancel_documents(self):
        """Cancelled documents can be removed by the generic cleanup."""
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            picking = env["stock.picking"].browse(self.picking_id)
            env["ir.attachment"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
            ).unlink()
            picking.action_cancel()
            picking.sale_id._action_cancel()

    def click(self, then_fail=False):
        def arrange(env):
            picking = env["stock.picking"].browse(self.picking_id)
            picking.action_marketplace_arrange_shipment()
            if then_fail:
                raise Rollback
            return True

        return arrange

    def shipped(self):
        def read(env):
            picking = env["stock.picking"].browse(self.picking_id)
            labels = env["ir.attachment"].search_count(
                [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
            )
            return (
                picking.marketplace_shipment_arranged,
                picking.carrier_tracking_ref,
                env["marketplace.order"].browse(self.order_id).tracking_number,
                labels,
            )

        return self.committed(read)

    def ship_calls(self):
        return self.server.requests_to("/logistics/ship_order")

    def test_double_click_ships_once(self):
        # the platform is slow to answer: the first click still holds the rows when
        # the second arrives
        self.server.faults.add(
            "/shopee/api/v2/logistics/get_shipping_parameter", Fault(delay=0.5)
        )
        barrier = threading.Barrier(2)

        def click(env):
            env["stock.picking"].browse(self.picking_id).marketplace_shipment_arranged  # noqa: B018
            barrier.wait(timeout=5)
            return self.click()(env)

        workers = [self.in_worker(click, user=self.user_id) for _i in range(2)]
        outcomes = [self.finish(worker) for worker in workers]
        errors = [error for _value, error in outcomes if error is not None]
        self.assertEqual(len(errors), 1, outcomes)
        self.assertIsInstance(errors[0], UserError)
        self.assertRegex(str(errors[0]), "Someone else is arranging|already arranged")
        self.assertEqual(len(self.ship_calls()), 1, "one ship call at the platform")
        tracking = self.shopee_api.tracking[ORDER_SN]
        self.assertEqual(self.shipped(), (True, tracking, tracking, 1))

    def test_rolled_back_request_keeps_the_shipment(self):
        self.work(self.click(then_fail=True), user=self.user_id)
        self.assertEqual(len(self.ship_calls()), 1)
        tracking = self.shopee_api.tracking[ORDER_SN]
        self.assertTrue(tracking)
        self.assertEqual(self.shipped(), (True, tracking, tracking, 1))
        # and the next click is refused without calling the platform
        _value, error = self.finish(self.in_worker(self.click(), user=self.user_id))
        self.assertIsInstance(error, UserError)
        self.assertEqual(len(self.ship_calls()), 1)

    def test_rows_held_by_someone_else(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM marketplace_order WHERE id = %s FOR UPDATE",
                [self.order_id],
            )
            _value, error = self.finish(
                self.in_worker(self.click(), user=self.user_id, timeout=10)
            )
        self.assertIsInstance(error, UserError)
        self.assertIn("Someone else is arranging", str(error))
        self.assertFalse(self.ship_calls())
        self.assertEqual(self.shipped(), (False, False, False, 0))
