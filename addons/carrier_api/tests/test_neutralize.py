# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestNeutralize(TransactionCase):
    def test_neutralize_clears_carrier_credentials(self):
        connection = self.env["integration.connection"].create(
            {
                "name": "J&T live",
                "provider": "jnt",
                "jnt_username": "live-user",
                "jnt_tariff_key": "tariff-secret",
                "jnt_track_password": "track-secret",
                "jnt_print_key": "print-secret",
            }
        )
        sicepat = self.env["integration.connection"].create(
            {
                "name": "SiCepat live",
                "provider": "sicepat",
                "sicepat_receipt_next": "888000000001",
                "sicepat_receipt_last": "888000009999",
            }
        )
        self.env.flush_all()
        for query in get_neutralization_queries(["base_integration", "carrier_api"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        fields = [
            "jnt_username",
            "jnt_tariff_key",
            "jnt_track_password",
            "jnt_print_key",
        ]
        self.assertEqual(set(connection.read(fields)[0][f] for f in fields), {False})
        self.assertEqual(
            sicepat.read(["sicepat_receipt_next", "sicepat_receipt_last"])[0],
            {
                "id": sicepat.id,
                "sicepat_receipt_next": False,
                "sicepat_receipt_last": False,
            },
        )
