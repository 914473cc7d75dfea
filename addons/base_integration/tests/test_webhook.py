# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import json
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo.tests import HttpCase, tagged

from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestWebhook(IntegrationTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls.env["ir.actions.server"].create(
            {
                "name": "Count deliveries",
                "model_id": cls.env.ref("base_integration.model_integration_event").id,
                "state": "code",
                "code": "env['res.partner'].create({'name': 'webhook %s' % record.external_id})",
            }
        )
        cls.connection = cls._create_connection(generic_action_id=cls.action.id)
        cls.secret = cls.connection.webhook_secret

    def _url(self, connection=None):
        return f"{self.base_url()}/integration/webhook/{(connection or self.connection).id}"

    def _post(self, body, signature=None, connection=None, headers=None):
        hdrs = {"Content-Type": "application/json"}
        if signature is not None:
            hdrs["X-Signature"] = signature
        hdrs.update(headers or {})
        return requests.post(self._url(connection), data=body, headers=hdrs, timeout=30)

    def test_missing_signature_401_and_nothing_stored(self):
        body, _sig = self._sign(self.secret, {"id": "a1"})
        response = self._post(body)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"], "invalid_signature")
        self.assertFalse(self._events(self.connection))

    def test_bad_signature_403_and_nothing_stored(self):
        body, _sig = self._sign(self.secret, {"id": "a2"})
        _body, forged = self._sign("not-the-secret", {"id": "a2"})
        self.assertEqual(self._post(body, forged).status_code, 403)
        # A valid signature of another body does not cover this one.
        _other, other_sig = self._sign(self.secret, {"id": "a3"})
        self.assertEqual(self._post(body, other_sig).status_code, 403)
        self.assertFalse(self._events(self.connection))

    def test_no_secret_configured_fails_closed(self):
        open_connection = self._create_connection(
            name="No secret", webhook_secret=False
        )
        body, signature = self._sign("", {"id": "a4"})
        response = self._post(body, signature, connection=open_connection)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._events(open_connection))

    def test_unknown_or_archived_connection_refused_like_a_bad_signature(self):
        # Not a 404: the answer must not tell which connection ids exist (D20).
        archived = self._create_connection(name="Archived", active=False)
        body, signature = self._sign(archived.webhook_secret, {"id": "a5"})
        response = self._post(body, signature, connection=archived)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "invalid_signature")
        self.assertFalse(self._events(archived))

    def test_malformed_json_kept_for_inspection(self):
        body, signature = self._sign(self.secret, b'{"id": "a6", ')
        response = self._post(body, signature)
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid JSON", response.json()["message"])
        event = self._events(self.connection)
        self.assertEqual(len(event), 1)
        self.assertEqual((event.state, event.dead_letter), ("failed", True))
        self.assertEqual(event.body, '{"id": "a6", ')
        self.assertTrue(self.connection.activity_ids, "a person is told")

    def test_incomplete_payload_400(self):
        body, signature = self._sign(self.secret, {"type": "order"})
        response = self._post(body, signature)
        self.assertEqual(response.status_code, 400)
        self.assertIn("'id' is required", response.json()["message"])

    def test_oversized_body_413(self):
        body, signature = self._sign(
            self.secret, {"id": "big", "pad": "x" * (1024 * 1024)}
        )
        self.assertEqual(self._post(body, signature).status_code, 413)
        self.assertFalse(self._events(self.connection))

    def test_valid_delivery_stored_and_secret_headers_dropped(self):
        body, signature = self._sign(self.secret, {"id": "ok-1", "type": "order.paid"})
        response = self._post(body, signature, headers={"X-Request-Id": "r-1"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "accepted")
        event = self._events(self.connection)
        self.assertEqual(
            (event.event_type, event.external_id, event.state),
            ("order.paid", "ok-1", "received"),
        )
        headers = json.loads(event.headers)
        self.assertEqual(headers.get("X-Request-Id"), "r-1")
        self.assertNotIn(signature, event.headers)

    def test_same_delivery_20_times_concurrently_one_event_one_effect(self):
        body, signature = self._sign(self.secret, {"id": "dup-1", "type": "order"})
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(
                pool.map(lambda _i: self._post(body, signature), range(20))
            )
        self.assertEqual({r.status_code for r in responses}, {200})
        statuses = sorted(r.json()["status"] for r in responses)
        self.assertEqual(statuses.count("accepted"), 1)
        self.assertEqual(statuses.count("duplicate"), 19)
        self.assertEqual(len(self._events(self.connection)), 1)
        # And the effect is applied once, however often processing runs.
        Event = self.env["integration.event"]
        Event._process_pending("inbound")
        Event._process_pending("inbound")
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "=", "webhook dup-1")]), 1
        )
