# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A VA review is allocated (or marked refunded) at most once (D6), by an accountant."""

import threading
import uuid

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from .common import PaymentVaCommon


@tagged("post_install", "-at_install")
class TestBookReview(PaymentVaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="va-review-accountant",
            groups="account.group_account_manager",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _unknown_payment_review(self, order_id, amount=75000):
        client = self.midtrans._payment_va_client()
        client.charge(client.build_charge(order_id, amount, "bri"))
        self.midtrans_api.simulate_payment(order_id)
        self._process_inbound()
        review = self.env["payment.va.review"].search(
            [
                ("connection_id", "=", self.midtrans.id),
                ("name", "=like", f"{order_id} /%"),
            ]
        )
        self.assertEqual(len(review), 1)
        return review.with_user(self.accountant)

    def _review_payments(self, review):
        return self.env["account.payment"].search(
            [("memo", "=", f"Review {review.name}")]
        )

    def test_stale_wizard_books_nothing(self):
        review = self._unknown_payment_review("NOT-IN-ODOO-STALE")
        move = self._invoice(75000)
        Wizard = self.env["payment.va.review.allocate"].with_user(self.accountant)
        # Two tabs, or a wizard left open: both were opened while it was to review.
        first = Wizard.create(
            {"review_id": review.id, "partner_id": self.customer.id, "move_id": move.id}
        )
        stale = Wizard.create({"review_id": review.id, "partner_id": self.customer.id})
        first.action_allocate()
        self.assertEqual(review.state, "allocated")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        payment = review.payment_id
        with self.assertRaisesRegex(UserError, "Already handled"):
            stale.action_allocate()
        self.assertEqual(self._review_payments(review), payment)
        self.assertEqual(review.transaction_id.payment_id, payment)
        self.assertEqual(payment.create_uid, self.accountant)
        self.assertEqual(payment.invoice_ids, move)

    def test_refund_after_allocation_is_refused(self):
        review = self._unknown_payment_review("NOT-IN-ODOO-REFUND")
        review._payment_va_allocate(self.customer)
        with self.assertRaisesRegex(UserError, "Already handled"):
            review.action_mark_refunded()
        self.assertEqual(review.state, "allocated")

    def test_accountant_marks_expired_va_payment_refunded_once(self):
        _move, va = self._invoice_with_va(150000)
        self.midtrans_api.simulate_payment(va.reference, status="expire")
        self._process_inbound()
        self.midtrans_api.simulate_payment(va.reference, status="settlement")
        self._process_inbound()
        review = (
            self.env["payment.va.review"]
            .search([("va_id", "=", va.id)])
            .with_user(self.accountant)
        )
        self.assertEqual(review.reason, "expired_va")
        review.action_mark_refunded()
        self.assertEqual(review.state, "refunded")
        self.assertFalse(review.activity_ids)
        with self.assertRaisesRegex(UserError, "Already handled"):
            review.action_mark_refunded()
        with self.assertRaisesRegex(UserError, "Already handled"):
            review._payment_va_allocate(self.customer)
        self.assertFalse(self._review_payments(review))


@tagged("post_install", "-at_install")
class TestBookReviewConcurrently(BaseCase):
    """Two accountants allocate the same review at once, each in a real transaction of
    its own (committed rows, real row locks)."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            journal = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
            )
            connection = env["integration.connection"].create(
                {
                    "name": f"VA review race {tag}",
                    "provider": "midtrans",
                    "company_id": company.id,
                    "va_journal_id": journal.id,
                }
            )
            partner = env["res.partner"].create({"name": f"VA race {tag}"})
            transaction = env["payment.va.transaction"].create(
                {
                    "connection_id": connection.id,
                    "external_id": f"race-{tag}",
                    "reference": f"RACE-{tag}",
                    "amount": 5000,
                    "currency_id": company.currency_id.id,
                    "paid_at": fields.Datetime.now(),
                    "state": "review",
                }
            )
            review = env["payment.va.review"].create(
                {
                    "name": f"RACE-{tag}",
                    "connection_id": connection.id,
                    "transaction_id": transaction.id,
                    "partner_id": partner.id,
                    "currency_id": company.currency_id.id,
                    "amount": 5000,
                    "paid_at": transaction.paid_at,
                    "external_id": transaction.external_id,
                    "reason": "unknown_va",
                }
            )
            transaction.review_id = review
            user = new_test_user(
                env,
                login=f"va-race-{tag}",
                groups="account.group_account_manager",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            self.ids_ = {
                "connection": connection.id,
                "partner": partner.id,
                "transaction": transaction.id,
                "review": review.id,
                "user": user.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        ids = self.ids_
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            payments = env["account.payment"].search(
                [("partner_id", "=", ids["partner"])]
            )
            payment_ids = payments.ids
            payments.action_draft()
            payments.unlink()  # with their (draft) entries
            env["mail.message"].search(
                [
                    "|",
                    "&",
                    ("model", "=", "payment.va.review"),
                    ("res_id", "=", ids["review"]),
                    "&",
                    ("model", "=", "account.payment"),
                    ("res_id", "in", payment_ids),
                ]
            ).unlink()
            env["payment.va.transaction"].browse(ids["transaction"]).unlink()
            env["payment.va.review"].browse(ids["review"]).unlink()
            env["integration.connection"].browse(ids["connection"]).unlink()
            user = env["res.users"].browse(ids["user"])
            user_partner = user.partner_id
            user.unlink()
            (user_partner + env["res.partner"].browse(ids["partner"])).unlink()

    def _allocate(self, cr):
        env = api.Environment(cr, self.ids_["user"], {})
        review = env["payment.va.review"].browse(self.ids_["review"])
        return review._payment_va_allocate(
            env["res.partner"].browse(self.ids_["partner"])
        )

    def test_second_allocation_is_refused_while_and_after_the_first(self):
        first_booked, second_tried = threading.Event(), threading.Event()
        errors = []

        def first():
            try:
                with self.registry.cursor() as cr:
                    self._allocate(cr)
                    first_booked.set()
                    # Hold the row lock (uncommitted) until the other one has tried.
                    second_tried.wait(30)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                first_booked.set()

        thread = threading.Thread(target=first)
        thread.start()
        try:
            self.assertTrue(first_booked.wait(60))
            with self.registry.cursor() as cr:
                with self.assertRaisesRegex(UserError, "Someone else"):
                    self._allocate(cr)
        finally:
            second_tried.set()
            thread.join(60)
        self.assertEqual(errors, [])
        # Odoo replays a request that met a concurrency error, and the person may
        # click again: once the first is committed, the state check refuses it.
        with self.registry.cursor() as cr:
            with self.assertRaisesRegex(UserError, "Already handled"):
                self._allocate(cr)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            review = env["payment.va.review"].browse(self.ids_["review"])
            payments = env["account.payment"].search(
                [("partner_id", "=", self.ids_["partner"])]
            )
            self.assertEqual(len(payments), 1, "the money is booked once")
            self.assertEqual(review.state, "allocated")
            self.assertEqual(review.payment_id, payments)
            self.assertEqual(review.transaction_id.payment_id, payments)
