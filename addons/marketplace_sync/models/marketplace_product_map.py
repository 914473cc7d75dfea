# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class MarketplaceProductMap(models.Model):
    """Platform listing (item/model, or SKU) → product variants.

    One component line is the usual case; several lines make a bundle (one platform unit
    delivers each component ``quantity`` times). A mapping without lines is a to-do
    created by "Find unmapped SKUs": it never maps anything (no placeholder products).
    """

    _name = "marketplace.product.map"
    _description = "Marketplace Product Mapping"
    _order = "shop_id, item_id, model_id, id"
    _check_company_auto = True

    shop_id = fields.Many2one(
        "marketplace.shop", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    active = fields.Boolean(default=True)
    item_id = fields.Char(
        "Item / product ID", index=True, help="Shopee item_id or TikTok product_id"
    )
    model_id = fields.Char(
        "Model / SKU ID",
        index=True,
        help="Shopee model_id (0 without variants) or TikTok sku_id",
    )
    sku = fields.Char("Seller SKU", index=True)
    name = fields.Char("Listing name")
    line_ids = fields.One2many(
        "marketplace.product.map.line", "map_id", string="Products"
    )
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        inverse="_inverse_product_id",
        search="_search_product_id",
        check_company=True,
        help="The product when the listing maps to a single one.",
    )
    is_bundle = fields.Boolean(string="Bundle", compute="_compute_product_id")
    promotion_stock = fields.Integer(
        "Promotion stock",
        help="Units the platform holds for a running promotion (flash sale, campaign). "
        "The pushed quantity never goes below it: the platform refuses a stock level "
        "under its promotion stock.",
    )
    stock_dirty = fields.Boolean("Stock to push", default=True)
    stock_pushed_qty = fields.Integer(string="Last pushed quantity", readonly=True)
    stock_pushed_at = fields.Datetime(string="Stock pushed on", readonly=True)
    stock_push_error = fields.Char(string="Stock push error", readonly=True)

    _sql_constraints = [
        (
            "listing_uniq",
            "unique(shop_id, item_id, model_id)",
            "This platform listing is already mapped.",
        ),
    ]

    @api.depends("line_ids.product_id", "line_ids.quantity")
    def _compute_product_id(self):
        for mapping in self:
            single = len(mapping.line_ids) == 1 and mapping.line_ids.quantity == 1
            mapping.product_id = mapping.line_ids.product_id if single else False
            mapping.is_bundle = len(mapping.line_ids) > 1 or any(
                q != 1 for q in mapping.line_ids.mapped("quantity")
            )

    def _inverse_product_id(self):
        for mapping in self:
            if mapping.product_id:
                mapping.line_ids = [
                    fields.Command.clear(),
                    fields.Command.create(
                        {"product_id": mapping.product_id.id, "quantity": 1}
                    ),
                ]

    def _search_product_id(self, operator, value):
        return [("line_ids.product_id", operator, value)]

    @api.constrains("item_id", "sku")
    def _check_key(self):
        for mapping in self:
            if not mapping.item_id and not mapping.sku:
                raise ValidationError(_("A mapping needs an item ID or a seller SKU."))

    # ------------------------------------------------------------------ resolution
    @api.model
    def _marketplace_resolve(self, shop, item_id, model_id, sku):
        """The mapping of a platform line: exact item+model first, then seller SKU."""
        base = [("shop_id", "=", shop.id), ("line_ids", "!=", False)]
        if item_id:
            models_ = (
                [model_id] if model_id not in ("", "0", None) else ["0", "", False]
            )
            found = self.search(
                base + [("item_id", "=", item_id), ("model_id", "in", models_)], limit=1
            )
            if found:
                return found
        if sku:
            found = self.search(base + [("sku", "=", sku)], limit=2)
            if len(found) == 1:
                return found
        return self.browse()

    def _marketplace_split(self, quantity, amount):
        """``[(product, qty, amount)]`` for ``quantity`` units worth ``amount``.

        Bundles share the amount by list price × component quantity, in whole rupiah,
        the remainder on the last component, so the lines add up exactly to the platform
        amount.
        """
        self.ensure_one()
        lines = self.line_ids
        if len(lines) == 1:
            return [(lines.product_id, quantity * lines.quantity, amount)]
        weights = [
            Decimal(str(max(line.product_id.lst_price, 0.0) * line.quantity))
            for line in lines
        ]
        total_weight = sum(weights) or Decimal(len(lines))
        if not sum(weights):
            weights = [Decimal(1)] * len(lines)
        result, left = [], Decimal(amount)
        for line, weight in zip(lines[:-1], weights[:-1], strict=True):
            share = (Decimal(amount) * weight / total_weight).quantize(
                Decimal(1), rounding=ROUND_FLOOR
            )
            left -= share
            result.append((line.product_id, quantity * line.quantity, share))
        result.append((lines[-1].product_id, quantity * lines[-1].quantity, left))
        return result

    # ------------------------------------------------------------------ stock
    def _marketplace_available_qty(self):
        """``{map_id: qty}``: on hand − reserved (free qty) in the shop's warehouse, per
        bundle the minimum over components, minus the shop's safety buffer, never < 0
        and never below the listing's promotion stock.

        ``free_qty`` is read once per warehouse for all the products involved.
        """
        products = defaultdict(lambda: self.env["product.product"])
        for mapping in self:
            products[mapping.shop_id.warehouse_id] |= mapping.line_ids.product_id
        free = {}
        for warehouse, variants in products.items():
            variants = variants.with_context(warehouse_id=warehouse.id)
            for product, qty in zip(variants, variants.mapped("free_qty"), strict=True):
                free[warehouse.id, product.id] = qty
        result = {}
        for mapping in self:
            warehouse = mapping.shop_id.warehouse_id
            units = None
            for line in mapping.line_ids:
                qty = free[warehouse.id, line.product_id.id]
                can = int(qty // line.quantity) if line.quantity else 0
                units = can if units is None else min(units, can)
            result[mapping.id] = max(
                0,
                mapping.promotion_stock,
                (units or 0) - mapping.shop_id.stock_safety_buffer,
            )
        return result

    def _marketplace_push_stock(self):
        """Push the available quantities of these mappings, in as few calls as the
        platforms take (``update_stock``: one item per call, ``STOCK_BATCH`` models;
        Shopee ≤50 per v2.product.update_stock, TikTok one product).

        Per-model refusals are written on the mapping; the others are marked pushed.
        Mappings without item or products are skipped.

        :returns: number of API calls made.
        """
        maps = self.filtered(lambda m: m.item_id and m.line_ids)
        quantities = maps._marketplace_available_qty()
        now = fields.Datetime.now()
        calls = 0
        outcome = defaultdict(lambda: self.browse())  # (error, qty) -> mappings
        for shop in maps.shop_id:
            by_item = defaultdict(list)
            for mapping in maps.filtered(lambda m, s=shop: m.shop_id == s):
                by_item[mapping.item_id].append(mapping)
            step = shop._marketplace_client_class().STOCK_BATCH
            for item_id, item_maps in by_item.items():
                for start in range(0, len(item_maps), step):
                    chunk = item_maps[start : start + step]
                    failures = shop._marketplace_api(
                        "update_stock",
                        item_id,
                        [(m.model_id, quantities[m.id]) for m in chunk],
                    )
                    calls += 1
                    for mapping in chunk:
                        error = failures.get(mapping.model_id) or False
                        qty = (
                            mapping.stock_pushed_qty
                            if error
                            else quantities[mapping.id]
                        )
                        outcome[error, qty] |= mapping
        for (error, qty), mappings in outcome.items():
            mappings.write(
                {
                    "stock_dirty": False,
                    "stock_push_error": error,
                    "stock_pushed_qty": qty,
                    "stock_pushed_at": now,
                }
            )
        return calls

    @api.model
    def _marketplace_mark_dirty(self, products, companies=None):
        """Flag mappings using ``products`` and queue a debounced push per shop
        (of ``companies`` when given: the stock that moved is theirs)."""
        if not products:
            return
        domain = [
            ("line_ids.product_id", "in", products.ids),
            ("shop_id.stock_push_enabled", "=", True),
        ]
        if companies is not None:
            domain.append(("shop_id.company_id", "in", companies.ids))
        maps = self.search(domain)
        if not maps:
            return
        maps.filtered(lambda m: not m.stock_dirty).stock_dirty = True
        maps.shop_id._marketplace_queue_stock_push()

    @api.model
    def _marketplace_find_unmapped(self, shops):
        orders = self.env["marketplace.order"].search(
            [("shop_id", "in", shops.ids), ("state", "=", "attention")]
        )
        created = self.browse()
        for shop, item_id, model_id, sku, name in orders._marketplace_unknown_skus():
            exists = self.with_context(active_test=False).search_count(
                [
                    ("shop_id", "=", shop.id),
                    ("item_id", "=", item_id or False),
                    ("model_id", "=", model_id or False),
                ]
            )
            if not exists:
                created |= self.create(
                    {
                        "shop_id": shop.id,
                        "item_id": item_id or False,
                        "model_id": model_id or False,
                        "sku": sku or False,
                        "name": name,
                    }
                )
        return created


class MarketplaceProductMapLine(models.Model):
    _name = "marketplace.product.map.line"
    _description = "Marketplace Product Mapping Component"
    _check_company_auto = True

    map_id = fields.Many2one(
        "marketplace.product.map",
        string="Mapping",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="map_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product", required=True, index=True, check_company=True
    )
    quantity = fields.Float(default=1.0, required=True)

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(line.quantity <= 0 for line in self):
            raise ValidationError(_("Component quantities must be positive."))
