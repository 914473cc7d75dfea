# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An order cancelled on the platform after its invoice was posted: a credit note
reverses the invoice and the sale order is cancelled, or the order waits with an
activity when that cannot be done automatically (review D4)."""

from odoo.tests import tagged

from .acct_common import AccountingCase

SN = "201218V2Y6E59M"
TT = "576461413038785752"


@tagged("post_install", "-at_install")
class TestCancelAfterInvoice(AccountingCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self._clear_after_sales)

    def _clear_after_sales(self):
        with self.shopee_api.lock:
            self.shopee_api.cancellation_answers.clear()
        with self.tiktok_api.lock:
            self.tiktok_api.cancellations.clear()
            self.tiktok_api.idempotency.clear()

    def _invoiced_on_confirm(self):
        shop = self.shopee_shop
        shop.invoice_moment = "confirm"
        self.shopee_order()
        shop._marketplace_fetch_and_import([SN])
        mp = self.mp_order(shop, SN)
        invoice = mp.sale_order_id.invoice_ids
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 212000.0))
        return mp, invoice

    def _assert_reversed(self, mp, invoice):
        sale = mp.sale_order_id
        refund = sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.assertEqual(refund.amount_total, invoice.amount_total)
        # revenue and PPN output tax are taken back, the invoice keeps its number
        self.assertEqual(refund.amount_tax, invoice.amount_tax)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(sale.state, "cancel")
        self.assertEqual(set(sale.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(mp.state, "cancelled")
        self.assertFalse(mp.activity_ids)

    def test_platform_cancellation_credits_the_posted_invoice(self):
        mp, invoice = self._invoiced_on_confirm()
        self.shopee_api.set_status(SN, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self._assert_reversed(mp, invoice)
        # the same status again changes nothing: one credit note
        self.shopee_api.set_status(SN, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self._assert_reversed(mp, invoice)

    def test_salesperson_accepts_cancellation_of_an_invoiced_order(self):
        mp, invoice = self._invoiced_on_confirm()
        self.shopee_api.set_status(SN, "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        mp.with_user(self.salesman).action_marketplace_accept_cancellation()
        self.assertEqual(
            self.shopee_api.cancellation_answers,
            [{"order_sn": SN, "operation": "ACCEPT"}],
        )
        self._assert_reversed(mp, invoice)

    def test_tiktok_cancellation_of_an_invoiced_order(self):
        shop = self.tiktok_shop
        shop.invoice_moment = "confirm"
        self.tiktok_order()
        shop._marketplace_fetch_and_import([TT])
        mp = self.mp_order(shop, TT)
        invoice = mp.sale_order_id.invoice_ids
        self.tiktok_api.set_status(TT, "CANCELLED")
        shop._marketplace_fetch_and_import([TT])
        self._assert_reversed(mp, invoice)

    def test_settled_invoice_parks_with_an_activity(self):
        """The payout already cleared the invoice: refunding is a person's call."""
        mp, invoice = self._invoiced_on_confirm()
        self.shopee_api.settle(SN)
        mp.action_import_settlement()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.shopee_api.set_status(SN, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        sale = mp.sale_order_id
        self.assertEqual(mp.state, "attention")
        self.assertIn(invoice.name, mp.error_message)
        self.assertEqual(
            mp.activity_ids.mapped("summary"), ["Marketplace order needs attention"]
        )
        self.assertEqual(sale.state, "sale", "nothing is cancelled half-way")
        self.assertFalse(
            sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_locked_sale_order_is_not_cancelled_behind_the_lock(self):
        mp, invoice = self._invoiced_on_confirm()
        sale = mp.sale_order_id
        sale.action_lock()
        self.shopee_api.set_status(SN, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self.assertEqual(mp.state, "attention")
        self.assertIn("locked", mp.error_message)
        self.assertEqual(sale.state, "sale")
        self.assertTrue(sale.locked)
        self.assertEqual(invoice.payment_state, "not_paid")
        # a person unlocks it and retries: now it is cancelled and credited
        sale.action_unlock()
        mp.with_user(self.salesman).action_retry()
        self._assert_reversed(mp, invoice)

    def test_replayed_answer_the_platform_already_took_counts_as_done(self):
        """A first answer reached Shopee but its record was lost (the worker died
        before anything was committed): Shopee refuses the second one, and the
        order shows the answer, so it is done, not an error."""
        mp, invoice = self._invoiced_on_confirm()
        self.shopee_api.set_status(SN, "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self.shopee_api.set_status(SN, "CANCELLED")  # the lost first answer
        mp.with_user(self.salesman).action_marketplace_accept_cancellation()
        self.assertEqual(len(self.server.requests_to("handle_buyer_cancellation")), 1)
        self.assertFalse(self.shopee_api.cancellation_answers)
        self._assert_reversed(mp, invoice)

    def test_tiktok_replayed_approval_counts_as_done(self):
        shop = self.tiktok_shop
        shop.invoice_moment = "confirm"
        self.tiktok_order()
        shop._marketplace_fetch_and_import([TT])
        mp = self.mp_order(shop, TT)
        invoice = mp.sale_order_id.invoice_ids
        cancel_id = self.tiktok_api.request_cancellation(TT)
        shop._marketplace_fetch_and_import([TT])
        self.assertTrue(mp.marketplace_cancel_requested)
        # approved by an earlier request whose transaction was rolled back
        with self.tiktok_api.lock:
            self.tiktok_api.cancellations[cancel_id]["cancel_status"] = (
                "CANCELLATION_REQUEST_SUCCESS"
            )
            order = self.tiktok_api.orders[TT]
            order.update(status="CANCELLED", is_buyer_request_cancel=False)
            order["update_time"] += 1
        mp.with_user(self.salesman).action_marketplace_accept_cancellation()
        self.assertFalse(self.server.requests_to(f"cancellations/{cancel_id}/approve"))
        self._assert_reversed(mp, invoice)
