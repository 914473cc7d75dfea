# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refusals at validation: an early waybill's (*Create waybill* before validation)
rolls the validation back wherever it is, since nothing is lost (its waybill and the
batch's bookings are committed); the batch's follow stock_delivery's rule (raised by
the first delivery, a warning on a later one).

A booking whose tariff cannot be read (JNE, J&T, SiCepat, Anteraja answer without a
price) keeps its waybill; the delivery gets a note and one "Shipping price unknown"
activity. As the warehouse user of ship_common (with the salesman group), over the
local test servers (real HTTP): the refusals are a locked order (Odoo's own refusal to
write the delivery cost), an address the carrier does not cover, a tariff call the
server fails."""

import json
import re

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi

from .carriers_common import MultiCarrierMixin
from .ship_common import CarrierShipCase
from .test_waybill_cost import MARGIN, ORDERS, WaybillCostMixin

# sale: a locked order refuses a new price on its delivery line
LOCKED = "forbidden to modify"
ODOO_NOTE = "Exception occurred with respect to carrier on the transfer"
UNKNOWN = "Shipping Price Unknown"


class ValidateErrorsMixin(WaybillCostMixin):
    def _warnings(self, pickings):
        warning = self.env.ref("mail.mail_activity_data_warning")
        return pickings.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == warning
        )

    def _price_activities(self, pickings):
        unknown = self.env.ref("carrier_api.mail_activity_type_price_unknown")
        return pickings.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == unknown
        )

    def _ready_for(self, carrier, partner=None):
        """``_ready_with_line`` for another customer."""
        if partner is None:
            return self._ready_with_line(carrier)
        order = self._order(partner=partner, carrier=carrier)
        order.set_delivery_line(carrier, 20000)
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        return picking.with_user(self.user)

    def _expected_user(self, picking):
        # as stock_delivery: the delivery's responsible, else the one validating
        return picking.sudo().user_id or self.user


@tagged("post_install", "-at_install")
class TestValidateRefusals(ValidateErrorsMixin, CarrierShipCase):
    def setUp(self):
        super().setUp()
        self.carrier = self._real(self.jne_reg)

    def _posts(self):
        return [
            r
            for r in self.gateway.requests
            if ORDERS.search(r.path) and r.method == "POST"
        ]

    def _early(self, partner=None):
        picking = self._ready_for(self.carrier, partner)
        picking.action_carrier_api_create_waybill()
        self.assertEqual(picking.carrier_api_state, "sent", picking.carrier_api_message)
        return picking

    def _assert_validated_with_cost(self, picking):
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.carrier_api_state, "sent")
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertAlmostEqual(
            picking.carrier_price, picking.carrier_api_price * (1 + MARGIN)
        )
        self.assertTrue(picking.carrier_price)
        self.assertAlmostEqual(
            self._delivery_lines(picking).price_unit, picking.carrier_price
        )
        self.assertEqual(len(self._sent_messages(picking)), 1)
        self.assertFalse(self._warnings(picking))

    def _validate_refused(self, pickings, pattern):
        for picking in pickings:
            picking.move_ids.quantity = picking.move_ids.product_uom_qty
            picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, pattern):
            with self.env.cr.savepoint():
                pickings.button_validate()
        self.env.invalidate_all()
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})
        self.assertFalse(self._warnings(pickings))

    def test_early_refused_after_two_rolls_back(self):
        """Unlike stock_delivery's warning once a delivery went through: nothing
        would be lost by a rollback (the early waybills are committed), and a
        warning would leave a delivery done without its cost on the order."""
        first, second, refused = self._early(), self._early(), self._early()
        waybill = refused.carrier_tracking_ref
        refused.sudo().sale_id.action_lock()
        pickings = first | second | refused
        self._validate_refused(pickings, LOCKED)
        self.assertEqual(set(pickings.mapped("carrier_api_state")), {"sent"})
        self.assertEqual(refused.carrier_tracking_ref, waybill)
        self.assertFalse(self._sent_messages(first))
        # the order unlocked, validated again: all with their cost, nothing rebooked
        refused.sudo().sale_id.action_unlock()
        self._validate(pickings)
        self.assertEqual(len(self._posts()), 3, "validation booked again")
        for picking in pickings:
            self._assert_validated_with_cost(picking)

    def test_early_refused_first_rolls_back(self):
        refused, other = self._early(), self._early()
        refused.sudo().sale_id.action_lock()
        pickings = refused | other
        self._validate_refused(pickings, LOCKED)
        # the early waybills stand (booked before), nothing booked again
        self.assertEqual(set(pickings.mapped("carrier_api_state")), {"sent"})
        self.assertEqual(len(self._posts()), 2)
        self.assertFalse(self._sent_messages(other))

    def test_refusal_of_the_batch_rolls_back_the_early_one(self):
        """Booked at validation (the batch), refused by the carrier (an address it
        does not cover), first in the selection before an early waybill: Odoo's
        rule raises (nothing went through before it), the early waybill stands, and
        the others are validated again."""
        stranger = self.customer.copy({"name": "Outside the map", "zip": "99999"})
        refused = self._ready_for(self.carrier, stranger)
        early = self._early()
        booked = self._ready_for(self.carrier)
        self._validate_refused(refused | early | booked, "could not be found")
        self.assertEqual(early.carrier_api_state, "sent")
        self.assertEqual(len(self._posts()), 3)  # early, the refused, booked
        # validated again: the early one with its cost, no call (the batch's
        # booking surviving the rollback needs real cursors, see
        # test_validate_many_cursors.py: here the savepoint undoes it)
        self._validate(early)
        self._assert_validated_with_cost(early)
        self.assertEqual(len(self._posts()), 3)
        self.assertFalse(refused.carrier_tracking_ref)

    def test_refusal_of_the_batch_without_early_one_rolls_back(self):
        """Without an early waybill, the first delivery's refusal is Odoo's: raised,
        nothing validated."""
        stranger = self.customer.copy({"name": "Outside the map", "zip": "99999"})
        refused = self._ready_for(self.carrier, stranger)
        booked = self._ready_for(self.carrier)
        self._validate_refused(refused | booked, "could not be found")


@tagged("post_install", "-at_install")
class TestPriceUnknown(ValidateErrorsMixin, MultiCarrierMixin, CarrierShipCase):
    """JNE and Anteraja answer a booking without a price: their tariff is asked
    right after; when it cannot be read the waybill stays, and the delivery says
    its price is unknown."""

    TARIFF = re.compile(r"/tracing/api/pricedev$")
    JNE_ORDER = re.compile(r"/tracing/api/generatecnote$")
    RATES = re.compile(r"/serviceRates$")

    def _calls(self, pattern):
        return [r for r in self.carrier_server.requests if pattern.search(r.path)]

    def _unknown_notes(self, picking):
        return picking.sudo().message_ids.filtered(
            lambda m: "is unknown" in (m.body or "")
        )

    def _fail_tariff(self, times=1):
        # the carrier's error text names the key: it must not reach the chatter
        self.carrier_server.faults.add(
            self.TARIFF,
            Fault(
                status=400,
                body={"error": f"Tarif tidak ditemukan ({JneApi.api_key})"},
            ),
            times=times,
        )

    def _assert_price_unknown(self, picking, waybills):
        self.assertEqual(picking.carrier_api_state, "sent", picking.carrier_api_message)
        self.assertEqual(picking.carrier_tracking_ref, ",".join(waybills))
        self.assertFalse(picking.carrier_api_price)
        note = self._unknown_notes(picking)
        self.assertEqual(len(note), 1)
        for waybill in waybills:
            self.assertIn(waybill, note.body)
        self.assertIn("Tarif tidak ditemukan", note.body)
        self.assertNotIn(JneApi.api_key, note.body)
        activity = self._price_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id.name, UNKNOWN)
        self.assertIn("check the delivery cost", activity.note.lower())
        self.assertEqual(activity.user_id, self._expected_user(picking))

    def test_tariff_failed_after_the_booking(self):
        carrier = self._real(self.jne_direct_reg)
        picking = self._ready_with_line(carrier)
        self._fail_tariff()
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            picking.action_carrier_api_create_waybill()
        # the server accepted the order, then failed the tariff call
        paths = [
            r.path
            for r in self.carrier_server.requests
            if self.TARIFF.search(r.path) or self.JNE_ORDER.search(r.path)
        ]
        self.assertEqual(len(paths), 2)
        self.assertRegex(paths[0], self.JNE_ORDER)
        self.assertRegex(paths[1], self.TARIFF)
        self._assert_price_unknown(picking, [picking.carrier_tracking_ref])
        # validated all the same, at 0: no cost on the order
        self._validate(picking)
        self.assertEqual(picking.carrier_price, 0)
        self.assertEqual(self._delivery_lines(picking).price_unit, 0)
        self.assertEqual(len(self._price_activities(picking)), 1)

    def test_restored_without_price_says_so(self):
        """A booking restored from the ledger with no price (its tariff failed in an
        attempt whose note and activity were rolled back with it) says so again."""
        carrier = self._real(self.jne_direct_reg)
        picking = self._ready_with_line(carrier)
        self._fail_tariff()
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            picking.action_carrier_api_create_waybill()
        waybill = picking.carrier_tracking_ref
        # what a rollback of that request leaves: the ledger's row, nothing else
        self._price_activities(picking).unlink()
        self._unknown_notes(picking).sudo().unlink()
        picking.sudo().write(
            {"carrier_tracking_ref": False, "carrier_api_state": "none"}
        )
        posts = len(self._calls(self.JNE_ORDER))
        picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._calls(self.JNE_ORDER)), posts, "booked again")
        self.assertEqual(picking.carrier_tracking_ref, waybill)
        note = self._unknown_notes(picking)
        self.assertEqual(len(note), 1)
        self.assertIn("not read when the waybill was created", note.body)
        self.assertEqual(len(self._price_activities(picking)), 1)

    def test_two_packages_one_activity(self):
        picking = self._ready_picking(quantity=2, carrier=self.jne_direct_reg)
        line = picking.sudo().move_line_ids
        line.quantity = 1
        other = line.copy({"quantity": 1})
        line.result_package_id, other.result_package_id = self.env[
            "stock.quant.package"
        ].create([{}, {}])
        self._fail_tariff(times=2)
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            picking.action_carrier_api_create_waybill()
        self.assertEqual(len(self._calls(self.TARIFF)), 2)
        waybills = picking.carrier_tracking_ref.split(",")
        self.assertEqual(len(waybills), 2)
        self._assert_price_unknown(picking, waybills)

    def test_validation_of_many_tariff_failed(self):
        """Booked by the validation (the batch, Odoo's send_to_shipper each): one
        note and one activity on each delivery, all validated with their waybill."""
        carrier = self._real(self.jne_direct_reg)
        pickings = self._ready_with_line(carrier) | self._ready_with_line(carrier)
        self._fail_tariff(times=2)
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            self._validate(pickings)
        self.assertEqual(len(self._calls(self.JNE_ORDER)), 2)
        for picking in pickings:
            self._assert_price_unknown(picking, [picking.carrier_tracking_ref])
            self.assertEqual(len(self._sent_messages(picking)), 1)
            self.assertEqual(picking.carrier_price, 0)

    def test_cod_booking_quoted_as_cod(self):
        """The quote of a COD booking keeps the services that take COD (the only
        COD input of the clients' quotes: Anteraja's ``is_cod``). Its rates call
        carries what §4.2 documents (no COD amount: none is documented)."""
        self.anteraja_reg.carrier_api_cod_supported = True
        next_day = self.anteraja_reg.copy(
            {
                "name": "Anteraja ND",
                "carrier_api_service_code": "ND",  # is_cod false (test server)
                "carrier_api_cod_supported": True,
            }
        )
        priced = self._ready_picking(carrier=self.anteraja_reg)
        unpriced = self._ready_picking(carrier=next_day)
        for picking in priced | unpriced:
            picking.carrier_api_cod = True
            self.assertTrue(picking.carrier_api_cod_amount)
        priced.action_carrier_api_create_waybill()
        with self.assertLogs("odoo.addons.carrier_api", level="WARNING"):
            unpriced.action_carrier_api_create_waybill()
        for picking in priced | unpriced:
            self.assertEqual(
                picking.carrier_api_state, "sent", picking.carrier_api_message
            )
        rates = self._calls(self.RATES)
        self.assertEqual(len(rates), 2)
        for request in rates:
            self.assertEqual(
                set(json.loads(request.body)), {"origin", "destination", "weight"}
            )
        # REG takes COD: priced at its tariff; ND does not: the price is unknown
        quoted = self.anteraja_reg._carrier_api_rate_shipment(priced.sudo().sale_id)
        self.assertTrue(quoted["success"], quoted["error_message"])
        self.assertEqual(priced.carrier_api_price, quoted["price"])
        self.assertFalse(self._price_activities(priced))
        self.assertFalse(unpriced.carrier_api_price)
        note = self._unknown_notes(unpriced)
        self.assertEqual(len(note), 1)
        self.assertIn("no tariff of service ND", note.body)
        self.assertEqual(len(self._price_activities(unpriced)), 1)
        # without COD, ND is priced: the COD flag made the difference
        plain = self._ready_picking(carrier=next_day)
        plain.action_carrier_api_create_waybill()
        self.assertTrue(plain.carrier_api_price)
        self.assertFalse(self._price_activities(plain))
