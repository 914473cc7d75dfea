# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""After-sales: buyer cancellation requests and returns/refunds after delivery.

Platform contracts (``/work/shared/reference/marketplaces.md``):
* Shopee ``v2.order.handle_buyer_cancellation`` (§1.5), ``v2.returns.get_return_list``
  / ``get_return_detail`` (§1.7, developer-guide/227);
* TikTok ``/return_refund/202309/cancellations/*`` and ``/returns/search`` (§2.5,
  TTS OpenAPI ``return_refund.md``).
"""

import json
import logging
import time

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..api import shopee, tiktok
from ..api.common import MalformedOrder, PermanentError
from .const import RETURN_STATUS
from .platform_rows import lock_platform_rows

_logger = logging.getLogger(__name__)

ADAPTERS = {"shopee": shopee, "tiktok": tiktok}


class MarketplaceReturn(models.Model):
    """One platform return/refund request (Shopee ``return_sn``, TikTok
    ``return_id``), imported once per shop; its documents are created once."""

    _name = "marketplace.return"
    _description = "Marketplace Return"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char("Platform return", required=True, readonly=True, index=True)
    shop_id = fields.Many2one(
        "marketplace.shop", required=True, readonly=True, ondelete="cascade", index=True
    )
    provider = fields.Selection(
        string="Platform", related="shop_id.provider", store=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    marketplace_order_id = fields.Many2one(
        "marketplace.order",
        string="Marketplace order",
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    sale_order_id = fields.Many2one(
        string="Sale order", related="marketplace_order_id.sale_order_id"
    )
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("done", "Refunded"),
            ("closed", "Closed without refund"),
            ("attention", "Needs attention"),
        ],
        string="Status",
        default="requested",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    platform_status = fields.Char(
        string="Platform status", readonly=True, tracking=True
    )
    platform_update_time = fields.Integer(
        string="Platform update time (Unix)", readonly=True
    )
    goods_back = fields.Boolean(
        "Goods returned",
        readonly=True,
        help="The buyer sends the goods back (otherwise a refund only).",
    )
    refund_amount = fields.Monetary(string="Refund", readonly=True)
    picking_ids = fields.Many2many(
        "stock.picking", string="Return pickings", readonly=True, copy=False
    )
    credit_note_id = fields.Many2one(
        "account.move", string="Credit note", readonly=True, copy=False
    )
    error_message = fields.Text(string="Problem", readonly=True)
    payload = fields.Text(string="Platform data (JSON)", readonly=True)

    _sql_constraints = [
        (
            "shop_return_uniq",
            "unique(shop_id, name)",
            "A platform return is imported once per shop.",
        ),
    ]

    # ------------------------------------------------------------------ intake
    @api.model
    def _marketplace_lock(self, shop, external_id):
        """The row of (shop, return id), created if needed, locked FOR UPDATE: the same
        return arriving twice at once is processed once (like orders)."""
        return lock_platform_rows(self, shop, [external_id], "requested")[external_id]

    @api.model
    def _marketplace_import(self, shop, raw):
        """Create or update the return from one platform payload and act on it.

        Never raises for bad data or missing documents: the return parks (state
        ``attention``, message, one activity). A payload older than the stored one
        changes nothing; a refunded return never creates its documents twice.

        :raises PermanentError: the payload has no return id at all.
        """
        adapter = ADAPTERS[shop.provider]
        key = "return_sn" if shop.provider == "shopee" else "return_id"
        external_id = str((raw or {}).get(key) or "") if isinstance(raw, dict) else ""
        if not external_id:
            raise PermanentError(_("The platform sent a return without its number."))
        record = self._marketplace_lock(shop, external_id)
        raw_text = json.dumps(raw, sort_keys=True, default=str)
        try:
            norm = adapter.normalize_return(raw)
        except MalformedOrder as exc:
            record._marketplace_park(
                _("The platform sent a return that cannot be read: %s", exc), raw_text
            )
            return record
        if (
            record.platform_update_time
            and norm["update_time"] < record.platform_update_time
        ):
            return record
        order = self.env["marketplace.order"].search(
            [("shop_id", "=", shop.id), ("name", "=", norm["order_ref"])], limit=1
        )
        record.write(
            {
                "marketplace_order_id": order.id or False,
                "platform_status": norm["status"],
                "platform_update_time": norm["update_time"],
                "goods_back": norm["goods_back"],
                "refund_amount": float(norm["refund_amount"]),
                "payload": raw_text,
            }
        )
        if record.state == "done":
            return record  # documents exist: later statuses change nothing
        action = RETURN_STATUS[shop.provider].get(norm["status"])
        if not action:
            record._marketplace_park(
                _(
                    "Unknown return status %s: no action is defined for it.",
                    norm["status"],
                ),
                raw_text,
            )
            return record
        if action == "wait":
            record.write({"state": "requested", "error_message": False})
            record._marketplace_close_attention(_("Return requested."))
        elif action == "close":
            record.write({"state": "closed", "error_message": False})
            record._marketplace_close_attention(_("Return closed without refund."))
        else:
            record._marketplace_refund(norm)
        return record

    def _marketplace_park(self, message, raw_text=None):
        self.ensure_one()
        values = {"state": "attention", "error_message": message}
        if raw_text:
            values["payload"] = raw_text
        self.write(values)
        summary = _("Marketplace return needs attention")
        if not self.activity_ids.filtered(lambda a: a.summary == summary):
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=message,
                user_id=self.shop_id.responsible_user_id.id or self.env.uid,
            )
        self.message_post(body=message)

    def _marketplace_close_attention(self, feedback):
        summary = _("Marketplace return needs attention")
        self.activity_ids.filtered(lambda a: a.summary == summary).action_feedback(
            feedback=feedback
        )

    # ------------------------------------------------------------------ documents
    def _marketplace_returned_quantities(self, norm):
        """``({product: qty}, problems)`` of the returned lines (bundles split)."""
        self.ensure_one()
        Map = self.env["marketplace.product.map"]
        quantities, problems = {}, []
        for line in norm["lines"]:
            if line["quantity"] <= 0:
                continue
            mapping = Map._marketplace_resolve(
                self.shop_id, line["item_id"], line["model_id"], line["sku"]
            )
            if not mapping and line["model_id"] not in ("", "0"):
                mapping = Map.search(
                    [
                        ("shop_id", "=", self.shop_id.id),
                        ("model_id", "=", line["model_id"]),
                        ("line_ids", "!=", False),
                    ],
                    limit=1,
                )
            if not mapping:
                problems.append(
                    _(
                        "Returned SKU %(sku)s (item %(item)s, model %(model)s) has no "
                        "product mapping.",
                        sku=line["sku"] or "-",
                        item=line["item_id"] or "-",
                        model=line["model_id"] or "-",
                    )
                )
                continue
            for product, qty, _amount in mapping._marketplace_split(
                line["quantity"], 0
            ):
                quantities[product] = quantities.get(product, 0) + qty
        return quantities, problems

    def _marketplace_refund(self, norm):
        """Create what a granted refund needs, once: the return picking of the
        delivered goods (when they come back) and the credit note of the refunded
        amount against the invoice. Every precondition is checked first; a return
        that cannot be booked parks with all its problems listed."""
        self.ensure_one()
        sale = self.sale_order_id
        problems = []
        if not sale:
            problems.append(
                _(
                    "Order %s has no sale order in Odoo yet: import it first.",
                    norm["order_ref"],
                )
            )
        invoice = sale.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        ).sorted("id")[-1:]
        if sale and not invoice:
            problems.append(
                _(
                    "Sale order %s has no posted invoice to credit: invoice it, then "
                    "press Retry.",
                    sale.name,
                )
            )
        delivered = sale.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        # the returned products also shape the credit note lines (refund only too)
        quantities, unknown = self._marketplace_returned_quantities(norm)
        if self.goods_back and not self.picking_ids:
            if sale and not delivered:
                problems.append(
                    _(
                        "Nothing of sale order %s is delivered: the goods cannot come "
                        "back. Validate the delivery, then press Retry.",
                        sale.name,
                    )
                )
            problems += unknown
        if problems:
            self._marketplace_park("\n".join(problems))
            return
        try:
            with self.env.cr.savepoint():
                if self.goods_back and not self.picking_ids:
                    self.picking_ids = self._marketplace_return_goods(
                        delivered, quantities
                    )
                if not self.credit_note_id:
                    self.credit_note_id = self._marketplace_credit_note(
                        invoice, norm, quantities
                    )
        except (UserError, ValidationError) as exc:
            self.env.invalidate_all()
            self._marketplace_park(
                _(
                    "The return could not be booked: %s",
                    exc.args[0] if exc.args else exc,
                )
            )
            return
        self.write({"state": "done", "error_message": False})
        self._marketplace_close_attention(_("Refund booked."))
        body = _(
            "Platform return %(ret)s refunded %(amount)s: credit note %(move)s%(pick)s.",
            ret=self.name,
            amount=self.refund_amount,
            move=self.credit_note_id.name,
            pick=_(", return %s", ", ".join(self.picking_ids.mapped("name")))
            if self.picking_ids
            else "",
        )
        self.message_post(body=body)
        sale.message_post(body=body)

    def _marketplace_return_goods(self, delivered, quantities):
        """Return pickings through Odoo's ``stock.return.picking`` wizard.

        ``quantities`` empty = everything delivered comes back (the platform named no
        lines).
        """
        left = dict(quantities)
        pickings = self.env["stock.picking"]
        for picking in delivered.sorted("id"):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            any_line = False
            for line in wizard.product_return_moves:
                done = line.move_id.quantity
                qty = (
                    done if not quantities else min(left.get(line.product_id, 0), done)
                )
                line.quantity = qty
                if quantities and qty:
                    left[line.product_id] -= qty
                any_line = any_line or qty > 0
            if any_line:
                pickings |= wizard._create_return()
        missing = {p: q for p, q in left.items() if q > 0}
        if missing:
            raise UserError(
                _(
                    "More is returned than was delivered: %s",
                    ", ".join(f"{p.display_name} × {q}" for p, q in missing.items()),
                )
            )
        return pickings

    def _marketplace_credit_note(self, invoice, norm, quantities):
        """Credit note of the refunded amount, a reversal of ``invoice``.

        The whole invoice is reversed when the refund equals it; otherwise the
        returned products keep their invoiced unit price and one line carries the
        difference to the platform's refund (shipping, vouchers, partial refunds), so
        the credit note totals exactly what the buyer got back.
        """
        shop = self.shop_id
        credit = invoice._reverse_moves(
            [
                {
                    "ref": _(
                        "Return %(ret)s of %(order)s",
                        ret=self.name,
                        order=norm["order_ref"],
                    ),
                    "invoice_date": fields.Date.context_today(self),
                }
            ]
        )
        rounding = credit.currency_id.rounding
        refund = float(norm["refund_amount"])
        if float_compare(credit.amount_total, refund, precision_rounding=rounding):
            left = dict(quantities)
            commands = []
            for line in credit.invoice_line_ids.filtered(
                lambda li: li.display_type == "product"
            ):
                qty = min(left.get(line.product_id, 0), line.quantity)
                if qty > 0:
                    left[line.product_id] -= qty
                    commands.append(Command.update(line.id, {"quantity": qty}))
                else:
                    commands.append(Command.delete(line.id))
            credit.write({"invoice_line_ids": commands})
            difference = refund - credit.amount_total
            if float_compare(difference, 0, precision_rounding=rounding):
                credit.write(
                    {
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": shop.discount_product_id.id,
                                    "name": _(
                                        "Refund %s: difference to the platform refund",
                                        self.name,
                                    ),
                                    "quantity": 1,
                                    "price_unit": difference,
                                    "tax_ids": [Command.set(shop.tax_id.ids)],
                                }
                            )
                        ]
                    }
                )
        if float_compare(credit.amount_total, refund, precision_rounding=rounding):
            raise UserError(
                _(
                    "The credit note totals %(odoo)s, the platform refunded %(platform)s.",
                    odoo=credit.amount_total,
                    platform=refund,
                )
            )
        credit.action_post()
        return credit

    @api.model
    def _cron_sync_returns(self, hours=48):
        """Import the returns changed in the last ``hours`` of every shop.

        TikTok reports returns as their own records (no order status, reference §2.5);
        Shopee's ``TO_RETURN`` order status also triggers a read per order. Idempotent:
        a return already refunded is never booked again.
        """
        now = int(time.time())
        since = now - hours * 3600
        for shop in self.env["marketplace.shop"].search(
            [("sync_enabled", "=", True), ("access_token", "!=", False)]
        ):
            try:
                if shop.provider == "shopee":
                    payloads = []
                    for page_no in range(50):  # bounded
                        page = shop._marketplace_api(
                            "get_return_list",
                            since,
                            now,
                            page_no=page_no,
                            field="update_time",
                        )
                        payloads += page.get("return") or []
                        if not page.get("more"):
                            break
                else:
                    # update_time_lt is exclusive (return_refund.md)
                    payloads = shop._marketplace_api(
                        "search_returns", update_time_ge=since, update_time_lt=now + 1
                    )
            except Exception:  # noqa: BLE001 - next run retries; the log says why
                _logger.exception("Returns of marketplace shop %s failed", shop.id)
                continue
            for payload in payloads:
                # One unreadable return must not hold back the shop's others.
                try:
                    with self.env.cr.savepoint():
                        self._marketplace_import(shop, payload)
                except Exception:  # noqa: BLE001 - next run retries; the log says why
                    _logger.exception(
                        "Return %s of marketplace shop %s failed",
                        (payload or {}).get("return_sn") or (payload or {}).get("id")
                        if isinstance(payload, dict)
                        else "?",
                        shop.id,
                    )

    # ------------------------------------------------------------------ actions
    def action_retry(self):
        """Read the return again from the platform and act on it (after a fix)."""
        for record in self:
            order = record.marketplace_order_id
            with order.shop_id.sudo().connection_id._integration_user_errors(
                _("reading return %s again", record.name)
            ):
                order._marketplace_fetch_returns(only=record.name)
        return self.env["integration.connection"]._integration_notification(
            _("%(count)s return(s) read again from the platform.", count=len(self))
        )

    def action_open_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }
