# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one outbound HTTP session of the suite.

Mandatory timeouts, a total time budget per logical call, retries with exponential
backoff and full jitter on connection errors, 429 and 5xx (honouring ``Retry-After``),
idempotency keys, masked logging of every attempt, masked error texts, typed errors and
a per-connection circuit breaker. Gateway clients in each addon's ``api/`` build on it.
"""

import collections
import email.utils
import json as jsonlib
import logging
import random
import threading
import time
from datetime import datetime, timezone

import requests

from . import masking
from .exceptions import (
    AuthenticationError,
    CircuitOpenError,
    IntegrationError,
    PermanentError,
    RetryableError,
)

_logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = "odoo-indonesia-suite/18.0"
# Failures of the transport worth another attempt: no answer, or a broken one.
TRANSIENT_EXCEPTIONS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
# Seconds one logical call may take, every attempt, backoff and Retry-After included.
# The queue crons stop starting events after 45 s (CRON_SECONDS) and Odoo kills a
# worker at limit_time_real (120 s by default): an event started at 45 s still ends,
# with its failure recorded, before the kill. Four attempts of (5 s + 30 s) plus
# backoff would take about 124 s without it.
DEFAULT_TOTAL_TIMEOUT = 60.0
# The body of an error kept on the exception: clients read error codes from it.
ERROR_BODY_LIMIT = 20000


class _MaskQueryFilter(logging.Filter):
    """urllib3 logs every request line, query string included, at DEBUG level: mask
    secret query parameters by name before the record reaches a handler."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        masked = masking.mask_message(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_logged_queries(logger_name):
    """Mask secret query parameters in every record of ``logger_name`` (a filter on
    that logger, added once however often this is called)."""
    logger = logging.getLogger(logger_name)
    # by name: a reloaded module makes a new class, the old filter still works
    if not any(type(f).__name__ == "_MaskQueryFilter" for f in logger.filters):
        logger.addFilter(_MaskQueryFilter())


mask_logged_queries("urllib3.connectionpool")


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class CircuitBreaker:
    """Fail fast while one connection's gateway keeps failing.

    Closed: calls go through. After ``threshold`` consecutive logical calls that ended
    in a transient failure (connection error, timeout, 429/5xx after the retries), all
    within ``window`` seconds, it opens: calls raise :class:`CircuitOpenError` at once,
    without a request, for ``cooldown`` seconds. Then it is half-open: one trial call
    goes through; its success closes the circuit, its failure opens it again. Any answer
    of the gateway (a 4xx too) counts as a success: the gateway is there.

    One breaker per key (database, connection id) and per process, shared by its threads
    (:meth:`get`); each prefork worker learns on its own, after ``threshold`` calls.
    """

    _registry = {}
    _registry_lock = threading.Lock()

    def __init__(self, key, *, threshold=5, window=300.0, cooldown=60.0):
        self.key = key
        self.threshold, self.window, self.cooldown = threshold, window, cooldown
        self._lock = threading.Lock()
        self._failures = collections.deque()  # monotonic times, consecutive failures
        self._opened_at = None
        self._trial_since = None

    @classmethod
    def get(cls, key, **settings):
        """The process-wide breaker of ``key``, created or updated with ``settings``."""
        with cls._registry_lock:
            breaker = cls._registry.get(key)
            if breaker is None:
                breaker = cls._registry[key] = cls(key, **settings)
            else:
                for name, value in settings.items():
                    setattr(breaker, name, value)
            return breaker

    @classmethod
    def forget(cls, key=None):
        """Drop the state of ``key`` (all keys without it)."""
        with cls._registry_lock:
            if key is None:
                cls._registry.clear()
            else:
                cls._registry.pop(key, None)

    @property
    def is_open(self):
        return self._opened_at is not None

    def before_call(self):
        """Let a call through or raise :class:`CircuitOpenError`.

        :returns: True when this call is the half-open trial.
        """
        with self._lock:
            if self._opened_at is None:
                return False
            now = time.monotonic()
            wait = self._opened_at + self.cooldown - now
            trial_running = (
                self._trial_since is not None
                and now - self._trial_since < self.cooldown
            )
            if wait > 0 or trial_running:
                raise CircuitOpenError(
                    f"The gateway failed {self.threshold} calls in a row: calls of "
                    f"this connection are paused for {max(wait, 0) or self.cooldown:.0f}"
                    " s more."
                )
            self._trial_since = now
            return True

    def record(self, success, trial=False):
        """Record the outcome of a call: True, False, or None (no verdict, e.g. a bug
        before any request was sent: only frees the trial slot)."""
        with self._lock:
            if success is None:
                if trial:
                    self._trial_since = None
                return
            if success:
                self._failures.clear()
                self._opened_at = self._trial_since = None
                return
            now = time.monotonic()
            if self._opened_at is not None:  # the trial (or a late call) failed
                self._opened_at, self._trial_since = now, None
                return
            self._failures.append(now)
            while self._failures and now - self._failures[0] > self.window:
                self._failures.popleft()
            if len(self._failures) >= self.threshold:
                self._failures.clear()
                self._opened_at = now
                _logger.warning(
                    "Circuit of integration connection %s opened after %s failures",
                    self.key,
                    self.threshold,
                )


