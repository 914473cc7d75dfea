# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every webhook route does: verify, store once, wake the cron, answer at once.

Routes stay thin: they find the connection and hand over three small callables
(verification and description of the payload). No business work happens here.
"""

import hashlib
import json
import logging

from werkzeug.wrappers import Response

from odoo import _
from odoo.http import request

from ..api.exceptions import SignatureError

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Never stored, whatever a gateway sends.
SECRET_HEADERS = {"authorization", "x-callback-token", "cookie", "x-signature"}


def json_response(status, payload):
    return Response(json.dumps(payload), status=status, content_type="application/json")


def find_connection(connection_id, provider):
    """The connection of a webhook URL (sudo: gateways are not Odoo users), or an
    empty record when the id is not a connection of ``provider``."""
    return (
        request.env["integration.connection"]
        .sudo()
        .search([("id", "=", connection_id), ("provider", "=", provider)], limit=1)
    )


def _read_body(max_bytes):
    httprequest = request.httprequest
    length = httprequest.content_length
    if length is not None and length > max_bytes:
        return None
    data = httprequest.get_data(cache=True)
    return None if len(data) > max_bytes else data


def _kept_headers(headers, names):
    wanted = {name.lower() for name in names} - SECRET_HEADERS
    return {key: value for key, value in headers.items() if key.lower() in wanted}


def _verify(connection, verify, data, headers):
    """Run a verification callable; the 401/403 answer when it fails, else None."""
    try:
        verify(data, headers)
    except SignatureError as exc:
        _logger.warning("Webhook for connection %s rejected: %s", connection.id, exc)
        return json_response(
            exc.status, {"error": "invalid_signature", "message": str(exc)}
        )
    return None


def handle_webhook(
    connection,
    *,
    handler,
    describe,
    verify_raw=None,
    verify_payload=None,
    keep_headers=(),
    max_bytes=MAX_BODY_BYTES,
    accepted_body=None,
):
    """Verify and store one delivery for ``connection``; return the HTTP answer.

    :param connection: ``integration.connection`` record (sudo); empty or archived → 404.
    :param handler: name of the connection method that will process the event.
    :param describe: ``payload -> {event_type, external_id, dedupe_key}``; raises
        ``ValueError`` with a clear message when the payload lacks what it needs.
    :param verify_raw: ``(raw_body, headers) -> None``, raises ``SignatureError``;
        called before the body is parsed (signatures over the raw bytes).
    :param verify_payload: ``(payload, headers) -> None``, raises ``SignatureError``;
        called after parsing (signatures inside the payload, header tokens).
    :param keep_headers: header names stored with the event (secrets never are).
    :param accepted_body: answer on success instead of the default JSON: a dict (JSON)
        or bytes/str sent as is (``b""`` for gateways that want an empty body).
    """
    if not connection or not connection.active:
        return json_response(
            404,
            {"error": "unknown_connection", "message": "No active connection here."},
        )
    raw = _read_body(max_bytes)
    if raw is None:
        return json_response(
            413,
            {
                "error": "payload_too_large",
                "message": f"Body larger than {max_bytes} bytes.",
            },
        )
    headers = request.httprequest.headers
    if verify_raw and (rejection := _verify(connection, verify_raw, raw, headers)):
        return rejection
    verified = verify_raw is not None
    stored_headers = _kept_headers(headers, keep_headers)
    Event = request.env["integration.event"].sudo()

    def reject_malformed(message):
        if verified:
            # Signed by the gateway but unusable: keep it for a person to inspect.
            Event._store_inbound(
                connection,
                handler=handler,
                event_type="malformed",
                external_id=False,
                dedupe_key="malformed:" + hashlib.sha256(raw).hexdigest(),
                body=raw,
                headers=stored_headers,
                state="failed",
                error=message,
            )
        return json_response(400, {"error": "malformed_payload", "message": message})

    try:
        payload = json.loads(raw)
    except ValueError as exc:
        return reject_malformed(_("The body is not valid JSON: %s", exc))
    if not isinstance(payload, dict):
        return reject_malformed(_("The body must be a JSON object."))
    if verify_payload and (
        rejection := _verify(connection, verify_payload, payload, headers)
    ):
        return rejection
    try:
        description = describe(payload)
    except (ValueError, KeyError, TypeError) as exc:
        return reject_malformed(_("The payload is incomplete: %s", exc))
    event_id, created = Event._store_inbound(
        connection,
        handler=handler,
        event_type=description.get("event_type"),
        external_id=description.get("external_id"),
        dedupe_key=description["dedupe_key"],
        body=raw,
        headers=stored_headers,
    )
    if isinstance(accepted_body, (bytes, str)):
        # Some gateways (Shopee, TikTok) want an empty 2xx body.
        return Response(accepted_body, status=200)
    answer = accepted_body or {
        "status": "accepted" if created else "duplicate",
        "event_id": event_id,
    }
    return json_response(200, answer)
