# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking through Odoo for J&T, SiCepat and Anteraja: a waybill created by the
warehouse user, the server's history moved on over its control route, the *Refresh
tracking* button and the cron read it over HTTP. Plus the batch's robustness: one bad
shipment's write does not roll back the others."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import anteraja as aj_server
from odoo.addons.base_integration.tests.gateway_servers import carrier_common as cc
from odoo.addons.base_integration.tests.gateway_servers import jnt as jnt_server
from odoo.addons.base_integration.tests.gateway_servers import sicepat as sc_server

from ..models import const
from ..models.stock_picking_tracking import StockPicking as TrackingPicking
from .carriers_common import MultiCarrierMixin
from .ship_common import CarrierShipCase


@tagged("post_install", "-at_install")
class TestTrackingCarriers(MultiCarrierMixin, CarrierShipCase):
    def _refresh(self, picking):
        picking.action_carrier_api_refresh_tracking()  # as the warehouse user

    def _cron(self, *pickings):
        for picking in pickings:
            picking.sudo().carrier_api_next_poll = fields.Datetime.now() - timedelta(
                seconds=1
            )
        return self.env["stock.picking"]._cron_carrier_api_track()

    def _raw(self, picking):
        return picking.carrier_api_tracking_event_ids.sorted("id").mapped("status_raw")

    def _unknown_status(self, api, picking, table, value):
        """The carrier answers a status nobody documented: kept, flagged, the state
        unchanged, still polled unless the shipment was over (then the button reads
        it again, the cron leaves it)."""
        state = picking.carrier_api_delivery_state
        before = picking.carrier_api_tracking_event_ids
        shipment = api.shipments[picking.carrier_tracking_ref]
        with patch.dict(table, {"customs": value}):
            shipment["history"].append(("customs", cc.now_utc()))
            self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, state)
        self.assertTrue(picking.carrier_api_status_unknown)
        event = picking.carrier_api_tracking_event_ids - before
        self.assertEqual(len(event), 1)
        self.assertTrue(event.unknown)
        self.assertFalse(event.delivery_state)
        self.assertEqual(
            bool(picking.carrier_api_next_poll), state not in const.TERMINAL_STATES
        )
        return event

    # ------------------------------------------------------------------ J&T
    def test_jnt_until_delivered(self):
        picking = self._shipped(self.jnt_ez)
        waybill = picking.carrier_tracking_ref
        self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertEqual(picking.carrier_api_status_raw, "101")
        # J&T's 100 covers pickup, transit and the delivery run (§2.5): picked up
        # reads as in transit; two 100 events are both kept (their texts differ).
        self.assertEqual(self._advance(self.jnt_api, waybill), cc.PICKED_UP)
        self.assertEqual(self._advance(self.jnt_api, waybill), cc.IN_TRANSIT)
        self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "in_transit")
        self.assertEqual(self._raw(picking), ["101", "100", "100"])
        self._refresh(picking)  # nothing new: no event twice
        self.assertEqual(len(picking.carrier_api_tracking_event_ids), 3)
        self._advance(self.jnt_api, waybill, cc.DELIVERED)
        summary = self._cron(picking)
        self.assertEqual(summary["calls"], 1)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertTrue(picking.carrier_api_delivered_at)
        self.assertFalse(picking.carrier_api_next_poll)
        self.assertEqual(self._raw(picking), ["101", "100", "100", "200"])

    def test_jnt_unknown_code(self):
        picking = self._shipped(self.jnt_ez)
        self._refresh(picking)
        event = self._unknown_status(
            self.jnt_api, picking, jnt_server.STATUS, ("999", "Ditahan bea cukai")
        )
        self.assertEqual(event.status_raw, "999")
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")

    # ------------------------------------------------------------------ SiCepat
    def test_sicepat_until_delivered(self):
        picking = self._shipped(self.sicepat_reg)
        waybill = picking.carrier_tracking_ref
        self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "recorded")
        self.assertEqual(picking.carrier_api_status_raw, "PICKREQ")
        for step, state in (
            (cc.PICKED_UP, "picked_up"),
            (cc.IN_TRANSIT, "in_transit"),
            (cc.OUT_FOR_DELIVERY, "out_for_delivery"),
        ):
            self.assertEqual(self._advance(self.sicepat_api, waybill), step)
            self._refresh(picking)
            self.assertEqual(picking.carrier_api_delivery_state, state)
        self._advance(self.sicepat_api, waybill)  # delivered
        self._cron(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertEqual(
            self._raw(picking), ["PICKREQ", "PICK", "IN", "ANT", "DELIVERED"]
        )
        # POD_receiver_time (minutes, WIB) is the delivery date (§3.4)
        shipment = self.sicepat_api.shipments[waybill]
        delivered = shipment["history"][-1][1].replace(tzinfo=None, second=0)
        self.assertEqual(
            picking.carrier_api_delivered_at, delivered.replace(microsecond=0)
        )
        self.assertFalse(picking.carrier_api_next_poll)

    def test_sicepat_unknown_code(self):
        picking = self._shipped(self.sicepat_reg)
        self._advance(self.sicepat_api, picking.carrier_tracking_ref)
        self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "picked_up")
        event = self._unknown_status(
            self.sicepat_api, picking, sc_server.STATUS, ("HOLDX", "Ditahan")
        )
        self.assertEqual(event.status_raw, "HOLDX")

    # ------------------------------------------------------------------ Anteraja
    def test_anteraja_until_delivered(self):
        """Only 250 (delivered) and 430/255 are known codes (§4.2 [secondary]): the
        steps before are kept and flagged, the state waits for a known code."""
        picking = self._shipped(self.anteraja_reg)
        waybill = picking.carrier_tracking_ref
        self._refresh(picking)
        self.assertFalse(picking.carrier_api_delivery_state)
        self.assertEqual(picking.carrier_api_status_raw, "100")
        self.assertTrue(picking.carrier_api_status_unknown)
        self._advance(self.anteraja_api, waybill)  # picked up (200)
        self._advance(self.anteraja_api, waybill)  # in transit (210)
        self._refresh(picking)
        self.assertFalse(picking.carrier_api_delivery_state)
        self.assertEqual(self._raw(picking), ["100", "200", "210"])
        self.assertTrue(all(picking.carrier_api_tracking_event_ids.mapped("unknown")))
        self._advance(self.anteraja_api, waybill, cc.DELIVERED)
        self._cron(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertFalse(picking.carrier_api_status_unknown)
        self.assertTrue(picking.carrier_api_delivered_at)
        self.assertEqual(self._raw(picking), ["100", "200", "210", "250"])
        self.assertFalse(picking.carrier_api_next_poll)

    def test_anteraja_unknown_code_after_a_known_one(self):
        picking = self._shipped(self.anteraja_reg)
        self._advance(self.anteraja_api, picking.carrier_tracking_ref, cc.RETURNED)
        self._refresh(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "returned")
        # a returned shipment is terminal at the server: append by hand
        event = self._unknown_status(
            self.anteraja_api, picking, aj_server.CODES, (999, "Held")
        )
        self.assertEqual(event.status_raw, "999")
        # over: the cron does not poll it again (review D)
        self.assertEqual(self._cron(picking)["calls"], 0)

    # ------------------------------------------------------------------ batch
    def test_one_bad_shipment_does_not_roll_back_the_batch(self):
        # refused by the ORM (a selection value it does not know)
        self._one_bad_shipment({"carrier_api_delivery_state": "no_such_state"})

    def test_one_bad_shipment_refused_by_the_database(self):
        # refused by PostgreSQL when flushed (integer out of range): the rolled back
        # value must not stay in the cache to be flushed again with the others
        self._one_bad_shipment({"carrier_api_poll_failures": 2**40})

    def _one_bad_shipment(self, bad_vals):
        good = self._shipped(self.sicepat_reg)
        bad = self._shipped(self.sicepat_reg)
        for picking in good | bad:
            self._advance(self.sicepat_api, picking.carrier_tracking_ref)
        original = TrackingPicking._carrier_api_track_vals

        def broken(picking, *args, **kwargs):
            vals, events, what = original(picking, *args, **kwargs)
            if picking == bad:
                vals = dict(vals, **bad_vals)
            return vals, events, what

        with patch.object(TrackingPicking, "_carrier_api_track_vals", broken):
            summary = self._cron(good, bad)
        self.assertEqual(summary["updated"], 1)
        self.assertEqual(good.carrier_api_delivery_state, "picked_up")
        self.assertEqual(self._raw(good), ["PICKREQ", "PICK"])
        self.assertFalse(bad.carrier_api_delivery_state)
        # its events were written (they are fine): the next poll adds no duplicate
        self._cron(good, bad)
        self.assertEqual(bad.carrier_api_delivery_state, "picked_up")
        self.assertEqual(self._raw(bad), ["PICKREQ", "PICK"])

    def test_a_failing_mail_does_not_roll_back_the_tracking(self):
        self.customer.email = "budi@example.com"
        picking = self._shipped(self.sicepat_reg)
        self._advance(self.sicepat_api, picking.carrier_tracking_ref, cc.DELIVERED)
        template = type(self.env["mail.template"])
        with patch.object(template, "send_mail", side_effect=ValueError("smtp")):
            self._cron(picking)
        self.assertEqual(picking.carrier_api_delivery_state, "delivered")
        self.assertTrue(picking.carrier_api_delivered_at)
