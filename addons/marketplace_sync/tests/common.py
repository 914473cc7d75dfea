# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared setup: an Indonesian company (IDR, l10n_id chart), products, a Shopee shop
and a TikTok shop talking to the local test servers (base_integration's
``tests/gateway_servers``)."""

import copy
import json
import os
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase

from odoo.addons.base_integration.tests.common import IntegrationTestMixin
from odoo.addons.base_integration.tests.gateway_servers.shopee import (
    ShopeeApi,
)
from odoo.addons.base_integration.tests.gateway_servers.tiktok import TiktokApi

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        data = json.load(handle)
    data.pop("_source", None)
    return data


class MarketplaceCase(IntegrationTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        idr = cls.env.ref("base.IDR")
        idr.active = True
        cls.company = cls.env["res.company"].create(
            {
                "name": "PT Toko Test",
                "country_id": cls.env.ref("base.id").id,
                "currency_id": idr.id,
            }
        )
        cls.env["account.chart.template"].try_loading(
            "id", company=cls.company, install_demo=False
        )
        cls.env.user.company_ids |= cls.company
        cls.env.user.company_id = cls.company
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=[cls.company.id],
                tracking_disable=True,
            )
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        Product = cls.env["product.product"]
        cls.kaos = Product.create(
            {
                "name": "Kaos Hitam L",
                "is_storable": True,
                "type": "consu",
                "default_code": "KAOS-HIT-L",
                "list_price": 60000,
            }
        )
        cls.topi = Product.create(
            {"name": "Topi", "is_storable": True, "type": "consu", "list_price": 100000}
        )
        cls.kopi = Product.create(
            {
                "name": "Kopi Gayo 250 g",
                "is_storable": True,
                "type": "consu",
                "list_price": 50000,
            }
        )
        cls.gula = Product.create(
            {
                "name": "Gula Aren 1 kg",
                "is_storable": True,
                "type": "consu",
                "list_price": 50000,
            }
        )

        cls.shopee_api = ShopeeApi()
        cls.tiktok_api = TiktokApi()
        cls.server = cls._start_gateway_server(cls.shopee_api, cls.tiktok_api)
        cls.shopee_shop = cls._create_shopee_shop()
        cls.tiktok_shop = cls._create_tiktok_shop()
        Map = cls.env["marketplace.product.map"]
        Map.create(
            {
                "shop_id": cls.shopee_shop.id,
                "item_id": "1001",
                "model_id": "2001",
                "sku": "KAOS-HIT-L",
                "product_id": cls.kaos.id,
            }
        )
        Map.create(
            {
                "shop_id": cls.shopee_shop.id,
                "item_id": "1002",
                "model_id": "0",
                "product_id": cls.topi.id,
            }
        )
        Map.create(
            {
                "shop_id": cls.tiktok_shop.id,
                "item_id": "1729582718312370000",
                "model_id": "1729582718312380001",
                "sku": "KOPI-250",
                "product_id": cls.kopi.id,
            }
        )
        Map.create(
            {
                "shop_id": cls.tiktok_shop.id,
                "item_id": "1729582718312370001",
                "model_id": "1729582718312380002",
                "sku": "GULA-1",
                "product_id": cls.gula.id,
            }
        )

    @classmethod
    def _create_shopee_shop(cls, **vals):
        access, refresh, lifetime = cls.shopee_api.issue_tokens()
        values = {
            "name": "Shopee Toko Test",
            "provider": "shopee",
            "company_id": cls.company.id,
            "warehouse_id": cls.warehouse.id,
            "shop_ref": str(cls.shopee_api.shop_id),
            "api_key": str(cls.shopee_api.partner_id),
            "api_secret": cls.shopee_api.partner_key,
            "webhook_secret": cls.shopee_api.push_key,
            "base_url": cls.server.url + "/shopee",
            "access_token": access,
            "refresh_token": refresh,
            "token_expires_at": fields.Datetime.now() + timedelta(seconds=lifetime),
        }
        values.update(vals)
        return cls.env["marketplace.shop"].create(values)

    @classmethod
    def _create_tiktok_shop(cls, **vals):
        access, refresh, _expires = cls.tiktok_api.issue_tokens()
        values = {
            "name": "Tokopedia Toko Test",
            "provider": "tiktok",
            "company_id": cls.company.id,
            "warehouse_id": cls.warehouse.id,
            "shop_ref": cls.tiktok_api.shop_id,
            "tiktok_shop_cipher": cls.tiktok_api.shop_cipher,
            "api_key": cls.tiktok_api.app_key,
            "api_secret": cls.tiktok_api.app_secret,
            "base_url": cls.server.url + "/tiktok",
            "tiktok_auth_url": cls.server.url + "/tiktok",
            "access_token": access,
            "refresh_token": refresh,
            "token_expires_at": fields.Datetime.now() + timedelta(days=7),
        }
        values.update(vals)
        return cls.env["marketplace.shop"].create(values)

    def setUp(self):
        super().setUp()
        # the servers live for the class; their orders and faults do not
        with self.shopee_api.lock:
            self.shopee_api.orders.clear()
            self.shopee_api.escrows.clear()
            self.shopee_api.lost_pushes.clear()
            self.shopee_api.shipped.clear()
            self.shopee_api.refresh_calls = 0
            self.shopee_api.expire_tokens_after = None
        with self.tiktok_api.lock:
            self.tiktok_api.orders.clear()
            self.tiktok_api.statements.clear()
            self.tiktok_api.refresh_calls = 0
        self.server.faults.clear()
        self.server.requests.clear()
        # a fresh token pair per test: the servers remember used (single-use) refresh
        # tokens across tests while the database rolls back
        access, refresh, lifetime = self.shopee_api.issue_tokens()
        self.shopee_shop.sudo().write(
            {
                "access_token": access,
                "refresh_token": refresh,
                "token_expires_at": fields.Datetime.now() + timedelta(seconds=lifetime),
            }
        )
        access, refresh, _expires = self.tiktok_api.issue_tokens()
        self.tiktok_shop.sudo().write(
            {
                "access_token": access,
                "refresh_token": refresh,
                "token_expires_at": fields.Datetime.now() + timedelta(days=7),
            }
        )

    # ------------------------------------------------------------------ helpers
    def shopee_order(
        self, order_sn="201218V2Y6E59M", status="READY_TO_SHIP", **changes
    ):
        order = copy.deepcopy(fixture("shopee_order_detail.json"))
        order.update(order_sn=order_sn, order_status=status, **changes)
        return self.shopee_api.put_order(order)

    def tiktok_order(
        self, order_id="576461413038785752", status="AWAITING_SHIPMENT", **changes
    ):
        order = copy.deepcopy(fixture("tiktok_order.json"))
        order.update(id=order_id, status=status, **changes)
        return self.tiktok_api.put_order(order)

    def shopee_push_url(self):
        return self.base_url() + "/marketplace/shopee/push"

    def tiktok_webhook_url(self):
        return self.base_url() + "/marketplace/tiktok/webhook"

    def process_inbound(self):
        # integration.event._claim_next reads with raw SQL without flushing first
        self.env.flush_all()
        return self.env["integration.event"]._process_pending("inbound")

    def mp_order(self, shop, name):
        return self.env["marketplace.order"].search(
            [("shop_id", "=", shop.id), ("name", "=", name)]
        )
