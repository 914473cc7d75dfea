# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The control panel's carrier box over real HTTP: a person moves a shipment through
its statuses, the carrier's tracking API answers the new status, Odoo follows on
*Refresh tracking* (and, for Biteship, on the webhook the panel sends). The books
survive a restart of the servers (``--state``)."""

import requests

from odoo.tests import HttpCase, tagged

from odoo.addons.base_integration.tests.gateway_servers import GatewayServer
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc
from odoo.addons.base_integration.tests.gateway_servers.__main__ import (
    discover_handlers,
    load_state,
    save_state,
)
from odoo.addons.base_integration.tests.gateway_servers.panel import (
    DemoPanel,
    state_json,
)
from odoo.addons.carrier_api.tests.ship_common import CarrierShipMixin

JSON = {"Accept": "application/json"}
TOKEN = "whsec-test-0123456789"  # IntegrationTestMixin._create_connection


def _post(server, action, **body):
    return requests.post(
        f"{server.url}/panel/carriers/{action}", json=body, headers=JSON, timeout=30
    )


def _server():
    server = GatewayServer(*discover_handlers())
    server.mount(DemoPanel(odoo_url="http://odoo.invalid"))
    return server


def _handler(server, name):
    return next(h for h in server.handlers if h.name == name)


def _row(server, waybill):
    rows = state_json(server)["carriers"]["shipments"]
    return next(r for r in rows if r["waybill"] == waybill)


def _steps(row):
    return [step for step, _at in row["history"]]


def test_moves_through_statuses_and_refusals():
    with _server() as server:
        jne = _handler(server, "jne")
        jne.book("WH/OUT/00007", "JNE0007")
        answer = _post(server, "advance", carrier="jne", waybill="JNE0007")
        assert answer.status_code == 200, answer.text
        assert answer.json()["result"]["step"] == cc.PICKED_UP
        assert "Refresh tracking" in answer.json()["message"]
        # Straight to delivered: every step on the timeline, in order.
        answer = _post(server, "deliver", carrier="jne", waybill="JNE0007")
        assert answer.json()["result"]["step"] == cc.DELIVERED
        row = _row(server, "JNE0007")
        assert row["reference"] == "WH/OUT/00007"
        assert row["status"] == "DELIVERED TO"  # JNE's own words
        assert _steps(row) == list(cc.MAIN_PATH)
        assert row["terminal"] is True
        # What the carrier's own API answers agrees with the panel.
        listed = requests.get(
            server.url + "/jne/_control/shipments", timeout=30
        ).json()["shipments"]
        assert listed[0]["step"] == cc.DELIVERED
        # Nothing moves a delivered parcel; unknown names are said so.
        for action, fields, text in (
            ("advance", {"carrier": "jne", "waybill": "JNE0007"}, "already delivered"),
            ("return", {"carrier": "jne", "waybill": "JNE0007"}, "already delivered"),
            ("advance", {"carrier": "jne", "waybill": "NOPE"}, "not known to jne"),
            ("advance", {"carrier": "dhl", "waybill": "JNE0007"}, "Unknown carrier"),
            ("webhook", {"carrier": "jne", "waybill": "JNE0007"}, "sends no webhooks"),
        ):
            answer = _post(server, action, **fields)
            assert answer.status_code == 400, (action, answer.text)
            assert text in answer.json()["error"], answer.text
        assert _steps(_row(server, "JNE0007")) == list(cc.MAIN_PATH)


def test_failed_attempt_and_return():
    with _server() as server:
        sicepat = _handler(server, "sicepat")
        sicepat.book("WH/OUT/00008", "SCP0008")
        # A parcel not picked up yet neither fails a delivery nor comes back.
        for action in ("fail", "return"):
            answer = _post(server, action, carrier="sicepat", waybill="SCP0008")
            assert answer.status_code == 400, answer.text
        assert _steps(_row(server, "SCP0008")) == [cc.RECORDED]
        for action in ("advance", "advance", "advance", "fail"):
            answer = _post(server, action, carrier="sicepat", waybill="SCP0008")
            assert answer.status_code == 200, answer.text
        assert _row(server, "SCP0008")["step"] == cc.FAILED_ATTEMPT
        # a second failed attempt needs the courier out again first
        answer = _post(server, "fail", carrier="sicepat", waybill="SCP0008")
        assert answer.status_code == 400
        answer = _post(server, "return", carrier="sicepat", waybill="SCP0008")
        assert answer.json()["result"]["step"] == cc.RETURNED
        assert _steps(_row(server, "SCP0008"))[-3:] == [
            cc.FAILED_ATTEMPT,
            cc.RETURNING,
            cc.RETURNED,
        ]


def test_page_lists_shipments_with_buttons_escaped():
    with _server() as server:
        _handler(server, "anteraja").book("<b>SO/1</b>", "TST-0009")
        _handler(server, "jnt").book("WH/OUT/00010", "JP0010")
        _handler(server, "jnt").advance("JP0010", cc.DELIVERED)
        page = requests.get(server.url + "/", timeout=30)
        assert page.status_code == 200
        box = page.text.split("<section id='carriers'>")[1].split("</section>")[0]
        assert "TST-0009" in box and "JP0010" in box
        assert "&lt;b&gt;SO/1&lt;/b&gt;" in box and "<b>SO/1</b>" not in box
        row = box.split("data-waybill='TST-0009'")[1].split("</tr>")[0]
        for action in ("advance", "deliver", "fail", "return"):
            assert f"action='/panel/carriers/{action}'" in row
        # a delivered parcel has no button left
        done = box.split("data-waybill='JP0010'")[1].split("</tr>")[0]
        assert "<button" not in done
        assert "http://" not in page.text.split("<script>")[1]  # no CDN
        # A browser form is answered by a redirect with the message.
        form = requests.post(
            server.url + "/panel/carriers/advance",
            data={"carrier": "anteraja", "waybill": "TST-0009"},
            allow_redirects=False,
            timeout=30,
        )
        assert form.status_code == 303
        assert form.headers["Location"].endswith("#carriers")
        assert _row(server, "TST-0009")["step"] == cc.PICKED_UP


def test_books_and_webhook_url_survive_a_restart(tmp_path):
    path = str(tmp_path / "gateways.pickle")
    first = _server()
    first.start()
    try:
        _handler(first, "jne").book("WH/OUT/00011", "JNE0011")
        assert _post(first, "advance", carrier="jne", waybill="JNE0011").ok
        url = "http://odoo.invalid/carrier_api/biteship/webhook/3?token=t"
        assert _post(first, "save", biteship_webhook_url=url).ok
        before = _row(first, "JNE0011")
    finally:
        first.stop()
    save_state(first, path)

    second = _server()
    assert load_state(second, path)
    with second:  # the restored books serve, and their locks still work
        assert _row(second, "JNE0011") == before
        assert state_json(second)["carriers"]["biteship_webhook_url"] == url
        answer = _post(second, "deliver", carrier="jne", waybill="JNE0011")
        assert answer.status_code == 200, answer.text
        assert _steps(_row(second, "JNE0011")) == list(cc.MAIN_PATH)


@tagged("post_install", "-at_install")
class TestDemoPanelCarriers(CarrierShipMixin, HttpCase):
    """A waybill made in Odoo, moved in the panel, followed by Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.panel = cls.gateway.mount(DemoPanel())

    def setUp(self):
        super().setUp()
        self.panel.settings.clear()

    def _shipped(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        return picking, picking.carrier_tracking_ref

    def _webhook_url(self, token=TOKEN):
        return (
            f"{self.base_url()}/carrier_api/biteship/webhook/{self.connection.id}"
            f"?token={token}"
        )

    def test_refresh_tracking_follows_the_panel(self):
        picking, waybill = self._shipped()
        answer = _post(self.gateway, "advance", carrier="biteship", waybill=waybill)
        self.assertEqual(answer.status_code, 200, answer.text)
        # no webhook URL registered: the panel says Odoo learns it by polling
        self.assertIn("No Biteship webhook URL", answer.json()["message"])
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        self.assertEqual(picking.carrier_api_status_raw, "picked")
        _post(self.gateway, "deliver", carrier="biteship", waybill=waybill)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertEqual(
            picking.carrier_api_tracking_event_ids.mapped("delivery_state").count(
                "delivered"
            ),
            1,
        )

    def test_biteship_webhook_is_accepted_and_followed(self):
        picking, waybill = self._shipped()
        answer = _post(self.gateway, "save", biteship_webhook_url=self._webhook_url())
        self.assertEqual(answer.status_code, 200, answer.text)
        answer = _post(self.gateway, "deliver", carrier="biteship", waybill=waybill)
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json()["result"]["odoo_status"], 200)
        self.assertIn("Odoo answered HTTP 200", answer.json()["message"])
        events = (
            self.env["integration.event"]
            .sudo()
            .search([("connection_id", "=", self.connection.id)])
        )
        self.assertEqual(len(events), 1)
        shipment = self.biteship_api.shipments[waybill]
        self.assertEqual(events._get_payload()["order_id"], shipment["order_id"])
        self.assertEqual(events._get_payload()["status"], "delivered")
        self.env["integration.event"]._process_pending("inbound")
        self.assertEqual(events.state, "done")
        picking.invalidate_recordset()
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        # A URL with a wrong token: Odoo refuses, the panel says so.
        _post(self.gateway, "save", biteship_webhook_url=self._webhook_url("wrong"))
        answer = _post(self.gateway, "webhook", carrier="biteship", waybill=waybill)
        self.assertEqual(answer.json()["result"]["odoo_status"], 403)
        self.assertIn("Odoo answered HTTP 403", answer.json()["message"])

    def test_failed_attempt_then_return_followed(self):
        picking, waybill = self._shipped()
        for action in ("advance", "advance", "fail"):
            answer = _post(self.gateway, action, carrier="biteship", waybill=waybill)
            self.assertEqual(answer.status_code, 200, answer.text)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "failed_attempt")
        self.assertEqual(picking.carrier_api_status_raw, "on_hold")
        _post(self.gateway, "return", carrier="biteship", waybill=waybill)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "returned")
        self.assertIn(
            "returning", picking.carrier_api_tracking_event_ids.mapped("delivery_state")
        )
