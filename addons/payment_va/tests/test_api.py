# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plain-Python clients and helpers, against the documented examples."""

import hashlib
from datetime import datetime
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from odoo.addons.base_integration.api.exceptions import PermanentError, SignatureError

from ..api import midtrans, xendit
from ..controllers.main import describe_midtrans, describe_xendit
from .common import load_fixture

KEY = "SB-Mid-server-TEST-KEY"


@tagged("post_install", "-at_install")
class TestMidtransHelpers(BaseCase):
    def _signed(self, **overrides):
        data = load_fixture("midtrans_notification_bni_settlement.json")
        data.update(overrides)
        data["signature_key"] = midtrans.signature(
            data["order_id"], data["status_code"], data["gross_amount"], KEY
        )
        return data

    def test_signature_formula_over_exact_strings(self):
        data = self._signed()
        expected = hashlib.sha512(b"bni-va-01200150000.00" + KEY.encode()).hexdigest()
        self.assertEqual(data["signature_key"], expected)
        midtrans.verify_signature(data, KEY)  # does not raise

    def test_signature_rejections(self):
        data = self._signed()
        # Re-formatting the amount (a common community-module bug) breaks the signature.
        with self.assertRaises(SignatureError) as ctx:
            midtrans.verify_signature(dict(data, gross_amount="150000"), KEY)
        self.assertEqual(ctx.exception.status, 403)
        with self.assertRaises(SignatureError) as ctx:
            midtrans.verify_signature(dict(data, signature_key=""), KEY)
        self.assertEqual(ctx.exception.status, 401)
        with self.assertRaises(SignatureError) as ctx:
            midtrans.verify_signature(data, "")  # fail closed without a key
        self.assertEqual(ctx.exception.status, 403)
        with self.assertRaises(SignatureError):
            midtrans.verify_signature(dict(data, gross_amount=150000.0), KEY)

    def test_amounts_and_fee_imposition(self):
        self.assertEqual(midtrans.parse_amount("150000.00"), Decimal("150000"))
        with self.assertRaises(ValueError):
            midtrans.parse_amount("NaN")
        fee = load_fixture("midtrans_notification_fee_imposition.json")
        self.assertEqual(midtrans.paid_amount(fee), Decimal("150000.00"))

    def test_va_details_per_bank(self):
        bni = load_fixture("midtrans_notification_bni_settlement.json")
        self.assertEqual(
            midtrans.va_details(bni), {"bank": "bni", "va_number": "3333000000111111"}
        )
        permata = load_fixture("midtrans_charge_permata_response.json")
        self.assertEqual(midtrans.va_details(permata)["va_number"], "8562000087926752")
        mandiri = load_fixture("midtrans_charge_mandiri_response.json")
        self.assertEqual(
            midtrans.va_details(mandiri),
            {"bank": "mandiri", "biller_code": "70012", "bill_key": "778347787706"},
        )

    def test_build_charge(self):
        body = midtrans.MidtransClient.build_charge(
            "INV-2026-00001-7",
            150000,
            "mandiri",
            expiry_minutes=60,
            bill_info=("Invoice label too long", "x" * 40),
        )
        self.assertEqual(body["payment_type"], "echannel")
        self.assertEqual(len(body["echannel"]["bill_info1"]), 10)
        self.assertEqual(len(body["echannel"]["bill_info2"]), 30)
        self.assertEqual(body["transaction_details"]["gross_amount"], 150000)
        with self.assertRaises(PermanentError):
            midtrans.MidtransClient.build_charge("X-1", 1, "danamon")

    def test_describe(self):
        described = describe_midtrans(self._signed())
        self.assertEqual(
            described["dedupe_key"],
            "midtrans:9aed5972-5b6a-401e-894b-a32c91ed1a3a:settlement",
        )
        with self.assertRaisesRegex(ValueError, "transaction_id"):
            describe_midtrans({"order_id": "x", "transaction_status": "settlement"})


@tagged("post_install", "-at_install")
class TestXenditHelpers(BaseCase):
    def test_describe_callbacks(self):
        paid = describe_xendit(load_fixture("xendit_fva_paid_callback.json"))
        self.assertEqual(paid["dedupe_key"], "xendit:payment:5f218745736e619164dc8608")
        self.assertEqual(paid["event_type"], "fva_paid")
        created = describe_xendit(load_fixture("xendit_fva_created_callback.json"))
        self.assertEqual(created["event_type"], "fva_status")
        with self.assertRaises(ValueError):
            describe_xendit({"amount": 1})

    def test_token(self):
        xendit.verify_callback_token("tok", "tok")
        for expected, given, status in (
            ("tok", "", 401),
            ("tok", "bad", 403),
            ("", "tok", 403),
        ):
            with self.assertRaises(SignatureError) as ctx:
                xendit.verify_callback_token(expected, given)
            self.assertEqual(ctx.exception.status, status)

    def test_build_fixed_va(self):
        closed = xendit.XenditClient.build_fixed_va(
            "INV-1",
            "BRI",
            "PT. Maju-Jaya 2",
            amount=150000,
            expires_at=datetime(2026, 1, 31, 17, 0),
        )
        self.assertEqual(closed["name"], "PT MajuJaya")
        self.assertTrue(closed["is_closed"] and closed["is_single_use"])
        self.assertEqual(closed["expected_amount"], 150000)
        self.assertEqual(closed["expiration_date"], "2026-01-31T17:00:00.000Z")
        open_va = xendit.XenditClient.build_fixed_va("C-1", "BCA", "Budi")
        self.assertFalse(open_va["is_closed"] or open_va["is_single_use"])
        self.assertEqual(
            xendit.parse_iso("2021-07-24T05:22:55.115Z"),
            datetime(2021, 7, 24, 5, 22, 55, 115000),
        )
