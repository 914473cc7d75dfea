# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _payment_va_invoices(self):
        return self.move_id.filtered(lambda m: m.move_type == "out_invoice")

    def reconcile(self):
        """A credit note or a payment changes the amount due: re-check the VA."""
        invoices = self._payment_va_invoices()
        res = super().reconcile()
        invoices._payment_va_schedule_refresh()
        return res

    def remove_move_reconcile(self):
        invoices = (
            self.matched_debit_ids.debit_move_id
            + self.matched_credit_ids.credit_move_id
            + self
        )._payment_va_invoices()
        res = super().remove_move_reconcile()
        invoices._payment_va_schedule_refresh()
        return res
