# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import json
import logging

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models

from .integration_event import _is_testing

_logger = logging.getLogger(__name__)

# How long the side cursor of the log waits for the connection row. Only a FOR UPDATE
# lock (or a DELETE) makes it wait at all, and connection rows are locked FOR NO KEY
# UPDATE (integration.connection._lock_row); when the caller itself holds such a lock,
# any wait is for nothing.
LOCK_TIMEOUT_MS = 1000
# Context key of the environment a connection's session is built in: its successful
# calls do real work (a VA opened, stock pushed, orders imported), so the dashboard
# counts them as a success (a poll that finds nothing is not one).
PRODUCTIVE_KEY = "integration_productive"
# Context key for real-cursor tests: write the log in its own cursor as in production,
# although the test runner is active (where it is written in the caller's transaction).
OWN_CURSOR_KEY = "integration_log_own_cursor"


class IntegrationLog(models.Model):
    """One outbound HTTP attempt, secrets already masked by ``api/masking.py``."""

    _name = "integration.log"
    _description = "Integration HTTP Log"
    _order = "id desc"
    _rec_name = "url"

    connection_id = fields.Many2one(
        "integration.connection",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", string="Company", store=True
    )
    method = fields.Char()
    url = fields.Char(string="URL")
    status_code = fields.Integer(string="Status")
    duration_ms = fields.Integer(string="Duration (ms)")
    attempt = fields.Integer()
    request_headers = fields.Text(string="Request headers")
    request_body = fields.Text(string="Request body")
    response_body = fields.Text(string="Response body")
    error = fields.Text()
    success = fields.Boolean(string="Succeeded", compute="_compute_success", store=True)
    productive = fields.Boolean(
        string="Did real work",
        readonly=True,
        help="The call was made for real work (a document sent or read for a person "
        "or an event), not a poll: the dashboard counts its success as one.",
    )

    @api.depends("status_code")
    def _compute_success(self):
        for log in self:
            log.success = bool(log.status_code and log.status_code < 400)

    @api.model
    def _make_logger(self, connection):
        """A callback for :class:`IntegrationSession` writing entries for ``connection``.

        Outside tests each entry is written in its own short transaction, so that the
        trace of a failed call survives the rollback of the work that made it. That
        insert needs ``FOR KEY SHARE`` on the connection row (its foreign key): if the
        row is locked ``FOR UPDATE`` (by the caller, waiting for this very call: a
        deadlock PostgreSQL cannot see), the side cursor gives up after
        ``LOCK_TIMEOUT_MS`` and the entry is written in the caller's transaction, as
        are the next entries of this logger. Lock connection rows with
        ``integration.connection._lock_row`` (``FOR NO KEY UPDATE``) instead.

        System parameters: ``base_integration.http_log`` = ``all`` (default), ``errors``
        (failed attempts only) or ``none``; ``base_integration.http_log_bodies`` =
        ``errors`` (default: request and response bodies are kept for failed attempts
        only, so order documents with buyer data are not hoarded), ``all`` or ``none``.
        """
        connection_id = connection.id
        env = self.env
        productive = bool(connection.env.context.get(PRODUCTIVE_KEY))
        params = env["ir.config_parameter"].sudo()
        mode = params.get_param("base_integration.http_log", "all")
        bodies = params.get_param("base_integration.http_log_bodies", "errors")
        own_cursor = {
            "use": not _is_testing(env) or bool(env.context.get(OWN_CURSOR_KEY))
        }

        def log(entry):
            failed = not entry.get("status_code") or entry["status_code"] >= 400
            if mode == "none" or (mode == "errors" and not failed):
                return
            vals = dict(
                entry,
                connection_id=connection_id,
                productive=productive,
                request_headers=json.dumps(entry.get("request_headers") or {}),
            )
            if bodies == "none" or (bodies == "errors" and not failed):
                vals.update(request_body=False, response_body=False)
            if own_cursor["use"]:
                written = self._create_in_own_cursor(vals)
                if written:
                    return
                if written is None:  # the row is locked: do not wait again
                    own_cursor["use"] = False
            env["integration.log"].sudo().create(vals)

        return log

    @api.model
    def _create_in_own_cursor(self, vals):
        """Commit one entry in a side cursor.

        :returns: True when written; None when the connection row is locked, False for
            any other reason (e.g. a connection not committed yet): then write it in
            the caller's transaction.
        """
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = %s", [LOCK_TIMEOUT_MS])
                # Take the foreign key's lock first, so the wait is bounded here and
                # the INSERT below never waits.
                cr.execute(
                    "SELECT id FROM integration_connection WHERE id = %s FOR KEY SHARE",
                    [vals["connection_id"]],
                    log_exceptions=False,
                )
                if not cr.fetchone():  # created by the caller, not committed yet
                    return False
                api.Environment(cr, SUPERUSER_ID, {})["integration.log"].create(vals)
            return True
        except psycopg2.errors.LockNotAvailable:
            _logger.warning(
                "HTTP log of connection %s written in the caller's transaction: its "
                "row is locked FOR UPDATE (lock it FOR NO KEY UPDATE, see "
                "integration.connection._lock_row)",
                vals["connection_id"],
            )
            return None
        except Exception:  # noqa: BLE001 - the entry is then kept in-transaction
            _logger.debug("HTTP log written in the caller's transaction", exc_info=True)
            return False
