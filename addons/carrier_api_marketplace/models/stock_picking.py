# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import escape

from odoo import _, models
from odoo.exceptions import UserError

# Context key: this write of ``carrier_tracking_ref`` is the platform's own tracking
# number (marketplace_sync storing its answer), not a change of our waybill.
PLATFORM_TRACKING = "carrier_api_marketplace_platform_tracking"

# The bridge's activity types (data/mail_activity_type_data.xml): its open activities
# are found by type, never by their summary (written in the language of whoever
# triggered them).
STALE_TRACKING = "carrier_api_marketplace.mail_activity_type_stale_tracking"
ARRANGED_BACKORDER = "carrier_api_marketplace.mail_activity_type_arranged_backorder"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        watched = "carrier_tracking_ref" in vals and not self.env.context.get(
            PLATFORM_TRACKING
        )
        masters = (
            {p.id: p._carrier_api_marketplace_master() for p in self.sudo()}
            if watched
            else {}
        )
        result = super().write(vals)
        if vals.get("carrier_tracking_ref"):
            self._carrier_api_marketplace_enqueue()
        if watched:
            # once per change of the master waybill: writing the same one again, or
            # cancelling a second package only, tells the platform nothing new
            self.filtered(
                lambda p: p._carrier_api_marketplace_master() != masters[p.id]
            )._carrier_api_marketplace_check_told()
            if not vals["carrier_tracking_ref"]:
                # no waybill, nothing the platform could refuse any more
                self.sudo().activity_feedback(
                    [ARRANGED_BACKORDER],
                    feedback=_("The delivery's waybill is cancelled."),
                )
        return result

    # ------------------------------------------------------------------ helpers
    def _carrier_api_marketplace_master(self):
        """The waybill the platform is (to be) told: the first of Odoo's
        comma-separated ``carrier_tracking_ref``, or ``False``."""
        self.ensure_one()
        return next(iter(self._carrier_api_waybills()), False)

    def _carrier_api_marketplace_watched(self):
        """A marketplace delivery shipped with one of carrier_api's carriers."""
        self.ensure_one()
        return bool(
            self.marketplace_order_id
            and self.carrier_api_is_ours
            and self.picking_type_code == "outgoing"
        )

    def _carrier_api_marketplace_platform(self):
        order = self.marketplace_order_id
        provider = order.shop_id._fields["provider"]
        return dict(provider._description_selection(self.env)).get(
            order.shop_id.provider, order.shop_id.provider
        )

    def _carrier_api_marketplace_arranged_sibling(self):
        """Another delivery of the same marketplace order already arranged on the
        platform. Shopee's ``ship_order`` arranges an order once, TikTok's Ship Package
        the order's (first) package once (reference marketplaces.md §1.6, §2.4); a
        second push would be answered "already arranged" and take that delivery's
        tracking number over ours."""
        self.ensure_one()
        return self.sale_id.picking_ids.filtered(
            lambda p: (
                p != self
                and p.marketplace_shipment_arranged
                and p.picking_type_code == "outgoing"
            )
        )[:1]

    def _carrier_api_marketplace_enqueue(self):
        """Queue the push of our waybill to the platform, once per waybill."""
        for picking in self.sudo():
            if (
                not picking._carrier_api_marketplace_watched()
                or picking.marketplace_shipment_arranged
            ):
                continue
            picking.marketplace_order_id.shop_id.connection_id._enqueue_outbound(
                "_carrier_api_marketplace_push",
                {"picking": picking.id, "waybill": picking.carrier_tracking_ref},
                dedupe_key=(
                    f"carrier-waybill:{picking.id}:{picking.carrier_tracking_ref}"
                ),
                record=picking,
            )

    # ------------------------------------------------------------------ marketplace_sync
    def _marketplace_check_arrangeable(self):
        """Also refuses a second delivery (a backorder) of an order the platform has
        arranged already, decided again on the locked rows by
        ``_marketplace_arrange_once``."""
        result = super()._marketplace_check_arrangeable()
        sibling = self.carrier_api_is_ours and (
            self._carrier_api_marketplace_arranged_sibling()
        )
        if sibling:
            raise UserError(
                _(
                    "%(platform)s has order %(order)s arranged already, with delivery "
                    "%(other)s (tracking %(tracking)s); it takes no second delivery.",
                    platform=self._carrier_api_marketplace_platform(),
                    order=self.marketplace_order_id.name,
                    other=sibling.name,
                    tracking=self.marketplace_order_id.tracking_number or "-",
                )
            )
        return result

    def _marketplace_ship(self, own_tracking):
        """Our carrier's waybills of a multi-package delivery are Odoo's
        comma-separated ``carrier_tracking_ref``. Neither platform takes several for
        one shipment: Shopee ``ship_order`` takes one
        ``non_integrated.tracking_number`` per order, TikTok Ship Package one
        ``self_shipment.tracking_number`` per package, and TikTok's packages are the
        platform's own, not our parcels (reference marketplaces.md §1.6, §2.4). The
        first (master) waybill is sent; the others are named in the chatter, in the
        side transaction that commits "arranged"."""
        waybills = (
            [w.strip() for w in own_tracking.split(",") if w.strip()]
            if own_tracking and self.carrier_api_is_ours
            else []
        )
        if len(waybills) < 2:
            return super()._marketplace_ship(own_tracking)
        result = super()._marketplace_ship(waybills[0])
        platform = self._carrier_api_marketplace_platform()
        if self.marketplace_order_id.shop_id.provider == "tiktok":
            reason = _(
                "TikTok Shop's Ship Package takes one tracking number per package."
            )
        else:
            reason = _("Shopee's ship_order takes one tracking number per order.")
        self.message_post(
            body=_(
                "Waybill %(sent)s sent to %(platform)s as the tracking number. Not "
                "sent: %(others)s (%(reason)s) The buyer follows the parcels through "
                "%(sent)s only.",
                sent=waybills[0],
                platform=platform,
                others=", ".join(waybills[1:]),
                reason=reason,
            )
        )
        return result

    def _marketplace_store_tracking(self, tracking):
        """The platform's tracking number goes on the marketplace order; our carrier's
        waybills stay on the delivery (carrier_api tracks and cancels them). When the
        platform has another number than our master waybill (an order it had
        arranged already), someone is asked to correct it."""
        if not (self._carrier_api_marketplace_watched() and self.carrier_tracking_ref):
            return super(
                StockPicking, self.with_context(**{PLATFORM_TRACKING: True})
            )._marketplace_store_tracking(tracking)
        order = self.marketplace_order_id
        if tracking and tracking != order.tracking_number:
            order.sudo().tracking_number = tracking
        self._carrier_api_marketplace_check_told()

    # ------------------------------------------------------------------ stale waybill
    def _carrier_api_marketplace_check_told(self):
        """After "arranged": when the platform's tracking number is not our master
        waybill any more (cancelled or replaced), one open activity says so, rewritten
        on every change; it is marked done when they agree again.

        Neither client can correct it through the API: Shopee documents no call that
        changes a non-integrated tracking number (``update_shipping_order`` changes the
        pickup of RETRY_SHIP orders), and TikTok's ``shipping_info/update`` (within
        72 h after shipping, reference marketplaces.md §1.6, §2.4) is not in
        marketplace_sync's client. So a person does it in the seller centre.
        """
        for picking in self.sudo():
            order = picking.marketplace_order_id
            if (
                not picking._carrier_api_marketplace_watched()
                or not picking.marketplace_shipment_arranged
                or not order.tracking_number
                # a cancelled order ships nothing: its dead waybill harms no buyer
                or order.lifecycle == "cancelled"
            ):
                continue
            platform = picking._carrier_api_marketplace_platform()
            master = picking._carrier_api_marketplace_master()
            if master == order.tracking_number:
                picking.activity_feedback(
                    [STALE_TRACKING],
                    feedback=_(
                        "The delivery's waybill is %s again, as on the platform.",
                        master,
                    ),
                )
                continue
            note = picking._carrier_api_marketplace_stale_note(platform, master)
            picking.message_post(body=note)
            picking._carrier_api_marketplace_activity(
                STALE_TRACKING,
                note,
                summary=_("Update the tracking number on %s", platform),
            )

    def _carrier_api_marketplace_activity(self, activity_type, note, summary=None):
        """Leave one open activity of ``activity_type`` on each delivery, for
        :meth:`_carrier_api_marketplace_responsible`: the open one, found by its
        type, gets the new ``note`` (its summary stays in the language it was written
        in); else one is scheduled.

        :param str activity_type: the xmlid of one of the bridge's activity types
        :param note: the activity's note (HTML, escaped)
        :param str summary: for a new activity; without it the type's name is shown
        :return: the open activities, one per delivery
        """
        activities = self.env["mail.activity"]
        for picking in self:
            activity = picking.activity_search([activity_type])[:1]
            if activity:
                activity.note = note
            else:
                activity = picking.activity_schedule(
                    activity_type,
                    summary=summary or "",
                    note=note,
                    user_id=picking._carrier_api_marketplace_responsible().id,
                )
            if activity:
                activities |= activity
        return activities

    # ------------------------------------------------------------------ backorder
    def _carrier_api_marketplace_refuse_backorder(self, sibling):
        """The platform arranged this delivery's order with ``sibling`` already and
        takes no second shipment (Shopee's ``ship_order`` once per order, TikTok's
        Ship Package once per package, reference marketplaces.md §1.6, §2.4): the
        waybill is not sent. Said in the chatter, and one open activity asks the
        responsible to hand the buyer this delivery's waybill another way.

        :param sibling: the delivery of the same order arranged on the platform
        """
        self.ensure_one()
        order = self.marketplace_order_id
        platform = self._carrier_api_marketplace_platform()
        values = {
            "waybill": self.carrier_tracking_ref,
            "platform": platform,
            "order": order.name,
            "other": sibling.name,
            "tracking": order.tracking_number or "-",
        }
        self.message_post(
            body=_(
                "Waybill %(waybill)s not sent to %(platform)s: order %(order)s is "
                "arranged there already with delivery %(other)s (tracking "
                "%(tracking)s), and the platform takes one shipment per order.",
                **values,
            )
        )
        text = _(
            "%(platform)s takes no second delivery for order %(order)s: the order is "
            "arranged there with delivery %(other)s (tracking %(tracking)s), so this "
            "delivery's waybill %(waybill)s was not sent. Give the buyer this waybill "
            "another way (e.g. in the platform's chat).",
            **values,
        )
        connection = order.shop_id.connection_id
        return self._carrier_api_marketplace_activity(
            ARRANGED_BACKORDER, escape(connection._mask_text(text))
        )

    def _carrier_api_marketplace_stale_note(self, platform, master):
        order = self.marketplace_order_id
        connection = order.shop_id.connection_id
        if master:
            now = _("this delivery's waybill is now %s", master)
        else:
            now = _("this delivery has no waybill any more (cancelled)")
        if order.shop_id.provider == "tiktok":
            where = _(
                "Update it in TikTok Shop Seller Center (TikTok accepts a change of a "
                "seller-shipped tracking number within 72 hours after shipping)."
            )
        else:
            where = _(
                "Update it in Shopee Seller Centre (Shopee's API has no call to change "
                "it)."
            )
        text = _(
            "%(platform)s still has tracking number %(told)s for order %(order)s, but "
            "%(now)s. %(where)s",
            platform=platform,
            told=order.tracking_number,
            order=order.name,
            now=now,
            where=where,
        )
        return escape(connection._mask_text(text))

    def _carrier_api_marketplace_responsible(self):
        """Who corrects the platform: the delivery's responsible, the salesperson,
        the shop's (its connection's) responsible, else the administrator."""
        return (
            self.user_id
            or self.sale_id.user_id
            or self.marketplace_order_id.shop_id.responsible_user_id
            or self.env.ref("base.user_admin")
        )
