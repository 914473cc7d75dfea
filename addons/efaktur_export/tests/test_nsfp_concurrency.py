# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""NSFP allocation under real concurrency: each thread has its own database transaction.

In a TransactionCase every "cursor" is the test's one transaction, which can show neither a
lock wait nor a duplicate serial. These tests commit their data in side cursors and remove
it at the end (as base_integration's test_parallel_workers and payment_va's
test_va_concurrency).

The legacy CSV needs a company keeping its books in rupiah. The database's main company
has no journal entry in a fresh test database, so its currency is switched to IDR for the
test and switched back in the cleanup, after the test's invoices are deleted.
"""

import base64
import threading
import time

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

FIRST, LAST = "0002400000001", "0002400000010"


@tagged("post_install", "-at_install")
class TestNsfpConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.created = {}
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"no_vat_validation": True})
            company = env.ref("base.main_company")
            self.company_id = company.id
            idr = env.ref("base.IDR")
            if company.currency_id != idr:
                has_entries = env["account.move.line"].search_count(
                    [("company_id", "=", company.id)], limit=1
                )
                self.assertFalse(
                    has_entries,
                    "the main company has journal entries: its currency cannot be switched",
                )
                self.created["currency"] = company.currency_id.id
                self.created["idr_was_active"] = idr.active
                idr.active = True
                company.currency_id = idr
            tax = env["account.tax"].create(
                {
                    "name": "PPN 11% (NSFP concurrency test)",
                    "amount": 11.0,
                    "type_tax_use": "sale",
                    "company_id": company.id,
                }
            )
            self.created["tax"] = tax.id
            buyer = env["res.partner"].create(
                {
                    "name": "PT Paralel Jaya",
                    "is_company": True,
                    "vat": "019876543210000",
                    "l10n_id_kode_transaksi": "01",
                    "street": "Jl. Paralel No. 2 Jakarta",
                }
            )
            self.created["partner"] = buyer.id
            self.created["users"] = [
                new_test_user(
                    env,
                    login=f"efaktur_parallel_{n}",
                    groups="account.group_account_invoice",
                    company_id=company.id,
                    company_ids=[Command.set(company.ids)],
                ).id
                for n in (1, 2)
            ]
            nsfp_range = env["efaktur.nsfp.range"].create(
                {"number_min": FIRST, "number_max": LAST, "company_id": company.id}
            )
            self.range_id = nsfp_range.id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            moves = env["account.move"].browse(self.created.get("moves", [])).exists()
            batches = env["efaktur.export.batch"].search(
                [("invoice_ids", "in", moves.ids)]
            )
            env["ir.attachment"].search(
                [("res_model", "=", batches._name), ("res_id", "in", batches.ids)]
            ).unlink()
            # Batches refuse unlink (the record of what was sent): this test's own go
            # in SQL.
            cr.execute(
                "DELETE FROM efaktur_export_batch WHERE id = ANY(%s)", [batches.ids]
            )
            batches.invalidate_model()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            # A range that gave serials refuses to be deleted (on purpose); the test's
            # invoices are gone, so its row goes in SQL.
            if getattr(self, "range_id", None):
                cr.execute(
                    "DELETE FROM efaktur_nsfp_range WHERE id = %s", [self.range_id]
                )
            env["account.tax"].browse(self.created.get("tax")).exists().unlink()
            users = env["res.users"].browse(self.created.get("users", [])).exists()
            partners = users.partner_id | env["res.partner"].browse(
                self.created.get("partner")
            )
            users.unlink()
            partners.exists().unlink()
            if "currency" in self.created:
                company = env["res.company"].browse(self.company_id)
                company.currency_id = self.created["currency"]
                env.ref("base.IDR").active = self.created["idr_was_active"]

    # -- helpers ---------------------------------------------------------------

    def _posted_invoice(self, uid, day):
        """A 2024 invoice posted by a billing user, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.created["partner"],
                    "invoice_date": f"2024-06-{day:02d}",
                    "date": f"2024-06-{day:02d}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Jasa paralel",
                                "quantity": 1,
                                "price_unit": 100000,
                                "tax_ids": [Command.set([self.created["tax"]])],
                            }
                        )
                    ],
                }
            )
            move.action_post()
            self.created.setdefault("moves", []).append(move.id)
            return move.id

    def _in_threads(self, *targets):
        """Run the callables at once, each in its own thread; return their errors."""
        errors = []

        def run(target):
            try:
                target()
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(t,)) for t in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "a thread never finished")
        return errors

    def _allocate(self, env, count):
        company = env["res.company"].browse(self.company_id)
        return env["efaktur.nsfp.range"]._efaktur_allocate(company, count, year=2024)

    def _wait_for_lock_wait(self, pids):
        """True once the backend ``pids["second"]`` waits for a lock (30 s at most): it is
        blocked on the first transaction's row lock, not running beside it."""
        deadline = time.monotonic() + 30
        with self.registry.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                    [pids.get("second", 0)],
                )
                if cr.fetchone()[0]:
                    return True
                cr.rollback()
                time.sleep(0.05)
        return False

    def _range_row(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT next_number, available FROM efaktur_nsfp_range WHERE id = %s",
                [self.range_id],
            )
            return cr.fetchone()

    # -- tests -----------------------------------------------------------------

    def test_second_allocation_waits_on_the_row_lock(self):
        first_uid, second_uid = self.created["users"]
        first_locked, release = threading.Event(), threading.Event()
        got, attempts, pids = {}, [], {}

        def first():
            with self.registry.cursor() as cr:
                got["first"] = self._allocate(api.Environment(cr, first_uid, {}), 3)
                first_locked.set()
                # Keep the lock (uncommitted) until the main thread saw the second wait.
                release.wait(30)

        def second():
            with self.registry.cursor() as cr:
                pids["second"] = cr._cnx.get_backend_pid()
                env = api.Environment(cr, second_uid, {})
                self.assertTrue(first_locked.wait(30))

                def attempt():
                    attempts.append(1)
                    return self._allocate(env, 3)

                # What Odoo does with a request that lost a serialization race: replay it.
                got["second"] = retrying(attempt, env)

        seen_waiting = []

        def watch():
            try:
                self.assertTrue(first_locked.wait(30))
                if self._wait_for_lock_wait(pids):
                    seen_waiting.append(True)
            finally:
                release.set()

        errors = self._in_threads(first, second, watch)
        self.assertEqual(errors, [])
        self.assertTrue(seen_waiting, "the second allocation never waited on the lock")
        self.assertEqual(
            got["first"], ["0002400000001", "0002400000002", "0002400000003"]
        )
        # It waited, lost the race (its snapshot predates the first commit), was replayed
        # and took the next serials, never the same ones.
        self.assertEqual(
            got["second"], ["0002400000004", "0002400000005", "0002400000006"]
        )
        self.assertGreaterEqual(len(attempts), 2)
        self.assertEqual(self._range_row(), ("0002400000007", 4))

    def test_lock_reads_the_committed_counter_in_read_committed(self):
        # Under READ COMMITTED there is no serialization error to save a careless
        # allocation: only a real row lock taken before reading the counter keeps the
        # second transaction from computing the same serials. Here it waits, then reads
        # the first one's committed counter, at the first attempt.
        first_uid, second_uid = self.created["users"]
        first_locked, release = threading.Event(), threading.Event()
        got, pids, seen_waiting = {}, {}, []

        def read_committed(cr):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

        def first():
            with self.registry.cursor() as cr:
                read_committed(cr)
                got["first"] = self._allocate(api.Environment(cr, first_uid, {}), 3)
                first_locked.set()
                release.wait(30)

        def second():
            with self.registry.cursor() as cr:
                read_committed(cr)
                pids["second"] = cr._cnx.get_backend_pid()
                self.assertTrue(first_locked.wait(30))
                got["second"] = self._allocate(api.Environment(cr, second_uid, {}), 3)

        def watch():
            try:
                self.assertTrue(first_locked.wait(30))
                seen_waiting.append(self._wait_for_lock_wait(pids))
            finally:
                release.set()

        errors = self._in_threads(first, second, watch)
        self.assertEqual(errors, [])
        self.assertEqual(seen_waiting, [True], "the second allocation never waited")
        self.assertEqual(
            got["first"], ["0002400000001", "0002400000002", "0002400000003"]
        )
        self.assertEqual(
            got["second"], ["0002400000004", "0002400000005", "0002400000006"]
        )
        self.assertEqual(self._range_row(), ("0002400000007", 4))

    def test_simultaneous_allocations_are_disjoint(self):
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        got = {}

        def allocate(uid):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                barrier.wait()
                got[uid] = retrying(lambda: self._allocate(env, 5), env)

        errors = self._in_threads(
            *(lambda u=uid: allocate(u) for uid in self.created["users"])
        )
        self.assertEqual(errors, [])
        first, second = got.values()
        self.assertFalse(set(first) & set(second), "a serial was given twice")
        self.assertEqual(
            sorted(first + second), [f"00024{n:08d}" for n in range(1, 11)]
        )
        self.assertEqual(self._range_row(), ("0002400000011", 0))

    def test_two_exports_at_once_share_no_nsfp(self):
        users = self.created["users"]
        moves = {
            uid: self._posted_invoice(uid, day)
            for uid, day in zip(users, (3, 4), strict=True)
        }
        barrier = threading.Barrier(2, timeout=30)
        batches = {}

        def export(uid):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                barrier.wait()

                def attempt():
                    wizard = env["efaktur.export.wizard"].create(
                        {"invoice_ids": [Command.set([moves[uid]])]}
                    )
                    return wizard.action_export()["res_id"]

                batches[uid] = retrying(attempt, env)

        errors = self._in_threads(*(lambda u=uid: export(u) for uid in users))
        self.assertEqual(errors, [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoices = env["account.move"].browse(list(moves.values()))
            serials = invoices.mapped("efaktur_nsfp_serial")
            self.assertEqual(sorted(serials), ["0002400000001", "0002400000002"])
            for uid, move_id in moves.items():
                batch = env["efaktur.export.batch"].browse(batches[uid])
                (attachment,) = batch.attachment_ids
                text = base64.b64decode(attachment.datas).decode()
                fk = next(
                    line for line in text.splitlines()[3:] if line.startswith('"FK"')
                )
                # Each file carries its own invoice's serial (NOMOR_FAKTUR, 4th column).
                serial = env["account.move"].browse(move_id).efaktur_nsfp_serial
                self.assertEqual(fk.split(",")[3], f'"{serial}"')
        self.assertEqual(self._range_row(), ("0002400000003", 8))
