# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _marketplace_mark_dirty(self, products):
        # A stock change by any user (a warehouse user has no access to the
        # marketplace's mappings): the platforms' stock follows all the same, for
        # the shops of the moves' companies only (sudo ignores the company rules).
        self.env["marketplace.product.map"].sudo()._marketplace_mark_dirty(
            products, companies=self.company_id
        )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        self._marketplace_mark_dirty(moves.product_id)
        return moves

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self._marketplace_mark_dirty(self.product_id)
        return res

    def _do_unreserve(self):
        res = super()._do_unreserve()
        self._marketplace_mark_dirty(self.product_id)
        return res
