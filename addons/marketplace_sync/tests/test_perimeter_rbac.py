# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may do what with marketplace shops and their plumbing (review D1, D9, D21):
sales roles reach the shops' connections and events only, hosts are for Settings
administrators, raw bodies for managers."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestPerimeterMarketplaceRbac(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.salesman = new_test_user(
            cls.env,
            login="perimeter_salesman",
            groups="sales_team.group_sale_salesman",
            **common,
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="perimeter_sales_manager",
            groups="sales_team.group_sale_manager",
            **common,
        )
        cls.invoicing = new_test_user(
            cls.env,
            login="perimeter_invoicing",
            groups="account.group_account_invoice",
            **common,
        )
        cls.admin = new_test_user(
            cls.env,
            login="perimeter_mp_admin",
            groups="base.group_system,sales_team.group_sale_manager",
            **common,
        )
        Event = cls.env["integration.event"].sudo()
        cls.shop_event = Event.browse(
            Event._store_inbound(
                cls.shopee_shop.connection_id,
                handler="_marketplace_process_event",
                event_type="shopee_3",
                external_id="PERIMETER1",
                dedupe_key="perimeter:shopee:1",
                body='{"buyer": "Budi, Jl. Merdeka 1, 0812"}',
                state="failed",
                error="boom",
            )[0]
        )
        cls.generic = cls.env["integration.connection"].create(
            {"name": "Generic", "company_id": cls.company.id, "webhook_secret": "s"}
        )
        cls.generic_event = Event.browse(
            Event._store_inbound(
                cls.generic,
                handler="_generic_process_event",
                event_type="x",
                external_id="G1",
                dedupe_key="perimeter:generic:1",
                body='{"secret": "payload"}',
                state="failed",
                error="boom",
            )[0]
        )

    # ------------------------------------------------------------------ D1
    def test_sales_manager_sets_up_a_shop(self):
        """Shops are the sales manager's: creating one needs no accounting rights
        (its price-included PPN is made for them)."""
        self.env["account.tax"].search(
            [("company_id", "=", self.company.id), ("price_include", "=", True)]
        ).active = False
        shop = (
            self.env["marketplace.shop"]
            .with_user(self.sales_manager)
            .create(
                {
                    "name": "New TikTok shop",
                    "provider": "tiktok",
                    "shop_ref": "new-tiktok",
                    "company_id": self.company.id,
                }
            )
        )
        self.assertTrue(shop.tax_id.price_include)

    def test_sales_manager_cannot_change_a_base_url(self):
        shop = self.shopee_shop.with_user(self.sales_manager)
        for values in (
            {"base_url": "https://attacker.example"},
            {"environment": "production"},
            {"shopee_push_url": "https://attacker.example/push"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                shop.write(values)
        with self.assertRaises(AccessError):
            self.tiktok_shop.with_user(self.sales_manager).write(
                {"tiktok_auth_url": "https://attacker.example"}
            )
        with self.assertRaises(AccessError):
            shop.connection_id.write({"base_url": "https://attacker.example"})
        with self.assertRaises(AccessError):
            self.env["marketplace.shop"].with_user(self.sales_manager).create(
                {
                    "name": "Evil shop",
                    "provider": "shopee",
                    "shop_ref": "1",
                    "company_id": self.company.id,
                    "base_url": "https://attacker.example",
                }
            )
        Shop = self.env["marketplace.shop"].with_user(self.sales_manager)
        for context in (
            {"default_tiktok_auth_url": "https://attacker.example"},
            {"default_shopee_push_url": "https://attacker.example/push"},
            {"default_base_url": "https://attacker.example"},
        ):
            with self.subTest(context=context), self.assertRaises(AccessError):
                Shop.with_context(**context).create(
                    {
                        "name": "Sneaky shop",
                        "provider": "tiktok",
                        "shop_ref": "sneaky",
                        "company_id": self.company.id,
                    }
                )
        self.env.invalidate_all()
        self.assertEqual(
            self.shopee_shop.base_url, self.server.url + "/shopee", "unchanged"
        )
        # The rest of the shop is theirs.
        shop.write({"stock_safety_buffer": 3, "name": "Shopee renamed"})

    def test_shop_form_shows_hosts_read_only_to_sales_managers(self):
        arch = (
            self.env["marketplace.shop"]
            .with_user(self.sales_manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        form = etree.fromstring(arch)
        for name in ("base_url", "environment"):
            fields_ = form.xpath(f"//field[@name='{name}']")
            self.assertTrue(fields_)
            self.assertTrue(all(f.get("readonly") in ("1", "True") for f in fields_))
        for name in ("tiktok_auth_url", "shopee_push_url", "api_secret"):
            self.assertFalse(form.xpath(f"//field[@name='{name}']"), name)

    def test_admin_change_of_a_host_is_tracked(self):
        shop = self.tiktok_shop.with_user(self.admin).with_context(
            tracking_disable=False
        )
        shop.write(
            {
                "base_url": self.server.url + "/tiktok/v2",
                "tiktok_auth_url": self.server.url + "/tiktok/auth",
            }
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = (
            shop.message_ids | shop.connection_id.message_ids
        ).tracking_value_ids.mapped("field_id.name")
        self.assertIn("base_url", tracked)
        self.assertIn("tiktok_auth_url", tracked)

    # ------------------------------------------------------------------ D9
    def test_salesperson_sees_shop_events_not_bodies(self):
        Event = self.env["integration.event"].with_user(self.salesman)
        visible = Event.search([])
        self.assertIn(self.shop_event, visible)
        self.assertNotIn(self.generic_event, visible)
        event = self.shop_event.with_user(self.salesman)
        self.assertEqual(event.error, "boom")
        for field in ("body", "headers"):
            with self.assertRaises(AccessError):
                event.read([field])
        self.assertNotIn("body", Event.fields_get())
        for action in ("action_retry", "action_ignore", "unlink"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(event, action)()
        connections = self.env["integration.connection"].with_user(self.salesman)
        self.assertEqual(
            set(connections.search([]).mapped("provider")), {"shopee", "tiktok"}
        )
        self.assertFalse(
            self.env["integration.log"].with_user(self.salesman).has_access("read")
        )

    def test_sales_manager_manages_shop_events_only(self):
        event = self.shop_event.with_user(self.sales_manager)
        self.assertIn("Budi", event.body)
        event.action_ignore()
        self.assertEqual(event.state, "ignored")
        event.action_retry()
        self.assertEqual(event.state, "received")
        generic = self.generic_event.with_user(self.sales_manager)
        self.assertFalse(generic.has_access("read"))
        for action in ("action_ignore", "action_retry"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(generic, action)()
        with self.assertRaises(AccessError):
            self.generic.with_user(self.sales_manager).write({"name": "mine now"})
        self.assertEqual(self.generic_event.state, "failed")

    def test_invoicing_user_sees_no_marketplace_plumbing(self):
        Event = self.env["integration.event"].with_user(self.invoicing)
        Connection = self.env["integration.connection"].with_user(self.invoicing)
        if Event.has_access("read"):
            self.assertNotIn(self.shop_event, Event.search([]))
            self.assertFalse(
                Connection.search([("provider", "in", ("shopee", "tiktok"))])
            )
        with self.assertRaises(AccessError):
            self.shop_event.with_user(self.invoicing).read(["state"])

    def test_header_buttons_by_role(self):
        def buttons(user):
            arch = (
                self.env["marketplace.shop"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            return set(etree.fromstring(arch).xpath("//header/button/@name"))

        self.assertNotIn("action_connect", buttons(self.salesman))
        self.assertIn("action_sync_now", buttons(self.salesman))
        self.assertIn("action_connect", buttons(self.sales_manager))

    # ------------------------------------------------------------------ D21
    def test_product_mappings_stay_in_their_company(self):
        other = self.env["res.company"].create({"name": "PT Lain"})
        foreign_product = self.env["product.product"].create(
            {"name": "Produk lain", "company_id": other.id}
        )
        mapping = self.env["marketplace.product.map"].search(
            [("shop_id", "=", self.shopee_shop.id)], limit=1
        )
        with self.assertRaises(UserError):
            mapping.line_ids[:1].product_id = foreign_product
        with self.assertRaises(UserError):
            self.env["marketplace.product.map"].create(
                {
                    "shop_id": self.shopee_shop.id,
                    "item_id": "9999",
                    "line_ids": [Command.create({"product_id": foreign_product.id})],
                }
            )
        # A user of the other company does not see this company's mappings.
        outsider = new_test_user(
            self.env,
            login="perimeter_other_company",
            groups="sales_team.group_sale_salesman",
            company_id=other.id,
            company_ids=other.ids,
        )
        env = self.env(user=outsider, context={"allowed_company_ids": other.ids})
        self.assertFalse(env["marketplace.product.map"].search([]))
        self.assertFalse(env["marketplace.product.map.line"].search([]))
