# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""JNE pickup after the review, as the warehouse user against the JNE test server:
each acceptance is committed before the next waybill is asked, an unclear answer
blocks a new request until a person checked, a clear refusal is "Refused"."""

import re
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from ..models.stock_picking_pickup import StockPicking
from .carriers_common import MultiCarrierMixin
from .ship_common import CarrierShipCase
from .test_pickup_carriers import wib_to_utc

PICKUP = re.compile(r"/jne/pickupcashless$")


@tagged("post_install", "-at_install")
class TestPickupReview(MultiCarrierMixin, CarrierShipCase):
    def setUp(self):
        super().setUp()
        self.start, self.end = wib_to_utc(1, 10), wib_to_utc(1, 14)

    def _request(self, pickings):
        action = pickings.action_carrier_api_request_pickup()
        wizard = (
            self.env["carrier.api.pickup.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({"start": self.start, "end": self.end})
        )
        return wizard.action_request()

    def _pickup_calls(self):
        return [r for r in self.carrier_server.requests if PICKUP.search(r.path)]

    def test_each_acceptance_is_committed_before_the_next_call(self):
        pickings = [self._shipped(self.jne_direct_reg) for _i in range(3)]
        batch = pickings[0] | pickings[1] | pickings[2]
        committed = []  # (waybills committed, pickup calls made so far)
        real = StockPicking._carrier_api_pickup_ledger

        def ledger(records, result, start, end):
            committed.append((list(result.waybills), len(self._pickup_calls())))
            return real(records, result, start, end)

        # the third answer is lost (a timeout-like 502 after the send)
        self.carrier_server.faults.add(PICKUP, Fault(), times=2)
        self.carrier_server.faults.add(PICKUP, Fault(status=502))
        with patch.object(StockPicking, "_carrier_api_pickup_ledger", ledger):
            self._request(batch)
        waybills = [p.carrier_tracking_ref for p in pickings]
        # one side transaction per acceptance, right after its own call
        self.assertEqual(committed, [([waybills[0]], 1), ([waybills[1]], 2)])
        rows = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search(
                [("picking_id", "in", batch.ids), ("pickup_requested_at", "!=", False)]
            )
        )
        self.assertEqual(sorted(rows.mapped("waybill")), sorted(waybills[:2]))
        self.assertEqual(
            [p.carrier_api_pickup_state for p in pickings],
            ["requested", "requested", "uncertain"],
        )
        # the unclear one is blocked, before any call, until a person checked
        calls = len(self._pickup_calls())
        with self.assertRaisesRegex(UserError, "unclear"):
            self._request(pickings[2])
        self.assertEqual(len(self._pickup_calls()), calls)
        pickings[2].action_carrier_api_pickup_checked()
        self.assertEqual(pickings[2].carrier_api_pickup_state, "none")
        self.assertEqual(self._request(pickings[2])["params"]["type"], "success")
        self.assertEqual(pickings[2].carrier_api_pickup_state, "requested")

    def test_clear_refusal_is_refused_and_can_be_asked_again(self):
        picking = self._shipped(self.jne_direct_reg)
        self.jne_connection.api_key = "wrong-jne-key-000"
        self._request(picking)
        self.assertEqual(picking.carrier_api_pickup_state, "failed")
        self.assertEqual(
            dict(picking._fields["carrier_api_pickup_state"].selection)["failed"],
            "Refused",
        )
        self.jne_connection.api_key = self.jne_api.api_key
        self.assertEqual(self._request(picking)["params"]["type"], "success")
        self.assertEqual(picking.carrier_api_pickup_state, "requested")

    def test_committed_acceptance_is_restored_not_asked_again(self):
        """The ledger says JNE accepted (a request rolled back after its side
        commit): the next request restores it without a call."""
        picking = self._shipped(self.jne_direct_reg)
        row = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("picking_id", "=", picking.id), ("state", "=", "sent")])
        )
        self.assertEqual(len(row), 1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE carrier_api_waybill SET pickup_requested_at = now(), "
            "pickup_ref = 'PU-EARLIER', pickup_start = %s, pickup_end = %s "
            "WHERE id = %s",
            [self.start, self.end, row.id],
        )
        calls = len(self._pickup_calls())
        self.assertEqual(self._request(picking)["params"]["type"], "success")
        self.assertEqual(len(self._pickup_calls()), calls)
        self.assertEqual(picking.carrier_api_pickup_ref, "PU-EARLIER")
