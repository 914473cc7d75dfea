# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A returning buyer's delivery address is reused, not created again with every
order; per-buyer customers are per company and unique even under concurrent intake
(issue 8 point 5, review D21)."""

import copy
import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.base_integration.api.exceptions import RetryableError

from ..api import shopee
from .acct_common import RealCursorCase
from .common import MarketplaceCase, fixture


@tagged("post_install", "-at_install")
class TestBuyerAddresses(MarketplaceCase):
    def _import(self, order_sn, **changes):
        self.shopee_order(order_sn=order_sn, **changes)
        self.shopee_shop._marketplace_fetch_and_import([order_sn])
        mp = self.mp_order(self.shopee_shop, order_sn)
        self.assertEqual(mp.state, "imported", mp.error_message)
        return mp.sale_order_id

    def _moved(self):
        address = copy.deepcopy(
            fixture("shopee_order_detail.json")["recipient_address"]
        )
        address.update(full_address="Jl. K******* No. **, Tebet", zipcode="12810")
        return address

    def test_returning_buyer_address_is_reused(self):
        first = self._import("2612ADDR01")
        # the same buyer and address again, written a little differently
        address = copy.deepcopy(
            fixture("shopee_order_detail.json")["recipient_address"]
        )
        address["full_address"] = "  jl. s******* no. **,   setiabudi "
        second = self._import("2612ADDR02", recipient_address=address)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        # a new address of the same buyer is a new delivery address
        third = self._import("2612ADDR03", recipient_address=self._moved())
        self.assertNotEqual(third.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(third.partner_shipping_id.zip, "12810")
        # another buyer at an address that reads the same (masked) is not merged
        other = self._import("2612ADDR04", buyer_user_id=999001)
        self.assertNotEqual(other.partner_shipping_id, first.partner_shipping_id)
        children = self.shopee_shop.partner_id.child_ids.filtered(
            lambda p: p.type == "delivery"
        )
        self.assertEqual(len(children), 3)

    def test_bulk_import_of_one_buyer_creates_one_address(self):
        for name in ("2612BULKA1", "2612BULKA2"):
            self.shopee_order(order_sn=name)
        raws = [copy.deepcopy(o) for o in self.shopee_api.orders.values()]
        orders = self.shopee_shop._marketplace_import_payloads(raws)
        self.assertEqual(set(orders.mapped("state")), {"imported"})
        self.assertEqual(len(orders.sale_order_id.partner_shipping_id), 1)

    def test_buyer_customer_reused_per_company(self):
        self.shopee_shop.partner_mode = "buyer"
        other_company = self.env["res.company"].create({"name": "PT Lain"})
        # the same platform buyer, known in another company of the database
        foreign = (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "Buyer elsewhere",
                    "ref": "shopee:258220",
                    "company_id": other_company.id,
                }
            )
        )
        first = self._import("2612BUYER1")
        self.assertNotEqual(first.partner_id, foreign)
        self.assertEqual(first.partner_id.company_id, self.company)
        self.assertEqual(first.partner_id.ref, "shopee:258220")
        second = self._import("2612BUYER2")
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(second.partner_shipping_id.parent_id, first.partner_id)


@tagged("post_install", "-at_install")
class TestConcurrentBuyers(RealCursorCase):
    shop_values = {"partner_mode": "buyer"}

    def extra_cleanup(self, env):
        buyers = env["res.partner"].search(
            [
                ("ref", "=", "shopee:258220"),
                ("company_id", "=", env.ref("base.main_company").id),
            ]
        )
        env["res.partner"].search([("id", "child_of", buyers.ids)]).unlink()

    def test_two_workers_create_one_buyer(self):
        norm = shopee.normalize_order(
            fixture("shopee_order_detail.json") | {"update_time": 1700000000}
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["marketplace.shop"].browse(self.ids["shop"])
            self.company_id = shop.company_id.id
            orders = env["marketplace.order"].create(
                [{"name": name, "shop_id": shop.id} for name in ("2612CC1", "2612CC2")]
            )
            order_ids = orders.ids
        created, errors = threading.Event(), []

        def second_worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    created.wait(30)
                    env["marketplace.order"].browse(order_ids[1])._marketplace_partners(
                        norm
                    )
            except Exception as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)

        thread = threading.Thread(target=second_worker)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["marketplace.order"].browse(order_ids[0])._marketplace_partners(norm)
            env.flush_all()
            # the second worker looks for the buyer before the first commits
            thread.start()
            created.set()
            time.sleep(1)
        thread.join(30)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE ref = %s AND company_id = %s",
                ["shopee:258220", self.company_id],
            )
            self.assertEqual(cr.fetchone()[0], 1, "one customer for the buyer")
        # the second worker's event is retried; then it finds the buyer
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], RetryableError)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["marketplace.order"].browse(order_ids[1])
            customer, delivery = order._marketplace_partners(norm)
            self.assertEqual(customer.ref, "shopee:258220")
            self.assertEqual(delivery.parent_id, customer)
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE parent_id = %s",
                [customer.id],
            )
            self.assertEqual(cr.fetchone()[0], 1, "one delivery address")
