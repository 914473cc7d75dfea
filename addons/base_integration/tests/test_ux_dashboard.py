# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue 9, items 4-6: what a person sees on the dashboard and after a click.

Expected values are written by hand from the rules of the issue: one event counts
once (queued or failed), "Working" only after real work, messages say what to do.
"""

import json

import requests

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..api.exceptions import AuthenticationError, CircuitOpenError, RetryableError
from ..models.integration_event import Idle
from .common import IntegrationTestMixin

SECRET = "sk-live-VERYSECRET-123456"


@tagged("post_install", "-at_install")
class TestUxDashboard(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="ux_integration_manager",
            groups="base.group_user,base_integration.group_integration_manager",
        )
        cls.viewer = new_test_user(
            cls.env,
            login="ux_integration_user",
            groups="base.group_user,base_integration.group_integration_user",
        )
        cls.action = cls.env["ir.actions.server"].create(
            {
                "name": "UX handler",
                "model_id": cls.env.ref("base_integration.model_integration_event").id,
                "state": "code",
                "code": "pass",
            }
        )
        cls.connection = cls._create_connection(
            name="UX webhook", generic_action_id=cls.action.id, api_secret=SECRET
        )
        cls.Event = cls.env["integration.event"]

    def _store(self, key, **vals):
        event_id, _created = self.Event._store_inbound(
            self.connection,
            handler="_generic_process_event",
            event_type="test",
            external_id=key,
            dedupe_key=key,
            body=json.dumps({"id": key}),
            **vals,
        )
        return self.Event.browse(event_id)

    def _card(self):
        """The connection as the dashboard's reader sees it (fresh figures)."""
        card = self.connection.with_user(self.viewer)
        card.invalidate_recordset()
        return card

    def _count_of(self, action):
        return (
            self.env["integration.event"]
            .with_user(self.viewer)
            .search_count(action["domain"])
        )

    # ------------------------------------------------------------------ counts
    def test_one_failed_event_counts_once(self):
        """The issue's "1 waiting / 2 failures" for one event: a failed event was
        counted as waiting (it will be retried) and as a failure, plus its failed HTTP
        call. Now: 0 queued, 1 failed."""
        event = self._store("ux-failed", state="failed", error="gateway was down")
        event.dead_letter = False  # failed once, retried later
        log = self.env["integration.log"]._make_logger(self.connection)
        log({"method": "POST", "url": "http://gw/x", "status_code": 500})
        card = self._card()
        self.assertEqual(card.waiting_event_count, 0)
        self.assertEqual(card.failed_event_count, 1)
        self.assertEqual(card.http_error_count_24h, 1)
        self.assertEqual(card.health_state, "warning")

    def test_counts_equal_the_lists_they_open(self):
        self._store("ux-queued-1")
        self._store("ux-queued-2")
        retrying = self._store("ux-retrying", state="failed", error="later")
        retrying.dead_letter = False
        dead = self._store("ux-dead", state="failed", error="for good")
        self.assertTrue(dead.dead_letter, "stored failed: kept for a person")
        done = self._store("ux-done")
        done.write({"state": "done", "productive": True})
        card = self._card()
        # by hand: 2 queued; 2 failed (one retrying, one dead letter); 1 dead letter
        self.assertEqual(card.waiting_event_count, 2)
        self.assertEqual(card.failed_event_count, 2)
        self.assertEqual(card.dead_letter_count, 1)
        self.assertEqual(
            self._count_of(card.action_open_waiting_events()), card.waiting_event_count
        )
        self.assertEqual(
            self._count_of(card.action_open_failed_events()), card.failed_event_count
        )
        self.assertEqual(
            self._count_of(card.action_open_dead_letters()), card.dead_letter_count
        )
        self.assertEqual(card.health_state, "error")
        log = self.env["integration.log"]._make_logger(self.connection)
        log({"method": "GET", "url": "http://gw/a", "status_code": 502})
        log({"method": "GET", "url": "http://gw/b", "status_code": None})
        log({"method": "GET", "url": "http://gw/c", "status_code": 200})
        card.invalidate_recordset()
        self.assertEqual(card.http_error_count_24h, 2)
        action = self.connection.with_user(self.manager).action_open_http_errors()
        self.assertEqual(
            self.env["integration.log"]
            .with_user(self.manager)
            .search_count(action["domain"]),
            2,
        )

    # ------------------------------------------------------------------ health
    def test_never_connected_is_not_connected(self):
        bare = self._create_connection(name="UX bare", webhook_secret=False)
        bare.invalidate_recordset()
        self.assertEqual(bare.with_user(self.viewer).health_state, "not_connected")
        with self.assertRaisesRegex(UserError, "is not set up: an administrator"):
            bare.with_user(self.manager).action_test_connection()

    def test_poll_that_did_nothing_is_not_working(self):
        """A handler returning Idle (a poll that found nothing) and a successful
        call made without real work leave the card at "Not used yet"."""
        self.action.code = "pass"
        event = self._store("ux-idle")
        self.env["integration.log"]._make_logger(self.connection)(
            {"method": "GET", "url": "http://gw/poll", "status_code": 200}
        )
        event._record_done(Idle(self.connection))
        self.assertEqual(event.state, "done")
        self.assertFalse(event.productive)
        self.assertEqual(
            (event.res_model, event.res_id), (self.connection._name, self.connection.id)
        )
        card = self._card()
        self.assertEqual(card.health_state, "new")
        self.assertFalse(card.last_success_at)

    def test_productive_event_is_working(self):
        self._store("ux-real")
        self.Event._process_pending("inbound")
        card = self._card()
        self.assertEqual(card.health_state, "ok")
        self.assertTrue(card.last_success_at)

    def test_productive_call_is_working(self):
        productive = self.connection.with_context(integration_productive=True)
        self.env["integration.log"]._make_logger(productive)(
            {"method": "POST", "url": "http://gw/va", "status_code": 201}
        )
        self.assertEqual(self._card().health_state, "ok")

    # ------------------------------------------------------------------ actions
    def test_retry_and_process_now_say_what_they_did(self):
        first = self._store("ux-r1", state="failed", error="down")
        second = self._store("ux-r2", state="failed", error="down")
        answer = (first | second).with_user(self.manager).action_retry()
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("2 event(s) queued for a retry", answer["params"]["message"])
        self.assertEqual(answer["params"]["next"]["tag"], "soft_reload")
        self.assertEqual({first.state, second.state}, {"received"})

        third = self._store("ux-r3", state="failed", error="down")
        answer = third.with_user(self.manager).action_process_now()
        self.assertEqual(third.state, "done")
        self.assertEqual(answer["params"]["type"], "success")
        self.assertIn("processed", answer["params"]["message"])

        self.action.code = 'raise UserError("stock is locked")'
        fourth = self._store("ux-r4", state="failed", error="down")
        answer = fourth.with_user(self.manager).action_process_now()
        self.assertEqual(fourth.state, "failed")
        self.assertEqual(answer["params"]["type"], "danger")
        self.assertIn(
            "failed again: UserError: stock is locked", answer["params"]["message"]
        )

    def test_gateway_errors_become_actionable_user_errors(self):
        connection = self.connection.with_user(self.manager)
        cases = [
            (
                RetryableError(f"ConnectionError: http://gw/?key={SECRET}"),
                "could not be reached while syncing",
            ),
            (
                requests.ConnectionError(f"Max retries with url /x?token={SECRET}"),
                "could not be reached while syncing",
            ),
            (
                AuthenticationError("401 invalid key", status_code=401),
                "refused the credentials",
            ),
            (CircuitOpenError("open"), "calls are paused for a minute"),
            (KeyError(SECRET), "failed unexpectedly (KeyError)"),
        ]
        for exc, expected in cases:
            with self.subTest(exc=type(exc).__name__):
                with self.assertRaises(UserError) as caught:
                    with connection._integration_user_errors("syncing"):
                        raise exc
                text = str(caught.exception)
                self.assertIn(expected, text)
                self.assertIn("UX webhook", text)
                self.assertNotIn(SECRET, text)

    def test_test_connection_without_a_test_says_so(self):
        with self.assertRaisesRegex(UserError, "no connection test"):
            self.connection.with_user(self.manager).action_test_connection()

    # ------------------------------------------------------------------ settings
    def test_responsible_defaults_to_the_creator(self):
        mine = (
            self.env["integration.connection"]
            .with_user(self.manager)
            .create({"name": "UX mine", "provider": "generic"})
        )
        self.assertEqual(mine.responsible_user_id, self.manager)
        scripted = (
            self.env["integration.connection"]
            .with_user(SUPERUSER_ID)
            .create({"name": "UX scripted", "provider": "generic"})
        )
        self.assertEqual(
            scripted.responsible_user_id,
            self.env.ref("base.user_admin"),
            "OdooBot reads no activity: the administrator gets them",
        )

    def test_webhook_url_warns_about_local_or_plain_http(self):
        params = self.env["ir.config_parameter"].sudo()
        cases = [
            ("http://localhost:8069", "the provider cannot reach it"),
            ("http://127.0.0.1:8069", "the provider cannot reach it"),
            ("http://erp.example.co.id", "plain http"),
            ("https://erp.example.co.id", False),
        ]
        for base, expected in cases:
            with self.subTest(base=base):
                params.set_param("web.base.url", base)
                card = self.connection.with_user(self.viewer)
                card.invalidate_recordset()
                self.assertEqual(
                    card.webhook_url, f"{base}/integration/webhook/{card.id}"
                )
                if expected:
                    self.assertIn(expected, card.webhook_url_warning)
                else:
                    self.assertFalse(card.webhook_url_warning)


@tagged("post_install", "-at_install")
class TestUxSettings(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env, login="ux_settings_admin", groups="base.group_system"
        )

    def _checklist(self):
        settings = self.env["res.config.settings"].with_user(self.admin).create({})
        return settings, str(settings.integration_checklist)

    def test_checklist_follows_the_setup(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "http://localhost:8069"
        )
        self.env["integration.connection"].search([]).active = False
        settings, html = self._checklist()
        self.assertIn(
            "the provider cannot reach it", settings.integration_base_url_warning
        )
        # three unchecked steps, each with what to do
        self.assertEqual(html.count("fa-square-o"), 3, html)
        self.assertIn("press Test connection on its form", html)

        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.co.id"
        )
        connection = self._create_connection(name="UX settings")
        settings, html = self._checklist()
        self.assertFalse(settings.integration_base_url_warning)
        self.assertEqual(settings.integration_connection_count, 1)
        self.assertEqual(html.count("fa-check-square"), 2, html)
        connection.tested_at = "2026-12-01 10:00:00"
        settings, html = self._checklist()
        self.assertEqual(html.count("fa-check-square"), 3, html)
        self.assertNotIn("press Test connection", html)
