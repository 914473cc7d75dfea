# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plain-Python parts: signatures and order normalisation (no HTTP, no ORM)."""

import hashlib
import hmac
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..api import shopee, tiktok
from ..api.common import MalformedOrder
from .common import fixture


@tagged("post_install", "-at_install")
class TestNormalize(BaseCase):
    def test_shopee_sign_formula(self):
        # developer-guide/20: partner_id + path + timestamp + access_token + shop_id
        expected = hmac.new(
            b"key",
            b"1000016/api/v2/order/get_order_list1700000000tok54804",
            hashlib.sha256,
        ).hexdigest()
        self.assertEqual(
            shopee.sign(
                "key", 1000016, "/api/v2/order/get_order_list", 1700000000, "tok", 54804
            ),
            expected,
        )

    def test_tiktok_sign_formula(self):
        # secret + path + sorted(k+v, without sign/access_token) + body + secret
        message = (
            b'sec/order/202309/orders/searchapp_keykapage_size2timestamp1{"a":1}sec'
        )
        expected = hmac.new(b"sec", message, hashlib.sha256).hexdigest()
        params = {
            "timestamp": 1,
            "app_key": "k",
            "page_size": 2,
            "sign": "x",
            "access_token": "t",
        }
        params["app_key"] = "ka"
        self.assertEqual(
            tiktok.sign("sec", "/order/202309/orders/search", params, b'{"a":1}'),
            expected,
        )

    def test_shopee_order_amounts(self):
        norm = shopee.normalize_order(
            fixture("shopee_order_detail.json") | {"update_time": 1700000000}
        )
        self.assertEqual(norm["expected_total"], Decimal(212000))
        kaos = norm["lines"][0]
        self.assertEqual(
            (kaos["quantity"], kaos["unit_price"], kaos["seller_discount"]),
            (2, Decimal(60000), Decimal(20000)),
        )
        self.assertTrue(norm["buyer"]["masked"])

    def test_tiktok_order_grouped_by_sku(self):
        norm = tiktok.normalize_order(fixture("tiktok_order.json") | {"update_time": 1})
        self.assertEqual(norm["commerce_platform"], "TOKOPEDIA")
        self.assertEqual([line["quantity"] for line in norm["lines"]], [2, 1])
        # total_amount 144000 + platform-funded discount 5000
        self.assertEqual(norm["expected_total"], Decimal(149000))

    def test_malformed_lists_every_problem(self):
        with self.assertRaises(MalformedOrder) as caught:
            shopee.normalize_order({"order_sn": "X", "item_list": [{"item_id": 1}]})
        message = str(caught.exception)
        for part in (
            "order_status",
            "update_time",
            "model_quantity_purchased",
            "model_original_price",
            "total_amount",
        ):
            self.assertIn(part, message)

    def test_shopee_escrow_voucher_shares_go_on_their_lines(self):
        norm = shopee.normalize_order(
            fixture("shopee_order_detail.json") | {"update_time": 1700000000}
        )
        items = [
            {"item_id": 1001, "model_id": 2001, "discount_from_voucher_seller": 7000},
            {"item_id": 1002, "model_id": 0, "discount_from_voucher_seller": 3000},
        ]
        escrow = {"order_income": {"voucher_from_seller": 10000, "items": items}}
        spread = shopee.apply_escrow(norm, escrow)
        self.assertEqual(spread["seller_discount"], Decimal(0))
        self.assertEqual(
            [line["seller_discount"] for line in spread["lines"]],
            [Decimal(27000), Decimal(3000)],
        )
        # shares that do not add up to the voucher: it stays for the whole order
        items[1]["discount_from_voucher_seller"] = 2000
        kept = shopee.apply_escrow(norm, escrow)
        self.assertEqual(kept["seller_discount"], Decimal(10000))
        self.assertEqual(
            [line["seller_discount"] for line in kept["lines"]],
            [Decimal(20000), Decimal(0)],
        )

    def test_shopee_bundle_deal_discount_from_escrow_subtotals(self):
        detail = fixture("shopee_order_detail.json") | {"update_time": 1700000000}
        detail["item_list"][1]["model_discounted_price"] = 0  # bundle deal item
        norm = shopee.normalize_order(detail)
        self.assertEqual(norm["lines"][1]["seller_discount"], Decimal(0))
        escrow = {
            "order_income": {
                "items": [
                    {
                        "item_id": 1002,
                        "model_id": 0,
                        "original_price": 100000,
                        "discounted_price": 90000,
                    }
                ]
            }
        }
        self.assertEqual(
            shopee.apply_escrow(norm, escrow)["lines"][1]["seller_discount"],
            Decimal(10000),
        )
