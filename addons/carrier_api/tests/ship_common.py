# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deliveries shipped through the local Biteship test server, as a warehouse user.

The waybill flow commits its ledger in side transactions (``registry.cursor()``); the
registry is put in test mode so that those run inside the test's transaction (as
``HttpCase`` does), and the test's rollback removes everything.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base_integration.tests.common import IntegrationTestMixin
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

# Company in Jakarta Selatan (12240, zone JKT), customer in Bandung (40132, zone BDG):
# the test map of the Biteship server (gateway_servers/biteship.py AREAS).
SENDER_ZIP = "12240"
CUSTOMER_ZIP = "40132"


class CarrierShipMixin(IntegrationTestMixin):
    server_class = BiteshipApi  # a test may serve a subclass (same routes)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not getattr(cls, "registry_test_mode", False):  # HttpCase does it itself
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.biteship_api = cls.server_class()
        cls.gateway = cls._start_gateway_server(cls.biteship_api)
        env = cls.env
        cls.company = env.company
        indonesia = env.ref("base.id")
        cls.company.partner_id.write(
            {
                "name": "Toko Test",
                "street": "Jl. Kebayoran Lama No. 1",
                "city": "Jakarta Selatan",
                "zip": SENDER_ZIP,
                "country_id": indonesia.id,
                "phone": "021 555 1234",
            }
        )
        cls.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse.partner_id = cls.company.partner_id
        cls.connection = cls._create_connection(
            name="Biteship test account",
            provider="biteship",
            api_key=BiteshipApi.api_key,
            base_url=cls.biteship_api.base_url,
        )
        cls.delivery_product = env["product.product"].create(
            {"name": "Shipping", "type": "service", "taxes_id": [Command.clear()]}
        )

        def service(name, code, **vals):
            return env["delivery.carrier"].create(
                {
                    "name": name,
                    "delivery_type": "biteship",
                    "product_id": cls.delivery_product.id,
                    "carrier_api_connection_id": cls.connection.id,
                    "carrier_api_courier_code": "jne",
                    "carrier_api_service_code": code,
                    **vals,
                }
            )

        cls.jne_reg = service(
            "Biteship JNE REG",
            "reg",
            carrier_api_cod_supported=True,
            carrier_api_max_weight=30,
        )
        cls.jne_yes = service(
            "Biteship JNE YES",
            "yes",
            carrier_api_speed_class="next_day",
            carrier_api_max_weight=1,
        )
        cls.product = env["product.product"].create(
            {
                "name": "Kaos batik",
                "is_storable": True,
                "weight": 1.5,
                "list_price": 150000,
                "taxes_id": [Command.clear()],
            }
        )
        env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 100
        )
        cls.customer = env["res.partner"].create(
            {
                "name": "Budi Santoso",
                "street": "Jl. Dago No. 10",
                "city": "Bandung",
                "zip": CUSTOMER_ZIP,
                "country_id": indonesia.id,
                "phone": "0812-3456-7890",
            }
        )
        cls.user = new_test_user(
            env,
            login="carrier_wh_user",
            groups="carrier_api.group_carrier_user,sales_team.group_sale_salesman",
        )

    def setUp(self):
        super().setUp()
        self.biteship_api.reset()
        self.gateway.requests.clear()

    def _order(self, quantity=1, partner=None, carrier=None):
        order = self.env["sale.order"].create(
            {
                "user_id": self.user.id,
                "partner_id": (partner or self.customer).id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": quantity,
                            "price_unit": 150000,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if carrier:
            order.carrier_id = carrier
        return order

    def _ready_picking(self, quantity=1, partner=None, carrier=None):
        order = self._order(quantity, partner, carrier or self.jne_reg)
        order.action_confirm()
        picking = order.picking_ids
        picking.carrier_id = carrier or self.jne_reg
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        return picking.with_user(self.user)

    def _shipments(self):
        return list(self.biteship_api.shipments.values())


class CarrierShipCase(CarrierShipMixin, TransactionCase):
    pass


class CarrierTrackingCase(CarrierShipCase):
    """Shipments with a Biteship waybill, and the tracking cron run on them."""

    def _shipped(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        self.assertTrue(picking.carrier_tracking_ref)
        return picking

    def _cron(self):
        return self.env["stock.picking"]._cron_carrier_api_track()

    def _make_due(self, *pickings):
        for picking in pickings:
            picking.sudo().carrier_api_next_poll = fields.Datetime.now() - timedelta(
                seconds=1
            )
