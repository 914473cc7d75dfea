# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Remove secrets from what gets logged: by field name and by literal value."""

import json
import re
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

MASK = "***"

# Names whose values are secrets wherever they appear (headers, query strings, JSON keys).
# Matching is case-insensitive and ignores "-" / "_" differences.
SECRET_NAMES = {
    "authorization",
    "proxyauthorization",
    "cookie",
    "setcookie",
    "xapikey",
    "apikey",
    "xcallbacktoken",
    "callbacktoken",
    "accesstoken",
    "refreshtoken",
    "xttsaccesstoken",
    "token",
    "sign",
    "signature",
    "signaturekey",
    "serverkey",
    "clientkey",
    "partnerkey",
    "appsecret",
    "clientsecret",
    "secret",
    "secretkey",
    "password",
    "passwd",
}
SECRET_FRAGMENTS = ("secret", "password", "authorization")


def _norm(name):
    return str(name).lower().replace("-", "").replace("_", "")


def is_secret_name(name, extra_names=()):
    norm = _norm(name)
    if norm in SECRET_NAMES or norm in {_norm(n) for n in extra_names}:
        return True
    return any(fragment in norm for fragment in SECRET_FRAGMENTS)


def mask_text(text, secret_values=()):
    """Replace every literal occurrence of a known secret value (4+ characters)."""
    if not text:
        return text
    for value in secret_values:
        if value and len(value) >= 4:
            text = text.replace(value, MASK)
    return text


# A URL with a query string inside free text, e.g. what ``requests`` puts in the message
# of a ConnectionError: "... Max retries exceeded with url: /path?access_token=...&sign=...".
_URL_WITH_QUERY = re.compile(r"[^\s'\"()<>]*\?[^\s'\"()<>]+")


def mask_message(text, secret_values=(), extra_names=()):
    """Mask free text that may quote URLs (exception messages, tracebacks): secret query
    parameters by name, then every literal secret value."""
    if not text:
        return text
    text = str(text)
    text = _URL_WITH_QUERY.sub(
        lambda match: mask_url(match.group(0), (), extra_names), text
    )
    return mask_text(text, secret_values)


def secret_query_values(url, extra_names=()):
    """The values of ``url``'s secret query parameters, as sent (percent-encoded) and
    decoded: literal values to blank out of texts that may quote the URL in another
    form than :func:`mask_message` recognises."""
    values = []
    for part in (urlsplit(url or "").query or "").split("&"):
        name, _sep, value = part.partition("=")
        if value and is_secret_name(unquote_plus(name), extra_names):
            values += [value, unquote_plus(value)]
    return values


def mask_headers(headers, secret_values=(), extra_names=()):
    return {
        key: MASK
        if is_secret_name(key, extra_names)
        else mask_text(str(value), secret_values)
        for key, value in (headers or {}).items()
    }


def mask_url(url, secret_values=(), extra_names=()):
    parts = urlsplit(url)
    query = [
        (key, MASK if is_secret_name(key, extra_names) else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    masked = urlunsplit(parts._replace(query=urlencode(query, safe="*")))
    return mask_text(masked, secret_values)


def mask_json(data, extra_names=()):
    if isinstance(data, dict):
        return {
            key: MASK
            if is_secret_name(key, extra_names)
            else mask_json(value, extra_names)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_json(item, extra_names) for item in data]
    return data


# Bodies kept in the HTTP log are cut here: enough to read an error, short enough not to
# hoard whole order documents (buyer names, addresses, phone numbers) for the retention
# period.
BODY_LIMIT = 4000


def mask_body(body, secret_values=(), extra_names=(), limit=BODY_LIMIT):
    """Mask a request or response body (bytes, str or JSON-able) and truncate it."""
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        text = json.dumps(mask_json(body, extra_names), default=str)
    else:
        try:
            text = json.dumps(mask_json(json.loads(body), extra_names))
        except ValueError:
            text = body
    text = mask_text(text, secret_values)
    if len(text) > limit:
        text = text[:limit] + f"... [{len(text) - limit} more characters]"
    return text
