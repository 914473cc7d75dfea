# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain-Python helpers shared by every gateway client. Nothing here imports Odoo."""

from . import exceptions, http, masking, signing
