# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Bounded purge of the HTTP log and of finished events, and a dashboard whose query
count does not grow with the number of connections (D22)."""

import threading
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestHousekeeping(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(base_url="http://127.0.0.1:9")

    @contextmanager
    def _statements(self):
        """Collect the SQL statements this thread sends (Odoo's query hooks)."""
        statements = []
        thread = threading.current_thread()
        hooks = getattr(thread, "query_hooks", ())

        def hook(cr, query, params, start, delay):
            statements.append(query.decode() if isinstance(query, bytes) else query)

        thread.query_hooks = (*hooks, hook)
        try:
            yield statements
        finally:
            thread.query_hooks = hooks

    def _log(self, age_days):
        log = self.env["integration.log"].create(
            {"connection_id": self.connection.id, "method": "GET", "url": "/x"}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_log SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=age_days), log.id],
        )
        return log

    def _event(self, state, age_days, connection=None, **vals):
        connection = connection or self.connection
        event = self.env["integration.event"].create(
            dict(
                connection_id=connection.id,
                company_id=connection.company_id.id,
                handler="_generic_process_event",
                state=state,
                **vals,
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_event SET write_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=age_days), event.id],
        )
        return event

    def test_purge_deletes_in_bounded_batches(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "base_integration.purge_batch_size", "2"
        )
        old_logs = [self._log(40) for _number in range(7)]
        recent_log = self._log(1)
        old_done = [self._event("done", 40) for _number in range(3)]
        old_failed = self._event("failed", 40, dead_letter=True)
        recent_done = self._event("done", 1)
        self.env.invalidate_all()
        with self._statements() as statements:
            self.env["integration.connection"]._cron_purge()
        deletes = [q for q in statements if q.lstrip().upper().startswith("DELETE")]
        log_deletes = [q for q in deletes if "integration_log" in q]
        event_deletes = [q for q in deletes if "integration_event" in q]
        # 7 rows by 2: 2 + 2 + 2 + 1; 3 rows by 2: 2 + 1.
        self.assertEqual(len(log_deletes), 4, log_deletes)
        self.assertEqual(len(event_deletes), 2, event_deletes)
        self.assertTrue(all("LIMIT" in q for q in deletes), "each batch is bounded")
        Log, Event = self.env["integration.log"], self.env["integration.event"]
        self.assertFalse(Log.browse([log.id for log in old_logs]).exists())
        self.assertTrue(recent_log.exists())
        self.assertFalse(Event.browse([event.id for event in old_done]).exists())
        self.assertTrue(old_failed.exists(), "failures are kept for inspection")
        self.assertTrue(recent_done.exists())

    def test_dashboard_last_error_in_one_query(self):
        connections = self.connection
        for number in range(4):
            connections |= self._create_connection(name=f"Dashboard {number}")
        for connection in connections:
            for error, hours in (("older", 2), (f"latest of {connection.id}", 1)):
                self._event("failed", hours / 24, connection, error=error)

        def queries(records):
            records.invalidate_recordset()
            before = self.env.cr.sql_log_count
            values = records.mapped("last_error")
            return self.env.cr.sql_log_count - before, values

        one, _values = queries(connections[:1])
        five, values = queries(connections)
        self.assertEqual(five, one, "no query per connection")
        self.assertEqual(values, [f"latest of {c.id}" for c in connections])
