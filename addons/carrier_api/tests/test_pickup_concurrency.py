# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A double click on *Request pickup* books one courier, and the cron and a manual
poll (or webhook) at once read one tracking answer once: real cursors, committed rows
(cleaned up at the end), as test_waybill_concurrency.py."""

import re
import threading
from types import SimpleNamespace

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.base_integration.api.http import CircuitBreaker
from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi

from .test_pickup_carriers import PICKUP, wib_to_utc

TRACK = re.compile(r"/jne/tracing/api/list/v1/cnote/")


class Rollback(Exception):
    pass


class PickupRealCursorsCase(BaseCase):
    """A JNE delivery with a waybill, committed (real cursors), removed at the end;
    also the base of test_pickup_uncertain_commit.py."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jne_api = JneApi()
        cls.gateway = GatewayServer(cls.jne_api).start()
        cls.addClassCleanup(cls.gateway.stop)

    def setUp(self):
        super().setUp()
        CircuitBreaker.forget()
        self.jne_api.reset()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            indonesia = env.ref("base.id")
            district = env["carrier_api.district"]
            kebayoran = district.search([("code", "=", "31.74.05")])
            coblong = district.search([("code", "=", "32.73.02")])
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            sender, customer = env["res.partner"].create(
                [
                    {
                        "name": "Gudang Pickup",
                        "street": "Jl. Kebayoran Lama 3",
                        "city": "Jakarta Selatan",
                        "zip": "12240",
                        "country_id": indonesia.id,
                        "phone": "021 555 0001",
                        "region_district_id": kebayoran.id,
                    },
                    {
                        "name": "Sari Pickup",
                        "street": "Jl. Dago 7",
                        "city": "Bandung",
                        "zip": "40132",
                        "country_id": indonesia.id,
                        "phone": "081298765431",
                        "region_district_id": coblong.id,
                    },
                ]
            )
            self.old_warehouse_partner = warehouse.partner_id.id
            warehouse.partner_id = sender
            areas = env["carrier_api.area"].search(
                [
                    ("carrier_code", "=", "jne"),
                    ("district_id", "in", (kebayoran | coblong).ids),
                ]
            )
            self.old_areas = [(a.district_id.id, a.code) for a in areas]
            areas.unlink()
            areas = env["carrier_api.area"].create(
                [
                    {
                        "carrier_code": "jne",
                        "district_id": kebayoran.id,
                        "code": "CGK10101",
                    },
                    {
                        "carrier_code": "jne",
                        "district_id": coblong.id,
                        "code": "BDO10000",
                    },
                ]
            )
            connection = env["integration.connection"].create(
                {
                    "name": "JNE pickup parallel",
                    "provider": "jne",
                    "base_url": self.gateway.url + JneApi.prefix,
                    "jne_username": JneApi.username,
                    "api_key": JneApi.api_key,
                    "jne_branch_code": "CGK000",
                    "jne_customer_number": "TESTAKUN",
                }
            )
            product = env["product.product"].create(
                {"name": "Pickup parcel", "type": "consu", "weight": 1.0}
            )
            carrier = env["delivery.carrier"].create(
                {
                    "name": "JNE REG pickup parallel",
                    "delivery_type": "jne",
                    "product_id": env["product.product"]
                    .create({"name": "Pickup shipping", "type": "service"})
                    .id,
                    "carrier_api_connection_id": connection.id,
                    "carrier_api_service_code": "REG",
                }
            )
            users = [
                new_test_user(
                    env,
                    login=f"carrier_pickup_parallel_{n}",
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
                "areas": areas.ids,
            }
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["users"][0], {})
            picking = env["stock.picking"].browse(self.ids["picking"])
            picking.action_carrier_api_create_waybill()
            self.assertEqual(picking.carrier_api_state, "sent")

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["stock.warehouse"].browse(
                self.ids["warehouse"]
            ).partner_id = self.old_warehouse_partner
            picking = env["stock.picking"].browse(self.ids["picking"])
            picking.action_cancel()
            picking.unlink()
            env["carrier_api.area"].browse(self.ids["areas"]).unlink()
            env["carrier_api.area"].create(
                [
                    {"carrier_code": "jne", "district_id": district, "code": code}
                    for district, code in self.old_areas
                ]
            )
            env["delivery.carrier"].browse(self.ids["carrier"]).unlink()
            env["integration.connection"].browse(self.ids["connection"]).unlink()
            users = env["res.users"].browse(self.ids["users"])
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            env["product.product"].browse(self.ids["products"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partners"]).unlink()


@tagged("post_install", "-at_install")
class TestPickupRealCursors(PickupRealCursorsCase):
    def test_double_click_books_one_pickup(self):
        # a slow carrier: the second click comes while the first call is out
        self.gateway.faults.add(PICKUP, Fault(delay=0.5))
        start, end = wib_to_utc(1, 10), wib_to_utc(1, 12)
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        outcomes = []

        def click(uid):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    wizard = env["carrier.api.pickup.wizard"].create(
                        {
                            "picking_ids": [Command.set([self.ids["picking"]])],
                            "start": start,
                            "end": end,
                        }
                    )
                    barrier.wait()
                    action = wizard.action_request()
                outcomes.append(action["params"]["type"])
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
        self.assertEqual(outcomes.count("success"), 1, outcomes)
        other = next(o for o in outcomes if o != "success")
        self.assertRegex(other, "being requested right now|requested meanwhile")
        self.assertEqual(len(self.gateway.requests_to("/jne/pickupcashless")), 1)
        self.assertEqual(len(self.jne_api.pickups), 1)
        with self.registry.cursor() as cr:
            picking = api.Environment(cr, SUPERUSER_ID, {})["stock.picking"].browse(
                self.ids["picking"]
            )
            self.assertEqual(picking.carrier_api_pickup_state, "requested")
            booked = next(iter(self.jne_api.pickups.values()))
            self.assertEqual(picking.carrier_api_pickup_ref, booked["pickup_no"])

    def test_cron_and_a_manual_poll_at_once_apply_the_answer_once(self):
        """The cron holds the rows during its calls: a second cron run skips them
        (SKIP LOCKED), a manual poll or the Biteship webhook path (NOWAIT) stops at
        once - the webhook's inbox event is retried - so one answer is applied
        once. Shown with JNE's tracking (same engine and lock for every carrier)."""
        self.gateway.faults.add(TRACK, Fault(delay=3.0))
        started = threading.Event()
        outcomes = {}

        def cron():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    picking = env["stock.picking"].browse(self.ids["picking"])
                    locked = picking._carrier_api_track_lock("skip")
                    started.set()
                    outcomes["cron"] = locked._carrier_api_track()["updated"]
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                outcomes["cron"] = repr(exc)
                started.set()

        thread = threading.Thread(target=cron)
        thread.start()
        try:
            self.assertTrue(started.wait(30), "the cron never started")
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                picking = env["stock.picking"].browse(self.ids["picking"])
                # a second cron run meanwhile: nothing to do, nothing waited for
                summary = picking._carrier_api_track()
                self.assertEqual((summary["calls"], summary["updated"]), (0, 0))
                cr.rollback()
                user_env = api.Environment(cr, self.ids["users"][1], {})
                with self.assertRaisesRegex(UserError, "being read right now"):
                    user_env["stock.picking"].browse(
                        self.ids["picking"]
                    ).action_carrier_api_refresh_tracking()
                cr.rollback()
                # the webhook handler's path: a concurrency error, which the inbox
                # answers with a retry of the event (integration_event)
                waybill = picking.carrier_tracking_ref
                event = SimpleNamespace(
                    _get_payload=lambda: {"order_id": "", "courier_waybill_id": waybill}
                )
                connection = env["integration.connection"].browse(
                    self.ids["connection"]
                )
                with self.assertRaises(psycopg2.errors.LockNotAvailable):
                    connection._carrier_api_biteship_webhook(event)
                cr.rollback()
        finally:
            thread.join(60)
        self.assertFalse(thread.is_alive(), "the cron never returned")
        self.assertEqual(outcomes["cron"], 1, outcomes)
        self.assertEqual(len(self.gateway.requests_to("/cnote/")), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_delivery_state, "recorded")
            self.assertEqual(len(picking.carrier_api_tracking_event_ids), 1)

    def test_rollback_after_the_carrier_accepted_books_no_second_courier(self):
        start, end = wib_to_utc(1, 10), wib_to_utc(1, 12)
        uid = self.ids["users"][0]

        def request(env):
            wizard = env["carrier.api.pickup.wizard"].create(
                {
                    "picking_ids": [Command.set([self.ids["picking"]])],
                    "start": start,
                    "end": end,
                }
            )
            return wizard.action_request()

        with self.assertRaises(Rollback):
            with self.registry.cursor() as cr:
                request(api.Environment(cr, uid, {}))
                raise Rollback  # e.g. a later error in the same request
        self.assertEqual(len(self.jne_api.pickups), 1)
        calls = len(self.gateway.requests_to("/jne/pickupcashless"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_pickup_state, "none")  # undone
            # later, another window: restored from the committed ledger, no call
            action = request(env)
            self.assertEqual(action["params"]["type"], "success")
            self.assertEqual(picking.carrier_api_pickup_state, "requested")
            booked = self.jne_api.pickups[picking.carrier_tracking_ref]
            self.assertEqual(picking.carrier_api_pickup_ref, booked["pickup_no"])
            self.assertEqual(picking.carrier_api_pickup_start, start)
        self.assertEqual(len(self.gateway.requests_to("/jne/pickupcashless")), calls)
