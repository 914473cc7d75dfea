# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The per-connection circuit breaker: a failing gateway stops costing time (D12)."""

import threading
import time

from odoo.tests import TransactionCase, tagged

from ..api.exceptions import AuthenticationError, CircuitOpenError, RetryableError
from ..api.http import IntegrationSession
from .common import IntegrationTestMixin
from .gateway_servers import Fault
from .gateway_servers.echo import EchoApi

COOLDOWN = 0.5


@tagged("post_install", "-at_install")
class TestCircuitBreaker(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = EchoApi()
        cls.server = cls._start_gateway_server(cls.echo)
        cls.conn_a = cls._create_connection(
            name="Hung gateway", base_url=cls.server.url + "/echo"
        )
        cls.conn_b = cls._create_connection(
            name="Healthy gateway", base_url=cls.server.url + "/echo"
        )

    def setUp(self):
        super().setUp()
        self.server.reset()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("base_integration.circuit_threshold", "3")
        params.set_param("base_integration.circuit_window", "60")
        params.set_param("base_integration.circuit_cooldown", str(COOLDOWN))

    def _call(self, connection, auth=True):
        session = connection._get_http_session(max_attempts=1, sleep=lambda s: None)
        return session.request(
            "GET",
            connection._get_base_url() + "/items",
            headers={"Authorization": f"Bearer {EchoApi.api_key}"} if auth else {},
        )

    def _sent(self):
        return len(self.server.requests_to("/echo/items"))

    def _trip(self, connection):
        self.server.faults.add("/echo/items", Fault(drop=True), times=3)
        for _number in range(3):
            with self.assertRaises(RetryableError) as ctx:
                self._call(connection)
            self.assertNotIsInstance(ctx.exception, CircuitOpenError)

    def test_opens_after_consecutive_failures_and_fails_fast(self):
        self._trip(self.conn_a)
        self.assertEqual(self._sent(), 3)
        # The gateway would answer now, but the circuit is open: nothing is sent.
        started = time.monotonic()
        for _number in range(5):
            with self.assertRaises(CircuitOpenError):
                self._call(self.conn_a)
        self.assertLess(time.monotonic() - started, 0.2, "fails at once")
        self.assertEqual(self._sent(), 3, "no request reached the gateway")
        # The queue retries it like any transient error.
        self.assertTrue(CircuitOpenError("x").retryable)
        # Another connection to the same host is not affected.
        self.assertEqual(self._call(self.conn_b).status_code, 200)
        self.assertEqual(self._sent(), 4)

    def test_half_open_trial_closes_after_cooldown(self):
        self._trip(self.conn_a)
        time.sleep(COOLDOWN + 0.1)
        self.assertEqual(self._call(self.conn_a).status_code, 200, "the trial")
        self.assertEqual(self._call(self.conn_a).status_code, 200, "closed again")
        self.assertEqual(self._sent(), 5)

    def test_failed_trial_opens_again(self):
        self._trip(self.conn_a)
        time.sleep(COOLDOWN + 0.1)
        self.server.faults.add("/echo/items", Fault(drop=True))
        with self.assertRaises(RetryableError) as ctx:
            self._call(self.conn_a)
        self.assertNotIsInstance(ctx.exception, CircuitOpenError, "the trial was sent")
        with self.assertRaises(CircuitOpenError):
            self._call(self.conn_a)
        self.assertEqual(self._sent(), 4)

    def test_an_answer_resets_the_count(self):
        # Two failures, an answer (even a 401: the gateway is there), two failures:
        # never three in a row, so every call is sent.
        self.server.faults.add("/echo/items", Fault(drop=True), times=2)
        for _number in range(2):
            with self.assertRaises(RetryableError):
                self._call(self.conn_a)
        with self.assertRaises(AuthenticationError):
            self._call(self.conn_a, auth=False)
        self.server.faults.add("/echo/items", Fault(drop=True), times=2)
        for _number in range(2):
            with self.assertRaises(RetryableError) as ctx:
                self._call(self.conn_a)
            self.assertNotIsInstance(ctx.exception, CircuitOpenError)
        self.assertEqual(self._sent(), 5)

    def test_5xx_after_retries_counts_4xx_does_not(self):
        self.server.faults.add("/echo/items", Fault(status=503), times=3)
        for _number in range(3):
            with self.assertRaises(RetryableError):
                self._call(self.conn_a)
        with self.assertRaises(CircuitOpenError):
            self._call(self.conn_a)

    def test_threshold_zero_switches_it_off(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "base_integration.circuit_threshold", "0"
        )
        self.server.faults.add("/echo/items", Fault(drop=True), times=5)
        for _number in range(5):
            with self.assertRaises(RetryableError) as ctx:
                self._call(self.conn_a)
            self.assertNotIsInstance(ctx.exception, CircuitOpenError)
        self.assertEqual(self._sent(), 5)

    def test_one_trial_among_concurrent_callers(self):
        self._trip(self.conn_a)
        time.sleep(COOLDOWN + 0.1)
        # The trial is slow; seven other threads call meanwhile. Plain sessions (no
        # log: threads must not share the test cursor) on the connection's breaker.
        self.server.faults.add("/echo/items", Fault(delay=0.3))
        breaker = self.conn_a._get_circuit_breaker()
        url = self.conn_a._get_base_url() + "/items"
        outcomes = []
        barrier = threading.Barrier(8, timeout=30)  # a lost thread fails, never hangs

        def call():
            session = IntegrationSession(circuit=breaker, max_attempts=1)
            barrier.wait()
            try:
                session.request(
                    "GET", url, headers={"Authorization": f"Bearer {EchoApi.api_key}"}
                )
                outcomes.append("sent")
            except CircuitOpenError:
                outcomes.append("refused")
            finally:
                session.close()

        threads = [threading.Thread(target=call) for _number in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual(sorted(outcomes), ["refused"] * 7 + ["sent"])
        self.assertEqual(self._sent(), 4)
        self.assertFalse(breaker.is_open, "the successful trial closed it")
