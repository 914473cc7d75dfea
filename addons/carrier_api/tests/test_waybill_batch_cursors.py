# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A batch of waybills on real transactions: each claim is committed before its call
(the carrier, while booking, sees the "sending" row from another connection), and a
request rolled back after the carrier answered keeps one waybill per delivery.

Committed rows in cursors of their own, cleaned up at the end (cursor_common.py).
"""

import re

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

from .cursor_common import BiteshipRealCursorCase, Rollback


class LedgerCheckingBiteshipApi(BiteshipApi):
    """Reads our ledger on a connection of its own before booking: what another
    transaction can see of the claim while the call is out."""

    registry = None

    def reset(self):
        result = super().reset()
        self.seen = {}
        self.ahead = []
        return result

    def create_order(self, request):
        reference = (request.json() or {}).get("reference_id")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM carrier_api_waybill WHERE reference = %s",
                [reference],
            )
            row = cr.fetchone()
            # claimed ("sending", committed) and not yet posted: their leases run
            # while they wait for a worker
            cr.execute(
                "SELECT reference FROM carrier_api_waybill WHERE state = 'sending'"
            )
            waiting = {r for (r,) in cr.fetchall()} - set(self.seen) - {reference}
        self.seen[reference] = row[0] if row else None
        self.ahead.append(len(waiting))
        return super().create_order(request)


@tagged("post_install", "-at_install")
class TestWaybillBatchRealCursors(BiteshipRealCursorCase):
    gateway_api_class = LedgerCheckingBiteshipApi
    tag = "batch"
    picking_count = 3

    def setUp(self):
        super().setUp()
        self.gateway_api.registry = self.registry

    def _posts(self):
        return len(self.gateway.requests_to("/v1/orders", "POST"))

    def test_claims_committed_before_the_calls_and_a_rollback_keeps_one_each(self):
        with self.assertRaises(Rollback):
            with self.cursor_env(self.ids["user"]) as env:
                pickings = env["stock.picking"].browse(self.ids["pickings"])
                self.assertTrue(pickings.action_carrier_api_create_waybill())
                raise Rollback  # e.g. a later error in the same request
        # the carrier saw every claim, from another connection, while booking
        self.assertEqual(len(self.gateway_api.seen), self.picking_count)
        self.assertEqual(set(self.gateway_api.seen.values()), {"sending"})
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count)
        posts = self._posts()
        with self.cursor_env(self.ids["user"]) as env:
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertFalse(any(pickings.mapped("carrier_tracking_ref")))  # undone
            self.assertTrue(pickings.action_carrier_api_create_waybill())
            # restored from the committed ledger, no second order
            self.assertEqual(self._posts(), posts)
            by_reference = {
                s["reference"]: waybill
                for waybill, s in self.gateway_api.shipments.items()
            }
            for picking in pickings:
                self.assertEqual(
                    picking.carrier_tracking_ref,
                    by_reference[picking.carrier_api_reference],
                )
        self.assertEqual(len(self.gateway_api.shipments), self.picking_count)

    def test_claims_wait_for_a_free_worker(self):
        """A claim's lease starts at the claim: with one worker, a batch does not
        commit the claims of the whole selection while the calls queue up."""
        with self.cursor_env() as env:
            icp = env["ir.config_parameter"]
            old_workers = icp.get_param("carrier_api.waybill_workers", "")
            icp.set_param("carrier_api.waybill_workers", "1")

        def restore():
            with self.cursor_env() as env:
                env["ir.config_parameter"].set_param(
                    "carrier_api.waybill_workers", old_workers
                )

        self.addCleanup(restore)
        with self.cursor_env(self.ids["user"]) as env:
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertTrue(pickings.action_carrier_api_create_waybill())
            self.assertTrue(all(pickings.mapped("carrier_tracking_ref")))
        self.assertEqual(len(self.gateway_api.ahead), self.picking_count)
        # one worker: at most one more delivery claimed while a call is out
        self.assertLessEqual(max(self.gateway_api.ahead), 1)

    def test_cancel_of_a_delivery_held_elsewhere_calls_nothing(self):
        with self.cursor_env(self.ids["user"]) as env:
            pickings = env["stock.picking"].browse(self.ids["pickings"])
            self.assertTrue(pickings.action_carrier_api_create_waybill())
        cancels = re.compile(r"/v1/orders/[^/]+/cancel$")

        def cancel_calls():
            return [r for r in self.gateway.requests if cancels.search(r.path)]

        first = self.ids["pickings"][0]
        with self.registry.cursor() as holder:
            # another transaction (the tracking cron, a second click) holds it
            holder.execute(
                "SELECT id FROM stock_picking WHERE id = %s FOR UPDATE", [first]
            )
            with self.cursor_env(self.ids["user"]) as env:
                picking = env["stock.picking"].browse(first)
                with self.assertRaisesRegex(UserError, "being changed right now"):
                    picking.cancel_shipment()
            self.assertEqual(cancel_calls(), [])
            holder.rollback()
        with self.cursor_env(self.ids["user"]) as env:
            picking = env["stock.picking"].browse(first)
            picking.cancel_shipment()
            self.assertEqual(picking.carrier_api_state, "cancelled")
        self.assertEqual(len(cancel_calls()), 1)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM carrier_api_waybill WHERE picking_id = %s", [first]
            )
            self.assertEqual([r for (r,) in cr.fetchall()], ["cancelled"])
