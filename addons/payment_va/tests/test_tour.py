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
