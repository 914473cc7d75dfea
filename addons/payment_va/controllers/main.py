# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Thin notification routes: verify, store in the inbox, answer. No business work here.

Own routes: Odoo's ``payment_xendit`` owns ``/payment/xendit/webhook`` and would answer
200 and drop FVA callbacks (odoo18.md §2.4).
"""

from odoo import http

from odoo.addons.base_integration.controllers.webhook import (
    find_connection,
    handle_webhook,
)

from ..api import midtrans as midtrans_api
from ..api import xendit as xendit_api


def describe_midtrans(payload):
    """Dedupe on (transaction_id, transaction_status): order_id alone is not enough once
    an
    expired order_id is reused (payments.md §0 and §5 item 5)."""
    missing = [
        f
        for f in ("order_id", "transaction_id", "transaction_status")
        if not payload.get(f)
    ]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    return {
        "event_type": payload["transaction_status"],
        "external_id": payload["transaction_id"],
        "dedupe_key": "midtrans:{}:{}".format(
            payload["transaction_id"], payload["transaction_status"]
        ),
    }


def describe_xendit(payload):
    """Paid callbacks dedupe on ``payment_id`` (help.xendit.co 360037748532); FVA
    created/updated callbacks on (id, status, updated)."""
    if payload.get("payment_id"):
        return {
            "event_type": "fva_paid",
            "external_id": str(payload["payment_id"]),
            "dedupe_key": f"xendit:payment:{payload['payment_id']}",
        }
    if payload.get("id") and payload.get("status"):
        return {
            "event_type": "fva_status",
            "external_id": str(payload["id"]),
            "dedupe_key": f"xendit:fva:{payload['id']}:{payload['status']}:"
            f"{payload.get('updated') or ''}",
        }
    raise ValueError("neither payment_id nor id/status present")


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
        server_key = connection.api_secret if connection else None

        def verify(payload, _headers):
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
        token = connection.webhook_secret if connection else None

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
