# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import time
import traceback

from odoo.tests import TransactionCase, tagged

from ..api.exceptions import AuthenticationError, PermanentError, RetryableError
from .common import IntegrationTestMixin
from .gateway_servers import Fault
from .gateway_servers.echo import EchoApi

SECRET_TOKEN = "SECRETTOKEN123"
SECRET_SIGN = "abcdef0123456789signature"


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

    def _assert_no_secret(self, exc, *secrets):
        texts = [str(exc), "".join(traceback.format_exception(exc))]
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text)

    def test_refused_call_error_text_has_no_secret(self):
        # What requests puts in a ConnectionError quotes path and query (D2).
        self.connection.sudo().write(
            {"base_url": "http://127.0.0.1:9", "access_token": SECRET_TOKEN}
        )
        # Not assertRaises: it rolls back to a savepoint, and the log with it.
        try:
            self._session(max_attempts=2).request(
                "GET",
                self._url("/items"),
                params={"access_token": SECRET_TOKEN, "sign": SECRET_SIGN, "page": 3},
            )
        except RetryableError as exc:
            error = exc
        else:
            self.fail("a refused call raises")
        self._assert_no_secret(error, SECRET_TOKEN, SECRET_SIGN)
        self.assertIn("ConnectionError", str(error))
        self.assertIn("page=3", str(error), "the rest of the URL stays")
        logs = self.env["integration.log"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertEqual(len(logs), 2)
        for log in logs:
            for secret in (SECRET_TOKEN, SECRET_SIGN):
                self.assertNotIn(secret, log.error)
                self.assertNotIn(secret, log.url)

    def test_error_answer_text_has_no_secret(self):
        # A gateway that quotes the request's signature in its error message.
        self.server.faults.add(
            "/echo/items",
            Fault(status=503, body={"message": f"busy, sign={SECRET_SIGN} refused"}),
        )
        with self.assertRaises(RetryableError) as ctx:
            self._session(max_attempts=1).request(
                "GET", self._url("/items"), params={"sign": SECRET_SIGN}
            )
        self._assert_no_secret(ctx.exception, SECRET_SIGN)
        self.assertNotIn(SECRET_SIGN, ctx.exception.response_body)
        self.assertIn("busy", str(ctx.exception))

    def test_non_json_answer_text_has_no_secret(self):
        self.server.faults.add(
            "/echo/items", Fault(status=200, body=f"<html>{SECRET_SIGN}</html>")
        )
        with self.assertRaises(RetryableError) as ctx:
            self._session().request_json(
                "GET",
                self._url("/items"),
                headers=self._auth(),
                params={"sign": SECRET_SIGN},
            )
        self._assert_no_secret(ctx.exception, SECRET_SIGN)
        self.assertNotIn(SECRET_SIGN, ctx.exception.response_body)

    # ------------------------------------------------------------------ time budget
    def test_budget_caps_the_read_timeout(self):
        # One slow answer: without a budget the 5 s read timeout lets it arrive.
        self.server.faults.add("/echo/items", Fault(delay=3))
        started = time.monotonic()
        with self.assertRaises(RetryableError) as ctx:
            self._session(timeout=(2, 5), total_timeout=1.0).request(
                "GET", self._url("/items"), headers=self._auth()
            )
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertIn("Timeout", str(ctx.exception))

    def test_budget_covers_attempts_and_backoff(self):
        # Every attempt times out after 0.4 s; real backoff sleeps of 0.2-0.4 s.
        self.server.faults.add("/echo/items", Fault(delay=1.0), times=20)
        started = time.monotonic()
        with self.assertRaises(RetryableError):
            self._session(
                timeout=(2, 0.4),
                total_timeout=1.5,
                max_attempts=10,
                backoff_base=0.4,
                backoff_max=0.4,
                sleep=time.sleep,
            ).request("GET", self._url("/items"), headers=self._auth())
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 1.5 + 0.3, "nothing runs past the budget")
        attempts = len(self.server.requests_to("/echo/items"))
        self.assertGreaterEqual(attempts, 2, "retried within the budget")
        self.assertLessEqual(attempts, 3, "but not ten times")

    def test_retry_after_beyond_budget_is_not_waited(self):
        self.server.faults.add(
            "/echo/items", Fault(status=429, headers={"Retry-After": "30"})
        )
        with self.assertRaises(RetryableError) as ctx:
            self._session(total_timeout=5, backoff_max=60).request(
                "GET", self._url("/items"), headers=self._auth()
            )
        self.assertEqual(ctx.exception.status_code, 429)
        self.assertEqual(self.waits, [], "a wait past the budget is not started")
        self.assertEqual(len(self.server.requests_to("/echo/items")), 1)

    def test_default_budget_is_below_the_worker_limit(self):
        session = self._session()
        self.assertEqual(session.total_timeout, 60)
        self.env["ir.config_parameter"].sudo().set_param(
            "base_integration.http_total_timeout", "20"
        )
        self.assertEqual(self._session().total_timeout, 20)

    # ------------------------------------------------------------------ transport
    def test_calls_of_one_transaction_reuse_one_connection(self):
        for _number in range(3):
            # a new client per call, as the marketplace shop builds them
            self._session().request("GET", self._url("/items"), headers=self._auth())
        ports = {r.client_port for r in self.server.requests_to("/echo/items")}
        self.assertEqual(len(ports), 1, "one TCP connection for the three calls")
        other = self._create_connection(base_url=self.server.url + "/echo")
        other._get_http_session(sleep=self.waits.append).request(
            "GET", self._url("/items"), headers=self._auth()
        )
        ports = {r.client_port for r in self.server.requests_to("/echo/items")}
        self.assertEqual(len(ports), 2, "each connection has its own pool")

    def test_log_has_no_secret(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "base_integration.http_log_bodies", "all"
        )
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

    def test_log_keeps_bodies_of_failed_attempts_only(self):
        self.server.faults.add("/echo/items", Fault(status=500))
        self._session().request(
            "POST",
            self._url("/items"),
            headers=self._auth(),
            json={"buyer": "Budi, Jl. Merdeka 1"},
            idempotency_key="k-bodies",
        )
        failed, ok = self.env["integration.log"].search(
            [("connection_id", "=", self.connection.id)], order="id"
        )
        self.assertEqual((failed.status_code, ok.status_code), (500, 201))
        self.assertIn("Budi", failed.request_body)
        self.assertTrue(failed.response_body)
        self.assertFalse(ok.request_body, "no buyer data kept for a success")
        self.assertFalse(ok.response_body)
