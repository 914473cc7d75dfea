# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Small tolerant readers shared by the carrier clients (no ORM).

The direct carriers send numbers as strings or numbers, booleans as ``true``/``"true"``
/ ``"false"``, dates in several formats (carriers.md §1.4, §2.3): every reader here
accepts the variants seen and answers ``None`` for anything else, never raises.
"""

import math
import re
from datetime import datetime, timedelta, timezone

from odoo.addons.base_integration.api.exceptions import RetryableError
from odoo.addons.base_integration.api.payload import loads

WIB = timezone(timedelta(hours=7))
_RANGE = re.compile(r"(\d+)\s*(?:-\s*(\d+))?")


def to_int(value):
    """``10000``, ``"10000"``, ``"10,000"``, ``10000.0`` -> 10000; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(round(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return int(round(number)) if math.isfinite(number) else None
    return None


def to_bool(value):
    """``True``/``"true"``/``"TRUE"``/``1`` -> True; everything else False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    return str(value or "").strip().lower() in ("true", "1", "yes", "y")


def etd_range(*values):
    """``"1-2"``, ``"1 - 2 days"``, ``("1", "2")``, ``"2"`` -> (1, 2); else (None, None)."""
    text = " - ".join(str(v) for v in values if v not in (None, ""))
    match = _RANGE.search(text)
    if not match:
        return None, None
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    return low, high


def to_utc(value, formats=(), assume=WIB):
    """A carrier date -> naive UTC datetime, or None.

    ISO texts with an offset use it; texts without one, and the ``formats`` tried in
    order, are read in ``assume`` (WIB: the carriers answer in local time, §1.4).
    """
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.split())
    parsed = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in formats:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=assume)
    return parsed.astimezone(timezone.utc).replace(tzinfo=None)


def grams(weight_kg):
    """Kilograms -> whole grams, rounded up (a carrier never gets less weight than
    the parcel has)."""
    return int(math.ceil(round(float(weight_kg or 0) * 1000, 6)))


def kg_text(weight_kg):
    """Kilograms as the direct carriers' forms want them: ``"1.5"``, ``"2"``."""
    value = round(float(weight_kg or 0), 3)
    return f"{value:g}"


def total_weight(parcels):
    return sum(float(p.weight_kg or 0) * int(p.quantity or 1) for p in parcels)


def need_dict(data, what):
    """The parsed answer must be an object; anything else is an unreadable answer
    (retryable: a proxy error page, a truncated body)."""
    if not isinstance(data, dict):
        raise RetryableError(f"{what}: the carrier's answer is not a JSON object.")
    return data


def as_list(value):
    """A list, or a list holding the one object given; [] for anything else."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        return [value]
    return []


def error_body(body):
    """The JSON object of an error answer kept on an exception (masked text), or
    None."""
    if isinstance(body, dict):
        return body
    if isinstance(body, (bytes, str)):
        try:
            value = loads(body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None
