# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo control panel, served at the root of the gateway servers' port.

A person (or a test) plays the other side of every integration here: the buyer who
orders on Shopee or TikTok Shop, the platform that moves the order through its
statuses, the customer who pays a virtual account at the bank. Each action changes the
imitated gateway's own state (so its APIs, which Odoo re-reads, agree) and then sends
Odoo exactly what the real gateway sends, signed with the demo keys: a Shopee push
(``Authorization`` HMAC over URL + body), a TikTok webhook (HMAC over app key + body),
a Midtrans notification (``signature_key``), a Xendit callback (``x-callback-token``).

Plain HTML, a little inline CSS and JavaScript, no external asset: the demo runs
offline. Every action is a ``POST /panel/<section>/<action>`` taking a form or a JSON
body; a browser form is answered by a redirect to the page with a message, a JSON
request (``Accept: application/json``) by ``{"ok", "message", "result"}``.
``GET /panel/api/state`` gives what the page shows, as JSON.

Sections are pluggable (:func:`register_section`): a gateway module adds its own
(a carrier's "move the shipment forward") by subclassing :class:`Section`; a section
whose gateway is not mounted is left out.

Plain Python: no Odoo import.
"""

import json
import os
import secrets
import string
import time
from datetime import datetime, timezone
from urllib.parse import quote

from .framework import Fault, GatewayHandler, Response, esc, html_page, redirect
from .xendit import _iso

SECTIONS = []


def register_section(cls):
    """Class decorator: show ``cls`` on the panel (ordered by ``cls.sequence``)."""
    SECTIONS.append(cls)
    SECTIONS.sort(key=lambda c: c.sequence)
    return cls


class PanelError(Exception):
    """An action that cannot be done: the message is shown to the person."""


# The demo shops' catalogues: what a buyer can order. ``scripts/setup_demo.py`` maps
# each SKU to an Odoo product (by ``default_code``), so orders made here import.
DEMO_CATALOG = {
    "shopee": [
        {
            "item_id": "1001",
            "model_id": "2001",
            "sku": "KAOS-HIT-L",
            "name": "Kaos Polos",
            "model_name": "Hitam,L",
            "price": 60000,
        },
        {
            "item_id": "1002",
            "model_id": "0",
            "sku": "TOPI-BATIK",
            "name": "Topi Batik",
            "model_name": "",
            "price": 100000,
        },
        {
            "item_id": "1003",
            "model_id": "0",
            "sku": "KOPI-GAYO-250",
            "name": "Kopi Gayo 250 g",
            "model_name": "",
            "price": 50000,
        },
    ],
    "tiktok": [
        {
            "item_id": "1729582718312370000",
            "model_id": "1729582718312380001",
            "sku": "KOPI-GAYO-250",
            "name": "Kopi Gayo",
            "model_name": "250 g",
            "price": 50000,
        },
        {
            "item_id": "1729582718312370001",
            "model_id": "1729582718312380002",
            "sku": "GULA-AREN-1KG",
            "name": "Gula Aren",
            "model_name": "1 kg",
            "price": 50000,
        },
        {
            "item_id": "1729582718312370002",
            "model_id": "1729582718312380003",
            "sku": "KAOS-HIT-L",
            "name": "Kaos Polos",
            "model_name": "Hitam L",
            "price": 60000,
        },
    ],
}


def _int(value, name, minimum=0):
    try:
        number = int(str(value).strip() or 0)
    except (TypeError, ValueError) as exc:
        raise PanelError(f"{name} must be a whole number.") from exc
    if number < minimum:
        raise PanelError(f"{name} must be at least {minimum}.")
    return number


def _odoo_answer(response):
    """One line saying what Odoo answered to a push or notification."""
    text = (response.text or "").strip().replace("\n", " ")[:200]
    return f"Odoo answered HTTP {response.status_code}" + (f": {text}" if text else "")


class Section:
    """One box of the panel. Subclasses set ``key`` (URL-safe), ``title``, the
    ``gateway`` handler name they need (None: always shown) and ``sequence``, and
    implement :meth:`render` (HTML), :meth:`state` (JSON-able) and ``action_<name>``
    methods taking the submitted fields (a dict of strings, or JSON values) and
    returning a message, or ``(message, result)``; they raise :class:`PanelError`
    for what cannot be done."""

    key = ""
    title = ""
    gateway = None
    sequence = 50

    def __init__(self, panel):
        self.panel = panel

    @property
    def handler(self):
        return self.panel.gateway(self.gateway) if self.gateway else None

    def available(self):
        return self.gateway is None or self.handler is not None

    def render(self):
        return ""

    def state(self):
        return {}

    def action(self, name):
        return getattr(self, f"action_{name}", None)

    # ------------------------------------------------------------------ html helpers
    def form(self, action, inner, button, css=""):
        return (
            f"<form method='post' class='{css}' "
            f"action='/panel/{self.key}/{action}'>{inner}"
            f"<button type='submit' name='do' value='{esc(action)}'>{esc(button)}"
            "</button></form>"
        )

    @staticmethod
    def hidden(**fields):
        return "".join(
            f"<input type='hidden' name='{esc(k)}' value='{esc(v)}'>"
            for k, v in fields.items()
        )


# ---------------------------------------------------------------------- settings
@register_section
class SettingsSection(Section):
    """Where the gateways send their notifications: what a merchant registers in
    each gateway's console (Shopee push URL, TikTok webhook and redirect URLs, Midtrans
    Payment Notification URL, Xendit FVA callback URL)."""

    key = "settings"
    title = "Where the gateways call Odoo"
    sequence = 90

    FIELDS = (
        ("odoo_url", "Odoo URL"),
        ("shopee_push_url", "Shopee push URL"),
        ("tiktok_webhook_url", "TikTok webhook URL"),
        ("tiktok_redirect_url", "TikTok redirect URL (Connect shop)"),
        ("midtrans_notification_url", "Midtrans notification URL"),
        ("xendit_callback_url", "Xendit callback URL"),
    )

    def state(self):
        return {name: self.panel.setting(name) for name, _label in self.FIELDS}

    def render(self):
        values = self.state()
        rows = "".join(
            f"<tr><th><label for='set_{name}'>{esc(label)}</label></th><td>"
            f"<input id='set_{name}' name='{name}' size='70' "
            f"value='{esc(values[name] or '')}'></td></tr>"
            for name, label in self.FIELDS
        )
        return (
            "<p class='muted'>The demo setup registers these; Midtrans and Xendit "
            "URLs name the Odoo connection (its form shows its webhook URL).</p>"
            + self.form("save", f"<table>{rows}</table>", "Save")
        )

    def action_save(self, data):
        changed = []
        for name, _label in self.FIELDS:
            if name in data:
                value = (data.get(name) or "").strip() or None
                if value and not value.startswith(("http://", "https://")):
                    raise PanelError(f"{name} must be an http(s) URL.")
                self.panel.set_setting(name, value)
                changed.append(name)
        return f"Saved {', '.join(changed) or 'nothing'}."


# ---------------------------------------------------------------------- marketplaces
class MarketplaceSection(Section):
    """A shop on a marketplace: its catalogue, its orders and their statuses."""

    # neutral step -> (label, platform status); None: not a status of the platform
    STEPS = ()
    sequence = 10

    def catalog(self):
        return self.panel.catalogs.setdefault(
            self.gateway, [dict(p) for p in DEMO_CATALOG.get(self.gateway, [])]
        )

    def product(self, sku):
        for product in self.catalog():
            if sku in (product["sku"], f"{product['item_id']}/{product['model_id']}"):
                return product
        raise PanelError(f"SKU {sku} is not in the shop's catalogue.")

    def push_url(self):
        url = self.panel.setting(self.push_setting)
        if not url:
            raise PanelError("Set Odoo's URL first (Where the gateways call Odoo).")
        return url

    def connected(self):
        handler = self.handler
        now = handler.now()
        with handler.lock:
            return any(expires > now for expires in handler.access_tokens.values())

    def state(self):
        handler = self.handler
        with handler.lock:
            orders = [self.order_summary(o) for o in handler.orders.values()]
        return {
            "shop_id": str(handler.shop_id),
            "shop_name": handler.shop_name,
            "connected": self.connected(),
            "catalog": self.catalog(),
            "orders": sorted(orders, key=lambda o: o["update_time"], reverse=True),
        }

    def parse_lines(self, data):
        """``lines`` (JSON list of {sku, quantity}) or form fields sku_N / qty_N."""
        lines = data.get("lines")
        if lines is None:
            lines = [
                {"sku": data.get(f"sku_{i}"), "quantity": data.get(f"qty_{i}")}
                for i in range(1, 4)
                if data.get(f"sku_{i}")
            ]
        if not isinstance(lines, list) or not lines:
            raise PanelError("Choose at least one product.")
        result = []
        for line in lines:
            if not isinstance(line, dict):
                raise PanelError("Each line names a sku and a quantity.")
            quantity = line.get("quantity")
            quantity = _int(
                1 if quantity in (None, "") else quantity, "Quantity", minimum=1
            )
            if quantity > 100:
                raise PanelError("Quantity must be at most 100.")
            result.append((self.product(str(line.get("sku"))), quantity))
        return result

    def action_create_order(self, data):
        lines = self.parse_lines(data)
        voucher = _int(data.get("voucher") or 0, "Voucher")
        buyer = (data.get("buyer") or "").strip() or "Budi Santoso"
        if len(buyer) > 60:
            raise PanelError("The buyer's name is at most 60 characters.")
        paid = str(data.get("paid", "1")).lower() not in ("0", "false", "", "off")
        order = self.build_order(lines, voucher, buyer, paid)
        self.handler.put_order(order)
        ref = order[self.handler.order_key]
        status, answer = self.deliver(ref)
        return (
            f"Order {ref} created ({order[self.handler.status_field]}). {answer}",
            {
                "order": ref,
                "status": order[self.handler.status_field],
                "odoo_status": status,
            },
        )

    def action_set_status(self, data):
        ref = str(data.get("order") or "")
        step = str(data.get("step") or "")
        steps = dict((s[0], s) for s in self.STEPS)
        if step not in steps:
            raise PanelError(f"Unknown step {step}.")
        with self.handler.lock:
            if ref not in self.handler.orders:
                raise PanelError(f"Order {ref} is not on this shop.")
        label = self.apply_step(ref, step)
        status, answer = self.deliver(ref)
        return (
            f"Order {ref}: {label}. {answer}",
            {
                "order": ref,
                "status": self.handler.orders[ref][self.handler.status_field],
                "odoo_status": status,
            },
        )

    def action_push(self, data):
        ref = str(data.get("order") or "")
        with self.handler.lock:
            if ref not in self.handler.orders:
                raise PanelError(f"Order {ref} is not on this shop.")
        _status, answer = self.deliver(ref)
        return f"Push for {ref} sent again. {answer}"

    def deliver(self, ref):
        """Push the order's current state to Odoo: ``(HTTP status or None, text)``.
        The platform keeps the order whatever Odoo answers (it would retry, and
        Odoo's own sync finds it)."""
        url = self.push_url()
        try:
            response = self.send_push(ref)
        except OSError as exc:  # requests' errors are OSErrors
            return None, (
                f"The push could not reach Odoo at {url} ({type(exc).__name__}); "
                "press push again once Odoo runs, or use Sync orders now in Odoo."
            )
        return response.status_code, "Push sent. " + _odoo_answer(response)

    def apply_step(self, ref, step):
        _key, label, status = next(s for s in self.STEPS if s[0] == step)
        self.handler.set_status(ref, status)
        return f"{label} ({status})"

    def render(self):
        state = self.state()
        connected = (
            "<b style='color:#2e7d32'>connected</b> (Odoo holds a valid token)"
            if state["connected"]
            else "<b style='color:#c62828'>not connected</b>: press <i>Connect "
            "shop</i> on the shop in Odoo"
        )
        options = "".join(
            f"<option value='{esc(p['sku'])}'>{esc(p['sku'])}: {esc(p['name'])} "
            f"{esc(p['model_name'])} (Rp {p['price']:,})</option>"
            for p in state["catalog"]
        )
        product_fields = "".join(
            f"<select name='sku_{i}'>"
            + ("" if i == 1 else "<option value=''>(none)</option>")
            + f"{options}</select> × <input name='qty_{i}' type='number' min='1' "
            f"max='100' value='{1 if i == 1 else ''}' style='width:4em'><br>"
            for i in range(1, 3)
        )
        create = self.form(
            "create_order",
            f"{product_fields}Voucher Rp <input name='voucher' type='number' min='0'"
            " value='0' style='width:7em'> Buyer <input name='buyer' "
            "value='Budi Santoso'> <label><input type='checkbox' name='paid' "
            "value='1' checked> paid</label> ",
            "Create order and push",
        )
        rows = "".join(self.render_order(o) for o in state["orders"])
        table = (
            "<table><tr><th>Order</th><th>Status</th><th>Buyer</th><th>Total</th>"
            f"<th>Move to</th></tr>{rows}</table>"
            if rows
            else "<p class='muted'>No order yet.</p>"
        )
        return (
            f"<p>Shop <b>{esc(state['shop_name'])}</b> ({esc(state['shop_id'])}): "
            f"{connected}. Pushes go to <code>"
            f"{esc(self.panel.setting(self.push_setting) or '-')}</code>.</p>"
            f"<h3>New order</h3>{create}<p class='muted'>{esc(self.voucher_note)}</p>"
            f"<h3>Orders</h3>{table}"
        )

    def render_order(self, order):
        buttons = "".join(
            self.form(
                "set_status",
                self.hidden(order=order["ref"], step=key),
                label,
                css="inline",
            )
            for key, label, status in self.STEPS
            if status != order["status"]
        )
        again = self.form(
            "push", self.hidden(order=order["ref"]), "push again", "inline"
        )
        return (
            f"<tr data-order='{esc(order['ref'])}'><td>{esc(order['ref'])}</td>"
            f"<td class='status'>{esc(order['status'])}</td>"
            f"<td>{esc(order['buyer'])}</td><td>Rp {order['total']:,}</td>"
            f"<td>{buttons} {again}</td></tr>"
        )


def _order_sn():
    """A Shopee-looking order number: YYMMDD + 8 upper-case letters and digits."""
    alphabet = string.ascii_uppercase + string.digits
    return time.strftime("%y%m%d") + "".join(secrets.choice(alphabet) for _ in range(8))


@register_section
class ShopeeSection(MarketplaceSection):
    key = "shopee"
    title = "Shopee shop"
    gateway = "shopee"
    sequence = 10
    push_setting = "shopee_push_url"
    shipping_fee = 12000
    voucher_note = (
        "Shopee: the voucher is the seller's discount on the first product "
        "(model_discounted_price), in whole rupiah per unit."
    )
    STEPS = (
        ("paid", "paid", "READY_TO_SHIP"),
        ("ready_to_ship", "ready to ship (arranged)", "PROCESSED"),
        ("shipped", "shipped", "SHIPPED"),
        ("delivered", "delivered", "TO_CONFIRM_RECEIVE"),
        ("completed", "completed", "COMPLETED"),
        ("cancel_request", "buyer asks to cancel", "IN_CANCEL"),
        ("cancelled", "cancelled", "CANCELLED"),
        ("return_requested", "return requested", "TO_RETURN"),
    )

    def order_summary(self, order):
        return {
            "ref": order["order_sn"],
            "status": order["order_status"],
            "buyer": order["recipient_address"]["name"],
            "total": order["total_amount"],
            "update_time": order["update_time"],
            "tracking_number": self.handler.tracking.get(order["order_sn"], ""),
        }

    def build_order(self, lines, voucher, buyer, paid):
        items = []
        first_qty = lines[0][1]
        per_unit = voucher // first_qty
        if voucher and (per_unit <= 0 or per_unit >= lines[0][0]["price"]):
            raise PanelError("The voucher must be below the first product's price.")
        for index, (product, quantity) in enumerate(lines):
            discounted = product["price"] - (per_unit if index == 0 else 0)
            items.append(
                {
                    "item_id": int(product["item_id"]),
                    "item_name": product["name"],
                    "item_sku": product["sku"],
                    "model_id": int(product["model_id"]),
                    "model_name": product["model_name"],
                    "model_sku": product["sku"] if product["model_id"] != "0" else "",
                    "model_quantity_purchased": quantity,
                    "model_original_price": product["price"],
                    "model_discounted_price": discounted,
                    "order_item_id": int(product["item_id"]),
                    "promotion_type": "",
                    "promotion_group_id": 0,
                    "add_on_deal_id": 0,
                    "main_item": False,
                }
            )
        goods = sum(
            i["model_discounted_price"] * i["model_quantity_purchased"] for i in items
        )
        sn = _order_sn()
        return {
            # shape of v2.order.get_order_detail (developer-guide/229)
            "order_sn": sn,
            "region": "ID",
            "currency": "IDR",
            "cod": False,
            "order_status": "READY_TO_SHIP" if paid else "UNPAID",
            "days_to_ship": 2,
            "buyer_user_id": 200000 + sum(map(ord, buyer)),
            "buyer_username": buyer.lower().replace(" ", "")[:20],
            "estimated_shipping_fee": self.shipping_fee,
            "actual_shipping_fee": 0,
            "total_amount": goods + self.shipping_fee,
            "payment_method": "ShopeePay",
            "message_to_seller": "",
            "recipient_address": {
                "name": buyer,
                "phone": "6281234567890",
                "town": "",
                "district": "Setiabudi",
                "city": "KOTA JAKARTA SELATAN",
                "state": "DKI JAKARTA",
                "region": "ID",
                "zipcode": "12910",
                "full_address": "Jl. Rasuna Said No. 1, Setiabudi",
            },
            "item_list": items,
            "package_list": [
                {
                    "package_number": "OFG" + sn[-8:],
                    "logistics_status": "LOGISTICS_READY",
                    "shipping_carrier": "SPX Standard",
                }
            ],
        }

    def apply_step(self, ref, step):
        handler = self.handler
        label = super().apply_step(ref, step)
        with handler.lock:
            order = handler.orders[ref]
            if step in ("shipped", "delivered", "completed"):
                handler.tracking.setdefault(
                    ref, f"SPXID{secrets.randbelow(10**10):010d}"
                )
            if step == "return_requested":
                # the buyer's return request, as v2.returns.get_return_detail shows it
                handler.put_return(
                    {
                        "return_sn": "R" + ref,
                        "order_sn": ref,
                        "status": "REQUESTED",
                        "refund_amount": sum(
                            i["model_discounted_price"] * i["model_quantity_purchased"]
                            for i in order["item_list"]
                        ),
                        "currency": "IDR",
                        "needs_logistics": True,
                        "reason": "DAMAGED_PRODUCT",
                        "text_reason": "",
                        "item": [
                            {
                                "item_id": i["item_id"],
                                "model_id": i["model_id"],
                                "variation_sku": i["model_sku"] or i["item_sku"],
                                "amount": i["model_quantity_purchased"],
                                "item_price": i["model_discounted_price"],
                            }
                            for i in order["item_list"]
                        ],
                    }
                )
        return label

    def send_push(self, ref):
        handler = self.handler
        return handler.push(self.push_url(), handler.push_payload(ref))


@register_section
class TiktokSection(MarketplaceSection):
    key = "tiktok"
    title = "TikTok Shop (Tokopedia) shop"
    gateway = "tiktok"
    sequence = 20
    push_setting = "tiktok_webhook_url"
    shipping_fee = 9000
    voucher_note = (
        "TikTok Shop: the voucher is a platform-funded discount "
        "(payment.platform_discount), paid back to the seller by TikTok."
    )
    STEPS = (
        ("paid", "paid", "AWAITING_SHIPMENT"),
        ("ready_to_ship", "ready to ship (awaiting collection)", "AWAITING_COLLECTION"),
        ("shipped", "shipped", "IN_TRANSIT"),
        ("delivered", "delivered", "DELIVERED"),
        ("completed", "completed", "COMPLETED"),
        ("cancel_request", "buyer asks to cancel", None),
        ("cancelled", "cancelled", "CANCELLED"),
        ("return_requested", "return requested", None),
    )

    def order_summary(self, order):
        return {
            "ref": order["id"],
            "status": order["status"],
            "buyer": order["recipient_address"]["name"],
            "total": int(order["payment"]["total_amount"]),
            "update_time": order["update_time"],
            "tracking_number": next(
                (
                    li.get("tracking_number")
                    for li in order["line_items"]
                    if li.get("tracking_number")
                ),
                "",
            ),
        }

    def build_order(self, lines, voucher, buyer, paid):
        units = [product for product, quantity in lines for _unit in range(quantity)]
        goods = sum(p["price"] for p in units)
        if voucher >= goods:
            raise PanelError("The voucher must be below the products' total.")
        order_id = str(576461413000000000 + secrets.randbelow(10**9))
        package_id = str(1153132168000000 + secrets.randbelow(10**6))
        share, rest = divmod(voucher, len(units))
        line_items = []
        for index, product in enumerate(units):
            platform = share + (rest if index == 0 else 0)
            line_items.append(
                {
                    "id": f"{order_id}-{index + 1}",
                    "sku_id": product["model_id"],
                    "seller_sku": product["sku"],
                    "product_id": product["item_id"],
                    "product_name": product["name"],
                    "sku_name": product["model_name"],
                    "original_price": str(product["price"]),
                    "sale_price": str(product["price"] - platform),
                    "seller_discount": "0",
                    "platform_discount": str(platform),
                    "package_id": package_id,
                    "display_status": "AWAITING_SHIPMENT" if paid else "UNPAID",
                }
            )
        return {
            # shape of GET /order/202309/orders (order.md); one line item per unit
            "id": order_id,
            "status": "AWAITING_SHIPMENT" if paid else "UNPAID",
            "commerce_platform": "TOKOPEDIA",
            "is_on_hold_order": False,
            "user_id": str(7021436810000000000 + sum(map(ord, buyer))),
            "fulfillment_type": "FULFILLMENT_BY_SELLER",
            "shipping_type": "TIKTOK",
            "payment": {
                "currency": "IDR",
                "original_total_product_price": str(goods),
                "seller_discount": "0",
                "platform_discount": str(voucher),
                "sub_total": str(goods - voucher),
                "shipping_fee": str(self.shipping_fee),
                "original_shipping_fee": str(self.shipping_fee),
                "shipping_fee_seller_discount": "0",
                "shipping_fee_platform_discount": "0",
                "total_amount": str(goods - voucher + self.shipping_fee),
            },
            "recipient_address": {
                "name": buyer,
                "phone_number": "(+62)81234567890",
                "full_address": "Jl. Merdeka No. 10",
                "postal_code": "40115",
                "region_code": "ID",
                "district_info": [
                    {
                        "address_level_name": "Province",
                        "address_level": "L1",
                        "address_name": "Jawa Barat",
                    },
                    {
                        "address_level_name": "City",
                        "address_level": "L2",
                        "address_name": "Kota Bandung",
                    },
                ],
            },
            "line_items": line_items,
            "packages": [{"id": package_id}],
        }

    def apply_step(self, ref, step):
        handler = self.handler
        if step == "cancel_request":
            handler.request_cancellation(ref)
            return "buyer asks to cancel (cancellation request pending)"
        if step == "return_requested":
            with handler.lock:
                order = handler.orders[ref]
                handler.put_return(
                    {
                        # shape of returns/search return_orders[] (return_refund.md)
                        "return_id": "40" + ref[-16:],
                        "order_id": ref,
                        "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
                        "return_type": "RETURN_AND_REFUND",
                        "refund_amount": {
                            "currency": "IDR",
                            "refund_total": order["payment"]["sub_total"],
                        },
                        "return_line_items": [
                            {
                                "order_line_item_id": li["id"],
                                "sku_id": li["sku_id"],
                                "product_id": li["product_id"],
                                "seller_sku": li["seller_sku"],
                            }
                            for li in order["line_items"]
                        ],
                    }
                )
                order["update_time"] = max(order["update_time"] + 1, handler.now())
            return "return requested (Odoo reads it with its returns sync)"
        label = super().apply_step(ref, step)
        with handler.lock:
            for line in handler.orders[ref]["line_items"]:
                line["display_status"] = handler.orders[ref]["status"]
                if step in ("shipped", "delivered", "completed"):
                    line.setdefault(
                        "tracking_number", f"JX{secrets.randbelow(10**12):012d}"
                    )
        return label

    def send_push(self, ref):
        handler = self.handler
        return handler.push(self.push_url(), handler.webhook_payload(ref))


# ---------------------------------------------------------------------- payments
@register_section
class MidtransSection(Section):
    """Midtrans bank-transfer VAs: the customer pays at the bank, Midtrans notifies."""

    key = "midtrans"
    title = "Midtrans virtual accounts"
    gateway = "midtrans"
    sequence = 30

    def state(self):
        handler = self.handler
        with handler.lock:
            accounts = [
                self.summary(handler._find(order_id))
                for order_id in list(handler.transactions)
            ]
        return {"vas": accounts}

    @staticmethod
    def summary(tx):
        number = tx.get("va_number") or f"{tx.get('biller_code')}/{tx.get('bill_key')}"
        return {
            "ref": tx["order_id"],
            "bank": tx["bank"],
            "number": number,
            "amount": int(float(tx["gross_amount"])),
            "status": tx["transaction_status"],
            "expiry_time": tx["expiry_time"],
        }

    def url(self):
        url = self.panel.setting("midtrans_notification_url")
        if not url:
            raise PanelError(
                "Set the Midtrans notification URL first (the Midtrans connection's "
                "webhook URL in Odoo)."
            )
        return url

    def _pending(self, ref):
        handler = self.handler
        with handler.lock:
            tx = handler._find(ref)
            if not tx:
                raise PanelError(f"VA {ref} is not known to Midtrans.")
            if tx["transaction_status"] != "pending":
                raise PanelError(
                    f"VA {ref} is {tx['transaction_status']}: only a pending VA can "
                    "be paid or expired."
                )
            return tx

    def action_pay(self, data):
        ref = str(data.get("va") or "")
        tx = self._pending(ref)
        due = int(float(tx["gross_amount"]))
        amount = _int(data.get("amount") or due, "Amount", minimum=1)
        if amount != due:
            # Midtrans bank-transfer VAs are closed: the bank takes the exact amount
            raise PanelError(
                f"Midtrans VAs take only the exact amount (Rp {due:,}); the bank "
                "refuses other amounts."
            )
        response = self.handler.simulate_payment(ref, url=self.url())
        return (
            f"VA {ref} paid Rp {amount:,} (settlement); notification sent. "
            + _odoo_answer(response),
            {"va": ref, "status": "settlement", "odoo_status": response.status_code},
        )

    def action_expire(self, data):
        ref = str(data.get("va") or "")
        self._pending(ref)
        response = self.handler.simulate_payment(ref, status="expire", url=self.url())
        return (
            f"VA {ref} expired; notification sent. " + _odoo_answer(response),
            {"va": ref, "status": "expire", "odoo_status": response.status_code},
        )

    def render(self):
        rows = "".join(self.render_va(va) for va in self.state()["vas"])
        if not rows:
            return (
                "<p class='muted'>No VA yet: post an invoice in Odoo (the Midtrans "
                "connection opens one).</p>"
            )
        return (
            "<table><tr><th>Order id</th><th>Bank</th><th>VA number</th><th>Amount"
            f"</th><th>Status</th><th>Expires (WIB)</th><th></th></tr>{rows}</table>"
        )

    def render_va(self, va):
        actions = ""
        if va["status"] == "pending":
            actions = self.form(
                "pay", self.hidden(va=va["ref"], amount=va["amount"]), "Pay", "inline"
            ) + self.form(
                "expire", self.hidden(va=va["ref"]), "Let it expire", "inline"
            )
        return (
            f"<tr data-va='{esc(va['ref'])}'><td>{esc(va['ref'])}</td>"
            f"<td>{esc(va['bank'])}</td><td>{esc(va['number'])}</td>"
            f"<td>Rp {va['amount']:,}</td><td class='status'>{esc(va['status'])}</td>"
            f"<td>{esc(va['expiry_time'])}</td><td>{actions}</td></tr>"
        )


@register_section
class XenditSection(Section):
    """Xendit fixed VAs: paid at the bank (callback with ``x-callback-token``)."""

    key = "xendit"
    title = "Xendit virtual accounts"
    gateway = "xendit"
    sequence = 40

    def state(self):
        handler = self.handler
        with handler.lock:
            accounts = [dict(a) for a in handler.accounts.values()]
            paid = {}
            for payment in handler.payments.values():
                key = payment["callback_virtual_account_id"]
                paid[key] = paid.get(key, 0) + payment["amount"]
        return {
            "vas": [
                {
                    "ref": a["external_id"],
                    "id": a["id"],
                    "bank": a["bank_code"],
                    "number": a["account_number"],
                    "amount": a.get("expected_amount"),
                    "closed": a["is_closed"],
                    "paid": paid.get(a["id"], 0),
                    "status": a["status"],
                    "expiration_date": a["expiration_date"],
                }
                for a in accounts
            ]
        }

    def url(self):
        url = self.panel.setting("xendit_callback_url")
        if not url:
            raise PanelError(
                "Set the Xendit callback URL first (the Xendit connection's webhook "
                "URL in Odoo)."
            )
        return url

    def _account(self, ref):
        account = self.handler._by_external_id(ref)
        if not account:
            raise PanelError(f"VA {ref} is not known to Xendit.")
        return account

    def action_pay(self, data):
        ref = str(data.get("va") or "")
        account = self._account(ref)
        amount = _int(
            data.get("amount") or account.get("expected_amount") or 0,
            "Amount",
            minimum=1,
        )
        url = self.url()
        try:
            payment, response = self.handler.simulate_payment(ref, amount, url=url)
        except ValueError as exc:  # the bank refuses: inactive, or closed amount
            raise PanelError(f"The bank refuses the transfer: {exc}.") from exc
        return (
            f"VA {ref} paid Rp {amount:,}; callback sent. " + _odoo_answer(response),
            {
                "va": ref,
                "payment_id": payment["payment_id"],
                "odoo_status": response.status_code,
            },
        )

    def action_expire(self, data):
        """The VA reaches its expiration date: Xendit makes it INACTIVE and sends its
        "FVA created/updated" callback (payments.md §2.3)."""
        ref = str(data.get("va") or "")
        account = self._account(ref)
        if account["status"] == "INACTIVE":
            raise PanelError(f"VA {ref} is already inactive.")
        handler = self.handler
        with handler.lock:
            now = _iso(datetime.now(timezone.utc))
            account["expiration_date"] = now
            account["updated"] = now
        body = handler.va_status_callback(account["id"], "INACTIVE")
        response = handler.send_callback(
            self.url(), body, headers={"x-callback-token": handler.callback_token}
        )
        return (
            f"VA {ref} expired (INACTIVE); callback sent. " + _odoo_answer(response),
            {"va": ref, "status": "INACTIVE", "odoo_status": response.status_code},
        )

    def render(self):
        rows = "".join(self.render_va(va) for va in self.state()["vas"])
        if not rows:
            return (
                "<p class='muted'>No VA yet: post an invoice in Odoo with the Xendit "
                "connection.</p>"
            )
        return (
            "<table><tr><th>External id</th><th>Bank</th><th>VA number</th><th>"
            "Expected</th><th>Paid</th><th>Status</th><th></th></tr>"
            f"{rows}</table><p class='muted'>A closed VA takes only its expected "
            "amount; an open (per-customer) VA takes any amount, so it can be paid "
            "in parts.</p>"
        )

    def render_va(self, va):
        actions = ""
        if va["status"] != "INACTIVE":
            amount = (
                f"Rp <input name='amount' type='number' min='1' style='width:8em' "
                f"value='{esc(va['amount'] or '')}'>"
            )
            actions = self.form(
                "pay", self.hidden(va=va["ref"]) + amount, "Pay", "inline"
            ) + self.form(
                "expire", self.hidden(va=va["ref"]), "Let it expire", "inline"
            )
        expected = f"Rp {va['amount']:,}" if va["amount"] else "open"
        return (
            f"<tr data-va='{esc(va['ref'])}'><td>{esc(va['ref'])}</td>"
            f"<td>{esc(va['bank'])}</td><td>{esc(va['number'])}</td>"
            f"<td>{expected}</td><td>Rp {va['paid']:,}</td>"
            f"<td class='status'>{esc(va['status'])}</td><td>{actions}</td></tr>"
        )


# ---------------------------------------------------------------------- outages
@register_section
class OutageSection(Section):
    """A gateway that is down: its API answers HTTP 503 until it is back. Odoo's
    calls then fail, its events wait for a retry (or become dead letters), and a
    person can watch them, then retry them once the gateway is back."""

    key = "outage"
    title = "Gateway outages"
    sequence = 80
    FOREVER = 10**9

    def gateways(self):
        return [
            h
            for h in self.panel.server.handlers
            if h.prefix and h.name in ("shopee", "tiktok", "midtrans", "xendit")
        ]

    def state(self):
        faults = self.panel.server.faults
        return {h.name: bool(faults.pending(h.prefix + "/")) for h in self.gateways()}

    def _gateway(self, data):
        name = data.get("gateway")
        handler = next((h for h in self.gateways() if h.name == name), None)
        if not handler:
            raise PanelError(f"Unknown gateway {name}.")
        return handler

    def action_down(self, data):
        handler = self._gateway(data)
        pattern = handler.prefix + "/"
        self.panel.server.faults.discard(pattern)
        self.panel.server.faults.add(pattern, Fault(status=503), self.FOREVER)
        return f"{handler.name} is down: its API answers HTTP 503."

    def action_up(self, data):
        handler = self._gateway(data)
        self.panel.server.faults.discard(handler.prefix + "/")
        return f"{handler.name} is back."

    def render(self):
        rows = ""
        for name, down in self.state().items():
            button = (
                self.form("up", self.hidden(gateway=name), "Bring it back", "inline")
                if down
                else self.form(
                    "down", self.hidden(gateway=name), "Take it down", "inline"
                )
            )
            status = "<b style='color:#c62828'>down (503)</b>" if down else "up"
            rows += (
                f"<tr data-gateway='{esc(name)}'><td>{esc(name)}</td>"
                f"<td class='status'>{status}</td><td>{button}</td></tr>"
            )
        return (
            "<p class='muted'>The panel's own pushes and notifications still go "
            "out: only Odoo's calls to the gateway fail.</p>"
            f"<table>{rows}</table>"
        )


# ---------------------------------------------------------------------- the handler
PANEL_SCRIPT = """
document.querySelectorAll('form').forEach(function (f) {
  f.addEventListener('submit', function () {
    f.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
  });
});
var auto = document.getElementById('auto_refresh');
if (auto) {
  auto.checked = localStorage.getItem('panel_refresh') === '1';
  auto.addEventListener('change', function () {
    localStorage.setItem('panel_refresh', auto.checked ? '1' : '0');
  });
  setInterval(function () { if (auto.checked) { location.reload(); } }, 5000);
}
"""


class DemoPanel(GatewayHandler):
    """Mounted with prefix ``""``: it answers every path no gateway claims."""

    prefix = ""
    name = "panel"

    def __init__(self, odoo_url=None):
        super().__init__()
        self.settings = {}
        self.catalogs = {}
        odoo = (odoo_url or os.environ.get("ODOO_URL") or "").rstrip("/")
        if odoo:
            self.settings["odoo_url"] = odoo

    def register_routes(self):
        self.route("GET", "/", self.page)
        self.route("GET", "/panel/api/state", self.api_state)
        self.route("POST", "/panel/api/catalog", self.api_catalog)
        self.route("POST", "/panel/{section}/{action}", self.run)

    def reset(self):
        with self.lock:
            self.catalogs.clear()

    # ------------------------------------------------------------------ settings
    def gateway(self, name):
        return next((h for h in self.server.handlers if h.name == name), None)

    def setting(self, name):
        with self.lock:
            value = self.settings.get(name)
        if value or name == "odoo_url":
            return value
        odoo = self.setting("odoo_url")
        if name == "tiktok_redirect_url":
            tiktok = self.gateway("tiktok")
            return tiktok.redirect_url if tiktok else None
        if name == "midtrans_notification_url":
            midtrans = self.gateway("midtrans")
            return midtrans.notification_url if midtrans else None
        if name == "xendit_callback_url":
            xendit = self.gateway("xendit")
            return xendit.callback_url if xendit else None
        defaults = {
            "shopee_push_url": "/marketplace/shopee/push",
            "tiktok_webhook_url": "/marketplace/tiktok/webhook",
        }
        return odoo + defaults[name] if odoo and name in defaults else None

    def set_setting(self, name, value):
        with self.lock:
            self.settings[name] = value
        # the gateways read their own attributes (tests set them the same way)
        target = {
            "tiktok_redirect_url": ("tiktok", "redirect_url"),
            "midtrans_notification_url": ("midtrans", "notification_url"),
            "xendit_callback_url": ("xendit", "callback_url"),
        }.get(name)
        if target and self.gateway(target[0]):
            setattr(self.gateway(target[0]), target[1], value)

    def sections(self):
        return [s for s in (cls(self) for cls in SECTIONS) if s.available()]

    # ------------------------------------------------------------------ routes
    def api_state(self, request):
        return Response(200, {s.key: s.state() for s in self.sections()})

    def api_catalog(self, request):
        """Replace a shop's catalogue: ``{"gateway": "shopee", "products": [...]}``."""
        data = request.form()
        gateway = data.get("gateway")
        products = data.get("products")
        fields = ("item_id", "model_id", "sku", "name", "price")
        if gateway not in DEMO_CATALOG or not isinstance(products, list):
            return Response(400, {"ok": False, "error": "gateway and products needed"})
        for product in products:
            if not isinstance(product, dict) or not all(f in product for f in fields):
                return Response(
                    400, {"ok": False, "error": f"each product needs {fields}"}
                )
        with self.lock:
            self.catalogs[gateway] = [
                dict(
                    product,
                    item_id=str(product["item_id"]),
                    model_id=str(product["model_id"]),
                    price=int(product["price"]),
                    model_name=product.get("model_name", ""),
                )
                for product in products
            ]
        return Response(200, {"ok": True, "count": len(products)})

    def run(self, request):
        section = next(
            (s for s in self.sections() if s.key == request.params["section"]), None
        )
        action = section and section.action(request.params["action"])
        wants_json = request.wants_json()
        if not action:
            return Response(404, {"ok": False, "error": "no such action"})
        try:
            data = request.form()
        except ValueError:
            return Response(400, {"ok": False, "error": "the body is not JSON"})
        try:
            answer = action(data)
        except PanelError as exc:
            if wants_json:
                return Response(400, {"ok": False, "error": str(exc)})
            return redirect(f"/?error={quote(str(exc))}#{section.key}")
        except OSError as exc:  # Odoo is not reachable
            message = (
                f"Done at the gateway, but Odoo could not be reached "
                f"({type(exc).__name__}): Odoo sees it when it checks the status "
                "(Check status on the VA)."
            )
            if wants_json:
                return Response(502, {"ok": False, "error": message})
            return redirect(f"/?error={quote(message)}#{section.key}")
        message, result = answer if isinstance(answer, tuple) else (answer, None)
        if wants_json:
            return Response(200, {"ok": True, "message": message, "result": result})
        return redirect(f"/?msg={quote(message)}#{section.key}")

    def page(self, request):
        notice = ""
        if request.arg("msg"):
            notice = f"<p class='msg' id='panel_msg'>{esc(request.arg('msg'))}</p>"
        if request.arg("error"):
            notice = (
                f"<p class='msg error' id='panel_msg'>{esc(request.arg('error'))}</p>"
            )
        odoo = self.setting("odoo_url")
        odoo_link = (
            f"<a href='{esc(odoo)}/odoo'>Odoo</a>" if odoo else "Odoo URL not set"
        )
        boxes = "".join(
            f"<section id='{esc(s.key)}'><h2>{esc(s.title)}</h2>{s.render()}</section>"
            for s in self.sections()
        )
        body = (
            "<header><h1>Demo control panel: the other side of every integration"
            f"</h1>{odoo_link} · <label><input type='checkbox' id='auto_refresh'> "
            "refresh every 5 s</label></header><main>"
            "<p class='muted'>Play the buyer, the marketplace and the bank. Every "
            "button changes this gateway's state and sends Odoo what the real gateway "
            "sends, signed with the demo keys.</p>"
            f"{notice}{boxes}</main><script>{PANEL_SCRIPT}</script>"
        )
        return html_page("Demo control panel", body)


def state_json(server):
    """The panel's state of ``server`` (a ``GatewayServer`` with a panel), for tests."""
    panel = next(h for h in server.handlers if isinstance(h, DemoPanel))
    return json.loads(json.dumps({s.key: s.state() for s in panel.sections()}))


# Sections of their own modules, registered on import.
from . import panel_carriers  # noqa: E402, F401
