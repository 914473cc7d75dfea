# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from markupsafe import escape

from odoo import _, api, fields, models

from odoo.addons.base_integration.models.res_config_settings import checklist_html


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    marketplace_checklist = fields.Html(
        string="Marketplace checklist",
        compute="_compute_marketplace_checklist",
        sanitize=False,
    )

    @api.depends("company_id")
    def _compute_marketplace_checklist(self):
        Shop = self.env["marketplace.shop"].sudo().with_context(active_test=True)
        for settings in self:
            shops = Shop.search([("company_id", "=", settings.company_id.id)])
            connected = shops.filtered(
                lambda s: s.connection_id._integration_is_connected()
            )
            mapped = shops.filtered(lambda s: s.product_map_ids.filtered("product_id"))
            accounts = shops.filtered(
                lambda s: s.receivable_account_id and s.settlement_journal_id
            )
            settings.marketplace_checklist = checklist_html(
                [
                    (
                        bool(shops),
                        escape(_("A shop is created")),
                        escape(_("Marketplace > Shops > New, with the app's keys")),
                    ),
                    (
                        bool(shops) and connected == shops,
                        escape(
                            _(
                                "Shops connected (%(done)s of %(all)s)",
                                done=len(connected),
                                all=len(shops),
                            )
                        ),
                        escape(_("press Connect shop on each shop")),
                    ),
                    (
                        self._integration_has_inbound(shops.connection_id),
                        escape(_("Webhook URL registered (a push arrived)")),
                        escape(
                            _(
                                "copy the URL from the shop's form into the "
                                "platform's console"
                            )
                        ),
                    ),
                    (
                        bool(shops) and mapped == shops,
                        escape(_("Products mapped to the platform's SKUs")),
                        escape(
                            _("Marketplace > Product mappings, or Find unmapped SKUs")
                        ),
                    ),
                    (
                        bool(shops) and accounts == shops,
                        escape(_("Settlement accounts set")),
                        escape(
                            _(
                                "transit account and settlement journal on the shop's "
                                "Accounting tab"
                            )
                        ),
                    ),
                ]
            )
