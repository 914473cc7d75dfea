# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carrier areas: sync from a client's area list, and the check at rate/waybill time.

The sync is fed by a plain-Python client that implements ``CarrierClient.list_areas``
(the interface of api/base.py); the JNE test server's list comes with the carrier
connections (helper crapi), not merged on this branch yet."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..api.base import CAP_AREAS, Area, CarrierClient


class ListClient(CarrierClient):
    code = "jne"
    capabilities = frozenset({CAP_AREAS})

    def __init__(self, areas):
        super().__init__(None, "")
        self.areas = areas

    def list_areas(self, query=""):
        return list(self.areas)


@tagged("post_install", "-at_install")
class TestAddressArea(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.Area = env["carrier_api.area"]
        cls.District = env["carrier_api.district"]
        cls.beji = cls.District.search([("code", "=", "32.76.06")])
        cls.user = new_test_user(
            env, login="craddr_wh", groups="carrier_api.group_carrier_user"
        )
        product = env["product.product"].create({"name": "Ship", "type": "service"})
        # Services without an account: the address check makes no call.
        cls.carriers = {
            code: env["delivery.carrier"].create(
                {"name": name, "delivery_type": code, "product_id": product.id}
            )
            for code, name in (
                ("jne", "JNE REG"),
                ("anteraja", "Anteraja REG"),
                ("biteship", "Biteship JNE"),
            )
        }
        cls.partner = env["res.partner"].create(
            {
                "name": "Siti",
                "street": "Jl Margonda 1",
                "city": "Depok",
                "zip": "16423",
                "phone": "0812 3456 7890",
                "country_id": env.ref("base.id").id,
                "region_district_id": cls.beji.id,
                "region_regency_id": cls.beji.regency_id.id,
                "state_id": cls.beji.state_id.id,
            }
        )

    def _address(self, code):
        carrier = self.carriers[code].with_user(self.user)
        return self.partner.with_user(self.user)._carrier_api_address(carrier)

    def test_sync_matches_areas_to_districts(self):
        client = ListClient(
            [
                Area(code="CGK10617", name="BEJI, DEPOK"),
                # Two districts are named Beji (32.76.06 in Kota Depok, 35.14.13 in
                # Kabupaten Pasuruan): the city part decides; this one names no known
                # city, so it stays unmatched.
                Area(code="XXX00001", name="BEJI, NOWHERE"),
                Area(code="BDO10000", name="NO SUCH DISTRICT, BANDUNG"),
            ]
        )
        stored, unmatched = self.Area._sync_from_client("jne", client)
        self.assertEqual(stored, 1)
        self.assertEqual(sorted(a.code for a in unmatched), ["BDO10000", "XXX00001"])
        area = self.Area.search([("carrier_code", "=", "jne")])
        self.assertEqual(area.district_id, self.beji)
        self.assertEqual(area.code, "CGK10617")
        # Idempotent: a second sync creates nothing; a changed code is updated.
        client.areas[0] = Area(code="CGK10618", name="BEJI, DEPOK")
        self.Area._sync_from_client("jne", client)
        area = self.Area.search([("carrier_code", "=", "jne")])
        self.assertEqual(len(area), 1)
        self.assertEqual(area.code, "CGK10618")

    def test_missing_area_is_a_problem(self):
        address, problems, _warnings = self._address("jne")
        self.assertEqual(address.district, "Beji")
        self.assertIn(
            "No JNE REG area for district Beji, Kota Depok: run Sync areas.", problems
        )
        self.Area.create(
            {"carrier_code": "jne", "district_id": self.beji.id, "code": "CGK10617"}
        )
        address, problems, _warnings = self._address("jne")
        self.assertEqual(address.area_code, "CGK10617")
        self.assertFalse([p for p in problems if "area" in p])

    def test_anteraja_uses_kemendagri_code_and_district_is_required(self):
        address, problems, _warnings = self._address("anteraja")
        self.assertEqual(address.area_code, "32.76.06")
        self.assertFalse([p for p in problems if "area" in p])
        self.partner.region_district_id = False
        _address, problems, _warnings = self._address("anteraja")
        self.assertTrue(any("has no district (kecamatan)" in p for p in problems))
        # Biteship keys on the postal code: no district needed.
        _address, problems, _warnings = self._address("biteship")
        self.assertFalse([p for p in problems if "district" in p])

    def test_sync_and_village_load_are_for_managers(self):
        services = self.carriers["jne"].with_user(self.user)
        with self.assertRaises(UserError):
            self.Area.with_user(self.user).action_sync_areas(services)
        with self.assertRaises(UserError):
            self.env["carrier_api.region.loader"].with_user(
                self.user
            ).action_load_villages()
        # A carrier manager syncing Anteraja is told that no list is needed (no call).
        manager = new_test_user(
            self.env, login="craddr_mgr", groups="carrier_api.group_carrier_manager"
        )
        action = self.Area.with_user(manager).action_sync_areas(
            self.carriers["anteraja"].with_user(manager)
        )
        self.assertIn("needs no area list", action["params"]["message"])
