# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Typed errors: the caller decides to retry later or give up by the class alone."""


class IntegrationError(Exception):
    """Base class of every error raised by a gateway client."""

    retryable = False
    # False where the attempt did not really try (the call was never sent, or a token
    # refresh fixes it): the queue then retries it without spending an attempt.
    counts_as_attempt = True

    def __init__(self, message, *, status_code=None, code=None, response_body=None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.response_body = response_body

    def __str__(self):
        return self.message


class RetryableError(IntegrationError):
    """Timeouts, connection errors, 429, 5xx, unreadable answers: try again later."""

    retryable = True


class PermanentError(IntegrationError):
    """The gateway refused the request; repeating it unchanged will not help."""


class AuthenticationError(PermanentError):
    """401/403 from the gateway: credentials are wrong, expired or revoked."""


class TokenExpiredError(AuthenticationError):
    """The access token expired or was replaced meanwhile: a refresh fixes the call.

    An authentication error, so a client refreshes and repeats the call once; but for
    the queue it is retryable (``retryable = True``): an event that meets it is tried
    again with backoff, never dead-lettered for it.
    """

    retryable = True
    counts_as_attempt = False


class CircuitOpenError(RetryableError):
    """The connection's circuit breaker is open after repeated transient failures:
    the call was not sent. Retry after the cool-down."""

    counts_as_attempt = False


class SignatureError(Exception):
    """An inbound request failed verification.

    status is 401 when the signature or token is missing, 403 when it is wrong or
    when no secret is configured (verification fails closed).
    """

    def __init__(self, message, status=403):
        super().__init__(message)
        self.status = status


class IgnoreEvent(Exception):
    """Raised by an event handler: the event needs no work; the message says why."""
