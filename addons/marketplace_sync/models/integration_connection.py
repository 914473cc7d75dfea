# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models

from odoo.addons.base_integration.api.exceptions import IgnoreEvent
from odoo.addons.base_integration.models.integration_event import Idle

from ..api import shopee, tiktok


class IntegrationConnection(models.Model):
    _inherit = "integration.connection"

    provider = fields.Selection(
        selection_add=[("shopee", "Shopee"), ("tiktok", "TikTok Shop / Tokopedia")],
        ondelete={"shopee": "cascade", "tiktok": "cascade"},
    )

    def _get_default_base_url(self):
        if self.provider == "shopee":
            return (
                shopee.PRODUCTION_URL
                if self.environment == "production"
                else shopee.SANDBOX_URL
            )
        if self.provider == "tiktok":
            # TikTok's 202309+ API has no usable sandbox host (reference §2.1
            # [secondary]).
            return tiktok.PRODUCTION_URL
        return super()._get_default_base_url()

    def _get_webhook_path(self):
        # One route per platform; the push names its shop (controllers/main.py).
        if self.provider == "shopee":
            return "/marketplace/shopee/push"
        if self.provider == "tiktok":
            return "/marketplace/tiktok/webhook"
        return super()._get_webhook_path()

    def _integration_is_connected(self):
        """A shop works once it is authorized: it has an access token."""
        if self.provider in ("shopee", "tiktok"):
            record = self.sudo()
            return bool(record.api_key and record.api_secret and record.access_token)
        return super()._integration_is_connected()

    def _integration_not_connected_message(self):
        if self.provider not in ("shopee", "tiktok"):
            return super()._integration_not_connected_message()
        record = self.sudo()
        if not (record.api_key and record.api_secret):
            return _(
                "Shop %(name)s has no app key or app secret yet: an administrator "
                "enters them in the shop's Credentials section, then presses Connect "
                "shop.",
                name=self.display_name,
            )
        return _(
            "Shop %(name)s is not connected: press Connect shop.",
            name=self.display_name,
        )

    def _integration_auth_hint(self):
        if self.provider in ("shopee", "tiktok"):
            return _(
                "The shop's authorization may have expired or been revoked: press "
                "Connect shop on the shop's form."
            )
        return super()._integration_auth_hint()

    def _get_secret_names(self):
        names = tuple(super()._get_secret_names())
        if self.provider in ("shopee", "tiktok"):
            names += (
                "sign",
                "access_token",
                "refresh_token",
                "app_secret",
                "x-tts-access-token",
                "partner_key",
                "code",
                "auth_code",
            )
        return names

    def _marketplace_shop(self):
        self.ensure_one()
        return (
            self.env["marketplace.shop"]
            .with_context(active_test=False)
            .search([("connection_id", "=", self.id)], limit=1)
        )

    def _marketplace_process_event(self, event):
        """Inbound handler of Shopee pushes and TikTok webhooks (see the shop)."""
        return self._marketplace_shop()._marketplace_handle_event(event)

    def _marketplace_process_event_batch(self, events):
        """Bulk inbound handler: order pushes fetched and imported together."""
        return self._marketplace_shop()._marketplace_handle_events(events)

    def _marketplace_push_stock_event(self, event):
        """Outbound handler: push the stock of the shop's dirty mappings (all active
        ones for a full push). Quantities are read now, never from the payload: an
        event coalesces many changes."""
        shop = self._marketplace_shop()
        if not shop.stock_push_enabled:
            raise IgnoreEvent(_("Stock push is off for this shop."))
        full = bool((event._get_payload() or {}).get("full"))
        maps = shop.product_map_ids.filtered(
            lambda m: m.active and (full or m.stock_dirty)
        )
        maps._marketplace_push_stock()
        return shop if maps else Idle(shop)

    def _marketplace_sync_orders_event(self, event):
        """Outbound handler: reconcile one slice of the shop's orders."""
        shop = self._marketplace_shop()
        payload = event._get_payload() or {}
        notify_uid = payload.get("notify_uid")
        if not shop.sudo().access_token:
            raise IgnoreEvent(_("The shop is not connected."))
        # A person's Sync orders now runs even when the scheduled one is off.
        if not (shop.sync_enabled or notify_uid):
            raise IgnoreEvent(_("Order reconciliation is off for this shop."))
        return shop._marketplace_sync_step(
            notify_uid=notify_uid, imported=payload.get("imported") or 0
        )

    def _marketplace_refresh_token_event(self, event):
        """Outbound handler: refresh the shop's token when it expires soon."""
        return self._marketplace_shop()._marketplace_check_token()

    def _test_connection(self):
        if self.provider in ("shopee", "tiktok"):
            return self._marketplace_shop()._marketplace_test_connection()
        return super()._test_connection()
