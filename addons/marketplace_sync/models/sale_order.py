# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_order_id = fields.Many2one(
        "marketplace.order",
        string="Marketplace order",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    marketplace_shop_id = fields.Many2one(
        string="Marketplace shop", related="marketplace_order_id.shop_id"
    )
    marketplace_provider = fields.Selection(
        related="marketplace_order_id.provider", string="Marketplace"
    )
    marketplace_status = fields.Char(
        related="marketplace_order_id.platform_status", string="Platform status"
    )
    marketplace_lifecycle = fields.Selection(
        string="Marketplace stage", related="marketplace_order_id.lifecycle"
    )

    def _marketplace_invoice(self):
        """Invoice the order once and post it (the shop's invoicing moment).

        One invoice per marketplace order: a credit note for a return makes the order
        "to invoice" again, which must not bill the refunded goods a second time.
        """
        orders = self.filtered(
            lambda o: (
                o.invoice_status == "to invoice"
                and not o.invoice_ids.filtered(
                    lambda m: m.move_type == "out_invoice" and m.state == "posted"
                )
            )
        )
        if not orders:
            return
        # grouped=True: one invoice per order (never one per marketplace partner),
        # created together for a bulk import
        moves = orders.with_context(raise_if_nothing_to_invoice=False)._create_invoices(
            grouped=True
        )
        moves.action_post()
