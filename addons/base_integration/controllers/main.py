# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import hashlib

from odoo import http

from ..api import payload as payload_api
from ..api.signing import verify_hmac
from .webhook import find_connection, handle_webhook, verification_secret


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
        secret = verification_secret(connection, connection.webhook_secret)

        def verify_raw(raw, headers):
            verify_hmac(secret, raw, headers.get("X-Signature"), hashlib.sha256)

        def describe(payload):
            event_id = payload_api.identifier(payload, "id", required=True)
            return {
                "event_type": payload_api.text(payload, "type") or "event",
                "external_id": event_id,
                "dedupe_key": event_id,
            }

        return handle_webhook(
            connection,
            handler="_generic_process_event",
            describe=describe,
            verify_raw=verify_raw,
            keep_headers=("Content-Type", "User-Agent", "X-Request-Id"),
        )
