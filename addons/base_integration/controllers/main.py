# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import hashlib

from odoo import http

from ..api.signing import verify_hmac
from .webhook import find_connection, handle_webhook


class GenericWebhookController(http.Controller):
    """Generic signed webhook: ``X-Signature: hex(HMAC-SHA256(secret, raw body))``.

    The payload must carry an ``id`` (used to deduplicate) and may carry a ``type``.
    """

    @http.route(
        "/integration/webhook/<int:connection_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def generic_webhook(self, connection_id, **kwargs):
        connection = find_connection(connection_id, "generic")
        secret = connection.webhook_secret if connection else None

        def verify_raw(raw, headers):
            verify_hmac(secret, raw, headers.get("X-Signature"), hashlib.sha256)

        def describe(payload):
            if not payload.get("id"):
                raise ValueError("field 'id' is required")
            return {
                "event_type": str(payload.get("type") or "event"),
                "external_id": str(payload["id"]),
                "dedupe_key": str(payload["id"]),
            }

        return handle_webhook(
            connection,
            handler="_generic_process_event",
            describe=describe,
            verify_raw=verify_raw,
            keep_headers=("Content-Type", "User-Agent", "X-Request-Id"),
        )
