# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import json
import logging

from odoo import SUPERUSER_ID, api, fields, models

from .integration_event import _is_testing

_logger = logging.getLogger(__name__)


class IntegrationLog(models.Model):
    """One outbound HTTP attempt, secrets already masked by ``api/masking.py``."""

    _name = "integration.log"
    _description = "Integration HTTP Log"
    _order = "id desc"
    _rec_name = "url"

    connection_id = fields.Many2one(
        "integration.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    method = fields.Char()
    url = fields.Char(string="URL")
    status_code = fields.Integer(string="Status")
    duration_ms = fields.Integer(string="Duration (ms)")
    attempt = fields.Integer()
    request_headers = fields.Text()
    request_body = fields.Text()
    response_body = fields.Text()
    error = fields.Text()
    success = fields.Boolean(compute="_compute_success", store=True)

    @api.depends("status_code")
    def _compute_success(self):
        for log in self:
            log.success = bool(log.status_code and log.status_code < 400)

    @api.model
    def _make_logger(self, connection):
        """A callback for :class:`IntegrationSession` writing entries for ``connection``.

        Outside tests each entry is written in its own short transaction, so that the
        trace of a failed call survives the rollback of the work that made it.
        """
        connection_id = connection.id
        env = self.env
        mode = (
            env["ir.config_parameter"]
            .sudo()
            .get_param("base_integration.http_log", "all")
        )

        def log(entry):
            if mode == "none" or (
                mode == "errors"
                and entry.get("status_code")
                and entry["status_code"] < 400
            ):
                return
            vals = dict(
                entry,
                connection_id=connection_id,
                request_headers=json.dumps(entry.get("request_headers") or {}),
            )
            if _is_testing(env):
                env["integration.log"].sudo().create(vals)
                return
            try:
                with env.registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})["integration.log"].create(
                        vals
                    )
            except Exception:  # e.g. a connection not committed yet: log in-transaction
                _logger.debug(
                    "HTTP log written in the caller's transaction", exc_info=True
                )
                env["integration.log"].sudo().create(vals)

        return log
