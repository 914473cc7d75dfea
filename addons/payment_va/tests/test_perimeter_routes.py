# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Midtrans notification and Xendit callback under hostile input (review D20): a 4xx
or a 2xx, never a 500, signed or not; answers that tell neither whether a connection
exists nor whether it has a key."""

import json

from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers.midtrans import (
    MidtransApi,
    midtrans_signature,
)
from odoo.addons.base_integration.tests.test_perimeter_routes import (
    HostileRouteMixin,
    hostile_bodies,
)

from .common import PaymentVaCommon, load_fixture


def _template(name):
    payload = load_fixture(name)
    payload.pop("_source", None)
    return payload


def _midtrans_signed(payload, server_key=MidtransApi.server_key):
    parts = [payload.get(name) for name in ("order_id", "status_code", "gross_amount")]
    if all(isinstance(part, str) for part in parts):
        payload["signature_key"] = midtrans_signature(*parts, server_key)
    return payload


@tagged("post_install", "-at_install")
class TestPerimeterPaymentRoutes(HostileRouteMixin, PaymentVaCommon):
    def test_midtrans_notification_hostile_input(self):
        template = _template("midtrans_notification_bni_settlement.json")
        paths = ["transaction_id", "transaction_status", "order_id", "status_code"]
        paths += ["signature_key", "va_numbers", "payment_amounts", "gross_amount"]
        self.assertNeverServerError(
            self._url(self.midtrans),
            hostile_bodies(template, paths, sign_payload=_midtrans_signed),
            lambda raw: {},
            self.midtrans,
            signs_raw_body=False,
        )

    def test_midtrans_signed_but_malformed_kept(self):
        payload = _midtrans_signed(
            dict(
                _template("midtrans_notification_bni_settlement.json"),
                transaction_id=["x"],
            )
        )
        response = self.url_open(
            self._url(self.midtrans),
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 400)
        event = self._events(self.midtrans)
        self.assertEqual((event.event_type, event.state), ("malformed", "failed"))

    def test_xendit_callback_hostile_input(self):
        template = _template("xendit_fva_paid_callback.json")
        paths = ["payment_id", "id", "external_id", "amount", "status", "updated"]
        self.assertNeverServerError(
            self._url(self.xendit),
            hostile_bodies(template, paths),
            lambda raw: {"x-callback-token": self.xendit.sudo().webhook_secret},
            self.xendit,
        )

    def _post(self, path, payload, headers=None):
        return self.url_open(
            f"{self.base_url()}{path}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def test_answers_reveal_nothing(self):
        keyless = self.midtrans.sudo().copy({"name": "Midtrans without key"})
        keyless.api_secret = False
        archived = self.midtrans.sudo().copy({"name": "Midtrans archived"})
        archived.api_secret = MidtransApi.server_key
        archived.active = False
        missing = keyless.id + 1000
        notification = _template("midtrans_notification_bni_settlement.json")
        for signature in ("ab" * 64, None):
            payload = dict(notification, signature_key=signature)
            if signature is None:
                payload.pop("signature_key")
            answers = {
                case: self._post(f"/payment_va/midtrans/notification/{cid}", payload)
                for case, cid in (
                    ("wrong signature", self.midtrans.id),
                    ("no such connection", missing),
                    ("no server key", keyless.id),
                    ("archived", archived.id),
                    ("a Xendit connection", self.xendit.id),
                )
            }
            with self.subTest(signature=bool(signature)):
                seen = {(r.status_code, r.content) for r in answers.values()}
                self.assertEqual(
                    len(seen),
                    1,
                    {k: (r.status_code, r.text) for k, r in answers.items()},
                )
                status, content = seen.pop()
                self.assertEqual(status, 403 if signature else 401)
                self.assertNotIn(b"configured", content)
        # Correctly signed, to an archived connection: refused all the same.
        signed = _midtrans_signed(dict(notification))
        self.assertEqual(
            self._post(
                f"/payment_va/midtrans/notification/{archived.id}", signed
            ).status_code,
            403,
        )
        keyless_xendit = self.xendit.sudo().copy({"name": "Xendit without token"})
        keyless_xendit.webhook_secret = False
        paid = _template("xendit_fva_paid_callback.json")
        for token in ("wrong-token", None):
            headers = {"x-callback-token": token} if token else {}
            answers = {
                case: self._post(f"/payment_va/xendit/callback/{cid}", paid, headers)
                for case, cid in (
                    ("wrong token", self.xendit.id),
                    ("no such connection", missing),
                    ("no token", keyless_xendit.id),
                )
            }
            with self.subTest(token=bool(token)):
                seen = {(r.status_code, r.content) for r in answers.values()}
                self.assertEqual(len(seen), 1, seen)
                self.assertEqual(seen.pop()[0], 403 if token else 401)
        connections = self.midtrans | self.xendit | keyless | archived | keyless_xendit
        self.assertFalse(
            self.env["integration.event"]
            .with_context(active_test=False)
            .search_count([("connection_id", "in", connections.ids)])
        )

    def test_success_answer_has_no_internal_id(self):
        response = self._post(
            self.xendit._get_webhook_path(),
            _template("xendit_fva_paid_callback.json"),
            {"x-callback-token": self.xendit.sudo().webhook_secret},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"status": "accepted"})
