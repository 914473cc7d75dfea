# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the Shopee and TikTok Shop imitations share: an order store keyed by the
platform's order number, OAuth codes and tokens that can be expired on demand."""

import secrets

from .framework import GatewayHandler


class MarketplaceHandler(GatewayHandler):
    """Subclasses set ``order_key`` and ``status_field`` (the platform's field names),
    ``code_prefix``, and implement ``now()``."""

    order_key = "id"
    status_field = "status"
    code_prefix = "code-"

    def issue_auth_code(self):
        code = self.code_prefix + secrets.token_hex(6)
        with self.lock:
            self.auth_codes[code] = "valid"
        return code

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0

    def put_order(self, order):
        """Add or replace an order (a detail dict as the platform's detail API returns)."""
        with self.lock:
            order.setdefault("update_time", self.now())
            order.setdefault("create_time", order["update_time"])
            self.orders[order[self.order_key]] = order
        return order

    def set_status(self, order_ref, status, update_time=None):
        with self.lock:
            order = self.orders[order_ref]
            order[self.status_field] = status
            order["update_time"] = update_time or max(
                order["update_time"] + 1, self.now()
            )
            return order
