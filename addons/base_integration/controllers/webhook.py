# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every webhook route does: verify, store once, wake the cron, answer at once.

Routes stay thin: they find the connection and hand over three small callables
(verification and description of the payload). No business work happens here.
"""

import hashlib
import json
import logging
import secrets

from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from odoo import _
from odoo.http import request

from ..api.exceptions import SignatureError
from ..api.http import mask_logged_queries
from ..api.payload import MalformedPayload
from ..api.payload import loads as parse_json

_logger = logging.getLogger(__name__)
# Odoo's access log (werkzeug's request line) holds the query string, and some senders
# can only be given a URL, so a webhook secret travels as ``?token=`` (Biteship): mask
# secret query parameters there (``token``, ``access_token``, ``sign``... by name).
mask_logged_queries("werkzeug")

MAX_BODY_BYTES = 1024 * 1024
# Never stored, whatever a gateway sends.
SECRET_HEADERS = {"authorization", "x-callback-token", "cookie", "x-signature"}
# The only answers to a refused delivery: the same whether the connection exists, has
# no secret or got a wrong signature (review D20).
REFUSED = {
    401: {"error": "invalid_signature", "message": "Missing signature or token."},
    403: {"error": "invalid_signature", "message": "Invalid signature or token."},
}
# Longest dedupe key stored as it is (a b-tree index row holds ~2.7 kB at most).
MAX_DEDUPE_KEY_BYTES = 512


def json_response(status, payload):
    return Response(json.dumps(payload), status=status, content_type="application/json")


def refused(status=403):
    return json_response(status, REFUSED.get(status, REFUSED[403]))


def too_large(max_bytes=MAX_BODY_BYTES):
    return json_response(
        413,
        {
            "error": "payload_too_large",
            "message": f"Body larger than {max_bytes} bytes.",
        },
    )


def find_connection(connection_id, provider):
    """The connection of a webhook URL (sudo: gateways are not Odoo users), or an
    empty record when the id is not an active connection of ``provider``."""
    return (
        request.env["integration.connection"]
        .sudo()
        .search([("id", "=", connection_id), ("provider", "=", provider)], limit=1)
    )


def verification_secret(connection, secret):
    """The secret to verify a delivery with.

    Without a connection, or without a configured secret, a random one that no request
    can match: the delivery is then refused exactly like a wrong signature (fail
    closed), so that the answer tells neither whether the connection exists nor how it
    is configured. The missing secret is logged here, for the administrator.
    """
    if connection and secret:
        return secret
    if connection:
        _logger.warning(
            "Webhook for connection %s refused: no verification secret is configured.",
            connection.id,
        )
    return secrets.token_hex(32)


def read_body(max_bytes=MAX_BODY_BYTES):
    """The raw body, or ``None`` when it is larger than ``max_bytes``.

    A declared ``Content-Length`` above the limit is refused before any byte is read;
    otherwise (also for a chunked body, which declares none) at most ``max_bytes + 1``
    bytes are read. Read it once: the stream is consumed.
    """
    httprequest = request.httprequest
    length = httprequest.content_length
    if length is not None and length > max_bytes:
        return None
    # Odoo's request wrapper does not expose werkzeug's stream, and ``get_data()``
    # would read a chunked body whole, however large.
    wrapped = getattr(httprequest, "_HTTPRequest__wrapped", None)
    stream = getattr(wrapped, "stream", None)
    try:
        data = (
            stream.read(max_bytes + 1) if stream is not None else httprequest.get_data()
        )
    except (OSError, ValueError) as exc:
        # werkzeug's chunked reader: "Invalid chunk header", a missing terminator.
        raise BadRequest("The request body could not be read.") from exc
    return None if len(data) > max_bytes else data


def _kept_headers(headers, names):
    wanted = {name.lower() for name in names} - SECRET_HEADERS
    return {key: value for key, value in headers.items() if key.lower() in wanted}


def _verify(connection, verify, data, headers):
    """Run a verification callable; the 401/403 answer when it fails, else None."""
    try:
        verify(data, headers)
    except SignatureError as exc:
        reason = connection._mask_text(str(exc)) if connection else str(exc)
        _logger.warning(
            "Webhook for connection %s rejected: %s", connection.id or "-", reason
        )
        return refused(401 if exc.status == 401 else 403)
    return None


def _checked_description(description):
    """The values ``describe`` returned, fit for the inbox's indexed columns."""
    for name in ("event_type", "external_id"):
        value = description.get(name)
        if value and (not isinstance(value, str) or len(value) > 255):
            raise MalformedPayload(f"{name} is not a short text")
    key = description.get("dedupe_key")
    if not key or not isinstance(key, str):
        raise MalformedPayload("the payload has no identifier")
    if len(key.encode("utf-8")) > MAX_DEDUPE_KEY_BYTES:
        # Same key, same digest: deduplication still holds, the index row fits.
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return dict(description, dedupe_key=key)


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
    raw=None,
):
    """Verify and store one delivery for ``connection``; return the HTTP answer.

    Every answer is a 2xx or a 4xx, whatever the body: 413 when too large, 401/403 when
    not verified (the same for a missing or archived connection, or one without a
    secret: build the verification callables with :func:`verification_secret`), 400
    when malformed (kept as a failed event when it was signed), 200 when stored.

    :param connection: ``integration.connection`` record (sudo); may be empty.
    :param handler: name of the connection method that will process the event.
    :param describe: ``payload -> {event_type, external_id, dedupe_key}``; checks the
        types it reads and raises ``ValueError`` (``payload.MalformedPayload``) with a
        clear message when the payload lacks what it needs.
    :param verify_raw: ``(raw_body, headers) -> None``, raises ``SignatureError``;
        called before the body is parsed (signatures over the raw bytes).
    :param verify_payload: ``(payload, headers) -> None``, raises ``SignatureError``;
        called after parsing (signatures inside the payload, header tokens).
    :param keep_headers: header names stored with the event (secrets never are).
    :param accepted_body: answer on success instead of the default JSON: a dict (JSON)
        or bytes/str sent as is (``b""`` for gateways that want an empty body).
    :param raw: the body when the route already read it (with :func:`read_body`).
    """
    if raw is None:
        raw = read_body(max_bytes)
        if raw is None:
            return too_large(max_bytes)
    known = bool(connection) and connection.active
    headers = request.httprequest.headers
    if verify_raw and (rejection := _verify(connection, verify_raw, raw, headers)):
        return rejection
    verified = verify_raw is not None
    if verified and not known:
        return refused(403)
    stored_headers = _kept_headers(headers, keep_headers)
    Event = request.env["integration.event"].sudo()

    def reject_malformed(message):
        if verified:
            # Signed by the gateway but unusable: keep it for a person to inspect
            # (PostgreSQL text cannot hold NUL, whatever the sender put in).
            body = raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
            Event._store_inbound(
                connection,
                handler=handler,
                event_type="malformed",
                external_id=False,
                dedupe_key="malformed:" + hashlib.sha256(raw).hexdigest(),
                body=body,
                headers=stored_headers,
                state="failed",
                error=message,
            )
        return json_response(400, {"error": "malformed_payload", "message": message})

    try:
        payload = parse_json(raw)
    except MalformedPayload as exc:
        return reject_malformed(_("Malformed body: %s", exc))
    if not isinstance(payload, dict):
        return reject_malformed(_("The body must be a JSON object."))
    if verify_payload:
        if rejection := _verify(connection, verify_payload, payload, headers):
            return rejection
        verified = True
    if not known:
        return refused(403)
    try:
        description = _checked_description(describe(payload))
    except ValueError as exc:
        return reject_malformed(_("The payload is incomplete: %s", exc))
    _event_id, created = Event._store_inbound(
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
    # No internal ids in the answer: the sender needs to know it was taken, no more.
    answer = accepted_body or {"status": "accepted" if created else "duplicate"}
    return json_response(200, answer)
