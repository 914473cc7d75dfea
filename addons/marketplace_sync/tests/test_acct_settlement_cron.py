# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The scheduled settlement import keeps up with a busy shop: oldest orders first,
orders asked recently skipped, so pending new orders never starve settled old ones
(review D14)."""

import copy
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .acct_common import AccountingCase
from .common import fixture

ORDERS = 250  # more than one run takes, and more than 200 a day


@tagged("post_install", "-at_install")
class TestSettlementCron(AccountingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("marketplace_sync.ir_cron_import_settlements")
        # A shop selling a service: its orders have no delivery to create, which
        # keeps 250 sale orders cheap; what is measured is the settlement import.
        jasa = cls.env["product.product"].create(
            {"name": "Jasa desain", "type": "service", "list_price": 60000}
        )
        cls.busy_shop = cls._create_shopee_shop(
            name="Shopee Jasa",
            invoice_moment="none",
            receivable_account_id=cls.transit.id,
            settlement_journal_id=cls.misc_journal.id,
            fee_account_id=cls.fee_accounts["other"].id,
        )
        for item, model in (("1001", "2001"), ("1002", "0")):
            cls.env["marketplace.product.map"].create(
                {
                    "shop_id": cls.busy_shop.id,
                    "item_id": item,
                    "model_id": model,
                    "product_id": jasa.id,
                }
            )

    def _completed_orders(self):
        """ORDERS orders, one an hour over the last ~10 days, confirmed together
        (the bulk intake), then completed on the platform."""
        shop = self.busy_shop
        start = int(time.time()) - ORDERS * 3600
        raws = []
        for number in range(ORDERS):
            detail = copy.deepcopy(fixture("shopee_order_detail.json"))
            stamp = start + number * 3600
            detail.update(
                order_sn=f"2612{number:05d}CRON",
                order_status="READY_TO_SHIP",
                create_time=stamp,
                update_time=stamp,
            )
            raws.append(self.shopee_api.put_order(detail))
        orders = shop._marketplace_import_payloads(copy.deepcopy(raws))
        self.assertEqual(len(orders), ORDERS)
        self.assertEqual(set(orders.mapped("state")), {"imported"})
        # completed on the platform a day later, as the intake records it
        for order, raw in zip(orders.sorted("name"), raws, strict=True):
            order.write(
                {
                    "platform_status": "COMPLETED",
                    "lifecycle": "completed",
                    "platform_update_time": raw["update_time"] + 86400,
                }
            )
        return orders.sorted("platform_update_time")

    def _run(self):
        self.server.requests.clear()
        self.cron.method_direct_trigger()
        return len(self.server.requests_to("get_escrow_detail"))

    def test_hourly_cron_settles_every_order_oldest_first(self):
        self.assertEqual(
            (
                self.cron.model_id.model,
                self.cron.interval_number,
                self.cron.interval_type,
            ),
            ("marketplace.settlement", 1, "hours"),
        )
        orders = self._completed_orders()
        old, new = orders[:50], orders[50:]
        # a few are invoiced (by hand: the shop invoices manually): those are booked
        booked = old[:3]
        booked.sale_order_id._marketplace_invoice()
        # the platform has paid out the 50 oldest; the 200 newer ones are pending
        for order in old:
            self.shopee_api.settle(order.name)
        for order in new:
            self.shopee_api.settle(order.name, escrow_amount=0)

        calls = self._run()
        self.assertLessEqual(calls, 200, "one run asks a bounded number of orders")
        self.assertEqual(
            len(old.settlement_id),
            50,
            "the oldest orders come first, whatever is pending after them",
        )
        self.assertEqual(set(booked.settlement_id.mapped("state")), {"posted"})
        # without an invoice a settlement waits, imported, for a person to book it
        self.assertEqual(set((old - booked).settlement_id.mapped("state")), {"draft"})
        self.assertFalse(new.settlement_id, "pending payouts are never booked as 0")
        self.assertEqual(len(orders.filtered("settlement_checked_at")), calls)
        # the next run asks the orders not asked yet; then nothing is due for a while
        self.assertEqual(self._run(), ORDERS - calls)
        self.assertEqual(self._run(), 0, "orders asked recently are skipped")

        # the platform pays the rest out; hours later the cron asks them again
        for order in new:
            self.shopee_api.settle(order.name)
        new.write({"settlement_checked_at": fields.Datetime.now() - timedelta(hours=7)})
        runs = 0
        while (orders - orders.filtered("settlement_id")) and runs < 5:
            self._run()
            runs += 1
        self.assertEqual(len(orders.settlement_id), ORDERS)
        self.assertLessEqual(runs, 2)
        self.assertEqual(self._run(), 0, "settled orders are not asked again")
        payouts = {
            order.name: self.shopee_api.escrows[order.name]["order_income"][
                "escrow_amount"
            ]
            for order in orders
        }
        for order in orders:
            self.assertEqual(order.settlement_id.payout_amount, payouts[order.name])

    def test_failing_order_does_not_block_the_others(self):
        shop = self.shopee_shop
        shop.invoice_moment = "completed"
        names = ["2612BROKEN", "2612FINE"]
        for offset, name in enumerate(names):
            self.shopee_order(
                order_sn=name, status="COMPLETED", update_time=1700000000 + offset
            )
        shop._marketplace_fetch_and_import(names)
        broken, fine = (self.mp_order(shop, name) for name in names)
        self.shopee_api.settle("2612FINE")
        # no escrow at all for the first: the platform answers an error
        self.assertEqual(self._run(), 2)
        self.assertFalse(broken.settlement_id)
        self.assertTrue(broken.settlement_checked_at)
        self.assertEqual(fine.settlement_id.state, "posted")
