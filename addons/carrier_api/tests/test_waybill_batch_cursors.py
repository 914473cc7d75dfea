# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A batch of waybills on real transactions: each claim is committed before its call
(the carrier, while booking, sees the "sending" row from another connection), and a
request rolled back after the carrier answered keeps one waybill per delivery.

Committed rows, cleaned up at the end (as test_waybill_concurrency.py).
"""

import re

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.base_integration.api.http import CircuitBreaker
from odoo.addons.base_integration.tests.gateway_servers import GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

ORDERS = re.compile(r"/v1/orders$")


class Rollback(Exception):
    pass


class LedgerCheckingBiteshipApi(BiteshipApi):
    """Reads our ledger on a connection of its own before booking: what another
    transaction can see of the claim while the call is out."""

    registry = None

    def reset(self):
        result = super().reset()
        self.seen = {}
        self.ahead = []
        return result

    def create_order(self, request):
        reference = (request.json() or {}).get("reference_id")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM carrier_api_waybill WHERE reference = %s",
                [reference],
            )
            row = cr.fetchone()
            # claimed ("sending", committed) and not yet posted: their leases run
            # while they wait for a worker
            cr.execute(
                "SELECT reference FROM carrier_api_waybill WHERE state = 'sending'"
            )
            waiting = {r for (r,) in cr.fetchall()} - set(self.seen) - {reference}
        self.seen[reference] = row[0] if row else None
        self.ahead.append(len(waiting))
        return super().create_order(request)


@tagged("post_install", "-at_install")
class TestWaybillBatchRealCursors(BaseCase):
    count = 3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.biteship_api = LedgerCheckingBiteshipApi()
        cls.gateway = GatewayServer(cls.biteship_api).start()
        cls.addClassCleanup(cls.gateway.stop)

    def setUp(self):
        super().setUp()
        CircuitBreaker.forget()
        self.biteship_api.reset()
        self.registry = Registry(get_db_name())
        self.biteship_api.registry = self.registry
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            indonesia = env.ref("base.id")
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            sender, customer = env["res.partner"].create(
                [
                    {
                        "name": "Gudang Batch",
                        "street": "Jl. Kebayoran Lama 3",
                        "city": "Jakarta Selatan",
                        "zip": "12240",
                        "country_id": indonesia.id,
                        "phone": "021 555 0001",
                    },
                    {
                        "name": "Sari Batch",
                        "street": "Jl. Dago 7",
                        "city": "Bandung",
                        "zip": "40132",
                        "country_id": indonesia.id,
                        "phone": "081298765430",
                    },
                ]
            )
            self.old_warehouse_partner = warehouse.partner_id.id
            warehouse.partner_id = sender
            connection = env["integration.connection"].create(
                {
                    "name": "Biteship batch",
                    "provider": "biteship",
                    "api_key": BiteshipApi.api_key,
                    "base_url": self.biteship_api.base_url,
                }
            )
            product, shipping = env["product.product"].create(
                [
                    {"name": "Batch parcel", "type": "consu", "weight": 1.0},
                    {"name": "Batch shipping", "type": "service"},
                ]
            )
            carrier = env["delivery.carrier"].create(
                {
                    "name": "Biteship JNE REG batch",
                    "delivery_type": "biteship",
                    "product_id": shipping.id,
                    "carrier_api_connection_id": connection.id,
                    "carrier_api_courier_code": "jne",
                    "carrier_api_service_code": "reg",
                }
            )
            user = new_test_user(
                env, login="carrier_batch_user", groups="carrier_api.group_carrier_user"
            )
            customers = env.ref("stock.stock_location_customers").id
            pickings = env["stock.picking"].create(
                [
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
                                    "location_dest_id": customers,
                                }
                            )
                        ],
                    }
                    for _i in range(self.count)
                ]
            )
            pickings.action_confirm()
            pickings.action_assign()
            self.assertEqual(set(pickings.mapped("state")), {"assigned"})
            self.ids = {
                "pickings": pickings.ids,
                "carrier": carrier.id,
                "connection": connection.id,
                "products": (product | shipping).ids,
                "partners": (sender | customer).ids,
                "user": user.id,
                "warehouse": warehouse.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["stock.warehouse"].browse(
                self.ids["warehouse"]
            ).partner_id = self.old_warehouse_partner
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            pickings.action_cancel()
            pickings.unlink()  # the ledger rows go with them (ondelete cascade)
            env["delivery.carrier"].browse(self.ids["carrier"]).unlink()
            env["integration.connection"].browse(self.ids["connection"]).unlink()
            user = env["res.users"].browse(self.ids["user"])
            partner = user.partner_id
            user.unlink()
            partner.unlink()
            env["product.product"].browse(self.ids["products"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partners"]).unlink()

    def _posts(self):
        return len(self.gateway.requests_to("/v1/orders", "POST"))

    def test_claims_committed_before_the_calls_and_a_rollback_keeps_one_each(self):
        with self.assertRaises(Rollback):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.ids["user"], {})
                pickings = env["stock.picking"].browse(self.ids["pickings"])
                self.assertTrue(pickings.action_carrier_api_create_waybill())
                raise Rollback  # e.g. a later error in the same request
        # the carrier saw every claim, from another connection, while booking
        self.assertEqual(len(self.biteship_api.seen), self.count)
        self.assertEqual(set(self.biteship_api.seen.values()), {"sending"})
        self.assertEqual(len(self.biteship_api.shipments), self.count)
        posts = self._posts()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["user"], {})
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertFalse(any(pickings.mapped("carrier_tracking_ref")))  # undone
            self.assertTrue(pickings.action_carrier_api_create_waybill())
            # restored from the committed ledger, no second order
            self.assertEqual(self._posts(), posts)
            by_reference = {
                s["reference"]: waybill
                for waybill, s in self.biteship_api.shipments.items()
            }
            for picking in pickings:
                self.assertEqual(
                    picking.carrier_tracking_ref,
                    by_reference[picking.carrier_api_reference],
                )
        self.assertEqual(len(self.biteship_api.shipments), self.count)

    def test_claims_wait_for_a_free_worker(self):
        """A claim's lease starts at the claim: with one worker, a batch does not
        commit the claims of the whole selection while the calls queue up."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            icp = env["ir.config_parameter"]
            old_workers = icp.get_param("carrier_api.waybill_workers", "")
            icp.set_param("carrier_api.waybill_workers", "1")

        def restore():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["ir.config_parameter"].set_param(
                    "carrier_api.waybill_workers", old_workers
                )

        self.addCleanup(restore)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["user"], {})
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertTrue(pickings.action_carrier_api_create_waybill())
            self.assertTrue(all(pickings.mapped("carrier_tracking_ref")))
        self.assertEqual(len(self.biteship_api.ahead), self.count)
        # one worker: at most one more delivery claimed while a call is out
        self.assertLessEqual(max(self.biteship_api.ahead), 1)

    def test_cancel_of_a_delivery_held_elsewhere_calls_nothing(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["user"], {})
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertTrue(pickings.action_carrier_api_create_waybill())
        cancels = re.compile(r"/v1/orders/[^/]+/cancel$")

        def cancel_calls():
            return [r for r in self.gateway.requests if cancels.search(r.path)]

        first = self.ids["pickings"][0]
        with self.registry.cursor() as holder:
            # another transaction (the tracking cron, a second click) holds it
            holder.execute(
                "SELECT id FROM stock_picking WHERE id = %s FOR UPDATE", [first]
            )
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.ids["user"], {})
                picking = env["stock.picking"].browse(first)
                with self.assertRaisesRegex(UserError, "being changed right now"):
                    picking.cancel_shipment()
            self.assertEqual(cancel_calls(), [])
            holder.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["user"], {})
            picking = env["stock.picking"].browse(first)
            picking.cancel_shipment()
            self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertEqual(len(cancel_calls()), 1)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM carrier_api_waybill WHERE picking_id = %s", [first]
            )
            self.assertEqual([r for (r,) in cr.fetchall()], ["cancelled"])
