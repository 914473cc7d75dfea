# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.tests import HttpCase, tagged

from .common import IntegrationTestMixin


@tagged("post_install", "-at_install")
class TestIntegrationUi(IntegrationTestMixin, HttpCase):
    def test_retry_a_dead_letter_from_the_dashboard(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Tour handler",
                "model_id": self.env.ref("base_integration.model_integration_event").id,
                "state": "code",
                "code": "pass",
            }
        )
        connection = self._create_connection(
            name="Tour connection", generic_action_id=action.id
        )
        event_id, _created = self.env["integration.event"]._store_inbound(
            connection,
            handler="_generic_process_event",
            event_type="order",
            external_id="tour-evt-1",
            dedupe_key="tour-evt-1",
            body="{}",
            state="failed",
            error="gateway was down",
        )
        self.start_tour(
            "/odoo/action-base_integration.integration_dashboard_action",
            "base_integration_retry_tour",
            login="admin",
        )
        event = self.env["integration.event"].browse(event_id)
        self.assertEqual(event.state, "done")
