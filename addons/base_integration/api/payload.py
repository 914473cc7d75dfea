# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading an untrusted JSON body: bounded nesting, finite numbers, checked types.

Webhook routes parse bodies sent by anybody (before and after the signature check), so
nothing here may raise anything but :class:`MalformedPayload` (a ``ValueError``) on
input, whatever it is: a 100,000-deep nesting, ``1e999``, ``NaN``, a list where an
object is expected, a NUL character or a lone surrogate that PostgreSQL cannot store.
Nothing here imports Odoo.
"""

import json
import math
import re
from itertools import accumulate

# Gateway payloads nest a handful of levels; Python's own parser stops near 1,000 with a
# RecursionError, and code walking a payload recursively should never get near that.
MAX_DEPTH = 64
# Identifiers and numbers a database column (and its index) can hold.
MAX_TEXT = 255
MAX_INT = 2**63 - 1

_BRACKETS = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_DIGITS = re.compile(r"-?[0-9]{1,19}")


class MalformedPayload(ValueError):
    """The body, or one of its fields, is not what the route expects. The message
    names the field, never its value."""


def _reject_constant(name):
    raise MalformedPayload(f"{name} is not a number JSON allows")


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise MalformedPayload("a number is out of range")
    return value


def _parse_int(text):
    # Python refuses more than 4,300 digits itself; much smaller is already useless.
    if len(text) > 20 or abs(value := int(text)) > MAX_INT:
        raise MalformedPayload("a number is out of range")
    return value


def _depth_bound(raw):
    """An upper bound of the nesting depth, at C speed: brackets inside strings are
    counted too, so a body under the bound is certainly within it."""
    brackets = raw.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_BRACKETS.__getitem__, brackets)), default=0)


def _depth(value):
    """Exact nesting depth of a parsed value (iteratively: no recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in node)
    return deepest


def loads(raw, max_depth=MAX_DEPTH):
    """Parse ``raw`` (bytes or str) as JSON that is safe to hand on.

    :raises MalformedPayload: invalid JSON, nesting deeper than ``max_depth``, a
        non-finite or out-of-range number (``1e999``, ``NaN``, ``Infinity``, ``10**400``).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogatepass")
    check_depth = _depth_bound(raw) > max_depth
    try:
        # Strict UTF-8, as the gateways send (RFC 8259 section 8.1): ``json.loads`` on
        # bytes would also accept UTF-16/32, whose NUL bytes a database text refuses.
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedPayload(f"the body is not UTF-8: {exc}") from exc
    if "\x00" in text:
        raise MalformedPayload("the body contains a NUL character")
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except RecursionError as exc:
        raise MalformedPayload("the body is nested too deeply") from exc
    except MalformedPayload:
        raise
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise MalformedPayload(f"the body is not valid JSON: {exc}") from exc
    if check_depth and _depth(value) > max_depth:
        raise MalformedPayload("the body is nested too deeply")
    return value


# ---------------------------------------------------------------------- field readers
def is_text(value):
    """True for a string that can be encoded, hashed and stored (no lone surrogate)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(value, name, max_length):
    if len(value) > max_length:
        raise MalformedPayload(f"field '{name}' is too long")
    if "\x00" in value:
        raise MalformedPayload(f"field '{name}' contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedPayload(f"field '{name}' is not valid text") from exc
    return value


def obj(payload, name):
    """``payload[name]`` when it is an object; ``{}`` when absent or null."""
    value = payload.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPayload(f"field '{name}' must be an object")
    return value


def text(payload, name, required=False, max_length=MAX_TEXT):
    """``payload[name]`` when it is a string; ``None`` when absent, null or empty."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise MalformedPayload(f"field '{name}' is required")
        return None
    if not isinstance(value, str):
        raise MalformedPayload(f"field '{name}' must be a string")
    return _storable(value, name, max_length)


def identifier(payload, name, required=False, max_length=MAX_TEXT):
    """``payload[name]`` as a string when it is a string or an integer (platforms send
    ids either way); ``None`` when absent, null or empty."""
    value = payload.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(payload, name, required=required, max_length=max_length)


def integer(payload, name, required=False):
    """``payload[name]`` when it is an integer or a string of digits; ``None`` when
    absent, null or empty."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise MalformedPayload(f"field '{name}' is required")
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedPayload(f"field '{name}' must be an integer")
    if abs(value) > MAX_INT:
        raise MalformedPayload(f"field '{name}' is out of range")
    return value
