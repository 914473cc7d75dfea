# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Settings > Integrations: what each addon needs, and how far the setup is."""

from markupsafe import Markup, escape

from odoo import _, api, fields, models


def checklist_html(items):
    """A checklist for the settings page.

    :param items: ``(done, label, hint)`` triples; ``hint`` says what to do while the
        step is not done (shown only then).
    """
    rows = []
    for done, label, hint in items:
        icon = "fa-check-square text-success" if done else "fa-square-o text-muted"
        row = Markup('<li><i class="fa %s me-1" role="img"/>%s') % (icon, label)
        if hint and not done:
            row += Markup(' <span class="text-muted">: %s</span>') % hint
        rows.append(row + Markup("</li>"))
    return Markup('<ul class="list-unstyled mb-0">%s</ul>') % Markup().join(rows)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    integration_base_url = fields.Char(
        string="Web address", compute="_compute_integration_setup"
    )
    integration_base_url_warning = fields.Char(
        string="Web address warning", compute="_compute_integration_setup"
    )
    integration_connection_count = fields.Integer(
        string="Connections", compute="_compute_integration_setup"
    )
    integration_checklist = fields.Html(
        string="Integration checklist",
        compute="_compute_integration_setup",
        sanitize=False,
    )

    @api.depends("company_id")
    def _compute_integration_setup(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        Connection = self.env["integration.connection"].sudo()
        warning = Connection._webhook_base_url_warning(base)
        for settings in self:
            connections = Connection.search(
                [("company_id", "=", settings.company_id.id)]
            )
            settings.integration_base_url = base
            settings.integration_base_url_warning = warning
            settings.integration_connection_count = len(connections)
            settings.integration_checklist = checklist_html(
                [
                    (
                        not warning,
                        escape(_("The web address can be reached by the services")),
                        escape(_("set web.base.url to the public https address")),
                    ),
                    (
                        bool(connections),
                        escape(_("A connection is created")),
                        escape(_("add a shop or a payment gateway below")),
                    ),
                    (
                        bool(connections.filtered("tested_at")),
                        escape(_("A connection is tested")),
                        escape(_("press Test connection on its form")),
                    ),
                ]
            )

    @api.model
    def _integration_has_inbound(self, connections):
        """Whether a notification arrived for one of ``connections``: the webhook URL
        is registered at the provider (Odoo cannot ask the provider)."""
        if not connections:
            return False
        return bool(
            self.env["integration.event"]
            .sudo()
            .search_count(
                [
                    ("connection_id", "in", connections.ids),
                    ("direction", "=", "inbound"),
                ],
                limit=1,
            )
        )
