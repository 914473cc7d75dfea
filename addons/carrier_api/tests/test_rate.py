# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Live rates on *Add shipping* and their clear errors."""

from odoo.tests import tagged

from .ship_common import CarrierShipCase


@tagged("post_install", "-at_install")
class TestRate(CarrierShipCase):
    def test_live_rate_for_weight_and_destination(self):
        order = self._order(quantity=1).with_user(self.user)
        result = self.jne_reg.with_user(self.user).rate_shipment(order)
        self.assertTrue(result["success"], result)
        # JKT -> BDG is Rp 11,000 per kg; JNE REG factor 100 % (Biteship test map);
        # 1 x 1.5 kg = 1,500 g, charged per started kg: 2 kg -> 22,000.
        self.assertEqual(result["price"], 22000)

    def test_heavier_order_costs_more(self):
        order = self._order(quantity=3).with_user(self.user)
        result = self.jne_reg.with_user(self.user).rate_shipment(order)
        # 3 x 1.5 kg = 4.5 kg -> 5 kg x 11,000 = 55,000
        self.assertEqual(result["price"], 55000)

    def test_add_shipping_wizard_quotes_live_price(self):
        order = self._order(quantity=1).with_user(self.user)
        wizard = (
            self.env["choose.delivery.carrier"]
            .with_user(self.user)
            .create({"order_id": order.id, "carrier_id": self.jne_reg.id})
        )
        wizard.update_price()  # the "Get rate" button of live carriers
        self.assertEqual(wizard.delivery_price, 22000)
        wizard.button_confirm()
        line = order.order_line.filtered("is_delivery")
        self.assertEqual(line.price_unit, 22000)

    def test_over_weight_limit_is_a_clear_error_without_a_call(self):
        order = self._order(quantity=1).with_user(self.user)
        calls = len(self.gateway.requests)
        result = self.jne_yes.with_user(self.user).rate_shipment(order)
        self.assertFalse(result["success"])
        # 1.5 kg order, 1 kg limit
        self.assertIn("1.50 kg exceeds the 1.00 kg limit", result["error_message"])
        self.assertEqual(len(self.gateway.requests), calls)

    def test_address_not_matched(self):
        stranger = self.customer.copy({"zip": "99999", "city": "Nowhere"})
        order = self._order(partner=stranger).with_user(self.user)
        result = self.jne_reg.with_user(self.user).rate_shipment(order)
        self.assertFalse(result["success"])
        self.assertIn("could not be found", result["error_message"])

    def test_missing_postal_code_listed_before_any_call(self):
        stranger = self.customer.copy({"zip": False, "city": False})
        order = self._order(partner=stranger).with_user(self.user)
        result = self.jne_reg.with_user(self.user).rate_shipment(order)
        self.assertFalse(result["success"])
        self.assertIn("has no city", result["error_message"])
        self.assertIn("has no postal code", result["error_message"])

    def test_no_rate_for_the_service(self):
        # The test server's JNE has reg and yes only: "oke" is not offered.
        oke = self.jne_reg.copy(
            {"name": "Biteship JNE OKE", "carrier_api_service_code": "oke"}
        )
        order = self._order().with_user(self.user)
        result = oke.with_user(self.user).rate_shipment(order)
        self.assertFalse(result["success"])
        self.assertIn("has no rate for service oke", result["error_message"])
