# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
import json
import logging
import re
import time
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from psycopg2 import errors as pg_errors

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, format_amount

from ..api import shopee, tiktok
from ..api.common import (
    IntegrationError,
    MalformedOrder,
    PermanentError,
    RetryableError,
)
from .const import (
    ORDER_STATUS,
    SHOPEE_RETURN_SLICES,
    SHOPEE_RETURN_WINDOW,
    TIKTOK_CANCEL_ANSWERED,
    TIKTOK_CANCEL_PENDING,
)
from .platform_rows import lock_platform_rows

_logger = logging.getLogger(__name__)

ADAPTERS = {"shopee": shopee, "tiktok": tiktok}


class MappingError(Exception):
    """The order cannot become a sale order as it is; the message says what to fix."""


class BulkRejected(Exception):
    """Some orders of a bulk import must go one by one (they will park there)."""

    def __init__(self, external_ids):
        super().__init__(external_ids)
        self.external_ids = external_ids


def _spread(amount, weights):
    """``amount`` in shares proportional to ``weights``, in whole rupiah (cents when
    ``amount`` has cents); what rounding leaves goes to the largest weight, so the
    shares add up to ``amount`` exactly. Nothing to spread: zeros."""
    amount = Decimal(str(amount or 0))
    if not weights:
        return []
    shares = [Decimal(0)] * len(weights)
    if not amount:
        return shares
    unit = Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01")
    total = sum(weights)
    if total > 0:
        shares = [
            (amount * weight / total).quantize(unit, rounding=ROUND_FLOOR)
            for weight in weights
        ]
    largest = max(range(len(weights)), key=lambda index: weights[index])
    shares[largest] += amount - sum(shares)
    return shares


def _unit_prices(quantity, amount):
    """``[(qty, price_unit)]`` for ``quantity`` units worth exactly ``amount``.

    Prices are whole rupiah (cents when ``amount`` has cents): a quantity that does
    not divide the amount gets two prices one rupiah apart, the higher one on the
    remainder units (150 001 for 3: ``[(2, 50000), (1, 50001)]``). A fractional
    quantity (a bundle component of 0.5 kg) keeps one line at ``amount / quantity``.
    """
    amount = Decimal(str(amount))
    if not quantity or quantity != int(quantity):
        return [(quantity, float(amount) / quantity if quantity else 0.0)]
    quantity = int(quantity)
    unit = Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01")
    base, extra = divmod(int(amount / unit), quantity)
    result = []
    if quantity - extra:
        result.append((quantity - extra, float(base * unit)))
    if extra:
        result.append((extra, float((base + 1) * unit)))
    return result


def _normalise_text(value):
    """Lower case, punctuation and runs of spaces as one space: how an address is
    compared (the platforms send it as the buyer typed it)."""
    return " ".join(re.sub(r"[^\w*]+", " ", (value or "").lower()).split())


def _normalise_phone(value):
    """Digits and mask stars only, the Indonesian +62 prefix as a leading 0."""
    phone = re.sub(r"[^\d*]", "", value or "")
    return "0" + phone[2:] if phone.startswith("62") else phone


