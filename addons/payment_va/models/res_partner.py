# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import _, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    payment_va_ids = fields.One2many(
        "payment.va", "partner_id", string="Virtual accounts"
    )
    payment_va_count = fields.Integer(
        string="Virtual account count", compute="_compute_payment_va_count"
    )
    payment_va_bank_id = fields.Many2one(
        "payment.va.bank",
        string="Preferred VA bank",
        help="Used when the gateway connection has this bank enabled.",
    )
    payment_va_connection_id = fields.Many2one(
        "integration.connection",
        string="Preferred VA gateway",
        company_dependent=True,
        domain="[('provider', 'in', ('midtrans', 'xendit')), "
        "('va_mode', '=', 'invoice'), ('company_id', '=', current_company_id)]",
        groups="account.group_account_invoice",
        help="Per-invoice virtual accounts of this customer are opened on this "
        "connection, whatever the sequence of the connections says.",
    )
    payment_va_no_auto = fields.Boolean(
        string="No automatic virtual account",
        help="Do not request a virtual account when an invoice of this customer is "
        "posted.",
    )

    def _compute_payment_va_count(self):
        data = dict(
            self.env["payment.va"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.payment_va_count = data.get(partner.commercial_partner_id, 0)

    def action_payment_va_create(self):
        """Open a reusable per-customer VA on the company's per-customer connection."""
        self.ensure_one()
        connection = (
            self.env["integration.connection"]
            .sudo()
            ._payment_va_find(self.env.company, mode="customer")
        )
        if not connection:
            raise UserError(
                _(
                    "No Midtrans or Xendit connection in 'One VA per customer' mode "
                    "is configured for %s.",
                    self.env.company.name,
                )
            )
        va = self.env["payment.va"]._create_for_partner(self, connection)
        return va._get_records_action(name=_("Virtual account"))

    def action_open_payment_vas(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Virtual accounts"),
            "res_model": "payment.va",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
