# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deliveries on real transactions: committed set-up data, cleaned up at the end.

A lock or a claim is only proven by two transactions that cannot see each other's
uncommitted rows, so these tests do not run in the test's transaction (as
``TransactionCase`` would, where every cursor shares it) but in cursors of their own,
as base_integration's test_parallel_workers. Whatever the set-up commits, the
cleanup removes.
"""

import threading
from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user

from odoo.addons.base_integration.api.http import CircuitBreaker
from odoo.addons.base_integration.tests.gateway_servers import GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi


class Rollback(Exception):
    """Raised inside a cursor to undo what it did, e.g. a later error in the same
    request, after the carrier already answered."""


class CarrierRealCursorCase(BaseCase):
    """One carrier connection, its delivery method, ``user_count`` carrier users and
    ``picking_count`` reserved outgoing deliveries to one customer, committed.

    ``self.ids`` holds the committed ids: ``pickings`` and ``users`` (lists),
    ``picking`` and ``user`` (the first of each), ``carrier``, ``connection``,
    ``partners`` (sender, customer), ``products``, ``warehouse``.
    """

    gateway_api_class = None  # the carrier imitation the connection calls
    area_carrier = None  # a carrier whose areas the deliveries need (_create_extra)
    area_codes = {}
    tag = "parallel"  # in the names and logins of what is committed: a leftover says whose
    user_count = 1
    picking_count = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway_api = cls.gateway_api_class()
        cls.gateway = GatewayServer(cls.gateway_api).start()
        cls.addClassCleanup(cls.gateway.stop)

    def setUp(self):
        super().setUp()
        CircuitBreaker.forget()
        self.gateway_api.reset()
        self.registry = Registry(get_db_name())
        with self.cursor_env() as env:
            self.ids = self._create_deliveries(env)
        # only once it is committed: a failed set-up rolled everything back
        self.addCleanup(self._cleanup)

    # ------------------------------------------------------------------ to override
    def _connection_values(self):
        """The carrier's ``integration.connection`` (provider and credentials)."""
        raise NotImplementedError

    def _carrier_values(self):
        """The ``delivery.carrier`` fields of the carrier (type and service)."""
        raise NotImplementedError

    def _partner_values(self, env):
        """The warehouse's address and the customer's: ``(sender, customer)``, in
        the districts of ``area_codes`` when set (the warehouse's first)."""
        sender, customer = self._address_values(env)
        if self.area_codes:
            district = env["carrier_api.district"]
            for values, code in zip((sender, customer), self.area_codes, strict=True):
                values["region_district_id"] = district.search([("code", "=", code)]).id
        return sender, customer

    def _address_values(self, env):
        indonesia = env.ref("base.id").id
        return (
            {
                "name": f"Gudang {self.tag}",
                "street": "Jl. Kebayoran Lama 2",
                "city": "Jakarta Selatan",
                "zip": "12240",
                "country_id": indonesia,
                "phone": "021 555 0000",
            },
            {
                "name": f"Sari {self.tag}",
                "street": "Jl. Dago 5",
                "city": "Bandung",
                "zip": "40132",
                "country_id": indonesia,
                "phone": "081298765432",
            },
        )

    def _create_extra(self, env, ids):
        """More committed data before the connection is made; returns more ids.
        Undo it in :meth:`_cleanup_extra`. By default the areas of
        ``area_carrier`` for both districts, as its test server knows them
        (``area_codes``: district code -> carrier's code; the database's own are put
        back at the end)."""
        if not self.area_carrier:
            return {}
        Area = env["carrier_api.area"]
        districts = env["res.partner"].browse(ids["partners"]).region_district_id
        areas = Area.search(
            [
                ("carrier_code", "=", self.area_carrier),
                ("district_id", "in", districts.ids),
            ]
        )
        self.old_areas = [(a.district_id.id, a.code) for a in areas]
        areas.unlink()
        areas = Area.create(
            [
                {
                    "carrier_code": self.area_carrier,
                    "district_id": d.id,
                    "code": self.area_codes[d.code],
                }
                for d in districts
            ]
        )
        return {"areas": areas.ids}

    def _cleanup_extra(self, env):
        """Undo :meth:`_create_extra` (the deliveries are gone already)."""
        if not self.area_carrier:
            return
        env["carrier_api.area"].browse(self.ids["areas"]).unlink()
        env["carrier_api.area"].create(
            [
                {"carrier_code": self.area_carrier, "district_id": d, "code": code}
                for d, code in self.old_areas
            ]
        )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def cursor_env(self, uid=SUPERUSER_ID):
        """An environment on a cursor of its own, committed when the block ends
        (rolled back if it raises)."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid, {})

    def run_at_once(self, target, arguments, message):
        """Run ``target(argument)`` in one thread per argument and wait for all;
        ``message`` fails the test when a thread did not come back."""
        threads = [threading.Thread(target=target, args=(arg,)) for arg in arguments]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), message)

    # ------------------------------------------------------------------ set-up data
    def _create_deliveries(self, env):
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        sender, customer = env["res.partner"].create(list(self._partner_values(env)))
        self.old_warehouse_partner = warehouse.partner_id.id
        warehouse.partner_id = sender
        ids = {"warehouse": warehouse.id, "partners": (sender | customer).ids}
        ids.update(self._create_extra(env, ids))
        connection = env["integration.connection"].create(self._connection_values())
        product, shipping = env["product.product"].create(
            [
                {"name": f"{self.tag} parcel", "type": "consu", "weight": 1.0},
                {"name": f"{self.tag} shipping", "type": "service"},
            ]
        )
        carrier = env["delivery.carrier"].create(
            {
                "product_id": shipping.id,
                "carrier_api_connection_id": connection.id,
                **self._carrier_values(),
            }
        )
        users = [
            new_test_user(
                env,
                login=f"carrier_{self.tag}_{n}",
                groups="carrier_api.group_carrier_user",
            )
            for n in range(1, self.user_count + 1)
        ]
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
                for _i in range(self.picking_count)
            ]
        )
        pickings.action_confirm()
        pickings.action_assign()
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})
        ids.update(
            pickings=pickings.ids,
            picking=pickings[0].id,
            carrier=carrier.id,
            connection=connection.id,
            products=(product | shipping).ids,
            users=[u.id for u in users],
            user=users[0].id,
        )
        return ids

    def _cleanup(self):
        with self.cursor_env() as env:
            env["stock.warehouse"].browse(
                self.ids["warehouse"]
            ).partner_id = self.old_warehouse_partner
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            pickings.action_cancel()
            pickings.unlink()  # the ledger rows go with them (ondelete cascade)
            self._cleanup_extra(env)
            env["delivery.carrier"].browse(self.ids["carrier"]).unlink()
            env["integration.connection"].browse(self.ids["connection"]).unlink()
            users = env["res.users"].browse(self.ids["users"])
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            env["product.product"].browse(self.ids["products"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partners"]).unlink()


class BiteshipRealCursorCase(CarrierRealCursorCase):
    """The real-cursor case on a Biteship account (JNE REG through Biteship)."""

    gateway_api_class = BiteshipApi

    def _connection_values(self):
        return {
            "name": f"Biteship {self.tag}",
            "provider": "biteship",
            "api_key": BiteshipApi.api_key,
            "base_url": self.gateway_api.base_url,
        }

    def _carrier_values(self):
        return {
            "name": f"Biteship JNE REG {self.tag}",
            "delivery_type": "biteship",
            "carrier_api_courier_code": "jne",
            "carrier_api_service_code": "reg",
        }
