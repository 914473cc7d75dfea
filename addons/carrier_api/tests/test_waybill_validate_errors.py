# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refusals at validation follow stock_delivery's rule (``_send_confirmation_email``):
the first delivery's refusal rolls the validation back; once one went through, a
refusal is posted on its delivery with Odoo's warning activity, and the others are
validated. Early waybills (*Create waybill* before validation) included, both ways.

All as the warehouse user, over the local test server (real HTTP): the refusals are a
locked order (Odoo's own refusal to write the delivery cost) and an address the
carrier does not cover."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .ship_common import CarrierShipCase
from .test_waybill_cost import MARGIN, ORDERS, WaybillCostMixin

# sale: a locked order refuses a new price on its delivery line
LOCKED = "forbidden to modify"
ODOO_NOTE = "Exception occurred with respect to carrier on the transfer"


class ValidateErrorsMixin(WaybillCostMixin):
    def _warnings(self, pickings):
        warning = self.env.ref("mail.mail_activity_data_warning")
        return pickings.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == warning
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

    def test_early_refused_after_two_is_a_warning(self):
        first, second, refused = self._early(), self._early(), self._early()
        waybill = refused.carrier_tracking_ref
        refused.sudo().sale_id.action_lock()
        pickings = first | second | refused
        self._validate(pickings)
        self.assertEqual(len(self._posts()), 3, "validation booked again")
        for picking in first | second:
            self._assert_validated_with_cost(picking)
        # the refused one: validated, its waybill kept, Odoo's message and activity
        self.assertEqual(refused.carrier_tracking_ref, waybill)
        self.assertEqual(refused.carrier_api_state, "sent")
        posted = refused.sudo().message_ids.filtered(
            lambda m: LOCKED in (m.body or "") and m.message_type == "notification"
        )
        self.assertEqual(len(posted), 1)
        activity = self._warnings(refused)
        self.assertEqual(len(activity), 1)
        self.assertIn(ODOO_NOTE, activity.note)
        self.assertIn(LOCKED, activity.note)
        self.assertIn(refused.name, activity.note)
        self.assertEqual(activity.user_id, self._expected_user(refused))
        self.assertEqual(self._delivery_lines(refused).price_unit, 0)

    def test_early_refused_first_rolls_back(self):
        refused, other = self._early(), self._early()
        refused.sudo().sale_id.action_lock()
        pickings = refused | other
        for picking in pickings:
            picking.move_ids.quantity = picking.move_ids.product_uom_qty
            picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, LOCKED):
            with self.env.cr.savepoint():
                pickings.button_validate()
        self.env.invalidate_all()
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})
        self.assertFalse(self._warnings(pickings))
        # the early waybills stand (booked before), nothing booked again
        self.assertEqual(set(pickings.mapped("carrier_api_state")), {"sent"})
        self.assertEqual(len(self._posts()), 2)
        self.assertFalse(self._sent_messages(other))

    def test_refusal_of_the_batch_after_an_early_one_is_a_warning(self):
        """Booked at validation (the batch), refused by the carrier (an address it
        does not cover), first in the selection: the early waybill went through
        Odoo's loop before it, so the refusal is a warning and all are validated."""
        stranger = self.customer.copy({"name": "Outside the map", "zip": "99999"})
        refused = self._ready_for(self.carrier, stranger)
        early = self._early()
        booked = self._ready_for(self.carrier)
        pickings = refused | early | booked
        self._validate(pickings)
        self.assertEqual(len(self._posts()), 3)  # early, the refused, booked
        self._assert_validated_with_cost(early)
        self._assert_validated_with_cost(booked)
        self.assertFalse(refused.carrier_tracking_ref)
        self.assertFalse(self._sent_messages(refused))
        activity = self._warnings(refused)
        self.assertEqual(len(activity), 1)
        self.assertIn(ODOO_NOTE, activity.note)
        self.assertIn("could not be found", activity.note)
        self.assertEqual(activity.user_id, self._expected_user(refused))

    def test_refusal_of_the_batch_without_early_one_rolls_back(self):
        """Without an early waybill, the first delivery's refusal is Odoo's: raised,
        nothing validated."""
        stranger = self.customer.copy({"name": "Outside the map", "zip": "99999"})
        refused = self._ready_for(self.carrier, stranger)
        booked = self._ready_for(self.carrier)
        pickings = refused | booked
        for picking in pickings:
            picking.move_ids.quantity = picking.move_ids.product_uom_qty
            picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "could not be found"):
            with self.env.cr.savepoint():
                pickings.button_validate()
        self.env.invalidate_all()
        self.assertEqual(set(pickings.mapped("state")), {"assigned"})
        self.assertFalse(self._warnings(pickings))
