# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Real database transactions for the marketplace plumbing, as in production.

The pattern of ``base_integration/tests/test_parallel_workers.py``: committed setup
rows, work done by threads that each hold their own cursor (as prefork workers do),
everything committed removed at the end. In these threads the HTTP log is written in
its own cursor, as in production: ``_is_testing`` is False there (no test mode on the
registry, no ``testing`` flag on the thread), and ``OWN_CURSOR_KEY`` says so too.

Not ``TestCursor``: there every cursor shares the test transaction and the threads are
serialised on one lock, so no lock wait, deadlock or lost commit can show.
"""

import threading
import uuid
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name

from odoo.addons.base_integration.models.integration_log import OWN_CURSOR_KEY
from odoo.addons.base_integration.tests.common import IntegrationTestMixin

# the import above puts the gateway test servers on the path
from odoo.addons.base_integration.tests.gateway_servers.shopee import ShopeeApi
from odoo.addons.base_integration.tests.gateway_servers.tiktok import TiktokApi

# A worker that takes longer than this is hung (a lock wait that never ends).
WORKER_TIMEOUT = 20


class Rollback(Exception):
    """Raised by a worker's function to roll its transaction back."""


class RealCursorCase(IntegrationTestMixin, BaseCase):
    """Committed Shopee and TikTok shops talking to the local test servers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.shopee_api = ShopeeApi()
        cls.tiktok_api = TiktokApi()
        cls.server = cls._start_gateway_server(cls.shopee_api, cls.tiktok_api)

    def setUp(self):
        super().setUp()
        self.shopee_api.reset()
        self.tiktok_api.reset()
        self.server.faults.clear()
        self.server.requests.clear()
        self.created = []  # (model, ids), removed in reverse order
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", company.id)], limit=1
            )
            tag = uuid.uuid4().hex[:8]
            tax = env["account.tax"].create(
                {
                    "name": f"PPN 11% (included, plumbing test {tag})",
                    "amount": 11.0,
                    "type_tax_use": "sale",
                    "company_id": company.id,
                    "price_include_override": "tax_included",
                }
            )
            self.created.append(("account.tax", tax.ids))
            access, refresh, lifetime = self.shopee_api.issue_tokens()
            common = {
                "company_id": company.id,
                "warehouse_id": warehouse.id,
                "tax_id": tax.id,
                "sync_enabled": False,
            }
            shopee = env["marketplace.shop"].create(
                dict(
                    common,
                    name=f"Shopee plumbing test {tag}",
                    provider="shopee",
                    shop_ref=str(self.shopee_api.shop_id),
                    api_key=str(self.shopee_api.partner_id),
                    api_secret=self.shopee_api.partner_key,
                    webhook_secret=self.shopee_api.push_key,
                    base_url=self.server.url + "/shopee",
                    access_token=access,
                    refresh_token=refresh,
                    token_expires_at=fields.Datetime.now()
                    + timedelta(seconds=lifetime),
                )
            )
            access, refresh, _expires = self.tiktok_api.issue_tokens()
            tiktok = env["marketplace.shop"].create(
                dict(
                    common,
                    name=f"TikTok plumbing test {tag}",
                    provider="tiktok",
                    shop_ref=self.tiktok_api.shop_id,
                    tiktok_shop_cipher=self.tiktok_api.shop_cipher,
                    api_key=self.tiktok_api.app_key,
                    api_secret=self.tiktok_api.app_secret,
                    base_url=self.server.url + "/tiktok",
                    tiktok_auth_url=self.server.url + "/tiktok",
                    access_token=access,
                    refresh_token=refresh,
                    token_expires_at=fields.Datetime.now() + timedelta(days=7),
                )
            )
            shops = shopee | tiktok
            self.created.append(("res.partner", shops.partner_id.ids))
            self.created.append(("integration.connection", shops.connection_id.ids))
            self.created.append(("marketplace.shop", shops.ids))
            self.shopee_id, self.tiktok_id = shopee.id, tiktok.id

    def _cleanup(self):
        for _attempt in range(3):
            try:
                self._remove_created()
                return
            except psycopg2.errors.SerializationFailure:
                continue  # a worker that was unblocked is still ending

    def _remove_created(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            for model, res_ids in self.created:
                if model in ("integration.connection", "marketplace.shop"):
                    env["mail.activity"].search(
                        [("res_model", "=", model), ("res_id", "in", res_ids)]
                    ).unlink()
                    env["mail.message"].search(
                        [("model", "=", model), ("res_id", "in", res_ids)]
                    ).unlink()
            for model, res_ids in reversed(self.created):
                records = env[model].browse(res_ids).exists()
                if records:
                    with cr.savepoint():
                        records.unlink()

    # ------------------------------------------------------------------ workers
    def in_worker(self, func, *, user=None, timeout=WORKER_TIMEOUT):
        """Start ``func(env)`` in a thread with its own cursor, committed at the end
        (rolled back when it raises). Returns a handle for :meth:`result`."""
        outcome = {}

        def run():
            try:
                with self.registry.cursor() as cr:
                    # the HTTP log in its own cursor, as in production
                    env = api.Environment(
                        cr, user or SUPERUSER_ID, {OWN_CURSOR_KEY: True}
                    )
                    outcome["value"] = func(env)
            except Exception as exc:  # noqa: BLE001 - handed to the test
                outcome["error"] = exc

        thread = threading.Thread(target=run, name="marketplace-test-worker")
        thread.start()
        return thread, outcome, timeout

    def finish(self, handle):
        """Wait for a worker: ``(value, error)``; fail when it hangs."""
        thread, outcome, timeout = handle
        thread.join(timeout)
        if thread.is_alive():
            self._unblock()
            thread.join(10)
            self.fail(f"a worker hung for more than {timeout} s (a lock wait)")
        return outcome.get("value"), outcome.get("error")

    def result(self, handle):
        """Wait for a worker; fail when it hangs, or raised (but ``Rollback``)."""
        value, error = self.finish(handle)
        if error is not None and not isinstance(error, Rollback):
            raise error
        return value

    def work(self, func, **kwargs):
        """Run ``func(env)`` in one worker and return its result."""
        return self.result(self.in_worker(func, **kwargs))

    def _unblock(self):
        """Cancel statements of this database that wait for a lock (a hung worker),
        so that the test can end and clean up."""
        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND pid != pg_backend_pid()
                """
            )

    def committed(self, func):
        """``func(env)`` on what is committed now (a fresh transaction)."""
        with self.registry.cursor() as cr:
            return func(api.Environment(cr, SUPERUSER_ID, {}))
