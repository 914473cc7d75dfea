# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SiCepat receipt numbers are taken in a committed transaction of their own: a booking
rolled back after SiCepat accepted it never gives its number to the next booking.

Real cursors (committed rows), cleaned up at the end, as in base_integration's
test_parallel_workers.py.
"""

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestSicepatReceipts(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.connection_id = (
                env["integration.connection"]
                .create(
                    {
                        "name": "SiCepat receipts test",
                        "provider": "sicepat",
                        "sicepat_receipt_next": "000000000098",
                        "sicepat_receipt_last": "000000000099",
                    }
                )
                .id
            )
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["integration.connection"].browse(self.connection_id).unlink()

    def _take_then_roll_back(self):
        """A booking that took a number, then failed: its transaction rolls back."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            number = (
                env["integration.connection"]
                .browse(self.connection_id)
                ._sicepat_next_receipt_number()
            )
            cr.rollback()
        return number

    def test_a_rolled_back_booking_keeps_its_number_until_the_range_is_used_up(self):
        first = self._take_then_roll_back()
        second = self._take_then_roll_back()
        # Leading zeros kept (fixed-width range); the rollback gave nothing back.
        self.assertEqual((first, second), ("000000000098", "000000000099"))
        with self.assertRaisesRegex(UserError, "used up"):
            self._take_then_roll_back()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection = env["integration.connection"].browse(self.connection_id)
            self.assertEqual(connection.sicepat_receipt_next, "000000000100")
