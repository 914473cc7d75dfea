# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship webhooks (carriers.md §5.5): verify our own token, store in the inbox,
answer. The delivery is a hint only: no signature is documented, so the handler
re-reads the shipment from the API and applies what the API says."""

import re

from odoo import http
from odoo.http import request

from odoo.addons.base_integration.api import payload as payload_api
from odoo.addons.base_integration.api.exceptions import SignatureError
from odoo.addons.base_integration.api.signing import verify_token
from odoo.addons.base_integration.controllers.webhook import (
    find_connection,
    handle_webhook,
    json_response,
    read_body,
    refused,
    too_large,
    verification_secret,
)

# Biteship ids are 24 hex characters in the documentation; waybills are short codes.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EVENTS = ("order.status", "order.price", "order.waybill_id")


def _short_id(payload, name, required=False):
    value = payload_api.identifier(payload, name, required=required, max_length=64)
    if value is not None and not _ID.match(value):
        raise payload_api.MalformedPayload(f"field '{name}' is not an id")
    return value


def describe_biteship(payload):
    event = payload_api.text(payload, "event", required=True, max_length=64)
    if event not in EVENTS:
        raise payload_api.MalformedPayload(f"unknown event '{event[:64]}'")
    order_id = _short_id(payload, "order_id", required=True)
    _short_id(payload, "courier_waybill_id")
    status = payload_api.text(payload, "status", max_length=64) or ""
    updated = payload_api.text(payload, "updated_at", max_length=64) or ""
    return {
        "event_type": event,
        "external_id": order_id,
        "dedupe_key": f"biteship:{order_id}:{event}:{status}:{updated}",
    }


class CarrierApiController(http.Controller):
    @http.route(
        "/carrier_api/biteship/webhook/<int:connection_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def biteship_webhook(self, connection_id, **_kw):
        connection = find_connection(connection_id, "biteship")
        token = verification_secret(connection, connection.webhook_secret)

        def verify(_raw, headers):
            # Our own per-connection token, in the URL set in Biteship's dashboard
            # (?token=) or a header (§5.5 design: the scheme is not documented).
            verify_token(
                token,
                request.httprequest.args.get("token")
                or headers.get("X-Webhook-Token", ""),
            )

        raw = read_body()
        if raw is None:
            return too_large()
        if not raw.strip():
            # The dashboard's installation check posts an empty body (§5.5
            # [secondary]): a verified empty body is answered, nothing is stored.
            try:
                verify(raw, request.httprequest.headers)
            except SignatureError as exc:
                return refused(exc.status)
            if not connection:
                return refused(403)
            return json_response(200, {"status": "ok"})
        return handle_webhook(
            connection,
            handler="_carrier_api_biteship_webhook",
            describe=describe_biteship,
            verify_raw=verify,
            keep_headers=("User-Agent", "Content-Type"),
            raw=raw,
        )
