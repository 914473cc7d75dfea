# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Thin notification routes: verify, store in the inbox, answer. No business work here.

Own routes: Odoo's ``payment_xendit`` owns ``/payment/xendit/webhook`` and would answer
200 and drop FVA callbacks (odoo18.md §2.4).
"""

from odoo import http

from odoo.addons.base_integration.api import payload as payload_api
from odoo.addons.base_integration.api.exceptions import SignatureError
from odoo.addons.base_integration.controllers.webhook import (
    find_connection,
    handle_webhook,
    verification_secret,
)

from ..api import midtrans as midtrans_api
from ..api import xendit as xendit_api


def describe_midtrans(payload):
    """Dedupe on (transaction_id, transaction_status): order_id alone is not enough once
    an expired order_id is reused (payments.md §0 and §5 item 5). Midtrans sends these
    as strings; anything else is refused. Neither transaction_id nor transaction_status
    is covered by the signature (review D19): they only deduplicate deliveries, the
    booking must not rest on them."""
    values = {
        name: payload_api.text(payload, name)
        for name in ("order_id", "transaction_id", "transaction_status")
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise payload_api.MalformedPayload(f"missing field(s): {', '.join(missing)}")
    return {
        "event_type": values["transaction_status"],
        "external_id": values["transaction_id"],
        "dedupe_key": "midtrans:{transaction_id}:{transaction_status}".format(**values),
    }


def describe_xendit(payload):
    """Paid callbacks dedupe on ``payment_id`` (help.xendit.co 360037748532); FVA
    created/updated callbacks on (id, status, updated)."""
    payment_id = payload_api.identifier(payload, "payment_id")
    if payment_id:
        return {
            "event_type": "fva_paid",
            "external_id": payment_id,
            "dedupe_key": f"xendit:payment:{payment_id}",
        }
    va_id = payload_api.identifier(payload, "id")
    status = payload_api.text(payload, "status")
    if va_id and status:
        updated = payload_api.text(payload, "updated") or ""
        return {
            "event_type": "fva_status",
            "external_id": va_id,
            "dedupe_key": f"xendit:fva:{va_id}:{status}:{updated}",
        }
    raise payload_api.MalformedPayload("neither payment_id nor id/status present")


class PaymentVaController(http.Controller):
    @http.route(
        "/payment_va/midtrans/notification/<int:connection_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def midtrans_notification(self, connection_id, **_kw):
        connection = find_connection(connection_id, "midtrans")
        server_key = verification_secret(connection, connection.api_secret)

        def verify(payload, _headers):
            # What is hashed must be text: a field that cannot be encoded (a lone
            # surrogate) cannot carry a valid signature.
            signed = ("signature_key", "order_id", "status_code", "gross_amount")
            if payload.get("signature_key") and not all(
                payload_api.is_text(payload.get(name)) for name in signed
            ):
                raise SignatureError("Signed fields are not text.", 403)
            midtrans_api.verify_signature(payload, server_key)

        return handle_webhook(
            connection,
            handler="_midtrans_process_notification",
            describe=describe_midtrans,
            verify_payload=verify,
            keep_headers=("User-Agent", "Content-Type"),
        )

    @http.route(
        "/payment_va/xendit/callback/<int:connection_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def xendit_callback(self, connection_id, **_kw):
        connection = find_connection(connection_id, "xendit")
        token = verification_secret(connection, connection.webhook_secret)

        def verify(_raw, headers):
            # A header token, checked before the body is even parsed (payments.md §2.4).
            xendit_api.verify_callback_token(token, headers.get("x-callback-token"))

        return handle_webhook(
            connection,
            handler="_xendit_process_callback",
            describe=describe_xendit,
            verify_raw=verify,
            keep_headers=("User-Agent", "Content-Type", "webhook-id"),
        )
