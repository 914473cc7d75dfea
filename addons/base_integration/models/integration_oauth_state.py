# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import secrets
from datetime import timedelta

from odoo import api, fields, models


class IntegrationOauthState(models.Model):
    """The server-side half of an OAuth ``state``: issued to one user for one
    connection, usable once, until it expires (review D20).

    A signed ``state`` alone proves that Odoo issued it, not to whom nor that it was
    not used already; the callback consumes the row of its nonce atomically.
    """

    _name = "integration.oauth.state"
    _description = "Integration OAuth state (one-time)"
    _order = "id desc"

    nonce = fields.Char(required=True, readonly=True, copy=False)
    connection_id = fields.Many2one(
        "integration.connection", required=True, ondelete="cascade", readonly=True
    )
    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", readonly=True
    )
    expires_at = fields.Datetime(
        string="Expires", required=True, readonly=True, index=True
    )

    _sql_constraints = [
        ("nonce_uniq", "unique(nonce)", "An OAuth state is issued once."),
    ]

    @api.model
    def _issue(self, connection, ttl_seconds):
        """A new nonce for the current user and ``connection``, valid ``ttl_seconds``."""
        now = fields.Datetime.now()
        # Forget the expired ones here: nothing else needs them, no cron needed.
        self.env.cr.execute(
            "DELETE FROM integration_oauth_state WHERE expires_at < %s", [now]
        )
        nonce = secrets.token_urlsafe(32)
        self.sudo().create(
            {
                "nonce": nonce,
                "connection_id": connection.id,
                "user_id": self.env.uid,
                "expires_at": now + timedelta(seconds=ttl_seconds),
            }
        )
        return nonce

    @api.model
    def _consume(self, nonce, connection):
        """True once for a nonce issued to the current user for ``connection`` and not
        expired. The row is deleted in the same statement that checks it: a second
        request with the same nonce (also a concurrent one) finds nothing."""
        if not nonce or not isinstance(nonce, str):
            return False
        self.flush_model()
        self.env.cr.execute(
            """
            DELETE FROM integration_oauth_state
             WHERE nonce = %s AND user_id = %s AND connection_id = %s
            RETURNING expires_at
            """,
            [nonce, self.env.uid, connection.id],
        )
        row = self.env.cr.fetchone()
        self.invalidate_model()
        return bool(row) and row[0] > fields.Datetime.now()
