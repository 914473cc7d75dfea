# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain-Python carrier clients (no ORM)."""

from . import base
from . import common
from . import biteship
from . import jne

CLIENTS = {
    "biteship": biteship.BiteshipClient,
    "jne": jne.JneClient,
}
