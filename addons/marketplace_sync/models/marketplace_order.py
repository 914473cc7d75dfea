# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import logging
from datetime import datetime

from odoo import Command, _, api, fields, models
from odoo.tools import float_compare

from ..api import shopee, tiktok
from ..api.common import MalformedOrder, PermanentError
from .platform_rows import lock_platform_rows

_logger = logging.getLogger(__name__)

# Every platform status, explicitly: (shown lifecycle, action). No silent default: an
# unknown status parks the order (reference §4.3: unknown statuses with a default
# mapping
# pushed orders back to earlier states).
# Shopee: developer-guide/229 §10.
SHOPEE_STATUS = {
    "UNPAID": ("pending", "wait"),
    "PENDING": ("pending", "wait"),
    "INVOICE_PENDING": ("pending", "wait"),
    "READY_TO_SHIP": (
        "to_ship",
        "confirm",
    ),  # paid, past the buyer's free-cancel window
    "RETRY_SHIP": ("to_ship", "confirm"),
    "PROCESSED": ("to_ship", "confirm"),
    "SHIPPED": ("shipped", "confirm"),
    "TO_CONFIRM_RECEIVE": ("delivered", "confirm"),
    "COMPLETED": ("completed", "confirm"),
    "IN_CANCEL": ("cancelling", "hold"),
    "CANCELLED": ("cancelled", "cancel"),
    "TO_RETURN": ("returning", "return"),
}
# TikTok Shop 202309 order.md; ON_HOLD is the one-hour remorse window.
TIKTOK_STATUS = {
    "UNPAID": ("pending", "wait"),
    "ON_HOLD": ("pending", "wait"),
    "AWAITING_SHIPMENT": ("to_ship", "confirm"),
    "PARTIALLY_SHIPPING": ("shipped", "confirm"),
    "AWAITING_COLLECTION": ("to_ship", "confirm"),
    "IN_TRANSIT": ("shipped", "confirm"),
    "DELIVERED": ("delivered", "confirm"),
    "COMPLETED": ("completed", "confirm"),
    "CANCELLED": ("cancelled", "cancel"),
}
STATUS_MAPS = {"shopee": SHOPEE_STATUS, "tiktok": TIKTOK_STATUS}
ADAPTERS = {"shopee": shopee, "tiktok": tiktok}


class MappingError(Exception):
    """The order cannot become a sale order as it is; the message says what to fix."""


class BulkRejected(Exception):
    """Some orders of a bulk import must go one by one (they will park there)."""

    def __init__(self, external_ids):
        super().__init__(external_ids)
        self.external_ids = external_ids


