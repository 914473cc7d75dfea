# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain-Python carrier clients (no ORM)."""

from . import base
from . import common
from . import biteship
from . import jne
from . import jnt
from . import sicepat
from . import anteraja

CLIENTS = {
    "biteship": biteship.BiteshipClient,
    "jne": jne.JneClient,
    "jnt": jnt.JntClient,
    "sicepat": sicepat.SicepatClient,
    "anteraja": anteraja.AnterajaClient,
}
