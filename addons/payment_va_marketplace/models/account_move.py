# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _payment_va_auto_wanted(self):
        """The buyer paid the platform, which pays the shop in its settlement: a VA on
        such an invoice would ask the buyer to pay twice (and be printed on the PDF and
        the portal until the settlement closes it)."""
        return super()._payment_va_auto_wanted() and not self._marketplace_orders()

    def _marketplace_orders(self):
        """The marketplace orders this invoice bills."""
        return self.invoice_line_ids.sale_line_ids.order_id.marketplace_order_id
