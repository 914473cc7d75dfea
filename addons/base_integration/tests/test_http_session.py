# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.tests import TransactionCase, tagged

from gateway_servers import Fault
from gateway_servers.echo import EchoApi

from ..api.exceptions import AuthenticationError, PermanentError, RetryableError
from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestHttpSession(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = EchoApi()
        cls.server = cls._start_gateway_server(cls.echo)
        cls.connection = cls._create_connection(base_url=cls.server.url + "/echo")

    def setUp(self):
        super().setUp()
        self.server.reset()
        self.waits = []

    def _session(self, **kwargs):
        kwargs.setdefault("sleep", self.waits.append)
        return self.connection._get_http_session(**kwargs)

    def _url(self, path):
        return self.connection._get_base_url() + path

    def _auth(self):
        return {"Authorization": f"Bearer {EchoApi.api_key}"}

    def test_429_with_retry_after_then_success(self):
        self.server.faults.add(
            "/echo/items", Fault(status=429, headers={"Retry-After": "2"})
        )
        data = self._session().request_json(
            "POST", self._url("/items"), json={"sku": "A"}, headers=self._auth()
        )
        self.assertEqual(data["sku"], "A")
        self.assertEqual(len(self.server.requests_to("/echo/items", "POST")), 2)
        self.assertEqual(len(self.echo.items), 1, "one logical call, one item")
        self.assertEqual(self.waits, [2.0], "Retry-After is honoured")

    def test_5xx_retried_only_with_idempotency_key(self):
        # Without a key a POST that may have been applied is not repeated.
        self.server.faults.add("/echo/items", Fault(status=503))
        with self.assertRaises(RetryableError):
            self._session().request(
                "POST", self._url("/items"), json={"sku": "B"}, headers=self._auth()
            )
        self.assertEqual(len(self.server.requests_to("/echo/items", "POST")), 1)
        # With one, it is retried with backoff and the gateway applies it once.
        self.server.reset()
        self.server.faults.add("/echo/items", Fault(status=500), times=2)
        self._session().request(
            "POST",
            self._url("/items"),
            json={"sku": "B"},
            headers=self._auth(),
            idempotency_key="key-1",
        )
        sent = self.server.requests_to("/echo/items", "POST")
        self.assertEqual(len(sent), 3)
        self.assertEqual({r.header("Idempotency-Key") for r in sent}, {"key-1"})
        self.assertEqual(len(self.waits), 2)
        self.assertLessEqual(self.waits[0], self.waits[1] * 2, "backoff grows")

    def test_gives_up_after_max_attempts(self):
        self.server.faults.add("/echo/items", Fault(status=502), times=10)
        with self.assertRaises(RetryableError) as ctx:
            self._session(max_attempts=3).request(
                "GET", self._url("/items"), headers=self._auth()
            )
        self.assertEqual(ctx.exception.status_code, 502)
        self.assertEqual(len(self.server.requests_to("/echo/items")), 3)

    def test_client_errors_are_permanent(self):
        with self.assertRaises(AuthenticationError):
            self._session().request("GET", self._url("/items"))
        with self.assertRaises(PermanentError):
            self._session().request("GET", self._url("/nowhere"), headers=self._auth())
        self.assertEqual(self.waits, [], "4xx are not retried")

    def test_malformed_body_is_retryable(self):
        self.server.faults.add("/echo/items", Fault(malformed=True))
        with self.assertRaises(RetryableError):
            self._session().request_json(
                "GET", self._url("/items"), headers=self._auth()
            )

    def test_slow_gateway_times_out_and_retries(self):
        self.server.faults.add("/echo/items", Fault(delay=1.5))
        data = self._session(timeout=(2, 0.5)).request_json(
            "GET", self._url("/items"), headers=self._auth()
        )
        self.assertEqual(data["items"], [])
        self.assertEqual(len(self.waits), 1)

    def test_connection_refused_is_retryable(self):
        self.connection.base_url = "http://127.0.0.1:9"
        with self.assertRaises(RetryableError):
            self._session(max_attempts=2).request("GET", self._url("/items"))

    def test_log_has_no_secret(self):
        self.connection.sudo().write({"api_secret": "very-secret-signing-key"})
        self._session().request(
            "POST",
            self._url("/items"),
            headers=self._auth(),
            json={"sku": "C", "password": "hunter2", "note": "very-secret-signing-key"},
            params={"access_token": "tok-123"},
        )
        logs = self.env["integration.log"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertEqual(len(logs), 1)
        everything = " ".join(
            str(value)
            for value in logs.read(
                ["url", "request_headers", "request_body", "response_body"]
            )[0].values()
        )
        for secret in (
            EchoApi.api_key,
            "hunter2",
            "very-secret-signing-key",
            "tok-123",
        ):
            self.assertNotIn(secret, everything)
        self.assertIn('"sku": "C"', logs.request_body)
        self.assertEqual(logs.status_code, 201)
