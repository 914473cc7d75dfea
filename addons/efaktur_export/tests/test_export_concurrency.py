# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two users exporting the same invoices at once, on real transactions (issue 11, bad
input: "one batch each, with no invoice in both, or a clear refusal for the second").

Another transaction cannot see uncommitted rows, so the invoices are committed in the
test's own cursors and removed at the end (as carrier_api's test_waybill_concurrency). The
main company is turned into a rupiah seller with an NPWP for the test and restored after.
"""

import threading

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEfakturExportRealCursors(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.ids = {}
        self.restore = {}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"no_vat_validation": True})
            company = env.ref("base.main_company")
            idr = env.ref("base.IDR")
            if company.currency_id != idr and company._existing_accounting():
                self.skipTest(
                    "the main company has journal items in another currency than the "
                    "rupiah; this test needs a company it may switch to IDR"
                )
            self.restore = {
                "company": company.id,
                "currency_id": company.currency_id.id,
                "vat": company.vat,
                "street": company.street,
                "tku": company.partner_id.l10n_id_tku,
                "idr_active": idr.active,
            }
            idr.active = True
            company.write(
                {
                    "currency_id": idr.id,
                    "vat": "0123456789012000",  # fictitious (efaktur.md §2.11)
                    "street": "Jl. Thamrin 1",
                }
            )
            company.partner_id.l10n_id_tku = "000000"
            tax = env["account.tax"].create(
                {
                    "name": "PPN 11% parallel",
                    "amount": 11.0,
                    "type_tax_use": "sale",
                    "company_id": company.id,
                }
            )
            buyer = env["res.partner"].create(
                {
                    "name": "PT Pelanggan Paralel",
                    "is_company": True,
                    "vat": "0987654321098000",
                    "l10n_id_pkp": True,
                    "l10n_id_kode_transaksi": "04",
                    "l10n_id_buyer_document_type": "TIN",
                    "street": "Jl. Sudirman No. 5",
                    "city": "Bandung",
                    "country_id": env.ref("base.id").id,
                }
            )
            product = env["product.product"].create(
                {"name": "Kertas paralel", "type": "consu", "list_price": 55000}
            )
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "partner_id": buyer.id,
                        "invoice_date": f"2025-06-1{day}",
                        "date": f"2025-06-1{day}",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "name": "Kertas paralel",
                                    "quantity": day,
                                    "price_unit": 55000,
                                    "tax_ids": [Command.set(tax.ids)],
                                }
                            )
                        ],
                    }
                    for day in (1, 2, 3)
                ]
            )
            invoices.action_post()
            self.assertFalse(invoices._efaktur_problems(), "valid invoices")
            users = [
                new_test_user(
                    env,
                    login=f"efaktur_parallel_{n}",
                    groups="base.group_user,account.group_account_invoice",
                    company_id=company.id,
                )
                for n in (1, 2)
            ]
            self.ids = {
                "invoices": invoices.ids,
                "tax": tax.id,
                "partner": buyer.id,
                "product": product.id,
                "users": [u.id for u in users],
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"no_vat_validation": True})
            env["account.payment.register"].search(
                [("partner_id", "=", self.ids["partner"])]
            ).unlink()
            payments = env["account.payment"].browse(self.ids.get("payments", []))
            payments = payments.exists()
            payments.action_draft()  # unreconciles the invoice
            payments.with_context(force_delete=True).unlink()
            invoices = env["account.move"].browse(self.ids["invoices"]).exists()
            batches = (
                env["efaktur.export.batch"]
                .with_context(active_test=False)
                .search([("invoice_ids", "in", invoices.ids)])
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
            env["efaktur.export.wizard"].browse(
                self.ids.get("wizards", [])
            ).exists().unlink()
            invoices.filtered(lambda m: m.state == "posted").button_draft()
            invoices.with_context(force_delete=True).unlink()
            env["account.tax"].browse(self.ids["tax"]).unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()
            users = env["res.users"].browse(self.ids["users"])
            partners = users.partner_id
            users.unlink()
            partners.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()
            company = env["res.company"].browse(self.restore["company"])
            company.write(
                {
                    "currency_id": self.restore["currency_id"],
                    "vat": self.restore["vat"],
                    "street": self.restore["street"],
                }
            )
            company.partner_id.l10n_id_tku = self.restore["tku"]
            env.ref("base.IDR").active = self.restore["idr_active"]

    def test_two_users_export_the_same_invoices_at_once(self):
        # Each user opens the wizard on the same invoices (saved in its own request, as
        # the web client does before running a button), then both click Export at once.
        wizards = {}
        for uid in self.ids["users"]:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                wizards[uid] = (
                    env["efaktur.export.wizard"]
                    .create({"invoice_ids": [Command.set(self.ids["invoices"])]})
                    .id
                )
        self.ids["wizards"] = list(wizards.values())
        barrier = threading.Barrier(2, timeout=30)  # a lost thread fails, never hangs
        outcomes = {}

        def export(uid):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    wizard = env["efaktur.export.wizard"].browse(wizards[uid])
                    self.assertEqual(len(wizard.invoice_ids), 3)  # read before the race
                    barrier.wait()
                    action = wizard.action_export()
                    outcomes[uid] = (action["res_model"], action["res_id"])
            except UserError as exc:
                outcomes[uid] = ("refused", str(exc))

        threads = [
            threading.Thread(target=export, args=(uid,)) for uid in self.ids["users"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "an export never returned")

        self.assertEqual(len(outcomes), 2, outcomes)
        made = [o for o in outcomes.values() if o[0] == "efaktur.export.batch"]
        refused = [o for o in outcomes.values() if o[0] == "refused"]
        self.assertEqual((len(made), len(refused)), (1, 1), outcomes)
        self.assertIn("Another export is running on these invoices", refused[0][1])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoices = env["account.move"].browse(self.ids["invoices"])
            batch = env["efaktur.export.batch"].browse(made[0][1])
            self.assertEqual(batch.invoice_ids, invoices)
            self.assertEqual(invoices.efaktur_batch_id, batch)
            self.assertEqual(set(invoices.mapped("efaktur_state")), {"exported"})
            self.assertTrue(batch.attachment_ids)
            # No invoice in two batches.
            cr.execute(
                """SELECT move_id FROM efaktur_export_batch_move_rel
                    WHERE move_id = ANY(%s) GROUP BY move_id HAVING count(*) > 1""",
                [invoices.ids],
            )
            self.assertEqual(cr.fetchall(), [])
            self.assertEqual(
                env["efaktur.export.batch"].search_count(
                    [("invoice_ids", "in", invoices.ids)]
                ),
                1,
            )

    def test_second_user_clicks_just_after_the_first_committed(self):
        first, second = self.ids["users"]
        wizards = {}
        for uid in (first, second):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                wizards[uid] = (
                    env["efaktur.export.wizard"]
                    .create({"invoice_ids": [Command.set(self.ids["invoices"])]})
                    .id
                )
        self.ids["wizards"] = list(wizards.values())
        # The second user's request has begun (its snapshot predates the first export).
        with self.registry.cursor() as cr_second:
            env_second = api.Environment(cr_second, second, {})
            wizard_second = env_second["efaktur.export.wizard"].browse(wizards[second])
            self.assertEqual(
                set(wizard_second.invoice_ids.mapped("efaktur_state")), {"to_export"}
            )
            with self.registry.cursor() as cr_first:
                env_first = api.Environment(cr_first, first, {})
                action = (
                    env_first["efaktur.export.wizard"]
                    .browse(wizards[first])
                    .action_export()
                )
                self.assertEqual(action["res_model"], "efaktur.export.batch")
            with self.assertRaisesRegex(UserError, "or has just exported them"):
                wizard_second.action_export()
            cr_second.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoices = env["account.move"].browse(self.ids["invoices"])
            self.assertEqual(invoices.efaktur_batch_id.id, action["res_id"])
            self.assertEqual(
                env["efaktur.export.batch"].search_count(
                    [("invoice_ids", "in", invoices.ids)]
                ),
                1,
            )

    def test_payment_after_export_is_not_a_change(self):
        # A payment in a later transaction writes the invoice and its lines (so their
        # write_date is no sign of a change): the batch must not call it changed.
        uid = self.ids["users"][0]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            wizard = env["efaktur.export.wizard"].create(
                {"invoice_ids": [Command.set(self.ids["invoices"][:1])]}
            )
            self.ids["wizards"] = wizard.ids
            batch_id = wizard.action_export()["res_id"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env["account.move"].browse(self.ids["invoices"][0])
            payments = (
                env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"payment_date": invoice.invoice_date})
                ._create_payments()
            )
            self.ids["payments"] = payments.ids
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            batch = env["efaktur.export.batch"].browse(batch_id)
            invoice = env["account.move"].browse(self.ids["invoices"][0])
            self.assertGreater(invoice.write_date, batch.date, "the payment wrote it")
            self.assertTrue(
                any(li.write_date > batch.date for li in invoice.invoice_line_ids),
                "and its product lines",
            )
            self.assertFalse(
                batch.has_changes, batch.changed_invoice_ids.mapped("name")
            )
