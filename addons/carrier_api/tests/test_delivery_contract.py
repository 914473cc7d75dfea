# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's delivery-carrier contract: tracking links, company of the carrier account."""

import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .ship_common import CarrierShipCase


@tagged("post_install", "-at_install")
class TestDeliveryContract(CarrierShipCase):
    def test_tracking_link_per_package(self):
        self.jne_reg.tracking_url = "https://track.example/<shipmenttrackingnumber>"
        picking = self._ready_picking()
        picking.sudo().carrier_tracking_ref = "WB1"
        self.assertEqual(
            self.jne_reg.get_tracking_link(picking), "https://track.example/WB1"
        )
        # several packages: Odoo's JSON list of [name, url], one link each
        picking.sudo().carrier_tracking_ref = "WB1, WB2"
        links = json.loads(self.jne_reg.get_tracking_link(picking))
        self.assertEqual(
            links,
            [
                ["WB1", "https://track.example/WB1"],
                ["WB2", "https://track.example/WB2"],
            ],
        )
        picking.open_website_url()  # Odoo posts one link per package
        self.assertIn("https://track.example/WB2", picking.message_ids[0].body)

    def test_carrier_account_of_another_company_refused(self):
        other = self.env["res.company"].create({"name": "Other PT"})
        foreign = self._create_connection(
            name="Biteship of Other PT", provider="biteship", company_id=other.id
        )
        self.jne_reg.company_id = self.env.company
        with self.assertRaises(UserError):
            self.jne_reg.carrier_api_connection_id = foreign
