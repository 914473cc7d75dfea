# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SiCepat receipt numbers are taken in a committed transaction of their own: a booking
rolled back after SiCepat accepted it never gives its number to the next booking; an
unexpected failure while a batch takes one fails that delivery only (masked, nothing
sent, no claim left "sending").

Real cursors (committed rows), cleaned up at the end, as in base_integration's
test_parallel_workers.py.
"""

import threading
import time

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.base_integration.tests.gateway_servers.sicepat import SicepatApi

from .cursor_common import CarrierRealCursorCase


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


# The districts of the sender and of the customer: SiCepat codes of the test server.
AREAS = {"31.74.05": "CGK10101", "32.73.02": "BDO10000"}


@tagged("post_install", "-at_install")
class TestSicepatReceiptFailure(CarrierRealCursorCase):
    """An unexpected failure while a batch takes a receipt number (here a real one:
    the connection saved by someone else meanwhile, a serialization failure of the
    counter's side transaction) fails that delivery only, masked, with nothing sent
    and no claim left "sending"; the other deliveries are booked."""

    gateway_api_class = SicepatApi
    area_carrier = "sicepat"
    area_codes = AREAS
    tag = "sicepat_receipt"
    picking_count = 3

    def _connection_values(self):
        return {
            "name": "SiCepat receipts parallel",
            "provider": "sicepat",
            "base_url": self.gateway_api.base_url,
            "api_key": SicepatApi.api_key,
            "api_secret": SicepatApi.auth_key,
            "sicepat_merchant_code": "TOKOTEST",
            "sicepat_account_code": "ACC1",
            "sicepat_receipt_next": "000000100001",
            "sicepat_receipt_last": "000000199999",
        }

    def _carrier_values(self):
        return {
            "name": "SiCepat REG parallel",
            "delivery_type": "sicepat",
            "carrier_api_service_code": "REG",
        }

    def _ledger(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT picking_id, state, uncertain, waybill, message "
                "FROM carrier_api_waybill WHERE picking_id = ANY(%s)",
                [self.ids["pickings"]],
            )
            return {row[0]: row[1:] for row in cr.fetchall()}

    def _save_connection_meanwhile(self):
        """Another transaction updates the connection's row and commits once a
        booking's side transaction waits for that row: the counter's side
        transaction (repeatable read) then fails with a serialization failure, an
        error nothing expects. Returns the thread that commits (join it)."""
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        holder.execute("SELECT pg_backend_pid()")
        holder_pid = holder.fetchone()[0]
        holder.execute(
            "UPDATE integration_connection SET write_date = now() at time zone 'utc' "
            "WHERE id = %s",
            [self.ids["connection"]],
        )
        self.waited = False

        def commit_once_waited_for():
            deadline = time.monotonic() + 4  # the side transaction waits 5 s at most
            with self.registry.cursor() as watch:
                while time.monotonic() < deadline and not self.waited:
                    watch.execute(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted "
                        "AND %s = ANY(pg_blocking_pids(pid))",
                        [holder_pid],
                    )
                    self.waited = bool(watch.fetchone()[0])
                    watch.rollback()
                    time.sleep(0.02)
            holder.commit()

        thread = threading.Thread(target=commit_once_waited_for)
        thread.start()
        return thread

    def test_an_unexpected_error_fails_that_delivery_only_and_masked(self):
        thread = self._save_connection_meanwhile()
        with self.assertLogs("odoo", level="ERROR") as logs:
            with self.cursor_env(self.ids["user"]) as env:
                pickings = env["stock.picking"].browse(self.ids["pickings"])
                action = pickings.action_carrier_api_create_waybill()
                failed = pickings.filtered(lambda p: not p.carrier_tracking_ref)
                failed_id, failed_name = failed.ids, failed.mapped("name")
                failed_message = failed.carrier_api_message
        thread.join(30)
        self.assertFalse(thread.is_alive(), "the connection's saver never came back")
        self.assertTrue(self.waited, "no booking waited for the connection's row")
        # one delivery failed, told why in masked words; the others were booked
        self.assertEqual(len(failed_id), 1)
        self.assertEqual(action["params"]["type"], "warning")
        message = action["params"]["message"]
        self.assertIn(failed_name[0], message)
        self.assertIn("unexpected error while taking a SiCepat receipt number", message)
        self.assertNotIn("serialize", message)
        self.assertEqual(failed_message, message)
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count - 1)
        # the traceback in the log, from our logger, with the real exception
        ours = [
            r
            for r in logs.records
            if r.name == "odoo.addons.carrier_api.models.stock_picking"
        ]
        self.assertEqual(len(ours), 1, logs.output)
        self.assertIsInstance(ours[0].exc_info[1], psycopg2.errors.SerializationFailure)
        # settled "failed", nothing sent so nothing uncertain; no claim left
        ledger = self._ledger()
        self.assertEqual(len(ledger), self.picking_count)
        self.assertNotIn("sending", {state for state, *_rest in ledger.values()})
        state, uncertain, waybill, text = ledger[failed_id[0]]
        self.assertEqual((state, uncertain, waybill), ("failed", False, None))
        self.assertNotIn("serialize", text)
        # the next click books it, with a number of its own; no order twice
        with self.cursor_env(self.ids["user"]) as env:
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertIs(pickings.action_carrier_api_create_waybill(), True)
            waybills = pickings.mapped("carrier_tracking_ref")
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count)
        self.assertEqual(set(waybills), set(self.gateway_api.shipments))
        self.assertEqual({state for state, *_rest in self._ledger().values()}, {"sent"})
