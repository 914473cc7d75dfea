# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""After-sales: buyer cancellation requests answered from Odoo, returns and refunds
after delivery (return picking + credit note, once)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceCase

SN = "201218V2Y6E59M"
TT = "576461413038785752"


@tagged("post_install", "-at_install")
class TestReturns(MarketplaceCase):
    def setUp(self):
        super().setUp()
        self._clear_after_sales()
        # returns and cancellations must not leak into other classes' tests
        self.addCleanup(self._clear_after_sales)

    def _clear_after_sales(self):
        with self.shopee_api.lock:
            self.shopee_api.returns.clear()
            self.shopee_api.cancellation_answers.clear()
        with self.tiktok_api.lock:
            self.tiktok_api.cancellations.clear()
            self.tiktok_api.returns.clear()
            self.tiktok_api.idempotency.clear()

    # ------------------------------------------------------------------ helpers
    def _shopee_imported(self, status="READY_TO_SHIP"):
        self.shopee_order(status=status)
        self.shopee_shop._marketplace_fetch_and_import([SN])
        return self.mp_order(self.shopee_shop, SN)

    def _deliver(self, sale):
        picking = sale.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _shopee_return(self, needs_logistics=True, refund=50000, items=None):
        items = items or [(1001, 2001, "KAOS-HIT-L", 1, 50000)]
        return self.shopee_api.put_return(
            {
                # shape of v2.returns.get_return_detail (shopee-sdk returns.ts);
                # values invented
                "return_sn": "2206150VT13E3MQ",
                "order_sn": SN,
                "status": "ACCEPTED",
                "refund_amount": refund,
                "currency": "IDR",
                "needs_logistics": needs_logistics,
                "reason": "DAMAGED_PRODUCT",
                "text_reason": "",
                "item": [
                    {
                        "item_id": item_id,
                        "model_id": model_id,
                        "variation_sku": sku,
                        "amount": qty,
                        "item_price": price,
                    }
                    for item_id, model_id, sku, qty, price in items
                ],
            }
        )

    def _returns(self, sale):
        incoming = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming"
        )
        refunds = sale.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        return incoming, refunds

    # ------------------------------------------------------------------ cancellation
    def test_shopee_accept_cancellation_cancels_sale_and_delivery(self):
        mp = self._shopee_imported()
        picking = mp.sale_order_id.picking_ids
        self.shopee_api.set_status(SN, "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self.assertTrue(mp.marketplace_cancel_requested)
        with self.assertRaises(UserError):  # no shipping while the buyer asks to cancel
            picking.action_marketplace_arrange_shipment()
        mp.action_marketplace_accept_cancellation()
        # the test server records the answer only after checking the shop signature
        self.assertEqual(
            self.shopee_api.cancellation_answers,
            [{"order_sn": SN, "operation": "ACCEPT"}],
        )
        request = self.server.requests_to("handle_buyer_cancellation")[0]
        self.assertTrue(request.arg("sign"))
        self.assertEqual(mp.sale_order_id.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual((mp.state, mp.platform_status), ("cancelled", "CANCELLED"))
        self.assertFalse(mp.marketplace_cancel_requested)

    def test_shopee_reject_cancellation_keeps_sale(self):
        mp = self._shopee_imported()
        self.shopee_api.set_status(SN, "IN_CANCEL")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        mp.action_marketplace_reject_cancellation()
        self.assertEqual(
            self.shopee_api.cancellation_answers,
            [{"order_sn": SN, "operation": "REJECT"}],
        )
        self.assertEqual(mp.sale_order_id.state, "sale")
        self.assertNotEqual(mp.sale_order_id.picking_ids.state, "cancel")
        self.assertEqual(
            (mp.platform_status, mp.lifecycle), ("READY_TO_SHIP", "to_ship")
        )
        self.assertFalse(mp.marketplace_cancel_requested)

    def test_no_cancellation_request_no_call(self):
        mp = self._shopee_imported()
        with self.assertRaises(UserError):
            mp.action_marketplace_accept_cancellation()
        self.assertFalse(self.server.requests_to("handle_buyer_cancellation"))

    def test_tiktok_approve_cancellation(self):
        self.tiktok_order()
        self.tiktok_shop._marketplace_fetch_and_import([TT])
        mp = self.mp_order(self.tiktok_shop, TT)
        cancel_id = self.tiktok_api.request_cancellation(TT)
        self.tiktok_shop._marketplace_fetch_and_import([TT])
        self.assertTrue(mp.marketplace_cancel_requested)
        mp.action_marketplace_accept_cancellation()
        self.assertEqual(
            self.tiktok_api.cancellations[cancel_id]["cancel_status"],
            "CANCELLATION_REQUEST_SUCCESS",
        )
        approve = self.server.requests_to(f"cancellations/{cancel_id}/approve")
        self.assertEqual(len(approve), 1)
        self.assertEqual(
            approve[0].arg("idempotency_key"), f"odoo-{mp.id}-{cancel_id}-approve"
        )
        self.assertEqual(mp.sale_order_id.state, "cancel")
        self.assertEqual(mp.sale_order_id.picking_ids.state, "cancel")
        self.assertEqual(mp.state, "cancelled")

    def test_tiktok_reject_cancellation(self):
        self.tiktok_order()
        self.tiktok_shop._marketplace_fetch_and_import([TT])
        mp = self.mp_order(self.tiktok_shop, TT)
        cancel_id = self.tiktok_api.request_cancellation(TT)
        self.tiktok_shop._marketplace_fetch_and_import([TT])
        mp.action_marketplace_reject_cancellation()
        cancellation = self.tiktok_api.cancellations[cancel_id]
        self.assertEqual(cancellation["cancel_status"], "CANCELLATION_REQUEST_CANCEL")
        self.assertEqual(
            cancellation["answer"]["reject_reason"],
            "seller_reject_apply_product_has_been_packed",
        )
        self.assertEqual(mp.sale_order_id.state, "sale")
        self.assertFalse(mp.marketplace_cancel_requested)

    # ------------------------------------------------------------------ returns
    def test_return_with_goods_books_once(self):
        mp = self._shopee_imported()
        sale = mp.sale_order_id
        self._deliver(sale)
        sale._marketplace_invoice()
        invoice = sale.invoice_ids
        self._shopee_return()
        self.shopee_api.set_status(SN, "TO_RETURN")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        ret = mp.return_ids
        self.assertEqual(ret.state, "done", ret.error_message)
        self.assertEqual(mp.lifecycle, "returning")
        incoming, refunds = self._returns(sale)
        self.assertEqual(len(incoming), 1)
        self.assertEqual(ret.picking_ids, incoming)
        self.assertEqual(incoming.move_ids.product_id, self.kaos)
        self.assertEqual(incoming.move_ids.product_uom_qty, 1)
        self.assertEqual(len(refunds), 1)
        self.assertEqual(ret.credit_note_id, refunds)
        self.assertEqual(refunds.state, "posted")
        self.assertEqual(refunds.reversed_entry_id, invoice)
        self.assertEqual(refunds.amount_total, 50000.0)
        # the same event again, the order re-read, the cron: nothing is booked twice
        self.shopee_api.set_status(SN, "TO_RETURN")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        mp.action_marketplace_check_returns()
        self.env["marketplace.return"]._cron_sync_returns()
        incoming, refunds = self._returns(sale)
        self.assertEqual((len(incoming), len(refunds)), (1, 1))
        self.assertEqual(len(mp.return_ids), 1)
        # the credit note makes the order "to invoice" again: never billed twice
        sale._marketplace_invoice()
        self.assertEqual(
            len(sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")), 1
        )

    def test_refund_only_creates_credit_note_only(self):
        mp = self._shopee_imported()
        sale = mp.sale_order_id
        self._deliver(sale)
        sale._marketplace_invoice()
        self._shopee_return(
            needs_logistics=False, refund=100000, items=[(1002, 0, "", 1, 100000)]
        )
        self.shopee_api.set_status(SN, "TO_RETURN")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        self.assertEqual(mp.return_ids.state, "done", mp.return_ids.error_message)
        incoming, refunds = self._returns(sale)
        self.assertFalse(incoming)
        self.assertEqual(len(refunds), 1)
        self.assertEqual(refunds.amount_total, 100000.0)
        self.assertEqual(refunds.invoice_line_ids.product_id, self.topi)

    def test_return_without_invoice_parks_then_retry(self):
        mp = self._shopee_imported()
        sale = mp.sale_order_id
        self._deliver(sale)
        self._shopee_return()
        self.shopee_api.set_status(SN, "TO_RETURN")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        ret = mp.return_ids
        self.assertEqual(ret.state, "attention")
        self.assertIn("no posted invoice", ret.error_message)
        self.assertEqual(
            ret.activity_ids.mapped("summary"), ["Marketplace return needs attention"]
        )
        incoming, refunds = self._returns(sale)
        self.assertFalse(incoming or refunds)
        # the order itself is not blocked by its return
        self.assertEqual(mp.state, "imported")
        sale._marketplace_invoice()
        ret.action_retry()
        self.assertEqual(ret.state, "done", ret.error_message)
        self.assertFalse(ret.activity_ids)
        incoming, refunds = self._returns(sale)
        self.assertEqual((len(incoming), len(refunds)), (1, 1))

    def test_return_before_delivery_parks(self):
        mp = self._shopee_imported()
        mp.sale_order_id._marketplace_invoice()
        self._shopee_return()
        self.shopee_api.set_status(SN, "TO_RETURN")
        self.shopee_shop._marketplace_fetch_and_import([SN])
        ret = mp.return_ids
        self.assertEqual(ret.state, "attention")
        self.assertIn("Nothing of sale order", ret.error_message)
        self.assertFalse(ret.credit_note_id)

    def test_unknown_return_status_parks(self):
        mp = self._shopee_imported()
        detail = self._shopee_return()
        detail["status"] = "SOMETHING_NEW"
        mp.action_marketplace_check_returns()
        self.assertEqual(mp.return_ids.state, "attention")
        self.assertIn(
            "Unknown return status SOMETHING_NEW", mp.return_ids.error_message
        )

    def test_requested_return_books_nothing_until_granted(self):
        mp = self._shopee_imported()
        sale = mp.sale_order_id
        self._deliver(sale)
        sale._marketplace_invoice()
        detail = self._shopee_return()
        detail["status"] = "REQUESTED"
        mp.action_marketplace_check_returns()
        self.assertEqual(mp.return_ids.state, "requested")
        self.assertEqual(
            self._returns(sale), (sale.picking_ids.browse(), sale.invoice_ids.browse())
        )
        detail.update(status="ACCEPTED", update_time=detail["update_time"] + 10)
        mp.action_marketplace_check_returns()
        self.assertEqual(mp.return_ids.state, "done", mp.return_ids.error_message)

    def test_tiktok_refund_only_from_cron(self):
        self.tiktok_order(status="DELIVERED")
        self.tiktok_shop._marketplace_fetch_and_import([TT])
        mp = self.mp_order(self.tiktok_shop, TT)
        sale = mp.sale_order_id
        self._deliver(sale)
        sale._marketplace_invoice()
        self.tiktok_api.put_return(
            {
                # shape of returns/search return_orders[] (return_refund.md); invented
                "return_id": "4035318504086721234",
                "order_id": TT,
                "return_status": "RETURN_OR_REFUND_REQUEST_SUCCESS",
                "return_type": "REFUND",
                "refund_amount": {"currency": "IDR", "refund_total": "45000"},
                "return_line_items": [
                    {
                        "order_line_item_id": "li-1",
                        "sku_id": "1729582718312380001",
                        "seller_sku": "KOPI-250",
                    }
                ],
            }
        )
        self.env["marketplace.return"]._cron_sync_returns()
        ret = mp.return_ids
        self.assertEqual(ret.state, "done", ret.error_message)
        self.assertFalse(ret.goods_back)
        incoming, refunds = self._returns(sale)
        self.assertFalse(incoming)
        self.assertEqual(refunds.amount_total, 45000.0)
        self.assertIn(self.kopi, refunds.invoice_line_ids.product_id)
