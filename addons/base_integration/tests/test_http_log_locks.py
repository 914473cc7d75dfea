# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The HTTP log never waits on a connection row its caller holds (issue 8, point 4).

In production each log entry is committed in a side cursor, whose INSERT takes
``FOR KEY SHARE`` on the connection row (foreign key). These tests need real, committed
rows and real cursors (a ``TestCursor`` shares the test transaction and cannot block), so
they work in their own cursors and remove what they committed.
"""

import threading
import time

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from ..models.integration_log import OWN_CURSOR_KEY
from .gateway_servers import GatewayServer
from .gateway_servers.echo import EchoApi

AUTH = {"Authorization": f"Bearer {EchoApi.api_key}"}


@tagged("post_install", "-at_install")
class TestHttpLogLocks(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = GatewayServer(EchoApi()).start()
        cls.addClassCleanup(cls.server.stop)
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection = env["integration.connection"].create(
                {
                    "name": "HTTP log lock test",
                    "base_url": self.server.url + "/echo",
                    "api_key": EchoApi.api_key,
                }
            )
            self.connection_id = connection.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["integration.connection"].browse(self.connection_id).unlink()

    def _env(self, cr):
        # The production path: the log in its own cursor, although tests run.
        return api.Environment(cr, SUPERUSER_ID, {OWN_CURSOR_KEY: True})

    def _committed_logs(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM integration_log WHERE connection_id = %s",
                [self.connection_id],
            )
            return cr.fetchone()[0]

    def _call(self, env):
        connection = env["integration.connection"].browse(self.connection_id)
        started = time.monotonic()
        response = connection._get_http_session().request(
            "GET", connection._get_base_url() + "/items", headers=AUTH
        )
        self.assertEqual(response.status_code, 200)
        return time.monotonic() - started

    def _cancel_lock_waiters(self):
        """Unblock a side cursor stuck on the lock (the code before the fix)."""
        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND wait_event_type = 'Lock'
                """
            )

    def test_caller_holding_for_update_does_not_hang(self):
        result = {}

        def work():
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT id FROM integration_connection WHERE id = %s FOR UPDATE",
                    [self.connection_id],
                )
                result["elapsed"] = self._call(self._env(cr))
                cr.execute(
                    "SELECT count(*) FROM integration_log WHERE connection_id = %s",
                    [self.connection_id],
                )
                result["in_transaction"] = cr.fetchone()[0]

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(10)
        if thread.is_alive():
            self._cancel_lock_waiters()
            thread.join(10)
            self.fail("the HTTP log waited for the row its own caller holds")
        self.assertLess(result["elapsed"], 5)
        self.assertEqual(result["in_transaction"], 1, "kept in the caller's work")
        self.assertEqual(self._committed_logs(), 1)

    def test_no_key_update_lock_lets_the_log_commit_on_its_own(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["integration.connection"].browse(self.connection_id)._lock_row()
            elapsed = self._call(env)
            cr.rollback()  # the caller's work fails: the trace of its call stays
        self.assertLess(elapsed, 1, "no wait at all")
        self.assertEqual(self._committed_logs(), 1)

    def test_lock_row_nowait(self):
        with self.registry.cursor() as holder, self.registry.cursor() as other:
            Connection = api.Environment(holder, SUPERUSER_ID, {})[
                "integration.connection"
            ]
            Connection.browse(self.connection_id)._lock_row(nowait=True)
            other_connection = api.Environment(other, SUPERUSER_ID, {})[
                "integration.connection"
            ].browse(self.connection_id)
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                other_connection._lock_row(nowait=True)
            other.rollback()
