# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one outbound HTTP session of the suite.

Mandatory timeouts, retries with exponential backoff and full jitter on connection errors,
429 and 5xx (honouring ``Retry-After``), idempotency keys, masked logging of every attempt
and typed errors. Gateway clients in each addon's ``api/`` build on it.
"""

import email.utils
import json as jsonlib
import logging
import random
import time
from datetime import datetime, timezone

import requests

from . import masking
from .exceptions import AuthenticationError, PermanentError, RetryableError

_logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = "odoo-indonesia-suite/18.0"


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


class IntegrationSession:
    """A ``requests.Session`` wrapper every gateway client must use.

    :param timeout: (connect, read) seconds, applied to every request.
    :param max_attempts: total attempts for one logical call (1 = no retry).
    :param backoff_base: first backoff in seconds; doubles per attempt, full jitter.
    :param backoff_max: cap of one wait, also applied to ``Retry-After``.
    :param log: ``callable(dict)`` receiving one masked entry per attempt.
    :param secret_values: literal secrets to blank out of anything logged.
    :param secret_names: extra header/query/JSON names to mask.
    """

    def __init__(
        self,
        *,
        timeout=(5, 30),
        max_attempts=4,
        backoff_base=0.5,
        backoff_max=30.0,
        log=None,
        secret_values=(),
        secret_names=(),
        sleep=time.sleep,
    ):
        if not timeout:
            raise ValueError("A timeout is mandatory.")
        self.timeout = timeout
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.log = log
        self.secret_values = tuple(v for v in secret_values if v)
        self.secret_names = tuple(secret_names)
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    # ------------------------------------------------------------------ helpers
    def _backoff(self, attempt, retry_after=None):
        if retry_after is not None:
            return min(self.backoff_max, retry_after)
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def _log_attempt(self, prepared, response, error, started, attempt):
        if not self.log:
            return
        entry = {
            "method": prepared.method,
            "url": masking.mask_url(
                prepared.url, self.secret_values, self.secret_names
            ),
            "request_headers": masking.mask_headers(
                prepared.headers, self.secret_values, self.secret_names
            ),
            "request_body": masking.mask_body(
                prepared.body, self.secret_values, self.secret_names
            ),
            "status_code": response.status_code if response is not None else None,
            "response_body": masking.mask_body(
                response.content if response is not None else None,
                self.secret_values,
                self.secret_names,
            ),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "error": masking.mask_text(str(error), self.secret_values)
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

    def _raise_for(self, response):
        status = response.status_code
        message = f"HTTP {status}: {self._error_message(response)}"
        body = masking.mask_body(
            response.content, self.secret_values, self.secret_names
        )
        if status in RETRY_STATUSES:
            raise RetryableError(message, status_code=status, response_body=body)
        if status in (401, 403):
            raise AuthenticationError(message, status_code=status, response_body=body)
        raise PermanentError(message, status_code=status, response_body=body)

    # ------------------------------------------------------------------ public
    def request(
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
        """Send one logical request, retrying what is safe to retry.

        :returns: the :class:`requests.Response` (2xx or a status in ``accept_statuses``).
        :raises RetryableError: still failing with a transient error after the last try.
        :raises PermanentError: a 4xx (``AuthenticationError`` for 401/403).
        """
        method = method.upper()
        headers = dict(headers or {})
        if idempotency_key:
            headers[idempotency_header] = idempotency_key
        # A POST that reached the server may have been applied: only repeat it when the
        # gateway deduplicates it (idempotency key) or the caller says it is harmless.
        replay_safe = (
            method in IDEMPOTENT_METHODS or bool(idempotency_key) or retry_unsafe
        )
        prepared = requests.Request(
            method, url, params=params, json=json, data=data, headers=headers
        )
        prepared = self.session.prepare_request(prepared)
        for attempt in range(1, self.max_attempts + 1):
            started = time.monotonic()
            response = None
            last_attempt = attempt == self.max_attempts
            try:
                response = self.session.send(prepared, timeout=timeout or self.timeout)
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.Timeout,
            ) as exc:
                self._log_attempt(prepared, None, exc, started, attempt)
                # ConnectTimeout is a ConnectionError: such a request never left, so
                # repeating it is always safe; a read timeout may have been applied.
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    isinstance(exc, requests.exceptions.ConnectionError)
                    and (
                        "NewConnectionError" in repr(exc)
                        or "Connection refused" in str(exc)
                    )
                )
                if last_attempt or not (never_sent or replay_safe):
                    raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
                self._sleep(self._backoff(attempt))
                continue
            self._log_attempt(prepared, response, None, started, attempt)
            status = response.status_code
            if 200 <= status < 300 or status in accept_statuses:
                return response
            # 429 means "not processed": always safe to repeat.
            retry = status in RETRY_STATUSES and (status == 429 or replay_safe)
            if retry and not last_attempt:
                wait = self._backoff(
                    attempt, parse_retry_after(response.headers.get("Retry-After"))
                )
                self._sleep(wait)
                continue
            self._raise_for(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def request_json(self, method, url, **kwargs):
        """:meth:`request`, then the JSON body; a non-JSON body is a retryable error."""
        response = self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise RetryableError(
                f"The gateway answered HTTP {response.status_code} with a body that is "
                "not JSON.",
                status_code=response.status_code,
                response_body=masking.mask_body(
                    response.content, self.secret_values, self.secret_names, limit=500
                ),
            ) from exc

    def close(self):
        self.session.close()
