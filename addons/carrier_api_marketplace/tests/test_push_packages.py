# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Multi-package deliveries send their master waybill only; a waybill cancelled or
replaced after the platform was told is flagged to a person; a second delivery of an
arranged order is not pushed (reference marketplaces.md §1.6, §2.4). The bridge's
activities are found by their type, in whatever language they were written."""

from odoo.modules.migration import load_script
from odoo.tests import new_test_user, tagged

from odoo.addons.carrier_api_marketplace.models.stock_picking import (
    ARRANGED_BACKORDER,
    STALE_TRACKING,
)

from . import test_push
from .test_push import SHIP

TIKTOK_ORDER = "576461413038785752"
TIKTOK_PACKAGE = "1153132168123859"
TIKTOK_OPTION = "7091146663229654785"
SHOPEE_ORDER = "201218V2Y6E59M"


@tagged("post_install", "-at_install")
class TestCarrierWaybillPackages(test_push.TestCarrierWaybillPush):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.responsible = new_test_user(
            cls.env,
            login="cam_responsible",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    # the inherited tests run once, in test_push
    test_waybill_pushed_once_as_non_integrated = None
    test_platform_error_is_retried = None
    test_other_carrier_not_pushed = None

    def _arranged(self, waybills="JNE0001111"):
        picking = self._picking()
        picking.sudo().user_id = self.responsible
        picking.carrier_tracking_ref = waybills
        self._drain()
        self.assertTrue(picking.marketplace_shipment_arranged)
        return picking

    def _tiktok_picking(self):
        self.tiktok_order(delivery_option_id=TIKTOK_OPTION)
        with self.tiktok_api.lock:
            # matched by the carrier's name (marketplace_sync)
            self.tiktok_api.providers[TIKTOK_OPTION] = [
                {"id": "6617675021119438850", "name": self.our_carrier.name}
            ]
        self.tiktok_shop._marketplace_fetch_and_import([TIKTOK_ORDER])
        self.env.flush_all()
        picking = self.mp_order(
            self.tiktok_shop, TIKTOK_ORDER
        ).sale_order_id.picking_ids
        picking.carrier_id = self.our_carrier
        return picking.with_user(self.warehouse_user)

    def _stale_activities(self, picking):
        return picking.sudo().activity_search([STALE_TRACKING])

    def _backorder_activities(self, picking):
        return picking.sudo().activity_search([ARRANGED_BACKORDER])

    def _notes(self, picking, text):
        return picking.sudo().message_ids.filtered(lambda m: text in (m.body or ""))

    # ------------------------------------------------------------------ packages
    def test_shopee_multi_package_sends_master_waybill(self):
        picking = self._arranged("JNE0001111,JNE0002222")
        self.assertEqual(
            self.shopee_api.shipped[SHOPEE_ORDER]["non_integrated"],
            {"tracking_number": "JNE0001111"},
        )
        # every package's waybill stays on the delivery (carrier_api tracks them)
        self.assertEqual(picking.carrier_tracking_ref, "JNE0001111,JNE0002222")
        self.assertEqual(picking.marketplace_order_id.tracking_number, "JNE0001111")
        note = self._notes(picking, "Not sent: JNE0002222")
        self.assertEqual(len(note), 1)
        self.assertIn("one tracking number per order", note.body)
        self.assertFalse(self._stale_activities(picking))

    def test_tiktok_multi_package_sends_master_waybill(self):
        picking = self._tiktok_picking()
        picking.carrier_tracking_ref = "JNE0003333, JNE0004444"
        self._drain()
        self.assertEqual(self._push_events().state, "done", self._push_events().error)
        self.assertEqual(
            self.tiktok_api.shipped[TIKTOK_PACKAGE]["self_shipment"],
            {
                "tracking_number": "JNE0003333",
                "shipping_provider_id": "6617675021119438850",
            },
        )
        self.assertEqual(picking.carrier_tracking_ref, "JNE0003333, JNE0004444")
        note = self._notes(picking, "Not sent: JNE0004444")
        self.assertIn("one tracking number per package", note.body)

    # ------------------------------------------------------------------ after "arranged"
    def test_waybill_cancelled_after_arranged_asks_once(self):
        picking = self._arranged("JNE0001111")
        # carrier_api cancelling the waybill empties the reference
        picking.carrier_tracking_ref = False
        activity = self._stale_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertIn("Shopee still has tracking number JNE0001111", activity.note)
        self.assertIn("no waybill any more", activity.note)
        self.assertIn("Seller Centre", activity.note)
        # nothing changed: no second ask
        picking.carrier_tracking_ref = False
        self.assertEqual(len(self._stale_activities(picking)), 1)
        # a new waybill: the same activity says so, no second one
        picking.carrier_tracking_ref = "JNE0009999"
        activity = self._stale_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertIn("now JNE0009999", activity.note)
        self.assertEqual(len(self._notes(picking, "still has tracking number")), 2)
        # the platform is not called again, and no push is queued
        self.assertEqual(len(self.server.requests_to(SHIP)), 1)
        self.assertEqual(len(self._push_events()), 1)
        # back to the waybill the platform has: nothing left to do
        picking.carrier_tracking_ref = "JNE0001111"
        self.assertFalse(self._stale_activities(picking))

    def test_waybill_cancelled_with_the_order_asks_nothing(self):
        picking = self._arranged("JNE0001111")
        self.shopee_api.set_status(SHOPEE_ORDER, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SHOPEE_ORDER])
        self.assertEqual(picking.marketplace_order_id.lifecycle, "cancelled")
        picking.carrier_tracking_ref = False
        self.assertFalse(self._stale_activities(picking))

    def test_tiktok_waybill_replaced_after_arranged(self):
        picking = self._tiktok_picking()
        picking.sudo().user_id = self.responsible
        picking.carrier_tracking_ref = "JNE0003333"
        self._drain()
        picking.carrier_tracking_ref = "JNE0005555"
        activity = self._stale_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertIn("TikTok Shop", activity.summary)
        self.assertIn("still has tracking number JNE0003333", activity.note)
        self.assertIn("72 hours", activity.note)

    def test_second_package_cancelled_after_arranged_is_quiet(self):
        picking = self._arranged("JNE0001111,JNE0002222")
        # the platform never had the second waybill
        picking.carrier_tracking_ref = "JNE0001111"
        self.assertFalse(self._stale_activities(picking))
        # the master cancelled: the platform's number is dead
        picking.carrier_tracking_ref = "JNE0002222"
        self.assertEqual(len(self._stale_activities(picking)), 1)

    def test_platform_arranged_with_another_number_keeps_our_waybill(self):
        """The platform answers "already arranged" with its own number: our
        carrier's waybill stays on the delivery, the difference is flagged."""
        picking = self._picking()
        picking.sudo().user_id = self.responsible
        self.shopee_api.set_status(SHOPEE_ORDER, "PROCESSED")
        self.shopee_api.tracking[SHOPEE_ORDER] = "SPXID0000009999"
        picking.carrier_tracking_ref = "JNE0001111"
        self._drain()
        self.assertTrue(picking.marketplace_shipment_arranged)
        self.assertEqual(picking.carrier_tracking_ref, "JNE0001111")
        self.assertEqual(
            picking.marketplace_order_id.tracking_number, "SPXID0000009999"
        )
        activity = self._stale_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertIn("SPXID0000009999", activity.note)
        self.assertIn("now JNE0001111", activity.note)

    # ------------------------------------------------------------------ guards
    def test_waybill_cancelled_before_push_is_not_sent(self):
        picking = self._picking()
        picking.carrier_tracking_ref = "JNE0001111"
        picking.carrier_tracking_ref = False
        self._drain()
        self.assertEqual(self._push_events().state, "ignored")
        self.assertFalse(self.server.requests_to(SHIP))
        self.assertFalse(picking.marketplace_shipment_arranged)

    def test_order_cancelled_before_push_is_no_dead_letter(self):
        picking = self._picking()
        picking.carrier_tracking_ref = "JNE0001111"
        self.shopee_api.set_status(SHOPEE_ORDER, "CANCELLED")
        self.shopee_shop._marketplace_fetch_and_import([SHOPEE_ORDER])
        self._drain()
        event = self._push_events()
        self.assertEqual(event.state, "ignored", event.error)
        self.assertFalse(event.dead_letter)
        self.assertFalse(self.server.requests_to(SHIP))

    def test_same_waybill_back_after_cancel_is_pushed(self):
        """The first push was ignored (cancelled meanwhile); the same waybill again
        gets a new event, not the finished one's dedupe."""
        picking = self._picking()
        picking.carrier_tracking_ref = "JNE0001111"
        picking.carrier_tracking_ref = False
        self._drain()
        picking.carrier_tracking_ref = "JNE0001111"
        self._drain()
        self.assertEqual(
            sorted(self._push_events().mapped("state")), ["done", "ignored"]
        )
        self.assertEqual(
            self.shopee_api.shipped[SHOPEE_ORDER]["non_integrated"],
            {"tracking_number": "JNE0001111"},
        )

    def test_second_delivery_of_arranged_order_not_pushed(self):
        """A backorder with its own waybill: the platform arranged the order once;
        the second push must not take over the first delivery's tracking number."""
        first = self._arranged("JNE0001111")
        second = first.sudo().copy()
        self.assertEqual(second.sale_id, first.sale_id)
        self.assertEqual(second.picking_type_code, "outgoing")
        second.with_user(self.warehouse_user).carrier_tracking_ref = "JNE0007777"
        self._drain()
        event = self._push_events().filtered(lambda e: e.res_id == second.id)
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(len(self.server.requests_to(SHIP)), 1)
        self.assertEqual(second.carrier_tracking_ref, "JNE0007777")
        self.assertFalse(second.marketplace_shipment_arranged)
        self.assertEqual(first.marketplace_order_id.tracking_number, "JNE0001111")
        self.assertTrue(self._notes(second, "JNE0007777 not sent to Shopee"))
        # a person is asked, once per delivery: the first is not touched
        activity = self._backorder_activities(second)
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref(ARRANGED_BACKORDER),
        )
        self.assertIn(
            f"Shopee takes no second delivery for order {first.marketplace_order_id.name}",
            activity.note,
        )
        self.assertIn("waybill JNE0007777 was not sent", activity.note)
        self.assertFalse(self._backorder_activities(first))
        self.assertFalse(self._stale_activities(second))

    def test_non_outgoing_picking_not_pushed(self):
        picking = self._picking()
        internal = self.warehouse.int_type_id
        picking.sudo().picking_type_id = internal
        picking.carrier_tracking_ref = "JNE0001111"
        self.assertFalse(self._push_events())

    # ------------------------------------------------------------------ activities
    def _second_delivery(self, waybill):
        """A backorder of an arranged order, refused with ``waybill``."""
        first = self._arranged("JNE0001111")
        second = first.sudo().copy({"user_id": self.responsible.id})
        second = second.with_user(self.warehouse_user)
        second.carrier_tracking_ref = waybill
        self._drain()
        self.assertFalse(second.marketplace_shipment_arranged)
        return second

    def test_second_delivery_new_waybill_rewrites_the_activity(self):
        second = self._second_delivery("JNE0007777")
        second.carrier_tracking_ref = "JNE0008888"
        self._drain()
        activity = self._backorder_activities(second)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.responsible)
        self.assertIn("waybill JNE0008888 was not sent", activity.note)
        self.assertEqual(len(self.server.requests_to(SHIP)), 1)

    def test_second_delivery_waybill_cancelled_closes_the_activity(self):
        second = self._second_delivery("JNE0007777")
        self.assertEqual(len(self._backorder_activities(second)), 1)
        # carrier_api cancelling the waybill empties the reference
        second.carrier_tracking_ref = False
        self.assertFalse(self._backorder_activities(second))
        done = self._notes(second, "The delivery's waybill is cancelled.")
        self.assertEqual(len(done), 1, second.sudo().message_ids.mapped("body"))
        self.assertEqual(done.mail_activity_type_id, self.env.ref(ARRANGED_BACKORDER))

    def test_stale_activity_found_by_type_in_any_language(self):
        """Written in Indonesian, rewritten and closed in English: one activity."""
        self.env["res.lang"]._activate_lang("id_ID")
        picking = self._arranged("JNE0001111")
        picking.with_context(lang="id_ID").carrier_tracking_ref = False
        activity = self._stale_activities(picking)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref(STALE_TRACKING))
        self.assertEqual(activity.summary, "Perbarui nomor resi di Shopee")
        self.assertEqual(activity.user_id, self.responsible)
        picking.with_context(lang="en_US").carrier_tracking_ref = "JNE0009999"
        self.assertEqual(self._stale_activities(picking), activity)
        self.assertIn("now JNE0009999", activity.note)
        picking.with_context(lang="en_US").carrier_tracking_ref = "JNE0001111"
        self.assertFalse(self._stale_activities(picking))
        self.assertFalse(activity.exists() and activity.active)

    def test_migration_retypes_old_stale_activities(self):
        """18.0.1.0.1: an open activity the old code scheduled (Odoo's Exception
        type, the summary in the user's language) gets the bridge's type, so the
        next change rewrites it; other Exception activities keep theirs."""
        self.env["res.lang"]._activate_lang("id_ID")
        picking = self._arranged("JNE0001111")
        exception = self.env.ref("mail.mail_activity_data_warning")
        old, other = picking.sudo().activity_schedule(
            activity_type_id=exception.id,
            summary="Perbarui nomor resi di Shopee",
            note="old note",
            user_id=self.responsible.id,
        ) | picking.sudo().activity_schedule(
            activity_type_id=exception.id,
            summary="Call the buyer",
            user_id=self.responsible.id,
        )
        self.assertFalse(self._stale_activities(picking))
        script = load_script(
            "carrier_api_marketplace/migrations/18.0.1.0.1/post-migrate.py",
            "carrier_api_marketplace_post_migrate_18_0_1_0_1",
        )
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(old.activity_type_id, self.env.ref(STALE_TRACKING))
        self.assertEqual(other.activity_type_id, exception)
        picking.carrier_tracking_ref = False
        self.assertEqual(self._stale_activities(picking), old)
        self.assertIn("no waybill any more", old.note)
