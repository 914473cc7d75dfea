# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Validation before export: every problem of every invoice at once, nothing exported."""

from odoo.tests import tagged

from .coretax_common import CoretaxCase


@tagged("post_install", "-at_install")
class TestCoretaxValidation(CoretaxCase):
    pass
