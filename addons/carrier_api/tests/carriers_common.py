# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The four direct carriers (JNE, J&T, SiCepat, Anteraja) next to Biteship: one local
test server each (real HTTP), one connection and one service each, the sender in
Kebayoran Lama (Jakarta Selatan) and the customer in Coblong (Bandung), with the
carriers' area codes of the test servers' maps."""

import requests

from odoo.addons.base_integration.tests.gateway_servers.anteraja import AnterajaApi
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi
from odoo.addons.base_integration.tests.gateway_servers.jnt import JntApi
from odoo.addons.base_integration.tests.gateway_servers.sicepat import SicepatApi

from .ship_common import CarrierShipMixin

# carrier -> (sender's area code, customer's area code), as the servers know them
# (jne.AREAS, jnt.CITY_CODES, sicepat.ORIGINS/DESTINATIONS).
AREA_CODES = {
    "jne": ("CGK10101", "BDO10000"),
    "sicepat": ("CGK10101", "BDO10000"),
    "jnt": ("JKT001", "BDO001"),
}


class MultiCarrierMixin(CarrierShipMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.jne_api, cls.jnt_api = JneApi(), JntApi()
        cls.sicepat_api, cls.anteraja_api = SicepatApi(), AnterajaApi()
        cls.carrier_server = cls._start_gateway_server(
            cls.jne_api, cls.jnt_api, cls.sicepat_api, cls.anteraja_api
        )
        url = cls.carrier_server.url
        district = env["carrier_api.district"]
        cls.kebayoran = district.search([("code", "=", "31.74.05")])
        cls.coblong = district.search([("code", "=", "32.73.02")])
        assert cls.kebayoran and cls.coblong, "the region table is not loaded"
        cls.company.partner_id.region_district_id = cls.kebayoran
        cls.customer.region_district_id = cls.coblong
        env["carrier_api.area"].create(
            [
                {"carrier_code": code, "district_id": district_rec.id, "code": area}
                for code, (origin, destination) in AREA_CODES.items()
                for district_rec, area in (
                    (cls.kebayoran, origin),
                    (cls.coblong, destination),
                )
            ]
        )
        cls.jne_connection = cls._create_connection(
            name="JNE test account",
            provider="jne",
            base_url=url + JneApi.prefix,
            jne_username=JneApi.username,
            api_key=JneApi.api_key,
            jne_branch_code="CGK000",
            jne_customer_number="TESTAKUN",
        )
        cls.jnt_connection = cls._create_connection(
            name="J&T test account",
            provider="jnt",
            base_url=url + JntApi.prefix,
            jnt_username=JntApi.username,
            api_key=JntApi.api_key,
            api_secret=JntApi.key,
            jnt_tariff_customer=JntApi.tariff_customer,
            jnt_tariff_key=JntApi.tariff_key,
            jnt_ecompany_id=JntApi.ecompany_id,
            jnt_track_password=JntApi.track_password,
            jnt_print_key=JntApi.print_key,
        )
        cls.sicepat_connection = cls._create_connection(
            name="SiCepat test account",
            provider="sicepat",
            base_url=url + SicepatApi.prefix,
            api_key=SicepatApi.api_key,
            api_secret=SicepatApi.auth_key,
            sicepat_merchant_code="TOKOTEST",
            sicepat_account_code="ACC1",
            sicepat_receipt_next="000000100001",
            sicepat_receipt_last="000000199999",
        )
        cls.anteraja_connection = cls._create_connection(
            name="Anteraja test account",
            provider="anteraja",
            base_url=url + AnterajaApi.prefix,
            api_key=AnterajaApi.access_key_id,
            api_secret=AnterajaApi.secret_access_key,
            anteraja_booking_prefix=AnterajaApi.booking_prefix,
        )

        def service(name, delivery_type, connection, code):
            return env["delivery.carrier"].create(
                {
                    "name": name,
                    "delivery_type": delivery_type,
                    "product_id": cls.delivery_product.id,
                    "carrier_api_connection_id": connection.id,
                    "carrier_api_service_code": code,
                }
            )

        cls.jne_direct_reg = service("JNE REG", "jne", cls.jne_connection, "REG")
        cls.jne_direct_yes = service("JNE YES", "jne", cls.jne_connection, "YES")
        cls.jnt_ez = service("J&T EZ", "jnt", cls.jnt_connection, "EZ")
        cls.sicepat_reg = service(
            "SiCepat REG", "sicepat", cls.sicepat_connection, "REG"
        )
        cls.anteraja_reg = service(
            "Anteraja REG", "anteraja", cls.anteraja_connection, "REG"
        )

    def setUp(self):
        super().setUp()
        self.carrier_server.reset()
        self.carrier_server.requests.clear()

    def _shipped(self, carrier):
        """A ready delivery of ``carrier`` whose waybill the warehouse user created
        through Odoo (the carrier's server booked it)."""
        picking = self._ready_picking(carrier=carrier)
        picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent", picking.carrier_api_message)
        self.assertTrue(picking.carrier_tracking_ref)
        return picking

    def _advance(self, api, waybill, to=None):
        """Move the shipment on over the server's control route (real HTTP)."""
        response = requests.post(
            f"{self.carrier_server.url}{api.prefix}/_control/advance/{waybill}",
            json={"to": to} if to else {},
            timeout=5,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["step"]
