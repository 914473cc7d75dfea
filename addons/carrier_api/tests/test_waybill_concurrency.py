# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One waybill on real transactions: two users at once, a request rolled back after
the carrier answered.

These need committed rows (another transaction cannot see uncommitted ones), so the
test works in its own cursors and removes what it committed at the end (as
base_integration's test_parallel_workers).
"""

import re
import threading

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.base_integration.api.http import CircuitBreaker
from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

ORDERS = re.compile(r"/v1/orders$")


class Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestWaybillRealCursors(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.biteship_api = BiteshipApi()
        cls.gateway = GatewayServer(cls.biteship_api).start()
        cls.addClassCleanup(cls.gateway.stop)

    def setUp(self):
        super().setUp()
        CircuitBreaker.forget()
        self.biteship_api.reset()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            indonesia = env.ref("base.id")
            company = env.company
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", company.id)], limit=1
            )
            sender = env["res.partner"].create(
                {
                    "name": "Gudang Paralel",
                    "street": "Jl. Kebayoran Lama 2",
                    "city": "Jakarta Selatan",
                    "zip": "12240",
                    "country_id": indonesia.id,
                    "phone": "021 555 0000",
                }
            )
            self.old_warehouse_partner = warehouse.partner_id.id
            warehouse.partner_id = sender
            customer = env["res.partner"].create(
                {
                    "name": "Sari Paralel",
                    "street": "Jl. Dago 5",
                    "city": "Bandung",
                    "zip": "40132",
                    "country_id": indonesia.id,
                    "phone": "081298765432",
                }
            )
            connection = env["integration.connection"].create(
                {
                    "name": "Biteship parallel",
                    "provider": "biteship",
                    "api_key": BiteshipApi.api_key,
                    "base_url": self.biteship_api.base_url,
                }
            )
            product = env["product.product"].create(
                {"name": "Parallel parcel", "type": "consu", "weight": 1.0}
            )
            carrier = env["delivery.carrier"].create(
                {
                    "name": "Biteship JNE REG parallel",
                    "delivery_type": "biteship",
                    "product_id": env["product.product"]
                    .create({"name": "Parallel shipping", "type": "service"})
                    .id,
                    "carrier_api_connection_id": connection.id,
                    "carrier_api_courier_code": "jne",
                    "carrier_api_service_code": "reg",
                }
            )
            users = [
                new_test_user(
                    env,
                    login=f"carrier_parallel_{n}",
                    groups="carrier_api.group_carrier_user",
                )
                for n in (1, 2)
            ]
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "partner_id": customer.id,
                    "carrier_id": carrier.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "product_uom": product.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            self.assertEqual(picking.state, "assigned")
            self.ids = {
                "picking": picking.id,
                "carrier": carrier.id,
                "connection": connection.id,
                "products": (product | carrier.product_id).ids,
                "partners": (sender | customer).ids,
                "users": [u.id for u in users],
                "warehouse": warehouse.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["stock.warehouse"].browse(
                self.ids["warehouse"]
            ).partner_id = self.old_warehouse_partner
            picking = env["stock.picking"].browse(self.ids["picking"])
            picking.action_cancel()
            picking.unlink()
            env["delivery.carrier"].browse(self.ids["carrier"]).unlink()
            env["integration.connection"].browse(self.ids["connection"]).unlink()
            users = env["res.users"].browse(self.ids["users"])
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            env["product.product"].browse(self.ids["products"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partners"]).unlink()

    def _picking(self, env):
        return env["stock.picking"].browse(self.ids["picking"])

    def test_two_users_at_once_make_one_waybill(self):
        # a slow carrier: both clicks overlap while the first call is out
        self.gateway.faults.add(ORDERS, Fault(delay=0.5))
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        outcomes = []

        def click(uid):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    picking = self._picking(env)
                    self.assertTrue(picking.carrier_id)  # read before the race
                    barrier.wait()
                    picking.action_carrier_api_create_waybill()
                outcomes.append("ok")
            except UserError as exc:
                outcomes.append(str(exc))

        threads = [
            threading.Thread(target=click, args=(uid,)) for uid in self.ids["users"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "a click never returned")
        self.assertEqual(len(self.biteship_api.shipments), 1, outcomes)
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        busy = [o for o in outcomes if o != "ok"]
        self.assertIn("is being created right now", busy[0])
        with self.registry.cursor() as cr:
            picking = self._picking(api.Environment(cr, SUPERUSER_ID, {}))
            waybill = next(iter(self.biteship_api.shipments))
            self.assertEqual(picking.carrier_tracking_ref, waybill)
            self.assertEqual(len(picking.carrier_api_waybill_ids), 1)

    def test_rollback_after_the_carrier_answered_keeps_one_waybill(self):
        uid = self.ids["users"][0]
        with self.assertRaises(Rollback):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                self._picking(env).action_carrier_api_create_waybill()
                raise Rollback  # e.g. a later error in the same request
        self.assertEqual(len(self.biteship_api.shipments), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            picking = self._picking(env)
            self.assertFalse(picking.carrier_tracking_ref)  # the request was undone
            posts = len(self.gateway.requests_to("/v1/orders", "POST"))
            picking.action_carrier_api_create_waybill()
            # restored from the committed ledger, no second order
            self.assertEqual(len(self.gateway.requests_to("/v1/orders", "POST")), posts)
            self.assertEqual(
                picking.carrier_tracking_ref, next(iter(self.biteship_api.shipments))
            )
        self.assertEqual(len(self.biteship_api.shipments), 1)
