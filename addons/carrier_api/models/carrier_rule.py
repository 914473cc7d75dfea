# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Selection rules: which carrier service ships an order.

The first active rule of the company (by sequence) whose conditions the order meets
(destination, weight, volume, COD, product tags) lists the candidate services; each
is checked (speed class, COD support, weight limit), priced live through Odoo's own
``rate_shipment`` and, when the carrier does not answer, at the rule's price; the goal
picks one. The explanation names the choice and every service skipped with its reason.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from odoo.addons.base_integration.api.exceptions import IntegrationError

from .delivery_carrier import SPEED_CLASSES

# Fastest first: the order the "fastest" goal uses.
SPEED_RANK = {code: rank for rank, (code, _label) in enumerate(SPEED_CLASSES)}


class CarrierApiRule(models.Model):
    _name = "carrier_api.rule"
    _description = "Carrier selection rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(string="Rule", required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    state_ids = fields.Many2many("res.country.state", string="Provinces")
    regency_ids = fields.Many2many("carrier_api.regency", string="Regencies/cities")
    district_ids = fields.Many2many("carrier_api.district", string="Districts")
    zip_prefixes = fields.Char(
        string="Postal code prefixes",
        help="Separated by spaces or commas, e.g. '16 17'. Empty: any postal code.",
    )
    weight_min = fields.Float(string="Weight from (kg)")
    weight_max = fields.Float(string="Weight up to (kg)", help="0: no upper limit.")
    volume_min = fields.Float(string="Volume from (m³)")
    volume_max = fields.Float(string="Volume up to (m³)", help="0: no upper limit.")
    speed_class = fields.Selection(
        SPEED_CLASSES,
        string="Speed class",
        help="Only services of this speed class. Empty: any.",
    )
    cod = fields.Selection(
        [("any", "Any"), ("required", "COD needed"), ("none", "No COD")],
        string="Cash on delivery",
        default="any",
        required=True,
    )
    product_tag_ids = fields.Many2many(
        "product.tag",
        string="Product tags",
        help="The rule applies when a product of the order has one of these tags.",
    )
    goal = fields.Selection(
        [
            ("cheapest", "Cheapest"),
            ("fastest", "Fastest"),
            ("preference", "Preference order"),
        ],
        default="cheapest",
        required=True,
    )
    line_ids = fields.One2many(
        "carrier_api.rule.line", "rule_id", string="Services", copy=True
    )

    # -- matching -------------------------------------------------------------

    @api.model
    def _order_facts(self, order, cod_needed=False):
        """What the rules look at, from a sale order."""
        partner = order.partner_shipping_id
        lines = order.order_line.filtered(
            lambda line: line.product_id and not line.is_delivery
        )
        volume = sum(line.product_id.volume * line.product_uom_qty for line in lines)
        return {
            "partner": partner,
            "weight": order._get_estimated_weight(),
            "volume": volume,
            "cod": cod_needed,
            "tags": lines.product_id.all_product_tag_ids,
            "company": order.company_id,
        }

    def _matches(self, facts):
        """``None`` when the rule applies, else the reason it does not."""
        self.ensure_one()
        partner = facts["partner"]
        if self.state_ids and partner.state_id not in self.state_ids:
            return _("province")
        if self.regency_ids and partner.region_regency_id not in self.regency_ids:
            return _("city")
        if self.district_ids and partner.region_district_id not in self.district_ids:
            return _("district")
        prefixes = (self.zip_prefixes or "").replace(",", " ").split()
        if prefixes and not any((partner.zip or "").startswith(p) for p in prefixes):
            return _("postal code")
        weight = facts["weight"]
        if weight < self.weight_min or (self.weight_max and weight > self.weight_max):
            return _("weight")
        volume = facts["volume"]
        if volume < self.volume_min or (self.volume_max and volume > self.volume_max):
            return _("volume")
        if self.cod == "required" and not facts["cod"]:
            return _("COD")
        if self.cod == "none" and facts["cod"]:
            return _("COD")
        if self.product_tag_ids and not (self.product_tag_ids & facts["tags"]):
            return _("product tags")
        return None

    @api.model
    def _find_rule(self, facts):
        rules = self.search([("company_id", "=", facts["company"].id)])
        for rule in rules:
            if rule._matches(facts) is None:
                return rule
        return self.browse()

    def _skip_reason(self, line, facts):
        """Why a service of the rule cannot carry this order, or ``None``."""
        carrier = line.carrier_id
        if self.speed_class and carrier.carrier_api_speed_class != self.speed_class:
            return _(
                "not %(speed)s",
                speed=dict(SPEED_CLASSES).get(self.speed_class),
            )
        if facts["cod"] and not carrier.carrier_api_cod_supported:
            return _("no COD")
        limit = carrier.carrier_api_max_weight
        if limit and facts["weight"] > limit:
            return _("over %(limit)s kg", limit=f"{limit:g}")
        if carrier.company_id and carrier.company_id != facts["company"]:
            return _("other company")
        return None

    @api.model
    def _choose(self, order, cod_needed=False):
        """The service for ``order``: ``(carrier, price, explanation)``;
        ``(empty, 0, explanation)`` when no rule applies or nothing is eligible."""
        facts = self._order_facts(order, cod_needed=cod_needed)
        rule = self._find_rule(facts)
        if not rule:
            return self.env["delivery.carrier"], 0.0, _("No carrier rule applies.")
        currency = order.currency_id
        eligible, skipped = [], []
        for position, line in enumerate(rule.line_ids):
            reason = rule._skip_reason(line, facts)
            if reason:
                skipped.append((line.carrier_id, reason))
                continue
            price, live = line._price(order)
            if price is None:
                skipped.append((line.carrier_id, _("no rate and no rule price")))
                continue
            eligible.append((line.carrier_id, price, live, position))
        if not eligible:
            text = _("No eligible service in rule %(rule)s", rule=rule.name)
        else:
            if rule.goal == "cheapest":
                key = lambda item: (item[1], item[3])  # noqa: E731
            elif rule.goal == "fastest":
                key = lambda item: (  # noqa: E731
                    SPEED_RANK.get(item[0].carrier_api_speed_class, 99),
                    item[1],
                    item[3],
                )
            else:
                key = lambda item: item[3]  # noqa: E731
            carrier, price, live, _position = min(eligible, key=key)
            goal = dict(self._fields["goal"]._description_selection(self.env))[
                rule.goal
            ]
            text = _(
                "%(service)s: %(goal)s of %(count)s eligible services, %(price)s",
                service=carrier.name,
                goal=goal.lower(),
                count=len(eligible),
                price=format_amount(self.env, price, currency),
            )
            if not live:
                text += _(" (rule price: the carrier gave no rate)")
        for skipped_carrier, reason in skipped:
            text += _(
                "; %(service)s skipped: %(reason)s",
                service=skipped_carrier.name,
                reason=reason,
            )
        if not eligible:
            return self.env["delivery.carrier"], 0.0, text
        return carrier, price, text


class CarrierApiRuleLine(models.Model):
    _name = "carrier_api.rule.line"
    _description = "Service of a carrier selection rule"
    _order = "sequence, id"

    rule_id = fields.Many2one(
        "carrier_api.rule", string="Selection rule", required=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    carrier_id = fields.Many2one(
        "delivery.carrier", string="Service", required=True, ondelete="cascade"
    )
    fallback_price = fields.Float(
        string="Rule price",
        help="Used when the carrier gives no live rate (down, timeout, error). "
        "0: no fallback, the service is skipped.",
    )

    def _price(self, order):
        """``(price, live)``: the carrier's rate, else the rule's price, else
        ``(None, False)``."""
        self.ensure_one()
        try:
            result = self.carrier_id.rate_shipment(order)
        except (UserError, IntegrationError):
            # A carrier that is down or refuses: the rule's price serves.
            result = {"success": False}
        if result.get("success"):
            return result["price"], True
        if self.fallback_price:
            return self.fallback_price, False
        return None, False