class MarketplaceOrder(models.Model):
    _name = "marketplace.order"
    _description = "Marketplace Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "platform_create_time desc, id desc"
    _check_company_auto = True

    name = fields.Char("Platform order", required=True, readonly=True, index=True)
    shop_id = fields.Many2one(
        "marketplace.shop", required=True, readonly=True, ondelete="cascade", index=True
    )
    provider = fields.Selection(related="shop_id.provider", store=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("new", "Waiting"),
            ("imported", "Imported"),
            ("attention", "Needs attention"),
            ("cancelled", "Cancelled"),
        ],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    platform_status = fields.Char(readonly=True, tracking=True)
    lifecycle = fields.Selection(
        [
            ("pending", "Awaiting payment"),
            ("to_ship", "To ship"),
            ("shipped", "Shipped"),
            ("delivered", "Delivered"),
            ("completed", "Completed"),
            ("cancelling", "Cancellation requested"),
            ("cancelled", "Cancelled"),
            ("returning", "Return requested"),
        ],
        readonly=True,
    )
    platform_update_time = fields.Integer(
        readonly=True, help="Unix seconds, from the platform"
    )
    platform_create_time = fields.Datetime(readonly=True)
    commerce_platform = fields.Char(
        readonly=True, help="TikTok: TIKTOK_SHOP or TOKOPEDIA"
    )
    sale_order_id = fields.Many2one("sale.order", readonly=True, copy=False, index=True)
    error_message = fields.Text(readonly=True)
    payload = fields.Text(readonly=True, help="Last order detail received")
    buyer_paid = fields.Monetary(readonly=True)
    platform_discount = fields.Monetary(readonly=True, help="Funded by the marketplace")
    expected_total = fields.Monetary(readonly=True)
    package_ref = fields.Char("Package", readonly=True)
    tracking_number = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "shop_order_uniq",
            "unique(shop_id, name)",
            "A platform order is imported once per shop.",
        ),
    ]

    # ------------------------------------------------------------------ intake
    @api.model
    def _marketplace_lock(self, shop, external_id):
        """The order row of (shop, external id), created if needed, locked FOR UPDATE.

        ``INSERT ... ON CONFLICT DO NOTHING`` then ``SELECT ... FOR UPDATE``: two
        workers importing the same order serialise here instead of creating two sale
        orders.
        """
        return lock_platform_rows(self, shop, [external_id], "new")[external_id]

    @api.model
    def _marketplace_import(self, shop, raw):
        """Create or update the order from one platform payload.

        Never raises for bad data: it parks the order (state ``attention``, message and
        activity); nothing of a failed attempt is kept (savepoint). A payload older than
        the stored platform update time changes nothing.
        """
        adapter = ADAPTERS[shop.provider]
        external_id = (
            str(
                (raw or {}).get("order_sn" if shop.provider == "shopee" else "id") or ""
            )
            if isinstance(raw, dict)
            else ""
        )
        if not external_id:
            raise PermanentError(_("The platform sent an order without its number."))
        order = self._marketplace_lock(shop, external_id)
        raw_text = json.dumps(raw, sort_keys=True, default=str)
        try:
            norm = adapter.normalize_order(raw)
        except MalformedOrder as exc:
            order._marketplace_park(
                _("The platform sent an order that cannot be read: %s", exc), raw_text
            )
            return order
        if (
            order.platform_update_time
            and norm["update_time"] < order.platform_update_time
        ):
            return order
        if (
            shop.provider == "shopee"
            and not order.sale_order_id
            and shopee.order_gap(norm)
        ):
            # vouchers are only in the escrow detail; without it the totals check parks
            try:
                escrow = shop._marketplace_api("get_escrow_detail", external_id)
                norm = shopee.apply_escrow(norm, escrow)
            except PermanentError as exc:
                _logger.info("No escrow detail for %s yet: %s", external_id, exc)
        if (
            order.platform_update_time == norm["update_time"]
            and order.platform_status == norm["status"]
            and order.state != "attention"
        ):
            return order
        entry = STATUS_MAPS[shop.provider].get(norm["status"])
        if not entry:
            order._marketplace_park(
                _(
                    "Unknown platform status %s: no action is defined for it.",
                    norm["status"],
                ),
                raw_text,
                norm,
            )
            return order
        lifecycle, action = entry
        try:
            with self.env.cr.savepoint():
                state = order._marketplace_apply(norm, action)
        except MappingError as exc:
            self.env.invalidate_all()
            order._marketplace_park(str(exc), raw_text, norm)
            return order
        order.write(
            dict(
                order._marketplace_platform_values(norm, raw_text),
                lifecycle=lifecycle,
                state=state,
                error_message=False,
            )
        )
        order._marketplace_close_attention()
        return order

    @api.model
    def _marketplace_lock_many(self, shop, external_ids):
        """``_marketplace_lock`` for many orders at once: ``{external_id: order}``."""
        return lock_platform_rows(self, shop, external_ids, "new")

    @api.model
    def _marketplace_import_many(self, shop, raws):
        """Import many platform payloads; the same result as ``_marketplace_import`` on
        each, faster.

        New paid orders (the bulk of a busy day) are created with one
        ``sale.order.create`` and confirmed with one ``action_confirm``, which share
        the ORM's work (computations, procurement, pickings) across orders. Everything
        else (updates, cancellations, unpaid orders, unknown SKUs, totals that differ,
        unreadable payloads) goes through ``_marketplace_import`` one by one, so it is
        parked or applied exactly as alone.
        """
        orders = self.browse()
        if not raws:
            return orders
        key = "order_sn" if shop.provider == "shopee" else "id"
        locked = self._marketplace_lock_many(
            shop,
            [
                str(raw.get(key))
                for raw in raws
                if isinstance(raw, dict) and raw.get(key)
            ],
        )
        bulk, single, seen = {}, [], set()
        for raw in raws:
            norm = self._marketplace_bulk_candidate(shop, raw, locked, seen)
            if norm:
                bulk[norm["external_id"]] = (locked[norm["external_id"]], raw, norm)
            else:
                single.append(raw)
        while bulk:
            try:
                with self.env.cr.savepoint():
                    orders |= self._marketplace_create_many(shop, bulk)
                break
            except BulkRejected as exc:
                # Orders whose values cannot be built, or whose totals differ: they
                # park through the single path (with their own message).
                self.env.invalidate_all()
                for external_id in exc.external_ids:
                    single.append(bulk.pop(external_id)[1])
        for raw in single:
            orders |= self._marketplace_import(shop, raw)
        return orders

    @api.model
    def _marketplace_bulk_candidate(self, shop, raw, locked, seen):
        """The normalised order when ``raw`` is a new paid order for the bulk path."""
        if not isinstance(raw, dict):
            return None
        external_id = str(raw.get("order_sn" if shop.provider == "shopee" else "id"))
        order = locked.get(external_id)
        if not order or external_id in seen:
            return None
        seen.add(external_id)
        if order.sale_order_id or order.state != "new":
            return None
        try:
            norm = ADAPTERS[shop.provider].normalize_order(raw)
        except MalformedOrder:
            return None
        if (
            order.platform_update_time
            and norm["update_time"] <= order.platform_update_time
        ):
            return None  # stale or already seen: the single path decides
        entry = STATUS_MAPS[shop.provider].get(norm["status"])
        if (
            not entry
            or entry[1] != "confirm"
            or norm["status"] == "COMPLETED"
            or (shop.provider == "shopee" and shopee.order_gap(norm))
        ):
            return None
        return norm

    @api.model
    def _marketplace_create_many(self, shop, bulk):
        """Create and confirm the sale orders of ``bulk`` together.

        :param bulk: ``{external_id: (order, raw, norm)}``
        :raises BulkRejected: with the orders that must go one by one; nothing of
            this call is then kept (the caller's savepoint).
        """
        failed, prepared = [], []
        for external_id, (order, _raw, norm) in bulk.items():
            try:
                order._marketplace_check_currency(norm)
                commands = order._marketplace_line_commands(norm)
            except MappingError:
                failed.append(external_id)
                continue
            prepared.append(
                (order, norm, commands, *order._marketplace_partner_values(norm))
            )
        if failed:
            raise BulkRejected(failed)
        # One create for every delivery address: partner creation is costly.
        addresses = iter(
            self.env["res.partner"]
            .sudo()
            .create([item[4] for item in prepared if item[4]])
        )
        values = [
            order._marketplace_sale_values(
                norm,
                partners=(customer, next(addresses) if address else customer),
                commands=commands,
            )
            for order, norm, commands, customer, address in prepared
        ]
        sales = self.env["sale.order"].with_company(shop.company_id).create(values)
        failed = [
            external_id
            for external_id, sale in zip(bulk, sales, strict=True)
            if self._marketplace_total_problem(sale, bulk[external_id][2])
        ]
        if failed:
            raise BulkRejected(failed)
        sales.action_confirm()
        if shop.invoice_moment == "confirm":
            sales._marketplace_invoice()
        orders = self.browse()
        for (order, raw, norm), sale in zip(bulk.values(), sales, strict=True):
            # action_confirm overwrites date_order with now (odoo18.md §4.1)
            sale.date_order = datetime.utcfromtimestamp(norm["create_time"])
            lifecycle = STATUS_MAPS[shop.provider][norm["status"]][0]
            order.write(
                dict(
                    order._marketplace_platform_values(
                        norm, json.dumps(raw, sort_keys=True, default=str)
                    ),
                    sale_order_id=sale.id,
                    lifecycle=lifecycle,
                    state="imported",
                    error_message=False,
                )
            )
            orders |= order
        return orders

    def _marketplace_platform_values(self, norm, raw_text):
        return {
            "platform_status": norm["status"],
            "platform_update_time": norm["update_time"],
            "platform_create_time": datetime.utcfromtimestamp(norm["create_time"]),
            "commerce_platform": norm["commerce_platform"],
            "payload": raw_text,
            "buyer_paid": float(norm["buyer_paid"]),
            "platform_discount": float(norm["platform_discount"]),
            "expected_total": float(norm["expected_total"]),
            "package_ref": ",".join(
                str(p["id"]) for p in norm["packages"] if p.get("id")
            )
            or False,
            "tracking_number": next(
                (
                    p["tracking_number"]
                    for p in norm["packages"]
                    if p.get("tracking_number")
                ),
                self.tracking_number or False,
            ),
        }

    def _marketplace_park(self, message, raw_text, norm=None):
        """Put the order in "needs attention" with a precise message, one activity."""
        self.ensure_one()
        values = {"state": "attention", "error_message": message, "payload": raw_text}
        if norm:
            values.update(platform_status=norm["status"])
        self.write(values)
        summary = _("Marketplace order needs attention")
        if not self.activity_ids.filtered(lambda a: a.summary == summary):
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=message,
                user_id=self.shop_id.responsible_user_id.id or self.env.uid,
            )
        self.message_post(body=message)

    def _marketplace_close_attention(self):
        summary = _("Marketplace order needs attention")
        self.activity_ids.filtered(lambda a: a.summary == summary).action_feedback(
            feedback=_("Imported.")
        )

    def _marketplace_apply(self, norm, action):
        """Run the lifecycle action; return the new ``state``.

        :raises MappingError: the sale order cannot be built as the order is.
        """
        self.ensure_one()
        sale = self.sale_order_id
        if action == "wait":
            return "imported" if sale else "new"
        if action == "cancel":
            if sale:
                self._marketplace_cancel_sale(norm)
            return "cancelled"
        if not sale:
            if action == "hold":
                return "new"
            sale = self._marketplace_create_sale(norm)
        if sale.state in ("draft", "sent") and action in ("confirm", "return"):
            sale.action_confirm()
            # action_confirm overwrites date_order with now (odoo18.md §4.1)
            sale.date_order = datetime.utcfromtimestamp(norm["create_time"])
            if self.shop_id.invoice_moment == "confirm":
                sale._marketplace_invoice()
        if action == "return":
            # the return/refund records carry what to book (marketplace_return.py)
            self._marketplace_check_returns()
        if norm["status"] == "COMPLETED" and self.shop_id.invoice_moment == "completed":
            sale._marketplace_invoice()
        return "imported"

    def _marketplace_cancel_sale(self, norm):
        sale = self.sale_order_id
        if sale.state == "cancel":
            return
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        if done:
            sale.message_post(
                body=_(
                    "Cancelled on the platform after shipment (%s): handle the return.",
                    norm.get("cancel_reason") or "-",
                )
            )
            sale.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Cancelled on the platform after shipment"),
                user_id=self.shop_id.responsible_user_id.id or self.env.uid,
            )
            return
        sale.with_context(disable_cancel_warning=True)._action_cancel()
        sale.message_post(
            body=_("Cancelled on the platform: %s", norm.get("cancel_reason") or "-")
        )

    # ------------------------------------------------------------------ mapping
    def _marketplace_partners(self, norm):
        """The customer and the delivery address of the order (created as needed)."""
        customer, delivery_values = self._marketplace_partner_values(norm)
        if not delivery_values:
            return customer, customer
        return customer, self.env["res.partner"].sudo().create(delivery_values)

    def _marketplace_partner_values(self, norm):
        """The customer (found or created) and the values of the delivery address to
        create for this order (None: deliver to the customer)."""
        shop = self.shop_id
        buyer = norm["buyer"]
        Partner = self.env["res.partner"].sudo()
        customer = shop.partner_id
        if shop.partner_mode == "buyer" and buyer["external_id"]:
            ref = f"{shop.provider}:{buyer['external_id']}"
            customer = Partner.search([("ref", "=", ref)], limit=1) or Partner.create(
                {
                    "name": buyer["name"] or ref,
                    "ref": ref,
                    "company_id": shop.company_id.id,
                }
            )
        country = self.env["res.country"].search(
            [("code", "=", (buyer["country_code"] or "ID").upper())], limit=1
        )
        if not (buyer["name"] or buyer["street"]):
            return customer, None
        return customer, {
            "parent_id": customer.id,
            "type": "delivery",
            # masked values (J***n, ******12) are kept as sent: they are all there is
            "name": buyer["name"] or _("Buyer of %s", norm["external_id"]),
            "phone": buyer["phone"] or False,
            "street": buyer["street"] or False,
            "city": buyer["city"] or False,
            "zip": buyer["zip"] or False,
            "country_id": country.id or False,
            "company_id": shop.company_id.id,
        }

    def _marketplace_line_commands(self, norm):
        """Sale order line commands.

        :raises MappingError: listing every unknown SKU at once.
        """
        shop = self.shop_id
        tax = shop.tax_id
        Map = self.env["marketplace.product.map"]
        commands, problems = [], []
        seller_discount = norm["seller_discount"]
        for line in norm["lines"]:
            mapping = Map._marketplace_resolve(
                shop, line["item_id"], line["model_id"], line["sku"]
            )
            if not mapping:
                problems.append(
                    _(
                        "Unknown SKU %(sku)s (item %(item)s, model %(model)s, "
                        "%(name)s): add a "
                        "product mapping, then press Retry.",
                        sku=line["sku"] or "-",
                        item=line["item_id"] or "-",
                        model=line["model_id"] or "-",
                        name=line["name"] or "-",
                    )
                )
                continue
            seller_discount += line["seller_discount"]
            for product, qty, amount in mapping._marketplace_split(
                line["quantity"], line["unit_price"] * line["quantity"]
            ):
                commands.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": f"{product.display_name}\n"
                            f"[{line['sku'] or line['model_id']}] "
                            f"{line['name']}".strip(),
                            "product_uom_qty": qty,
                            "price_unit": float(amount) / qty if qty else 0.0,
                            "tax_id": [Command.set(tax.ids)],
                        }
                    )
                )
        if problems:
            raise MappingError("\n".join(problems))
        if seller_discount:
            commands.append(
                Command.create(
                    {
                        "product_id": shop.discount_product_id.id,
                        "name": _("Seller discount and vouchers"),
                        "product_uom_qty": 1,
                        "price_unit": -float(seller_discount),
                        "tax_id": [Command.set(tax.ids)],
                    }
                )
            )
        if norm["shipping_fee"]:
            commands.append(
                Command.create(
                    {
                        "product_id": shop.shipping_product_id.id,
                        "name": _("Shipping paid by the buyer"),
                        "product_uom_qty": 1,
                        "price_unit": float(norm["shipping_fee"]),
                        "tax_id": [Command.set(tax.ids)],
                    }
                )
            )
        return commands

    def _marketplace_create_sale(self, norm):
        sale = (
            self.env["sale.order"]
            .with_company(self.shop_id.company_id)
            .create(self._marketplace_sale_values(norm))
        )
        self._marketplace_check_total(sale, norm)
        self.sale_order_id = sale
        return sale

    def _marketplace_sale_values(self, norm, partners=None, commands=None):
        """Values of the sale order for ``norm`` (creates the partners it needs unless
        ``partners`` gives the customer and delivery address).

        :raises MappingError: unknown SKUs or a foreign currency.
        """
        self.ensure_one()
        shop = self.shop_id
        company = shop.company_id
        if commands is None:
            self._marketplace_check_currency(norm)
            commands = self._marketplace_line_commands(norm)
        customer, delivery = partners or self._marketplace_partners(norm)
        return {
            "partner_id": customer.id,
            "partner_invoice_id": shop.partner_id.id
            if shop.partner_mode == "shop"
            else customer.id,
            "partner_shipping_id": delivery.id,
            "client_order_ref": norm["external_id"],
            "origin": f"{shop.name}: {norm['external_id']}",
            "company_id": company.id,
            "warehouse_id": shop.warehouse_id.id,
            "team_id": shop.team_id.id or False,
            "marketplace_order_id": self.id,
            "date_order": datetime.utcfromtimestamp(norm["create_time"]),
            "order_line": commands,
        }

    def _marketplace_check_currency(self, norm):
        company = self.shop_id.company_id
        if norm["currency"] and norm["currency"] != company.currency_id.name:
            raise MappingError(
                _(
                    "The order is in %(cur)s but company %(company)s keeps its "
                    "books in %(own)s.",
                    cur=norm["currency"],
                    company=company.name,
                    own=company.currency_id.name,
                )
            )

    @api.model
    def _marketplace_total_problem(self, sale, norm):
        """The message explaining why ``sale`` does not total as the platform says."""
        expected = float(norm["expected_total"])
        if (
            float_compare(
                sale.amount_total,
                expected,
                precision_rounding=sale.currency_id.rounding,
            )
            == 0
        ):
            return None
        return _(
            "Totals differ: the platform says %(platform)s, the sale order "
            "would total %(odoo)s (difference %(diff)s). Check the tax (price "
            "included?), the "
            "mapping of bundles and vouchers, then press Retry.",
            platform=expected,
            odoo=sale.amount_total,
            diff=round(sale.amount_total - expected, 2),
        )

    @api.model
    def _marketplace_check_total(self, sale, norm):
        problem = self._marketplace_total_problem(sale, norm)
        if problem:
            raise MappingError(problem)

    # ------------------------------------------------------------------ actions
    def action_retry(self):
        """Fetch the order again from the platform and import it (after a fix)."""
        for order in self:
            order.shop_id._marketplace_fetch_and_import([order.name])
        return True

    def action_open_sale(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    def _marketplace_unknown_skus(self):
        """(shop, item_id, model_id, sku, name) of payload lines without a mapping."""
        result = set()
        Map = self.env["marketplace.product.map"]
        for order in self.filtered("payload"):
            try:
                norm = ADAPTERS[order.provider].normalize_order(
                    json.loads(order.payload)
                )
            except (MalformedOrder, ValueError):
                continue
            for line in norm["lines"]:
                if not Map._marketplace_resolve(
                    order.shop_id, line["item_id"], line["model_id"], line["sku"]
                ):
                    result.add(
                        (
                            order.shop_id,
                            line["item_id"],
                            line["model_id"],
                            line["sku"],
                            line["name"],
                        )
                    )
        return result


class MarketplaceOrderSettlement(models.Model):
    _inherit = "marketplace.order"

    settlement_id = fields.Many2one("marketplace.settlement", readonly=True, copy=False)

    def _marketplace_import_settlement(self):
        """Import the Shopee escrow / TikTok statement of settled orders.

        ``order_income.escrow_amount`` is what Shopee releases to the seller; it "will
        change before order is completed" (v2.payment.get_escrow_detail), so only
        completed orders are read, and an order without an amount yet stays pending
        (never 0). The fees are split into buckets (``marketplace.settlement.line``).

        :returns: the settlements created.
        """
        Settlement = self.env["marketplace.settlement"]
        created = Settlement
        for order in self.filtered(lambda o: not o.settlement_id and o.sale_order_id):
            payout, escrow = order._marketplace_fetch_payout()
            if payout is None:
                continue  # not settled yet: pending, never booked as 0
            invoices = order.sale_order_id.invoice_ids.filtered(
                lambda m: m.state == "posted"
            )
            # Net of credit notes (returns): what the receivable still holds.
            invoiced = sum(invoices.mapped("amount_total_signed"))
            settlement = Settlement.create(
                {
                    "name": _(
                        "%(platform)s payout %(order)s",
                        platform=order.shop_id.name,
                        order=order.name,
                    ),
                    "shop_id": order.shop_id.id,
                    "marketplace_order_id": order.id,
                    "payout_amount": payout,
                    "invoiced_amount": invoiced,
                    "fee_amount": invoiced - payout,
                    "raw": json.dumps(escrow, sort_keys=True),
                }
            )
            split = order._marketplace_settlement_fees(escrow)
            shipping = sum(
                (-1 if line.move_id.move_type == "out_refund" else 1) * line.price_total
                for line in invoices.invoice_line_ids.filtered(
                    lambda line, product=order.shop_id.shipping_product_id: (
                        line.product_id == product
                    )
                )
            )
            settlement.line_ids = settlement._marketplace_prepare_lines(
                split["fees"], shipping, split["buyer_shipping"]
            )
            order.settlement_id = settlement
            created |= settlement
        return created

    def _marketplace_fetch_payout(self):
        """``(payout amount or None when pending, raw answer)`` from the platform."""
        self.ensure_one()
        shop = self.shop_id
        if self.provider == "shopee":
            escrow = shop._marketplace_api("get_escrow_detail", self.name)
            amount = (escrow.get("order_income") or {}).get("escrow_amount")
            return (float(amount) if amount not in (None, "", 0) else None), escrow
        result = shop._marketplace_api(
            "get_order_statement",
            self.name,
            version=shop.tiktok_finance_version or "202501",
        )
        amount = result["settlement_amount"]
        return (float(amount) if amount is not None else None), result["raw"]

    def _marketplace_settlement_fees(self, raw):
        """Fees of the platform's settlement answer ``raw``, by bucket.

        :returns: ``{"fees": {bucket: Decimal}, "buyer_shipping": Decimal | None}``
            (``api.shopee.escrow_fees`` / ``api.tiktok.statement_fees``).
        """
        self.ensure_one()
        if self.provider == "shopee":
            return shopee.escrow_fees(raw)
        return tiktok.statement_fees(raw)

    def action_import_settlement(self):
        self._marketplace_import_settlement().action_book()
        return True

    @api.model
    def _cron_import_settlements(self):
        orders = self.search(
            [
                ("settlement_id", "=", False),
                ("platform_status", "=", "COMPLETED"),
                ("sale_order_id", "!=", False),
            ],
            limit=200,
        )
        for order in orders:
            try:
                with self.env.cr.savepoint():
                    order.action_import_settlement()
            except Exception:  # noqa: BLE001 - next run retries; the log says why
                _logger.exception("Settlement of marketplace order %s failed", order.id)
