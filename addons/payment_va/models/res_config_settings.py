# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from markupsafe import escape

from odoo import _, api, fields, models

from odoo.addons.base_integration.models.res_config_settings import checklist_html

from .integration_connection import VA_PROVIDERS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    payment_va_checklist = fields.Html(
        string="Virtual account checklist",
        compute="_compute_payment_va_checklist",
        sanitize=False,
    )

    @api.depends("company_id")
    def _compute_payment_va_checklist(self):
        Connection = self.env["integration.connection"].sudo()
        for settings in self:
            gateways = Connection.search(
                [
                    ("company_id", "=", settings.company_id.id),
                    ("provider", "in", VA_PROVIDERS),
                ]
            )
            keyed = gateways.filtered(lambda c: c._integration_is_connected())
            settings.payment_va_checklist = checklist_html(
                [
                    (
                        bool(gateways),
                        escape(_("A Midtrans or Xendit connection is created")),
                        escape(_("Integrations > Configuration > Connections > New")),
                    ),
                    (
                        bool(gateways) and keyed == gateways,
                        escape(_("Keys entered")),
                        escape(_("API secret (and webhook secret for Xendit)")),
                    ),
                    (
                        bool(gateways.filtered("tested_at")),
                        escape(_("Connection tested")),
                        escape(_("press Test connection on its form")),
                    ),
                    (
                        self._integration_has_inbound(gateways),
                        escape(
                            _("Notification URL registered (a notification arrived)")
                        ),
                        escape(
                            _(
                                "copy the URL from the connection's form into the "
                                "gateway's dashboard"
                            )
                        ),
                    ),
                    (
                        bool(gateways) and all(gateways.mapped("va_journal_id")),
                        escape(_("Receiving bank journal set")),
                        escape(_("on the connection's Virtual accounts tab")),
                    ),
                ]
            )
