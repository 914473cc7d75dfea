# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The selection rules on the quotation (*Add shipping*) and on confirmation."""

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    carrier_api_rule_auto_assign = fields.Boolean(
        string="Assign the carrier by rules on confirmation",
        help="A sale order confirmed without a shipping method gets the one the "
        "carrier selection rules choose, explained in its chatter.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    carrier_api_rule_auto_assign = fields.Boolean(
        related="company_id.carrier_api_rule_auto_assign",
        readonly=False,
        string="Assign the carrier by rules on confirmation",
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _carrier_api_rule_assign(self):
        """Give each order without a shipping method the rules' choice."""
        Rule = self.env["carrier_api.rule"].sudo()
        for order in self:
            if order.carrier_id or not any(
                line.product_id.type == "consu" for line in order.order_line
            ):
                continue
            carrier, price, text = Rule._choose(order)
            order.message_post(body=text)
            if carrier:
                order.set_delivery_line(carrier, price)

    def action_confirm(self):
        self.filtered(
            lambda order: order.company_id.carrier_api_rule_auto_assign
        )._carrier_api_rule_assign()
        return super().action_confirm()


class ChooseDeliveryCarrier(models.TransientModel):
    _inherit = "choose.delivery.carrier"

    carrier_api_rule_note = fields.Text(string="Carrier rules", readonly=True)
    carrier_api_rule_carrier_id = fields.Many2one(
        "delivery.carrier", string="Proposed by the rules", readonly=True
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        order = self.env["sale.order"].browse(res.get("order_id"))
        if order:
            carrier, _price, text = self.env["carrier_api.rule"].sudo()._choose(order)
            res["carrier_api_rule_note"] = text
            if carrier:
                res["carrier_id"] = carrier.id
                res["carrier_api_rule_carrier_id"] = carrier.id
        return res

    def button_confirm(self):
        result = super().button_confirm()
        for wizard in self:
            if wizard.carrier_api_rule_note and (
                wizard.carrier_id == wizard.carrier_api_rule_carrier_id
            ):
                wizard.order_id.message_post(body=wizard.carrier_api_rule_note)
        return result
