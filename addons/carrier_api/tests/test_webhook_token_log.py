# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship can only be given a URL, so its webhook secret travels as ``?token=``:
Odoo's access log (werkzeug's request line) must never show it."""

import logging
import threading

from odoo.tests import HttpCase, tagged

from odoo.addons.base_integration.api.http import mask_logged_queries
from odoo.addons.base_integration.tests.common import IntegrationTestMixin

URL = "/carrier_api/biteship/webhook/%s"
TOKEN = "whsec-test-0123456789"  # IntegrationTestMixin._create_connection


class _Catch(logging.Handler):
    """Keeps the formatted werkzeug lines; tells when the webhook's line came (the
    server thread logs it after the client has its answer)."""

    def __init__(self, marker):
        super().__init__(logging.DEBUG)
        self.marker = marker
        self.lines = []
        self.seen = threading.Event()

    def emit(self, record):
        line = record.getMessage()
        self.lines.append(line)
        if self.marker in line:
            self.seen.set()


@tagged("post_install", "-at_install")
class TestWebhookTokenNotLogged(IntegrationTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(
            name="Biteship (log test)", provider="biteship", api_key="biteship_test.x"
        )

    def _post_and_catch(self, query):
        path = URL % self.connection.id
        catch = _Catch(path)
        logger = logging.getLogger("werkzeug")
        # assertLogs lowers the level to INFO for the block (tests run quieter);
        # by number: Odoo names its level 25 "INFO" too.
        with self.assertLogs("werkzeug", logging.INFO) as logs:
            logger.addHandler(catch)
            try:
                # An empty body: the dashboard's installation check, answered 200.
                response = self.opener.post(
                    self.base_url() + path + query, data=b"", timeout=12
                )
                self.assertTrue(catch.seen.wait(10), catch.lines)
            finally:
                logger.removeHandler(catch)
        return response, [line for line in logs.output if path in line]

    def test_token_masked_in_access_log(self):
        response, lines = self._post_and_catch(f"?token={TOKEN}&x=1")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(lines), 1, lines)
        self.assertNotIn(TOKEN, lines[0])
        self.assertIn(f"{URL % self.connection.id}?token=***&x=1", lines[0])
        self.assertIn('" 200 ', lines[0])

    def test_wrong_token_masked_too(self):
        response, lines = self._post_and_catch("?token=guess-0123456789")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("guess-0123456789", " ".join(lines))
        self.assertIn("?token=***", lines[0])

    def test_filter_is_installed_once(self):
        logger = logging.getLogger("werkzeug")

        def ours():
            return [f for f in logger.filters if type(f).__name__ == "_MaskQueryFilter"]

        # base_integration installed it when it was loaded; again changes nothing.
        self.assertEqual(len(ours()), 1)
        mask_logged_queries("werkzeug")
        self.assertEqual(len(ours()), 1)