def _credited(invoice):
    """Whether posted credit notes already take back all of ``invoice``."""
    refunds = invoice.reversal_move_ids.filtered(lambda m: m.state == "posted")
    return (
        invoice.payment_state == "reversed"
        or invoice.currency_id.compare_amounts(
            sum(refunds.mapped("amount_total")), invoice.amount_total
        )
        >= 0
    )


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
    provider = fields.Selection(
        string="Platform", related="shop_id.provider", store=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("new", "Waiting"),
            ("imported", "Imported"),
            ("attention", "Needs attention"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    platform_status = fields.Char(
        string="Platform status", readonly=True, tracking=True
    )
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
        string="Stage",
        readonly=True,
    )
    platform_update_time = fields.Integer(
        string="Platform update time (Unix)",
        readonly=True,
        help="Unix seconds, from the platform",
    )
    platform_create_time = fields.Datetime(string="Ordered on", readonly=True)
    commerce_platform = fields.Char(
        string="Storefront", readonly=True, help="TikTok: TIKTOK_SHOP or TOKOPEDIA"
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sale order", readonly=True, copy=False, index=True
    )
    error_message = fields.Text(string="Problem", readonly=True)
    payload = fields.Text(
        string="Platform data (JSON)", readonly=True, help="Last order detail received"
    )
    buyer_paid = fields.Monetary(string="Buyer paid", readonly=True)
    platform_discount = fields.Monetary(
        string="Platform discount", readonly=True, help="Funded by the marketplace"
    )
    expected_total = fields.Monetary(string="Expected total", readonly=True)
    package_ref = fields.Char("Package", readonly=True)
    tracking_number = fields.Char(string="Tracking number", readonly=True)
    settlement_id = fields.Many2one("marketplace.settlement", readonly=True, copy=False)
    settlement_checked_at = fields.Datetime(
        string="Payout last checked",
        readonly=True,
        copy=False,
        help="When the platform was last asked for this order's payout (the "
        "settlement import asks again only some hours later).",
    )
    return_ids = fields.One2many(
        "marketplace.return", "marketplace_order_id", string="Returns"
    )
    return_count = fields.Integer(
        string="Number of returns", compute="_compute_return_count"
    )
    marketplace_cancel_requested = fields.Boolean(
        "Buyer asks to cancel",
        compute="_compute_marketplace_cancel_requested",
        help="Shopee IN_CANCEL, or a TikTok order flagged is_buyer_request_cancel.",
    )

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
        entry = ORDER_STATUS[shop.provider].get(norm["status"])
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
        entry = ORDER_STATUS[shop.provider].get(norm["status"])
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
            customer = order._marketplace_customer(norm)
            prepared.append(
                (
                    order,
                    norm,
                    commands,
                    customer,
                    *order._marketplace_address(norm, customer),
                )
            )
        if failed:
            raise BulkRejected(failed)
        # One search and one create for every delivery address of the batch: partner
        # creation is costly, and two orders of one buyer share their address.
        addresses = self._marketplace_find_or_create_partners(
            shop.company_id, {key: address for *_x, key, address in prepared if key}
        )
        values = [
            order._marketplace_sale_values(
                norm,
                partners=(customer, addresses[key] if key else customer),
                commands=commands,
            )
            for order, norm, commands, customer, key, _address in prepared
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
            lifecycle = ORDER_STATUS[shop.provider][norm["status"]][0]
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
        repeated = self.state == "attention" and self.error_message == message
        values = {"state": "attention", "error_message": message}
        if raw_text:
            values["payload"] = raw_text
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
        if not repeated:
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
        """Cancel the sale order of an order the platform cancelled.

        Goods already shipped are left to the return flow (message and activity).
        Posted invoices that nothing has paid yet are reversed by a credit note
        (posted and reconciled with them, as a return's credit note is): the
        revenue and the PPN output tax go back, the invoice keeps its number. The
        sale order is then cancelled through ``action_cancel``, which respects its
        lock.

        :raises MappingError: when it cannot be done automatically, nothing changed:
            an invoice already paid or reconciled (with a settlement, a payment, a
            partial credit note: refunding is a person's decision), or a locked sale
            order. The order parks with the reason; Retry does the rest once fixed.
        """
        self.ensure_one()
        sale = self.sale_order_id
        if sale.state == "cancel":
            return
        reason = norm.get("cancel_reason") or "-"
        done = sale.picking_ids.filtered(lambda p: p.state == "done")
        if done:
            sale.message_post(
                body=_(
                    "Cancelled on the platform after shipment (%s): handle the return.",
                    reason,
                )
            )
            sale.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Cancelled on the platform after shipment"),
                user_id=self.shop_id.responsible_user_id.id or self.env.uid,
            )
            return
        invoices = sale.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and not _credited(m)
            )
        )
        settled = invoices.filtered(lambda m: m.payment_state != "not_paid")
        problems = []
        if settled:
            problems.append(
                _(
                    "Invoice %s is already paid or reconciled: refund and credit it "
                    "by hand, then press Retry.",
                    ", ".join(settled.mapped("name")),
                )
            )
        if sale.locked:
            problems.append(
                _(
                    "Sale order %s is locked: unlock it to cancel it, then press "
                    "Retry.",
                    sale.name,
                )
            )
        if problems:
            raise MappingError(
                "\n".join(
                    [_("Cancelled on the platform (%s), but:", reason), *problems]
                )
            )
        credit_notes = self.env["account.move"]
        if invoices:
            credit_notes = invoices._reverse_moves(
                [
                    {
                        "ref": _(
                            "Cancellation of %(order)s: %(invoice)s",
                            order=self.name,
                            invoice=invoice.name,
                        ),
                        "invoice_date": fields.Date.context_today(self),
                    }
                    for invoice in invoices
                ],
                cancel=True,
            )
        sale.with_context(disable_cancel_warning=True).action_cancel()
        sale.message_post(
            body=_(
                "Cancelled on the platform: %(reason)s%(credit)s",
                reason=reason,
                credit=_(" (credit note %s)", ", ".join(credit_notes.mapped("name")))
                if credit_notes
                else "",
            )
        )

    # ------------------------------------------------------------------ mapping
    def _marketplace_partners(self, norm):
        """The customer and the delivery address of the order, found again or
        created (a returning buyer's address is reused)."""
        customer = self._marketplace_customer(norm)
        key, values = self._marketplace_address(norm, customer)
        if not key:
            return customer, customer
        address = self._marketplace_find_or_create_partners(
            self.shop_id.company_id, {key: values}
        )[key]
        return customer, address

    def _marketplace_customer(self, norm):
        """The customer of the order: the shop's marketplace customer, or in
        per-buyer mode the buyer's own partner, looked up in the shop's company
        only (``shopee:<buyer id>``), created once."""
        shop = self.shop_id
        buyer = norm["buyer"]
        if shop.partner_mode != "buyer" or not buyer["external_id"]:
            return shop.partner_id
        company = shop.company_id
        ref = f"{shop.provider}:{buyer['external_id']}"
        Partner = self.env["res.partner"].sudo()
        found = self._marketplace_find_or_create_partners(company, {ref: None})
        if ref in found:
            return found[ref]
        # a buyer created before partners had their key: give it the key
        legacy = Partner.search(
            [
                ("ref", "=", ref),
                ("company_id", "=", company.id),
                ("marketplace_key", "=", False),
            ],
            limit=1,
        )
        if legacy:
            legacy.marketplace_key = ref
            return legacy
        return self._marketplace_find_or_create_partners(
            company, {ref: {"name": buyer["name"] or ref, "ref": ref}}
        )[ref]

    def _marketplace_address(self, norm, customer):
        """``(key, values)`` of the order's delivery address under ``customer``;
        ``(None, None)`` when the order names none (deliver to the customer).

        The key is the buyer and the address as written, normalised (case, spaces,
        punctuation, phone prefix), so a returning buyer's address is found again;
        masked values (J***n, ******12) are kept as sent: they are all there is, and
        with the buyer id in the key two buyers whose masks read alike stay apart.
        """
        shop = self.shop_id
        buyer = norm["buyer"]
        if not (buyer["name"] or buyer["street"]):
            return None, None
        country = self.env["res.country"].search(
            [("code", "=", (buyer["country_code"] or "ID").upper())], limit=1
        )
        values = {
            "parent_id": customer.id,
            "type": "delivery",
            "name": buyer["name"] or _("Buyer of %s", norm["external_id"]),
            "phone": buyer["phone"] or False,
            "street": buyer["street"] or False,
            "city": buyer["city"] or False,
            "zip": buyer["zip"] or False,
            "country_id": country.id or False,
        }
        written = "|".join(
            [
                _normalise_phone(buyer["phone"]),
                *(
                    _normalise_text(buyer[field])
                    for field in ("name", "street", "city", "state", "zip")
                ),
                (buyer["country_code"] or "ID").upper(),
            ]
        )
        digest = hashlib.sha256(written.encode()).hexdigest()[:32]
        key = (
            f"{shop.provider}:{buyer['external_id'] or '-'}:address:"
            f"{customer.id}:{digest}"
        )
        return key, values

    @api.model
    def _marketplace_find_or_create_partners(self, company, values_by_key):
        """``{key: partner}`` of ``company`` for the keys of ``values_by_key``: found
        by ``marketplace_key``, the missing ones created (a ``None`` value: only
        looked for).

        :raises RetryableError: another worker created one of them at the same time
            (the database's unique key refused the second); the event is retried and
            then finds it.
        """
        Partner = self.env["res.partner"].sudo()
        found = {
            partner.marketplace_key: partner
            for partner in Partner.search(
                [
                    ("company_id", "=", company.id),
                    ("marketplace_key", "in", list(values_by_key)),
                ]
            )
        }
        missing = [
            key
            for key, values in values_by_key.items()
            if key not in found and values is not None
        ]
        if missing:
            try:
                with self.env.cr.savepoint():
                    created = Partner.create(
                        [
                            dict(
                                values_by_key[key],
                                marketplace_key=key,
                                company_id=company.id,
                            )
                            for key in missing
                        ]
                    )
            except pg_errors.UniqueViolation as exc:
                raise RetryableError(
                    _(
                        "Another worker is creating the same buyer or address right "
                        "now; the order is imported again in a moment."
                    )
                ) from exc
            found.update(zip(missing, created, strict=True))
        return found

    def _marketplace_line_commands(self, norm):
        """Sale order line commands: each product line at what the seller sells it
        for, the seller's discounts on the lines they belong to.

        A line's own discount (Shopee ``model_discounted_price``, TikTok per-unit
        ``seller_discount``, the escrow's per-item voucher shares) lowers its price;
        a discount the platform gives for the whole order only is spread pro rata on
        the lines' value, the rupiah remainder on the largest line. Each product line
        is priced in whole rupiah (``_unit_prices``): a share that the quantity does
        not divide becomes two lines (e.g. 150 001 for 3: 2 × 50 000 + 1 × 50 001),
        so the order totals the platform's amount exactly, never 0.01 off. What the
        platform funds is not a discount of the seller: the lines keep it as revenue
        (the platform pays it with the settlement), and a note says how much.

        :raises MappingError: listing every unknown SKU at once.
        """
        shop = self.shop_id
        tax = shop.tax_id
        currency = shop.company_id.currency_id
        Map = self.env["marketplace.product.map"]
        commands, problems = [], []
        lines = norm["lines"]
        gross = [line["unit_price"] * line["quantity"] for line in lines]
        net = [
            value - line["seller_discount"]
            for value, line in zip(gross, lines, strict=True)
        ]
        order_discount = _spread(norm["seller_discount"], net)
        for line, value, own, share in zip(
            lines, gross, net, order_discount, strict=True
        ):
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
            label = f"[{line['sku'] or line['model_id']}] {line['name']}".strip()
            discount = value - own + share
            if discount:
                label += "\n" + _(
                    "List price %(price)s × %(qty)s, seller discount %(discount)s",
                    price=format_amount(self.env, float(line["unit_price"]), currency),
                    qty=line["quantity"],
                    discount=format_amount(self.env, float(discount), currency),
                )
            for product, qty, amount in mapping._marketplace_split(
                line["quantity"], own - share
            ):
                for unit_qty, price in _unit_prices(qty, amount):
                    commands.append(
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": f"{product.display_name}\n{label}",
                                "product_uom_qty": unit_qty,
                                "price_unit": price,
                                "tax_id": [Command.set(tax.ids)],
                            }
                        )
                    )
        if problems:
            raise MappingError("\n".join(problems))
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
        if norm["platform_discount"]:
            commands.append(
                Command.create(
                    {
                        "display_type": "line_note",
                        "name": _(
                            "%(platform)s pays %(amount)s of this order (its vouchers "
                            "and subsidies), with the payout; the buyer paid "
                            "%(paid)s.",
                            platform=(norm["commerce_platform"] or shop.name)
                            .replace("_", " ")
                            .title(),
                            amount=format_amount(
                                self.env, float(norm["platform_discount"]), currency
                            ),
                            paid=format_amount(
                                self.env, float(norm["buyer_paid"]), currency
                            ),
                        ),
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
        """Fetch the order again from the platform and import it (after a fix).

        The import runs as the queue runs it, whatever the clicking user's sales and
        accounting rights (a salesperson's own-documents rule, no invoicing right):
        it mirrors what the platform did, the person only asks for it now.
        """
        for order in self:
            shop = order.shop_id.sudo()
            shop._marketplace_check_connected()
            with shop.connection_id._integration_user_errors(
                _("reading order %s again", order.name), readable=(MappingError,)
            ):
                shop._marketplace_fetch_and_import([order.name])
        return self.env["integration.connection"]._integration_notification(
            _("%(count)s order(s) read again from the platform.", count=len(self))
        )

    def action_import_settlement(self):
        """Ask the platform for the payout of these orders and book it at once (a
        person waits for the answer: a missing account is told now)."""
        shops = self.shop_id.sudo()
        shops._marketplace_check_connected()
        with shops[:1].connection_id._integration_user_errors(
            _("reading the payout of the orders")
        ):
            settlements = self.env["marketplace.settlement"]._import_for(self)
        settlements.action_book()
        return self.env["integration.connection"]._integration_notification(
            _(
                "%(count)s settlement(s) imported and booked.",
                count=len(settlements),
            )
        )

    @api.model
    def _cron_import_settlements(self):
        """The settlement cron of databases installed before it moved to
        ``marketplace.settlement._cron_import`` (its record is ``noupdate``)."""
        return self.env["marketplace.settlement"]._cron_import()

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

    # ------------------------------------------------------------------ after-sales
    def _compute_return_count(self):
        for order in self:
            order.return_count = len(order.return_ids)

    @api.depends("platform_status", "payload")
    def _compute_marketplace_cancel_requested(self):
        for order in self:
            if order.provider == "shopee":
                # developer-guide/229 §10: IN_CANCEL = cancellation being processed
                order.marketplace_cancel_requested = (
                    order.platform_status == "IN_CANCEL"
                )
                continue
            try:
                raw = json.loads(order.payload or "{}")
            except ValueError:
                raw = {}
            # order.md: is_buyer_request_cancel on the order object
            order.marketplace_cancel_requested = bool(
                isinstance(raw, dict)
                and raw.get("is_buyer_request_cancel")
                and order.platform_status not in ("CANCELLED", "COMPLETED")
            )

    # ------------------------------------------------------------------ cancellation
    def _marketplace_tiktok_cancellations(self):
        """The buyer cancellation records of this TikTok order (return_refund.md)."""
        return [
            c
            for c in self.shop_id._marketplace_api("search_cancellations", [self.name])
            if c.get("cancel_type", "BUYER_CANCEL") == "BUYER_CANCEL"
        ]

    def _marketplace_lock_nowait(self):
        """Lock this order's row before a platform call that must happen once.

        ``FOR UPDATE NOWAIT``: a second click, or the intake working on the order,
        makes this one fail at once instead of waiting and calling again.

        :raises UserError: someone else is working on the order right now.
        """
        self.ensure_one()
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM marketplace_order WHERE id = %s FOR UPDATE NOWAIT",
                        self.id,
                    )
                )
        except pg_errors.LockNotAvailable as exc:
            raise UserError(
                _(
                    "Someone else is working on order %s right now; try again in a "
                    "moment.",
                    self.name,
                )
            ) from exc
        self.invalidate_recordset()

    def _marketplace_cancel_answer_key(self):
        """Names this cancellation request: the order as it was when asked."""
        return f"marketplace-cancel-answer:{self.id}:{self.platform_update_time}"

    def _marketplace_recorded_cancel_answer(self):
        """The answer already given to this request (``True`` accepted, ``False``
        rejected), or ``None``.

        Read in a fresh cursor: the caller's snapshot may predate the commit of an
        answer given by a concurrent or earlier, rolled-back request.
        """
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            event = self.env(cr=cr, su=True)["integration.event"].search(
                [
                    ("connection_id", "=", self.shop_id.connection_id.id),
                    ("direction", "=", "outbound"),
                    ("dedupe_key", "=", self._marketplace_cancel_answer_key()),
                    ("state", "=", "done"),
                ],
                limit=1,
            )
            payload = event._get_payload() if event else None
        return payload.get("accept") if isinstance(payload, dict) else None

    def _marketplace_record_cancel_answer(self, accept):
        """Record that the platform took the answer, committed at once in a side
        cursor: a rollback or a replay of the caller's request cannot lose it.

        The record is an outbound ``integration.event`` already done (the outbox's
        result of this call). It references the order by id only: no foreign key to
        the order row, which the caller holds locked, so this cursor never waits on
        its caller.
        """
        self.ensure_one()
        shop = self.shop_id
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            now = fields.Datetime.now()
            env["integration.event"].create(
                {
                    "connection_id": shop.connection_id.id,
                    "company_id": shop.company_id.id,
                    "direction": "outbound",
                    "handler": "_marketplace_answer_cancellation",
                    "event_type": "marketplace_cancellation_answer",
                    "external_id": self.name,
                    "dedupe_key": self._marketplace_cancel_answer_key(),
                    "body": json.dumps(
                        {"order": self.name, "accept": accept, "uid": self.env.uid}
                    ),
                    "state": "done",
                    "attempts": 1,
                    "processed_at": now,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )

    def _marketplace_send_cancel_answer(self, accept):
        """Answer the buyer's request on the platform.

        A replay that the platform refuses because the request is no longer pending
        counts as success when the platform shows the same answer (Shopee's
        ``handle_buyer_cancellation`` has no idempotency key; TikTok's key covers a
        retried call, not a new request after a rollback).

        :raises UserError / IntegrationError: the platform refused another way.
        """
        shop = self.shop_id
        if self.provider == "shopee":
            try:
                shop._marketplace_api("handle_buyer_cancellation", self.name, accept)
            except PermanentError:
                detail = next(
                    iter(shop._marketplace_api("get_orders", [self.name])), {}
                )
                status = (detail or {}).get("order_status")
                if status == "IN_CANCEL" or (status == "CANCELLED") != accept:
                    raise
                _logger.info(
                    "Cancellation of order %s was already answered (%s)",
                    self.name,
                    status,
                )
            return
        cancellations = self._marketplace_tiktok_cancellations()
        pending = [
            c for c in cancellations if c.get("cancel_status") == TIKTOK_CANCEL_PENDING
        ]
        if not pending:
            if any(
                c.get("cancel_status") in TIKTOK_CANCEL_ANSWERED[accept]
                for c in cancellations
            ):
                return  # answered before (a rolled-back request): done
            raise UserError(
                _("TikTok has no pending cancellation request for order %s.", self.name)
            )
        cancel_id = pending[0]["cancel_id"]
        key = f"odoo-{self.id}-{cancel_id}-{'approve' if accept else 'reject'}"
        if accept:
            shop._marketplace_api("approve_cancellation", cancel_id, key)
            return
        reasons = shop._marketplace_api("get_reject_reasons", cancel_id)
        if not reasons:
            raise UserError(
                _("TikTok offers no reason to reject cancellation %s.", cancel_id)
            )
        shop._marketplace_api(
            "reject_cancellation",
            cancel_id,
            key,
            reasons[0]["name"],
            comment=_("Rejected from Odoo: the order is being prepared."),
        )

    def _marketplace_answer_cancellation(self, accept):
        """Accept or reject the buyer's cancellation request, exactly once.

        The order row is locked (``NOWAIT``) before the platform is called; once the
        platform took the answer it is recorded in its own committed transaction, so
        a second click, or Odoo replaying the request after a serialization failure,
        finds it and does not call again: it only redoes the local part. That part
        (cancel the sale order, credit its invoice, re-read the order) mirrors what
        the platform did, so it runs as superuser and never raises; what cannot be
        done automatically parks the order with an activity.

        :raises UserError: there is no request to answer, or someone else is
            answering it right now (nothing was sent then).
        """
        self.ensure_one()
        self._marketplace_lock_nowait()
        answer = self._marketplace_recorded_cancel_answer()
        if answer is None:
            if not self.marketplace_cancel_requested:
                raise UserError(
                    _("The buyer of order %s has not asked to cancel it.", self.name)
                )
            self._marketplace_send_cancel_answer(accept)
            self._marketplace_record_cancel_answer(accept)
            answer = accept
        # the platform has the answer: record, never raise from here on (STYLE §8)
        order = self.sudo()
        if answer != accept:
            order.message_post(
                body=_(
                    "The cancellation request was already answered on the platform: "
                    "it stays %s.",
                    _("accepted") if answer else _("rejected"),
                )
            )
        if answer and order.sale_order_id:
            try:
                with self.env.cr.savepoint():
                    order._marketplace_cancel_sale(
                        {"cancel_reason": _("buyer cancellation accepted from Odoo")}
                    )
            except MappingError as exc:
                self.env.invalidate_all()
                order._marketplace_park(str(exc), order.payload)
        order.message_post(
            body=_("Buyer cancellation accepted on the platform.")
            if answer
            else _("Buyer cancellation rejected on the platform.")
        )
        try:
            with self.env.cr.savepoint():
                order.shop_id._marketplace_fetch_and_import([self.name])
        except Exception as exc:  # noqa: BLE001 - the answer is already given
            self.env.invalidate_all()
            _logger.info("Re-reading order %s failed: %s", self.name, exc)
            order.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Re-read the marketplace order"),
                note=order.shop_id.connection_id._mask_text(str(exc)),
                user_id=order.shop_id.responsible_user_id.id or self.env.uid,
            )
        if answer and order.state != "attention":
            order.state = "cancelled"
        return True

    def action_marketplace_accept_cancellation(self):
        for order in self:
            with order.shop_id.sudo().connection_id._integration_user_errors(
                _("accepting the cancellation of %s", order.name)
            ):
                order._marketplace_answer_cancellation(True)
        return True

    def action_marketplace_reject_cancellation(self):
        for order in self:
            with order.shop_id.sudo().connection_id._integration_user_errors(
                _("rejecting the cancellation of %s", order.name)
            ):
                order._marketplace_answer_cancellation(False)
        return True

    # ------------------------------------------------------------------ returns
    def _marketplace_fetch_returns(self, only=None):
        """Read this order's returns from the platform and import each one.

        Shopee's return list has no order filter: returns created from the order's
        creation on are paged in 15-day slices and filtered by ``order_sn``
        **[inference]**. TikTok: ``returns/search`` by ``order_ids``.

        :returns: the ``marketplace.return`` records touched.
        """
        self.ensure_one()
        shop = self.shop_id
        Return = self.env["marketplace.return"]
        if self.provider == "shopee":
            payloads = []
            start = (
                int((self.platform_create_time or fields.Datetime.now()).timestamp())
                - 24 * 3600
            )
            now = int(time.time())
            for _slice in range(SHOPEE_RETURN_SLICES):
                if start >= now:
                    break
                end = min(start + SHOPEE_RETURN_WINDOW, now)
                for page_no in range(50):  # bounded
                    page = shop._marketplace_api(
                        "get_return_list", start, end, page_no=page_no
                    )
                    payloads += [
                        r
                        for r in page.get("return") or []
                        if str(r.get("order_sn")) == self.name
                    ]
                    if not page.get("more"):
                        break
                start = end
        else:
            payloads = shop._marketplace_api("search_returns", order_ids=[self.name])
        key = "return_sn" if self.provider == "shopee" else "return_id"
        result = Return
        for payload in payloads:
            if only and str(payload.get(key)) != only:
                continue
            result |= Return._marketplace_import(shop, payload)
        return result

    def _marketplace_check_returns(self):
        """Import the returns; a platform error schedules an activity, never raises
        (called from the order lifecycle)."""
        for order in self:
            try:
                order._marketplace_fetch_returns()
            except IntegrationError as exc:
                order.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=_("Check the returns of this order"),
                    note=_("The platform's returns could not be read: %s", exc),
                    user_id=order.shop_id.responsible_user_id.id or self.env.uid,
                )

    def action_marketplace_check_returns(self):
        for order in self:
            order.shop_id.sudo()._marketplace_check_connected()
            with order.shop_id.sudo().connection_id._integration_user_errors(
                _("reading the returns of %s", order.name)
            ):
                order._marketplace_fetch_returns()
        return self.action_open_returns()

    def action_open_returns(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketplace_sync.action_marketplace_return"
        )
        action["domain"] = [("marketplace_order_id", "in", self.ids)]
        return action
