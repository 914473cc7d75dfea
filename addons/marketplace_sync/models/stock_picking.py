# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import json
import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..api.common import IntegrationError

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    marketplace_order_id = fields.Many2one(
        related="sale_id.marketplace_order_id", string="Marketplace order"
    )
    marketplace_shipment_arranged = fields.Boolean(copy=False, readonly=True)

    def action_marketplace_arrange_shipment(self):
        """Arrange shipment on the platform, store the tracking number and the label.

        Shopee: get_shipping_parameter → ship_order (pickup: first pickup address and
        slot; otherwise drop-off; an own-carrier tracking number already on the picking
        goes as ``non_integrated``) → get_tracking_number → shipping document
        (developer-guide/229 §8). TikTok: Ship Package (PICKUP, or ``self_shipment``
        with the own tracking number) → shipping document, whose URL is valid 24 h,
        downloaded at once (fulfillment.md). Checks raise before anything is sent; once
        the platform accepted, later problems are posted with an activity instead of
        raising.
        """
        for picking in self:
            order = picking.marketplace_order_id
            if not order or picking.picking_type_code != "outgoing":
                raise UserError(_("%s is not a marketplace delivery.", picking.name))
            if picking.marketplace_shipment_arranged:
                raise UserError(_("Shipment of %s is already arranged.", picking.name))
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
            shop = order.shop_id
            if shop.provider == "tiktok" and not order.package_ref:
                raise UserError(_("Order %s has no TikTok package yet.", order.name))
            own_tracking = picking.carrier_tracking_ref
            if shop.provider == "shopee":
                tracking, label = picking._marketplace_ship_shopee(
                    shop, order, own_tracking
                )
            else:
                tracking, label = picking._marketplace_ship_tiktok(
                    shop, order, own_tracking
                )
            picking._marketplace_record_shipment(tracking, label)
        return True

    def _marketplace_ship_shopee(self, shop, order, own_tracking):
        params = shop._marketplace_api("get_shipping_parameter", order.name)
        needed = params.get("info_needed") or {}
        if own_tracking:
            shop._marketplace_api(
                "ship_order",
                order.name,
                non_integrated={"tracking_number": own_tracking},
            )
        elif "pickup" in needed:
            addresses = (params.get("pickup") or {}).get("address_list") or []
            address = next(
                (
                    a
                    for a in addresses
                    if "pickup_address" in (a.get("address_flag") or [])
                ),
                None,
            ) or (addresses[0] if addresses else None)
            slots = (address or {}).get("time_slot_list") or []
            if not address or not slots:
                raise UserError(
                    _(
                        "Shopee offers no pickup address or time slot for %s.",
                        order.name,
                    )
                )
            shop._marketplace_api(
                "ship_order",
                order.name,
                pickup={
                    "address_id": address["address_id"],
                    "pickup_time_id": slots[0]["pickup_time_id"],
                },
            )
        else:
            shop._marketplace_api("ship_order", order.name, dropoff={})
        self.marketplace_shipment_arranged = True
        tracking, label = own_tracking, None
        try:
            tracking = own_tracking or shop._marketplace_api(
                "get_tracking_number", order.name
            )
            if not own_tracking and tracking:
                label = shop._marketplace_api("download_label", order.name)
        except IntegrationError as exc:
            self._marketplace_after_ship_problem(str(exc))
        return tracking, label

    def _marketplace_tiktok_provider_id(self, shop, order):
        """The TikTok shipping provider id of this delivery's carrier.

        Ship Package's ``self_shipment.shipping_provider_id`` takes an id from Get
        Shipping Providers of the order's ``delivery_option_id`` (reference §2.4,
        fulfillment.md/logistics.md). The carrier is matched by name, case-insensitive
        **[inference]**.

        :raises UserError: no carrier, no delivery option, or no provider of that name
            (listing the offered ones); nothing was sent yet.
        """
        try:
            raw = json.loads(order.payload or "{}")
        except ValueError:
            raw = {}
        option = raw.get("delivery_option_id") if isinstance(raw, dict) else None
        if not self.carrier_id or not option:
            raise UserError(
                _(
                    "%(pick)s: seller shipping on TikTok needs a carrier on the delivery "
                    "and a delivery option on the order (%(order)s).",
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
                    "TikTok knows no shipping provider named %(carrier)s for this order; "
                    "it offers: %(names)s. Rename the carrier, then try again.",
                    carrier=self.carrier_id.name,
                    names=", ".join(p.get("name") or "-" for p in providers) or "-",
                )
            )
        return str(match["id"])

    def _marketplace_ship_tiktok(self, shop, order, own_tracking):
        package = order.package_ref.split(",")[0]
        kwargs = {"handover_method": shop.tiktok_handover_method or "PICKUP"}
        if own_tracking:
            kwargs = {
                "handover_method": "DROP_OFF",
                "self_shipment": {
                    "tracking_number": own_tracking,
                    "shipping_provider_id": self._marketplace_tiktok_provider_id(
                        shop, order
                    ),
                },
            }
        shop._marketplace_api("ship_package", package, **kwargs)
        self.marketplace_shipment_arranged = True
        tracking, label = own_tracking, None
        if own_tracking:
            return tracking, label
        try:
            doc = shop._marketplace_api("get_shipping_document", package)
            tracking = doc.get("tracking_number")
            label = shop._marketplace_api("download", doc["doc_url"])
        except (IntegrationError, KeyError) as exc:
            self._marketplace_after_ship_problem(str(exc))
        return tracking, label

    def _marketplace_after_ship_problem(self, message):
        self.message_post(body=_("Shipment arranged, but: %s", message))
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=_("Fetch the tracking number or label"),
            note=message,
            user_id=self.env.uid,
        )

    def _marketplace_record_shipment(self, tracking, label):
        if tracking:
            self.carrier_tracking_ref = tracking
            self.marketplace_order_id.tracking_number = tracking
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
                body=_("Shipping label downloaded."), attachment_ids=attachment.ids
            )
        self.message_post(
            body=_("Shipment arranged on the platform; tracking %s.", tracking or "-")
        )
