# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An unclear JNE pickup answer (sent, then a 502) is committed on the ledger before
the call: a rollback of the request, or Odoo's replay of it after a serialization
failure, keeps "uncertain" and the next request asks JNE nothing. Real cursors and
committed rows (test_pickup_concurrency.py's delivery); JNE's pickup calls are
counted on the test server."""

import functools

from odoo import SUPERUSER_ID, Command, api
from odoo.service.model import retrying
from odoo.tests import tagged

from odoo.addons.base_integration.tests.gateway_servers import Fault

from .cursor_common import Rollback
from .test_pickup_carriers import PICKUP, wib_to_utc
from .test_pickup_concurrency import PickupRealCursorsCase

PICKUP_PATH = "/jne/pickupcashless"


@tagged("post_install", "-at_install")
class TestPickupUncertainCommit(PickupRealCursorsCase):
    def setUp(self):
        super().setUp()
        self.start, self.end = wib_to_utc(1, 10), wib_to_utc(1, 12)
        self.uid_user = self.ids["users"][0]
        self.gateway.requests.clear()  # the waybill's, and earlier tests'

    def _request(self, env):
        wizard = env["carrier.api.pickup.wizard"].create(
            {
                "picking_ids": [Command.set([self.ids["picking"]])],
                "start": self.start,
                "end": self.end,
            }
        )
        return wizard.action_request()

    def _calls(self):
        return len(self.gateway.requests_to(PICKUP_PATH))

    def _committed(self):
        """``(picking's pickup state, ledger rows' unclear marks)`` as committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            picking = env["stock.picking"].browse(self.ids["picking"])
            rows = env["carrier.api.waybill"].search(
                [("picking_id", "=", picking.id), ("state", "=", "sent")]
            )
            return picking.carrier_api_pickup_state, [
                bool(row.pickup_unclear_since) for row in rows
            ]

    def test_rollback_keeps_uncertain_and_blocks_a_new_call(self):
        # JNE got the request, its answer is lost (a 502 after the send)
        self.gateway.faults.add(PICKUP, Fault(status=502))
        with self.assertRaises(Rollback):
            with self.registry.cursor() as cr:
                action = self._request(api.Environment(cr, self.uid_user, {}))
                self.assertEqual(action["params"]["type"], "warning")
                self.assertIn("unclear", action["params"]["message"])
                raise Rollback  # e.g. a later error in the same request
        self.assertEqual(self._calls(), 1)
        # the picking's own state went with the rollback, the ledger's mark did not
        self.assertEqual(self._committed(), ("none", [True]))
        # the next request (another window, another user) asks JNE nothing
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.ids["users"][1], {})
            action = self._request(env)
            self.assertEqual(action["params"]["type"], "warning")
            self.assertIn("earlier pickup request", action["params"]["message"])
            picking = env["stock.picking"].browse(self.ids["picking"])
            self.assertEqual(picking.carrier_api_pickup_state, "uncertain")
        self.assertEqual(self._calls(), 1)
        self.assertEqual(self._committed(), ("uncertain", [True]))
        self.assertFalse(self.gateway_api.pickups)
        # a person checked JNE's portal: asked again, once, and booked
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid_user, {})
            env["stock.picking"].browse(
                self.ids["picking"]
            ).action_carrier_api_pickup_checked()
        self.assertEqual(self._committed(), ("none", [False]))
        with self.registry.cursor() as cr:
            action = self._request(api.Environment(cr, self.uid_user, {}))
            self.assertEqual(action["params"]["type"], "success", action["params"])
        self.assertEqual(self._calls(), 2)
        self.assertEqual(self._committed(), ("requested", [False]))
        self.assertEqual(len(self.gateway_api.pickups), 1)

    def test_serialization_replay_does_not_ask_again(self):
        """Odoo replays a request whose transaction hit a serialization failure
        (``odoo.service.model.retrying``, as the RPC and HTTP dispatchers do): the
        replay finds the committed mark and sends nothing."""
        self.gateway.faults.add(PICKUP, Fault(status=502))
        sender = self.ids["partners"][0]
        tries = []

        def request(env):
            tries.append(self._calls())
            action = self._request(env)
            if len(tries) == 1:
                # another transaction changes a row this request then writes: a
                # real serialization failure (REPEATABLE READ), raised in it
                with self.registry.cursor() as other:
                    other.execute(
                        "UPDATE res_partner SET comment = 'elsewhere' WHERE id = %s",
                        [sender],
                    )
                env.cr.execute(
                    "UPDATE res_partner SET comment = 'here' WHERE id = %s",
                    [sender],
                    log_exceptions=False,
                )
            return action

        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid_user, {})
            # the snapshot is taken before the other transaction commits
            env["res.partner"].browse(sender).read(["comment"])
            action = retrying(functools.partial(request, env), env)
        self.assertEqual(tries, [0, 1], "replayed once, after the one call")
        self.assertEqual(self._calls(), 1)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("earlier pickup request", action["params"]["message"])
        self.assertEqual(self._committed(), ("uncertain", [True]))
        self.assertFalse(self.gateway_api.pickups)

    def test_clear_answer_leaves_no_mark(self):
        """A clear answer clears the mark committed before the call: a refusal can
        be asked again, an acceptance is restored (not "unclear")."""
        self.gateway.faults.add(
            PICKUP,
            Fault(status=200, body={"status": False, "reason": "Kurir penuh"}),
        )
        with self.registry.cursor() as cr:
            action = self._request(api.Environment(cr, self.uid_user, {}))
            self.assertEqual(action["params"]["type"], "warning")
            self.assertIn("Kurir penuh", action["params"]["message"])
        self.assertEqual(self._committed(), ("failed", [False]))
        with self.assertRaises(Rollback):
            with self.registry.cursor() as cr:
                action = self._request(api.Environment(cr, self.uid_user, {}))
                self.assertEqual(action["params"]["type"], "success")
                raise Rollback
        self.assertEqual(self._calls(), 2)
        self.assertEqual(self._committed(), ("failed", [False]))
        with self.registry.cursor() as cr:
            action = self._request(api.Environment(cr, self.uid_user, {}))
            self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self._calls(), 2)  # restored from the ledger
        self.assertEqual(self._committed(), ("requested", [False]))
