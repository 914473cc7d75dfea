# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import json
import logging

import psycopg2

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..api.common import IntegrationError

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_order_id = fields.Many2one(
        related="sale_id.marketplace_order_id", string="Marketplace order"
    )
    marketplace_shipment_arranged = fields.Boolean(
        string="Shipment arranged on the platform", copy=False, readonly=True
    )

    def action_marketplace_arrange_shipment(self):
        """Arrange shipment on the platform, store the tracking number and the label.

        Shopee: get_shipping_parameter → ship_order (pickup: first pickup address and
        slot; otherwise drop-off; an own-carrier tracking number already on the picking
        goes as ``non_integrated``) → get_tracking_number → shipping document
        (developer-guide/229 §8). TikTok: Ship Package (PICKUP, or ``self_shipment``
        with the own tracking number) → shipping document, whose URL is valid 24 h,
        downloaded at once (fulfillment.md).

        Exactly once, whoever clicks and however often Odoo replays the request:

        * checks raise before anything is sent;
        * the platform call runs in a side cursor that holds the picking and the
          marketplace order ``FOR UPDATE NOWAIT`` (a second click is told that
          someone else is arranging it);
        * as soon as the platform accepted, "arranged" and the tracking number are
          committed by that side cursor: a rollback of the request, or its replay
          after a serialization failure, neither loses them nor calls again;
        * a platform that answers "already arranged" (a call whose answer was lost)
          counts as success, with the platform's tracking number;
        * the label is fetched afterwards; problems there are posted with an
          activity instead of raising.
        """
        for picking in self:
            picking._marketplace_check_arrangeable()
            # The side cursors read the database (in tests they share this
            # transaction). A click brings no pending writes of its own.
            self.env.flush_all()
            connection = picking.marketplace_order_id.shop_id.sudo().connection_id
            try:
                with connection._integration_user_errors(
                    _("arranging the shipment of %s", picking.name)
                ):
                    fetch_label = picking._marketplace_arrange_once()
                    if fetch_label:
                        picking._marketplace_fetch_label()
            finally:
                picking.invalidate_recordset()
                picking.marketplace_order_id.invalidate_recordset()
        return True

    def _marketplace_check_arrangeable(self):
        """:raises UserError: the shipment cannot (or need not) be arranged."""
        self.ensure_one()
        order = self.marketplace_order_id
        if not order or self.picking_type_code != "outgoing":
            raise UserError(_("%s is not a marketplace delivery.", self.name))
        if self.marketplace_shipment_arranged:
            raise UserError(_("Shipment of %s is already arranged.", self.name))
        if order.lifecycle != "to_ship":
            raise UserError(
                _(
                    "Order %(o)s is %(s)s on the platform: it cannot be shipped.",
                    o=order.name,
                    s=order.platform_status,
                )
            )
        if order.marketplace_cancel_requested:
            raise UserError(
                _(
                    "The buyer of %s asks to cancel it: accept or reject the "
                    "request first.",
                    order.name,
                )
            )
        client_class = order.shop_id._marketplace_client_class()
        if client_class.SHIPS_PACKAGES and not order.package_ref:
            raise UserError(_("Order %s has no platform package yet.", order.name))

    def _marketplace_arrange_once(self):
        """Lock, ship and record "arranged" in one committed side transaction.

        :returns: whether a label is to be fetched (not for the seller's own carrier).
        """
        self.ensure_one()
        busy = _(
            "Someone else is arranging the shipment of %s right now; try again in a "
            "moment.",
            self.name,
        )
        try:
            with self.env.registry.cursor() as cr:
                picking = self.with_env(self.env(cr=cr))
                order = picking.marketplace_order_id
                # LockNotAvailable is an answer here, not a query to log
                cr.execute(
                    "SELECT id FROM stock_picking WHERE id = %s FOR UPDATE NOWAIT",
                    [picking.id],
                    log_exceptions=False,
                )
                cr.execute(
                    "SELECT id FROM marketplace_order WHERE id = %s FOR UPDATE NOWAIT",
                    [order.id],
                    log_exceptions=False,
                )
                # What the request saw may be old: decide on the locked rows.
                picking._marketplace_check_arrangeable()
                own_tracking = picking.carrier_tracking_ref
                result = picking._marketplace_ship(own_tracking)
                picking.marketplace_shipment_arranged = True
                tracking = result.get("tracking_number") or own_tracking
                picking._marketplace_store_tracking(tracking)
                picking.message_post(
                    body=(
                        _(
                            "The platform had this shipment arranged already; "
                            "tracking %s.",
                            tracking or "-",
                        )
                        if result.get("already_arranged")
                        else _(
                            "Shipment arranged on the platform; tracking %s.",
                            tracking or "-",
                        )
                    )
                )
                # leaving the block commits: the platform accepted
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise UserError(busy) from None
        return not own_tracking

    def _marketplace_ship(self, own_tracking):
        """The platform call. :raises UserError: the platform refused (nothing is
        arranged)."""
        order = self.marketplace_order_id
        shop = order.shop_id
        kwargs = {
            "tracking_number": own_tracking or None,
            "handover_method": shop.tiktok_handover_method or "PICKUP",
        }
        if own_tracking and shop._marketplace_client_class().NEEDS_SHIPPING_PROVIDER:
            kwargs["shipping_provider_id"] = self._marketplace_shipping_provider_id(
                shop, order
            )
        try:
            return shop._marketplace_api(
                "ship", order.name, order.package_ref, **kwargs
            )
        except IntegrationError as exc:
            raise UserError(
                _(
                    "The platform did not arrange the shipment of %(order)s: %(error)s",
                    order=order.name,
                    error=shop.connection_id._mask_text(str(exc)),
                )
            ) from exc

    def _marketplace_shipping_provider_id(self, shop, order):
        """The platform's shipping provider id of this delivery's carrier.

        TikTok's Ship Package ``self_shipment.shipping_provider_id`` takes an id from
        Get Shipping Providers of the order's ``delivery_option_id`` (reference §2.4,
        fulfillment.md/logistics.md). The carrier is matched by name, case-insensitive
        **[inference]**.

        :raises UserError: no carrier, no delivery option, or no provider of that name
            (listing the offered ones); nothing was sent yet.
        """
        try:
            raw = json.loads(order.payload or "{}")
        except ValueError:
            raw = {}
        option = shop._marketplace_client_class().delivery_option(raw)
        if not self.carrier_id or not option:
            raise UserError(
                _(
                    "%(pick)s: seller shipping on this platform needs a carrier on the "
                    "delivery and a delivery option on the order (%(order)s).",
                    pick=self.name,
                    order=order.name,
                )
            )
        providers = shop._marketplace_api("get_shipping_providers", option)
        wanted = self.carrier_id.name.strip().lower()
        match = next(
            (p for p in providers if (p.get("name") or "").strip().lower() == wanted),
            None,
        )
        if not match:
            raise UserError(
                _(
                    "The platform knows no shipping provider named %(carrier)s for "
                    "this order; it offers: %(names)s. Rename the carrier, then try "
                    "again.",
                    carrier=self.carrier_id.name,
                    names=", ".join(p.get("name") or "-" for p in providers) or "-",
                )
            )
        return str(match["id"])

    def _marketplace_fetch_label(self):
        """Tracking number and label of an arranged shipment, in a side cursor of its
        own (this request's snapshot does not see the arranged picking)."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            picking = self.with_env(self.env(cr=cr))
            order = picking.marketplace_order_id
            shop = order.shop_id
            try:
                document = shop._marketplace_api(
                    "get_label", order.name, order.package_ref
                )
            except (IntegrationError, KeyError) as exc:
                picking._marketplace_after_ship_problem(
                    shop.connection_id._mask_text(str(exc))
                )
                return
            picking._marketplace_record_shipment(
                document.get("tracking_number"), document.get("label")
            )

    def _marketplace_after_ship_problem(self, message):
        self.message_post(body=_("Shipment arranged, but: %s", message))
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Fetch the tracking number or label"),
            note=message,
            user_id=self.env.uid,
        )

    def _marketplace_store_tracking(self, tracking):
        if tracking and tracking != self.carrier_tracking_ref:
            self.carrier_tracking_ref = tracking
        if tracking and tracking != self.marketplace_order_id.tracking_number:
            # the platform's answer, whoever clicked
            self.marketplace_order_id.sudo().tracking_number = tracking

    def _marketplace_record_shipment(self, tracking, label):
        self._marketplace_store_tracking(tracking)
        if label:
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"Label-{self.marketplace_order_id.name}.pdf",
                    "datas": base64.b64encode(label),
                    "res_model": "stock.picking",
                    "res_id": self.id,
                    "mimetype": "application/pdf",
                }
            )
            self.message_post(
                body=_("Shipping label downloaded; tracking %s.", tracking or "-"),
                attachment_ids=attachment.ids,
            )
