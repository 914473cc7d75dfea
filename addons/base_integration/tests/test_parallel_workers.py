# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two workers draining at once, each with its own real database transaction.

This test needs committed rows (another transaction cannot see uncommitted ones), so it
works in its own cursors and removes everything it committed at the end.
"""

import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestParallelWorkers(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            action = env["ir.actions.server"].create(
                {
                    "name": "parallel test marker",
                    "model_id": env.ref("base_integration.model_integration_event").id,
                    "state": "code",
                    # Slow enough that both workers are busy at the same time.
                    "code": "time.sleep(0.05)\n"
                    "env['res.partner'].create({'name': 'parallel %s' % record.external_id,"
                    " 'ref': env.context.get('parallel_worker')})",
                }
            )
            connection = env["integration.connection"].create(
                {
                    "name": "Parallel workers",
                    "generic_action_id": action.id,
                }
            )
            Event = env["integration.event"]
            for number in range(20):
                Event._store_inbound(
                    connection,
                    handler="_generic_process_event",
                    event_type="t",
                    external_id=str(number),
                    dedupe_key=str(number),
                    body="{}",
                )
            self.connection_id, self.action_id = connection.id, action.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].search([("name", "=like", "parallel %")]).unlink()
            env["integration.connection"].browse(self.connection_id).unlink()
            env["ir.actions.server"].browse(self.action_id).unlink()

    def test_two_workers_share_the_queue_without_overlap(self):
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs

        errors = []

        def worker(name):
            try:
                run(name)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        def run(name):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"parallel_worker": name})
                barrier.wait()
                # What the cron does: one committed transaction per event.
                env["integration.event"]._process_pending(
                    "inbound", limit=100, commit=True
                )

        threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT name, ref FROM res_partner WHERE name LIKE 'parallel %%'"
            )
            effects = cr.fetchall()
            cr.execute(
                "SELECT count(*) FROM integration_event WHERE connection_id = %s"
                " AND state = 'done'",
                [self.connection_id],
            )
            done = cr.fetchone()[0]
        names = sorted(int(name.split()[1]) for name, _worker in effects)
        self.assertEqual(names, list(range(20)), "each event applied exactly once")
        self.assertEqual(done, 20)
        self.assertEqual(errors, [], "no worker blocked or failed on another's rows")
        self.assertEqual(
            {worker for _name, worker in effects}, {"a", "b"}, "both workers drained"
        )
