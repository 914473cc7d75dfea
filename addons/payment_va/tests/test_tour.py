# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.tests import tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestPaymentVaTour(PaymentVaCommon):
    def test_invoice_tour(self):
        move, _va = self._invoice_with_va(150000)
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
            "payment_va_invoice_tour",
            login=self.env.user.login,
        )

    def test_invoice_paid_tour(self):
        """Post the invoice → see its VA (back office and portal) → the Midtrans test
        server pays → the invoice is paid."""
        move = self._invoice(150000, post=False)
        login = self.env.user.login
        action_url = f"/odoo/action-account.action_move_out_invoice_type/{move.id}"
        self.start_tour(action_url, "payment_va_invoice_post_tour", login=login)
        self.env.invalidate_all()
        va = move.payment_va_current_id
        self.assertEqual((move.state, va.state), ("posted", "open"))
        self.start_tour(move.get_portal_url(), "payment_va_portal_tour", login=None)
        # The customer transfers: the gateway notifies Odoo, the inbox books it.
        response = self.midtrans_api.simulate_payment(va.reference)
        self.assertEqual(response.status_code, 200, response.text)
        self._process_inbound()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.start_tour(action_url, "payment_va_invoice_paid_tour", login=login)
