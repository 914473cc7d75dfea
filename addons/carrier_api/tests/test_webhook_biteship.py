# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship webhooks over HTTP: a hint that makes us re-read the shipment; forged or
malformed deliveries answered 4xx with nothing written."""

import json

from odoo.modules.registry import Registry
from odoo.tests import HttpCase, get_db_name, tagged

from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from .ship_common import CarrierShipCase

URL = "/carrier_api/biteship/webhook/%s"
TOKEN = "whsec-test-0123456789"  # IntegrationTestMixin._create_connection


class BiteshipWebhookCase(CarrierShipCase, HttpCase):
    """Setup and helpers of the Biteship webhook tests over HTTP (no test of its own)."""

    @classmethod
    def setUpClass(cls):
        # HttpCase and ship_common both put the registry in test mode: only the
        # outermost enter/leave pair acts.
        registry = Registry(get_db_name())
        real_enter, real_leave = registry.enter_test_mode, registry.leave_test_mode
        depth = []

        def enter(cr, *args, **kwargs):
            depth.append(1)
            if len(depth) == 1:
                real_enter(cr, *args, **kwargs)

        def leave():
            depth.pop()
            if not depth:
                real_leave()

        registry.enter_test_mode, registry.leave_test_mode = enter, leave

        def restore():
            del registry.enter_test_mode
            del registry.leave_test_mode

        cls.addClassCleanup(restore)
        super().setUpClass()

    def _post(self, body, token=TOKEN, connection=None):
        connection = connection or self.connection
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        # a POST even for an empty body (url_open would send a GET)
        return self.opener.post(
            self.base_url()
            + URL % connection.id
            + (f"?token={token}" if token is not None else ""),
            data=data,
            headers={"Content-Type": "application/json"},
            timeout=12,
        )

    def _events(self):
        return (
            self.env["integration.event"]
            .sudo()
            .search([("connection_id", "=", self.connection.id)])
        )

    def _shipped(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        shipment = self.biteship_api.shipments[picking.carrier_tracking_ref]
        return picking, shipment

    def _process(self):
        return self.env["integration.event"]._process_pending("inbound")


@tagged("post_install", "-at_install")
class TestBiteshipWebhook(BiteshipWebhookCase):
    def test_hint_rereads_the_shipment(self):
        picking, shipment = self._shipped()
        self.biteship_api.advance(picking.carrier_tracking_ref)  # picked
        # The hint claims "delivered": only what the API answers counts.
        response = self._post(
            {
                "event": "order.status",
                "order_id": shipment["order_id"],
                "courier_waybill_id": picking.carrier_tracking_ref,
                "status": "delivered",
                "updated_at": "2026-12-02T10:00:00+07:00",
            }
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self._events()), 1)
        calls = len(self.gateway.requests)
        self._process()
        self.assertEqual(self._events().state, "done")
        self.assertGreater(len(self.gateway.requests), calls)  # re-read by API
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        self.assertEqual(picking.carrier_api_status_raw, "picked")

    def test_hint_by_waybill_only_when_order_unknown(self):
        picking, _shipment = self._shipped()
        self.biteship_api.advance(picking.carrier_tracking_ref, cc.PICKED_UP)
        self._post(
            {
                "event": "order.status",
                "order_id": "0123456789abcdef01234567",
                "courier_waybill_id": picking.carrier_tracking_ref,
                "status": "picked",
            }
        )
        self._process()
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")

    def test_forged_token_refused_nothing_written(self):
        picking, shipment = self._shipped()
        body = {"event": "order.status", "order_id": shipment["order_id"]}
        # base_integration's verify_token: 401 without a token, 403 for a wrong one
        for token, status in (("wrong", 403), ("", 401), (None, 401)):
            response = self._post(body, token=token)
            self.assertEqual(response.status_code, status, token)
        # an unknown connection id looks the same
        response = self.url_open(
            URL % 999999 + f"?token={TOKEN}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._events())
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")

    def test_malformed_bodies_4xx_nothing_applied(self):
        picking, shipment = self._shipped()
        bad = [
            b"{not json",
            b"[1, 2]",
            {"event": "order.status"},  # no order id
            {"event": ["order.status"], "order_id": shipment["order_id"]},
            {"event": "order.status", "order_id": {"$ne": None}},
            {"event": "order.status", "order_id": 10**400},
            {"event": "order.status", "order_id": "x" * 10000},
            {"event": "order.status", "order_id": "a/../b"},
            {"event": "something.else", "order_id": shipment["order_id"]},
            ("[" * 5000 + "]" * 5000).encode(),
        ]
        for body in bad:
            response = self._post(body)
            self.assertEqual(response.status_code, 400, str(body)[:60])
        # kept (signed by our token) for a person to inspect, never processed
        self.assertFalse(self._events().filtered(lambda e: e.state != "failed"))
        self._process()
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertEqual(len(picking.carrier_api_tracking_event_ids), 1)

    def test_empty_installation_check(self):
        self.assertEqual(self._post(b"").status_code, 200)
        self.assertEqual(self._post(b"", token="bad").status_code, 403)
        self.assertFalse(self._events())