class IntegrationSession:
    """A ``requests.Session`` wrapper every gateway client must use.

    :param timeout: (connect, read) seconds, applied to every request.
    :param total_timeout: seconds one logical call may take in all (every attempt,
        backoff and ``Retry-After`` included; None: no budget). No attempt and no wait
        starts that would end past it, and each attempt's timeouts are cut to what
        remains. See ``DEFAULT_TOTAL_TIMEOUT``.
    :param max_attempts: total attempts for one logical call (1 = no retry).
    :param backoff_base: first backoff in seconds; doubles per attempt, full jitter.
    :param backoff_max: cap of one wait, also applied to ``Retry-After``.
    :param log: ``callable(dict)`` receiving one masked entry per attempt.
    :param secret_values: literal secrets to blank out of anything logged or raised.
    :param secret_names: extra header/query/JSON names to mask.
    :param circuit: a :class:`CircuitBreaker` consulted before and told after each
        logical call, or None.
    :param session: a ``requests.Session`` to send with (its connections are reused);
        it stays open on :meth:`close`, its owner closes it. Default: an own one.
    """

    def __init__(
        self,
        *,
        timeout=(5, 30),
        total_timeout=DEFAULT_TOTAL_TIMEOUT,
        max_attempts=4,
        backoff_base=0.5,
        backoff_max=30.0,
        log=None,
        secret_values=(),
        secret_names=(),
        sleep=time.sleep,
        circuit=None,
        session=None,
    ):
        if not timeout:
            raise ValueError("A timeout is mandatory.")
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.log = log
        self.secret_values = tuple(v for v in secret_values if v)
        self.secret_names = tuple(secret_names)
        self.circuit = circuit
        self._sleep = sleep
        self._owns_session = session is None
        self.session = requests.Session() if session is None else session
        self.session.headers["User-Agent"] = USER_AGENT

    # ------------------------------------------------------------------ helpers
    def _backoff(self, attempt, retry_after=None):
        if retry_after is not None:
            return min(self.backoff_max, retry_after)
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def _secrets_for(self, url):
        """Literal secrets of one request: the configured ones and the values of the
        URL's secret query parameters (a signature is computed per call)."""
        return self.secret_values + tuple(
            masking.secret_query_values(url, self.secret_names)
        )

    def _mask(self, text, secrets):
        """Free text (an exception message, an error body) without secrets."""
        return masking.mask_message(text, secrets, self.secret_names)

    def _attempt_timeout(self, timeout, deadline):
        """``timeout`` cut to what remains of the budget (1 ms at least: requests
        takes 0 as "do not wait at all")."""
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        if deadline is None:
            return (connect, read)
        remaining = max(deadline - time.monotonic(), 0.001)
        return (min(connect, remaining), min(read, remaining))

    @staticmethod
    def _fits(deadline, wait):
        """Whether a wait of ``wait`` seconds still ends within the budget."""
        return deadline is None or time.monotonic() + wait < deadline

    def _log_attempt(self, prepared, response, error, started, attempt, secrets):
        if not self.log:
            return
        entry = {
            "method": prepared.method,
            "url": masking.mask_url(prepared.url, secrets, self.secret_names),
            "request_headers": masking.mask_headers(
                prepared.headers, secrets, self.secret_names
            ),
            "request_body": masking.mask_body(
                prepared.body, secrets, self.secret_names
            ),
            "status_code": response.status_code if response is not None else None,
            "response_body": masking.mask_body(
                response.content if response is not None else None,
                secrets,
                self.secret_names,
            ),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "error": self._mask(f"{type(error).__name__}: {error}", secrets)
            if error
            else None,
            "attempt": attempt,
        }
        try:
            self.log(entry)
        except Exception:  # logging must never break the call itself
            _logger.exception("Could not record an HTTP exchange")

    @staticmethod
    def _error_message(response):
        try:
            data = response.json()
        except ValueError:
            return (response.text or "")[:500]
        if isinstance(data, dict):
            for key in ("message", "error_message", "status_message", "msg", "error"):
                if data.get(key):
                    return str(data[key])[:500]
        return jsonlib.dumps(data)[:500]

    def _raise_for(self, response, secrets=None):
        if secrets is None:
            secrets = self._secrets_for(response.url)
        status = response.status_code
        message = f"HTTP {status}: {self._mask(self._error_message(response), secrets)}"
        body = masking.mask_body(
            response.content, secrets, self.secret_names, limit=ERROR_BODY_LIMIT
        )
        if status in RETRY_STATUSES:
            raise RetryableError(message, status_code=status, response_body=body)
        if status in (401, 403):
            raise AuthenticationError(message, status_code=status, response_body=body)
        raise PermanentError(message, status_code=status, response_body=body)

    # ------------------------------------------------------------------ public
    def request(self, method, url, **kwargs):
        """Send one logical request, retrying what is safe to retry.

        :param params, json, data, headers: as for ``requests``.
        :param idempotency_key: sent in ``idempotency_header``; makes a POST repeatable.
        :param timeout: (connect, read) of this call instead of the session's.
        :param retry_unsafe: repeat a POST without a key (the caller knows it is safe).
        :param accept_statuses: non-2xx statuses returned instead of raised.
        :returns: the :class:`requests.Response` (2xx or a status in ``accept_statuses``).
        :raises CircuitOpenError: the connection's circuit is open; nothing was sent.
        :raises RetryableError: still failing with a transient error after the last try,
            or when the time budget is spent.
        :raises PermanentError: a 4xx (``AuthenticationError`` for 401/403).

        Error messages never hold a secret: configured secret values, and secret query
        parameters (by name and value), are masked as in the log.
        """
        if self.circuit is None:
            return self._request(method, url, **kwargs)
        trial = self.circuit.before_call()
        success = None
        try:
            response = self._request(method, url, **kwargs)
            success = True
            return response
        except RetryableError:
            success = False
            raise
        except IntegrationError:
            success = True  # the gateway answered
            raise
        finally:
            self.circuit.record(success, trial)

    def _request(
        self,
        method,
        url,
        *,
        params=None,
        json=None,
        data=None,
        headers=None,
        idempotency_key=None,
        idempotency_header="Idempotency-Key",
        timeout=None,
        retry_unsafe=False,
        accept_statuses=(),
    ):
        deadline = time.monotonic() + self.total_timeout if self.total_timeout else None
        method = method.upper()
        headers = dict(headers or {})
        if idempotency_key:
            headers[idempotency_header] = idempotency_key
        # A POST that reached the server may have been applied: only repeat it when the
        # gateway deduplicates it (idempotency key) or the caller says it is harmless.
        replay_safe = (
            method in IDEMPOTENT_METHODS or bool(idempotency_key) or retry_unsafe
        )
        try:
            prepared = self.session.prepare_request(
                requests.Request(
                    method, url, params=params, json=json, data=data, headers=headers
                )
            )
        except (requests.exceptions.RequestException, ValueError) as exc:
            # A malformed base URL: the message quotes it with its query string.
            raise PermanentError(
                self._mask(f"{type(exc).__name__}: {exc}", self.secret_values)
            ) from None
        secrets = self._secrets_for(prepared.url)
        for attempt in range(1, self.max_attempts + 1):
            started = time.monotonic()
            response = None
            last_attempt = attempt == self.max_attempts
            try:
                response = self.session.send(
                    prepared,
                    timeout=self._attempt_timeout(timeout or self.timeout, deadline),
                )
            except requests.exceptions.RequestException as exc:
                self._log_attempt(prepared, None, exc, started, attempt, secrets)
                # ``from None`` below: the cause's text quotes the URL unmasked, and a
                # logged traceback would print it.
                message = self._mask(f"{type(exc).__name__}: {exc}", secrets)
                if not isinstance(exc, TRANSIENT_EXCEPTIONS):
                    # Too many redirects, an invalid header: repeating will not help.
                    raise PermanentError(message) from None
                # ConnectTimeout is a ConnectionError: such a request never left, so
                # repeating it is always safe; a read timeout may have been applied.
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    isinstance(exc, requests.exceptions.ConnectionError)
                    and (
                        "NewConnectionError" in repr(exc)
                        or "Connection refused" in str(exc)
                    )
                )
                wait = self._backoff(attempt)
                if (
                    last_attempt
                    or not (never_sent or replay_safe)
                    or not self._fits(deadline, wait)
                ):
                    raise RetryableError(message) from None
                self._sleep(wait)
                continue
            self._log_attempt(prepared, response, None, started, attempt, secrets)
            status = response.status_code
            if 200 <= status < 300 or status in accept_statuses:
                return response
            # 429 means "not processed": always safe to repeat.
            retry = status in RETRY_STATUSES and (status == 429 or replay_safe)
            if retry and not last_attempt:
                wait = self._backoff(
                    attempt, parse_retry_after(response.headers.get("Retry-After"))
                )
                if self._fits(deadline, wait):
                    self._sleep(wait)
                    continue
            self._raise_for(response, secrets)
        raise AssertionError("unreachable")  # pragma: no cover

    def request_json(self, method, url, **kwargs):
        """:meth:`request`, then the JSON body; a non-JSON body is a retryable error."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise RetryableError(
                f"The gateway answered HTTP {response.status_code} with a body that is "
                "not JSON.",
                status_code=response.status_code,
                response_body=masking.mask_body(
                    response.content,
                    self._secrets_for(response.url),
                    self.secret_names,
                    limit=500,
                ),
            ) from None

    def close(self):
        """Close the own ``requests.Session``; a shared one is closed by its owner."""
        if self._owns_session:
            self.session.close()
