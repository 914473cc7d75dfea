# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Arrange shipment from the delivery: tracking number stored, label attached; a
replay that the platform answers "already arranged" is success."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestFulfilment(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # who clicks "Arrange shipment": a salesperson who also works the warehouse
        cls.shipper = new_test_user(
            cls.env,
            login="mp_shipper",
            groups="sales_team.group_sale_salesman,stock.group_stock_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def _picking(self, shop, name):
        self.env.flush_all()
        picking = self.mp_order(shop, name).sale_order_id.picking_ids
        return picking.with_user(self.shipper)

    def _attachments(self, picking):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )

    def test_shopee_arrange_shipment(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self._picking(self.shopee_shop, "201218V2Y6E59M")
        picking.action_marketplace_arrange_shipment()
        body = self.shopee_api.shipped["201218V2Y6E59M"]
        self.assertEqual(
            body["pickup"], {"address_id": 2826, "pickup_time_id": "1639472400"}
        )
        self.assertTrue(picking.carrier_tracking_ref.startswith("SPXID"))
        label = self._attachments(picking)
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertTrue(label.raw.startswith(b"%PDF"))
        with self.assertRaises(UserError):
            picking.action_marketplace_arrange_shipment()

    def test_shopee_own_carrier_tracking_pushed(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self._picking(self.shopee_shop, "201218V2Y6E59M")
        picking.carrier_tracking_ref = "JNE0001234"
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(
            self.shopee_api.shipped["201218V2Y6E59M"]["non_integrated"],
            {"tracking_number": "JNE0001234"},
        )
        self.assertEqual(picking.carrier_tracking_ref, "JNE0001234")

    def test_tiktok_ship_package(self):
        self.tiktok_order()
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        mp = self.mp_order(self.tiktok_shop, "576461413038785752")
        picking = self._picking(self.tiktok_shop, "576461413038785752")
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(
            self.tiktok_api.shipped["1153132168123859"]["handover_method"], "PICKUP"
        )
        self.assertTrue(picking.carrier_tracking_ref.startswith("JX"))
        self.assertEqual(mp.tracking_number, picking.carrier_tracking_ref)
        self.assertTrue(self._attachments(picking).raw.startswith(b"%PDF"))

    def test_cannot_ship_cancelled_order(self):
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self._picking(self.shopee_shop, "201218V2Y6E59M")
        self.shopee_api.set_status("201218V2Y6E59M", "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        with self.assertRaises(UserError):
            picking.action_marketplace_arrange_shipment()
        self.assertFalse(self.server.requests_to("ship_order"))

    def test_tiktok_own_carrier_sends_provider_id(self):
        """Seller shipping: DROP_OFF with the provider id of Get Shipping Providers
        (matched by carrier name), not the carrier name."""
        self.tiktok_order(delivery_option_id="7091146663229654785")
        with self.tiktok_api.lock:
            self.tiktok_api.providers["7091146663229654785"] = [
                {"id": "6617675021119438849", "name": "J&T Express"},
                {"id": "6617675021119438850", "name": "JNE"},
            ]
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        picking = self._picking(self.tiktok_shop, "576461413038785752")
        service = self.env["product.product"].create({"name": "JNE", "type": "service"})
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "jne", "product_id": service.id, "delivery_type": "fixed"}
        )
        picking.carrier_tracking_ref = "JNE0001234"
        picking.action_marketplace_arrange_shipment()
        body = self.tiktok_api.shipped["1153132168123859"]
        self.assertEqual(body["handover_method"], "DROP_OFF")
        self.assertEqual(
            body["self_shipment"],
            {
                "tracking_number": "JNE0001234",
                "shipping_provider_id": "6617675021119438850",
            },
        )

    def test_tiktok_unknown_carrier_sends_nothing(self):
        self.tiktok_order(delivery_option_id="7091146663229654785")
        with self.tiktok_api.lock:
            self.tiktok_api.providers["7091146663229654785"] = [
                {"id": "6617675021119438849", "name": "J&T Express"}
            ]
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        picking = self._picking(self.tiktok_shop, "576461413038785752")
        service = self.env["product.product"].create(
            {"name": "Kurir", "type": "service"}
        )
        picking.carrier_id = self.env["delivery.carrier"].create(
            {"name": "Kurir Toko", "product_id": service.id, "delivery_type": "fixed"}
        )
        picking.carrier_tracking_ref = "OWN0001"
        with self.assertRaisesRegex(UserError, "J&T Express"):
            picking.action_marketplace_arrange_shipment()
        self.assertFalse(self.server.requests_to("/ship", method="POST"))
        self.assertFalse(picking.marketplace_shipment_arranged)

    # ------------------------------------------------------------------ replays
    def test_shopee_replay_after_a_lost_answer_is_success(self):
        """ship_order is applied but its answer lost (HTTP 500); the session's replay
        is refused with a status error: the order is looked up, it is arranged."""
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self._picking(self.shopee_shop, "201218V2Y6E59M")
        self.shopee_api.lose_answer("/logistics/ship_order")
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(len(self.server.requests_to("/logistics/ship_order")), 2)
        tracking = self.shopee_api.tracking["201218V2Y6E59M"]
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertEqual(picking.carrier_tracking_ref, tracking)
        self.assertEqual(picking.marketplace_order_id.tracking_number, tracking)
        self.assertTrue(self._attachments(picking).raw.startswith(b"%PDF"))

    def test_shopee_shipment_arranged_earlier_is_taken_over(self):
        """A click whose record was lost (worker killed after the platform accepted):
        the next click finds the order arranged at Shopee and takes its tracking."""
        self.shopee_order()
        self.shopee_shop._marketplace_fetch_and_import(["201218V2Y6E59M"])
        picking = self._picking(self.shopee_shop, "201218V2Y6E59M")
        self.shopee_api.set_status("201218V2Y6E59M", "PROCESSED")
        self.shopee_api.tracking["201218V2Y6E59M"] = "SPXID0000009999"
        picking.action_marketplace_arrange_shipment()
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertEqual(picking.carrier_tracking_ref, "SPXID0000009999")
        self.assertIn(
            "already",
            picking.message_ids.filtered(lambda m: "tracking" in (m.body or ""))[
                -1
            ].body,
        )

    def test_tiktok_replay_after_a_lost_answer_is_success(self):
        self.tiktok_order()
        self.tiktok_shop._marketplace_fetch_and_import(["576461413038785752"])
        picking = self._picking(self.tiktok_shop, "576461413038785752")
        self.tiktok_api.lose_answer("/packages/1153132168123859/ship")
        picking.action_marketplace_arrange_shipment()
        self.assertEqual(len(self.server.requests_to("/ship", method="POST")), 2)
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertTrue(picking.carrier_tracking_ref.startswith("JX"))
        self.assertEqual(
            picking.marketplace_order_id.tracking_number, picking.carrier_tracking_ref
        )
