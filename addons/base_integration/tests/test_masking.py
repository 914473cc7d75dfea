# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from datetime import datetime, timezone

from odoo.tests import BaseCase, tagged

from ..api import masking
from ..api.exceptions import SignatureError
from ..api.http import parse_retry_after
from ..api.signing import hmac_hex, verify_hmac, verify_token


@tagged("post_install", "-at_install")
class TestMasking(BaseCase):
    def test_headers_masked_by_name(self):
        masked = masking.mask_headers(
            {"Authorization": "Basic abc", "X-Callback-Token": "tok", "Accept": "json"}
        )
        self.assertEqual(masked["Authorization"], masking.MASK)
        self.assertEqual(masked["X-Callback-Token"], masking.MASK)
        self.assertEqual(masked["Accept"], "json")

    def test_query_and_json_masked(self):
        url = masking.mask_url(
            "https://x.test/api?shop_id=5&sign=deadbeef&access_token=zz"
        )
        self.assertNotIn("deadbeef", url)
        self.assertNotIn("zz", url)
        self.assertIn("shop_id=5", url)
        body = masking.mask_body(
            {"order": {"id": 1, "server_key": "SB-1"}, "partner_key": "p"}
        )
        self.assertNotIn("SB-1", body)
        self.assertNotIn('"p"', body)
        self.assertIn('"id": 1', body)

    def test_literal_secret_values_masked_anywhere(self):
        text = masking.mask_body("free text with s3cr3t-value inside", ["s3cr3t-value"])
        self.assertNotIn("s3cr3t-value", text)

    def test_body_truncated(self):
        self.assertLess(len(masking.mask_body("x" * 50000, limit=100)), 200)


@tagged("post_install", "-at_install")
class TestSigning(BaseCase):
    def test_hmac_roundtrip_and_case(self):
        digest = hmac_hex("key", b"body")
        verify_hmac("key", b"body", digest.upper())  # hex case does not matter

    def test_fails_closed(self):
        with self.assertRaises(SignatureError) as ctx:
            verify_hmac("", b"body", "whatever")
        self.assertEqual(ctx.exception.status, 403)
        with self.assertRaises(SignatureError) as ctx:
            verify_token("expected", "")
        self.assertEqual(ctx.exception.status, 401)
        with self.assertRaises(SignatureError) as ctx:
            verify_token("expected", "wrong")
        self.assertEqual(ctx.exception.status, 403)

    def test_retry_after(self):
        self.assertEqual(parse_retry_after("3"), 3.0)
        now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
        self.assertEqual(parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now), 5.0)
        self.assertIsNone(parse_retry_after("soon"))
