# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every package of a multi-package shipment is tracked: a delivery of two packages
(two Biteship orders, two waybills, two ledger rows) created by the warehouse user,
each package's history moved on separately over the server's control route, the
*Refresh tracking* button (carrier user) and the cron read both over HTTP."""

import re
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import biteship as bs_server
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc

from ..models import const
from .ship_common import CarrierShipCase

TRACKING = re.compile(r"/v1/trackings/([^/]+)/")


@tagged("post_install", "-at_install")
class TestAggregateState(CarrierShipCase):
    def test_aggregate_rules(self):
        agg = const.aggregate_state
        self.assertEqual(agg(["delivered", "delivered"]), "delivered")
        self.assertEqual(agg(["delivered", "in_transit"]), "in_transit")
        self.assertEqual(agg(["picked_up", "out_for_delivery"]), "picked_up")
        self.assertEqual(agg(["returned", "returned"]), "returned")
        # over, partly returned: returned (the customer did not get everything)
        self.assertEqual(agg(["delivered", "returned"]), "returned")
        # the worst wins, in const.AGGREGATE_WORST's order
        self.assertEqual(agg(["delivered", "failed_attempt"]), "failed_attempt")
        self.assertEqual(agg(["failed_attempt", "returning"]), "returning")
        self.assertEqual(agg(["returning", "incident", "recorded"]), "incident")
        # a package the carrier cancelled does not count, unless all are
        self.assertEqual(agg(["cancelled", "delivered"]), "delivered")
        self.assertEqual(agg(["cancelled", "cancelled"]), "cancelled")
        # a package without a known state: never over, else the others' state
        self.assertIsNone(agg(["delivered", None]))
        self.assertEqual(agg(["in_transit", None]), "in_transit")
        self.assertIsNone(agg([None, None]))
        self.assertIsNone(agg([]))


@tagged("post_install", "-at_install")
class TestTrackingPackages(CarrierShipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "budi@example.com"

    # ------------------------------------------------------------------ helpers
    def _shipped_in_two(self):
        """A delivery of two packages, one waybill each, booked by the carrier user."""
        picking = self._ready_picking(quantity=2)
        line = picking.sudo().move_line_ids
        line.quantity = 1
        other = line.copy({"quantity": 1})
        first_box, second_box = self.env["stock.quant.package"].create([{}, {}])
        line.result_package_id = first_box
        other.result_package_id = second_box
        picking.action_carrier_api_create_waybill()
        waybills = picking.carrier_tracking_ref.split(",")
        self.assertEqual(len(waybills), 2)
        self.assertEqual(sorted(self.biteship_api.shipments), sorted(waybills))
        return picking, waybills

    def _advance(self, waybill, to=None):
        """Move one package on over the server's control route (real HTTP)."""
        response = requests.post(
            f"{self.gateway.url}{self.biteship_api.prefix}/_control/advance/{waybill}",
            json={"to": to} if to else {},
            timeout=5,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["step"]

    def _rows(self, picking):
        """The packages' ledger rows, as the carrier user reads them, by waybill."""
        # written in side transactions by the waybill flow: not in the cache
        picking.invalidate_recordset(["carrier_api_package_ids"])
        return {row.waybill: row for row in picking.carrier_api_package_ids}

    def _polled(self):
        return [
            match.group(1)
            for request in self.gateway.requests
            if (match := TRACKING.search(request.path))
        ]

    def _cron(self, picking):
        picking.sudo().carrier_api_next_poll = fields.Datetime.now() - timedelta(
            seconds=1
        )
        return self.env["stock.picking"]._cron_carrier_api_track()

    def _mails(self, template):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("subject", "ilike", template)], order="id")
        )

    # ------------------------------------------------------------------ tests
    def test_delivered_when_every_package_is(self):
        picking, (first, second) = self._shipped_in_two()
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(sorted(self._polled()), sorted([first, second]))
        rows = self._rows(picking)
        self.assertEqual(
            {w: r.delivery_state for w, r in rows.items()},
            {first: "recorded", second: "recorded"},
        )
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        # each package's events name their waybill
        events = picking.carrier_api_tracking_event_ids
        self.assertEqual(sorted(events.mapped("waybill")), sorted([first, second]))

        # the first package is delivered (two hours ago), the second in transit
        self._advance(first, cc.DELIVERED)
        shipment = self.biteship_api.shipments[first]
        earlier = cc.now_utc() - timedelta(hours=2)
        shipment["history"][-1] = (cc.DELIVERED, earlier)
        self._advance(second)  # picked up
        self._advance(second)  # in transit
        picking.action_carrier_api_refresh_tracking()
        rows = self._rows(picking)
        self.assertEqual(rows[first].delivery_state, "delivered")
        self.assertEqual(
            rows[first].delivered_at, earlier.replace(tzinfo=None, microsecond=0)
        )
        self.assertEqual(rows[second].delivery_state, "in_transit")
        self.assertFalse(rows[second].delivered_at)
        self.assertEqual(picking.carrier_api_delivery_state, "in_transit")
        self.assertFalse(picking.carrier_api_delivered_at)
        self.assertTrue(picking.carrier_api_next_poll)
        self.assertFalse(self._mails("delivered"))
        delivered = picking.carrier_api_tracking_event_ids.filtered(
            lambda e: e.delivery_state == "delivered"
        )
        self.assertEqual(delivered.mapped("waybill"), [first])
        # the shipment shows the status of the package that decides its state
        self.assertEqual(picking.carrier_api_status_raw, "dropping_off")
        self.assertEqual(rows[first].status_raw, "delivered")

        # the cron asks about the second package only: the first one is closed
        self._advance(second, cc.DELIVERED)
        self.gateway.requests.clear()
        summary = self._cron(picking)
        self.assertEqual(summary["calls"], 1)
        self.assertEqual(self._polled(), [second])
        rows = self._rows(picking)
        self.assertEqual(rows[second].delivery_state, "delivered")
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        # the shipment is delivered with its last package
        self.assertEqual(picking.carrier_api_delivered_at, rows[second].delivered_at)
        self.assertGreater(rows[second].delivered_at, rows[first].delivered_at)
        self.assertFalse(picking.carrier_api_next_poll)
        mails = self._mails("delivered")
        self.assertEqual(len(mails), 1)
        self.assertIn(self.customer, mails.recipient_ids)
        # a refresh of a delivered shipment sends nothing again
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(len(self._mails("delivered")), 1)

    def test_incident_on_one_package_names_it(self):
        picking, (first, second) = self._shipped_in_two()
        self._advance(first)  # picked up
        self._advance(second)
        self._advance(second, cc.FAILED_ATTEMPT)
        picking.action_carrier_api_refresh_tracking()
        rows = self._rows(picking)
        self.assertEqual(rows[first].delivery_state, "picked_up")
        self.assertEqual(rows[second].delivery_state, "failed_attempt")
        self.assertEqual(picking.carrier_api_delivery_state, "failed_attempt")
        mails = self._mails("news about your parcel")
        self.assertEqual(len(mails), 1)
        self.assertIn(second, mails.subject)
        self.assertNotIn(first, mails.subject)
        self.assertIn(second, mails.body_html)
        self.assertIn("on_hold", mails.body_html)
        # read again: no second mail for the same incident
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(len(self._mails("news about your parcel")), 1)

        # the first package goes back to the shipper: worse, it wins; its own mail
        self._advance(first, cc.RETURNING)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(self._rows(picking)[first].delivery_state, "returning")
        self.assertEqual(picking.carrier_api_delivery_state, "returning")
        mails = self._mails("news about your parcel")
        self.assertEqual(len(mails), 2)
        self.assertIn(first, mails[-1].subject)
        self.assertIn("return_in_transit", mails[-1].body_html)

    def test_unknown_status_on_one_package(self):
        picking, (first, second) = self._shipped_in_two()
        self._advance(first)
        self._advance(second)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        shipment = self.biteship_api.shipments[second]
        with (
            patch.dict(bs_server.STATUS, {"customs": "customs_hold"}),
            patch.dict(bs_server.NOTES, {"customs": "Held at customs."}),
        ):
            shipment["history"].append(("customs", cc.now_utc()))
            picking.action_carrier_api_refresh_tracking()
        rows = self._rows(picking)
        self.assertTrue(rows[second].status_unknown)
        self.assertEqual(rows[second].status_raw, "customs_hold")
        self.assertEqual(rows[second].delivery_state, "picked_up")
        self.assertFalse(rows[first].status_unknown)
        self.assertEqual(rows[first].delivery_state, "picked_up")
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        self.assertTrue(picking.carrier_api_status_unknown)
        event = picking.carrier_api_tracking_event_ids.filtered("unknown")
        self.assertEqual(event.waybill, second)
        self.assertFalse(event.delivery_state)
        self.assertTrue(picking.carrier_api_next_poll)

    def test_cancelled_package_is_not_polled(self):
        picking, (first, second) = self._shipped_in_two()
        # the second package's order is cancelled on the ledger (as the cancel
        # settles it), its waybill still listed on the delivery
        row = self._rows(picking)[second]
        row.sudo().state = "cancelled"
        self._advance(first, cc.DELIVERED)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(self._polled(), [first])
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertFalse(row.delivery_state)
        self.assertFalse(
            picking.carrier_api_tracking_event_ids.filtered(
                lambda e: e.waybill == second
            )
        )

    def test_without_ledger_rows_every_listed_waybill_is_polled(self):
        """A delivery shipped before the ledger (or whose waybills were typed in):
        the numbers of the tracking reference, the packages' states from the
        timeline."""
        picking, (first, second) = self._shipped_in_two()
        picking.sudo().carrier_api_waybill_ids.unlink()
        self._advance(first, cc.DELIVERED)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(sorted(self._polled()), sorted([first, second]))
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self._advance(second)
        self._advance(second, cc.DELIVERED)
        self._cron(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertEqual(len(self._mails("delivered")), 1)
        self.assertEqual(
            sorted(picking.carrier_api_tracking_event_ids.mapped("waybill")),
            sorted([first] * 2 + [second] * 3),
        )

    def test_package_never_known_is_given_up_alone(self):
        picking, (first, second) = self._shipped_in_two()
        # the carrier never tracks the second waybill
        row = self._rows(picking)[second]
        row.sudo().waybill = "NEVERKNOWN2"
        picking.sudo().carrier_tracking_ref = f"{first},NEVERKNOWN2"
        self._advance(first)
        picking.action_carrier_api_refresh_tracking()
        self.assertEqual(picking.carrier_api_poll_failures, 1)
        self.assertTrue(row.unknown_since)
        self.assertTrue(picking.carrier_api_unknown_since)
        self.assertEqual(self._rows(picking)[first].delivery_state, "picked_up")
        # a shipment with a package never tracked is not over
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        # 8 days later (give-up after 7): that package alone is given up on
        row.sudo().unknown_since = fields.Datetime.now() - timedelta(days=8)
        self._cron(picking)
        self.assertTrue(row.tracking_stopped)
        self.assertFalse(picking.carrier_api_tracking_stopped)
        activity = picking.sudo().activity_ids.filtered(
            lambda a: a.summary == "Tracking given up"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("NEVERKNOWN2", activity.note)
        self.assertNotIn(first, activity.note)
        # the other package is still tracked, the given-up one not asked again
        self._advance(first, cc.DELIVERED)
        self.gateway.requests.clear()
        delivered_mails = len(self._mails("delivered"))
        self._cron(picking)
        self.assertEqual(self._polled(), [first])
        self.assertEqual(self._rows(picking)[first].delivery_state, "delivered")
        # one package never known: not "delivered", not mailed as such (review E);
        # nothing left to ask: tracking stopped
        self.assertEqual(picking.carrier_api_delivery_state, "incident")
        self.assertEqual(len(self._mails("delivered")), delivered_mails)
        self.assertTrue(picking.carrier_api_tracking_stopped)
        self.assertFalse(picking.carrier_api_next_poll)
