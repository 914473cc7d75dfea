# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The five carriers as Odoo delivery providers (carriers.md §9).

One ``delivery.carrier`` per carrier *service* (JNE REG, SiCepat BEST, Biteship
``jne:reg``...), pointing at the ``integration.connection`` that holds the account.
Odoo dispatches ``<delivery_type>_rate_shipment`` etc. by name; the five types share
one implementation below (the client differs, not the Odoo side).
"""

import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_integration.api.exceptions import IntegrationError

from ..api import CLIENTS
from ..api.base import CAP_CANCEL, CAP_COD, CAP_RATES, Parcel
from .const import CARRIER_CODES, CARRIERS

CARRIER_TYPES = CARRIER_CODES
SPEED_CLASSES = [
    ("same_day", "Same day"),
    ("next_day", "Next day"),
    ("regular", "Regular"),
    ("economy", "Economy"),
    ("cargo", "Cargo"),
]
# Public tracking pages; the number replaces <shipmenttrackingnumber> (Odoo's own
# placeholder, delivery.carrier.tracking_url) [secondary: the carriers' sites].
TRACKING_URLS = {
    "jne": "https://www.jne.co.id/tracking-package?awb=<shipmenttrackingnumber>",
    "jnt": "https://jet.co.id/track?awb=<shipmenttrackingnumber>",
    "sicepat": "https://www.sicepat.com/checkAwb?awb=<shipmenttrackingnumber>",
    "anteraja": "https://anteraja.id/tracking/<shipmenttrackingnumber>",
    "biteship": "https://biteship.com/id/cek-resi?awb=<shipmenttrackingnumber>",
}


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=CARRIERS,
        ondelete={code: "set default" for code in CARRIER_TYPES},
    )
    carrier_api_connection_id = fields.Many2one(
        "integration.connection",
        string="Carrier account",
        ondelete="restrict",
        check_company=True,
        domain="[('provider', '=', delivery_type)]",
        help="The connection holding this carrier account's credentials.",
    )
    carrier_api_code = fields.Char(
        string="Carrier API code",
        compute="_compute_carrier_api_code",
        store=True,
        help="The client code (jne, jnt, sicepat, anteraja, biteship).",
    )
    carrier_api_service_code = fields.Char(
        string="Service code",
        help="The carrier's service code: REG, YES, OKE, JTR, EZ, BEST, GOKIL, ND, SD...",
    )
    carrier_api_courier_code = fields.Char(
        string="Courier code",
        help="Biteship only: the courier that carries the parcel (jne, sicepat...).",
    )
    carrier_api_speed_class = fields.Selection(
        SPEED_CLASSES, string="Speed class", default="regular"
    )
    carrier_api_cod_supported = fields.Boolean(
        string="Cash on delivery",
        help="The service collects the order amount from the recipient.",
    )
    carrier_api_max_weight = fields.Float(
        string="Maximum weight (kg)",
        help="Heaviest parcel the service accepts; 0 means no limit.",
    )

    @api.constrains("carrier_api_connection_id", "company_id")
    def _check_carrier_api_connection_company(self):
        for carrier in self:
            connection = carrier.carrier_api_connection_id.sudo()
            if (
                connection
                and carrier.company_id
                and connection.company_id != carrier.company_id
            ):
                raise ValidationError(
                    _(
                        "%(carrier)s belongs to %(company)s: its carrier account must "
                        "be one of that company (%(account)s is of %(other)s).",
                        carrier=carrier.name,
                        company=carrier.company_id.name,
                        account=connection.name,
                        other=connection.company_id.name,
                    )
                )

    @api.depends("delivery_type")
    def _compute_carrier_api_code(self):
        for carrier in self:
            code = carrier.delivery_type
            carrier.carrier_api_code = code if code in CARRIER_TYPES else False

    # ------------------------------------------------------------------ helpers
    def _carrier_api_is_ours(self):
        self.ensure_one()
        return self.delivery_type in CARRIER_TYPES

    def _carrier_api_client(self, **session_kwargs):
        """The ready client of this service's account.

        :raises UserError: no account configured.
        """
        self.ensure_one()
        connection = self.sudo().carrier_api_connection_id
        if not connection:
            raise UserError(
                _("Shipping method %s has no carrier account configured.", self.name)
            )
        return connection._carrier_client(**session_kwargs)

    def _carrier_api_service_key(self):
        """What the client calls the service (Biteship: ``courier:service``)."""
        self.ensure_one()
        service = (self.carrier_api_service_code or "").strip()
        if self.delivery_type == "biteship" and self.carrier_api_courier_code:
            return f"{self.carrier_api_courier_code.strip().lower()}:{service}"
        return service

    def _carrier_api_mask(self, text):
        connection = self.sudo().carrier_api_connection_id
        return connection._mask_text(text) if connection else text

    def _carrier_api_sender_partner(self, warehouse=None, company=None):
        warehouse = warehouse or self.env["stock.warehouse"]
        company = company or self.company_id or self.env.company
        return warehouse.partner_id or company.partner_id

    def _carrier_api_weight_kg(self, weight):
        """``weight`` (in the database's weight unit: kg, or lb with
        ``product.weight_in_lbs``) in kg, what every carrier client takes."""
        # The parameter product's _get_weight_uom_id_from_ir_config_parameter reads;
        # read here without its two env.ref() (a query each: this runs per parcel).
        in_lbs = (
            self.env["ir.config_parameter"].sudo().get_param("product.weight_in_lbs")
            == "1"
        )
        if not weight or not in_lbs:
            return weight or 0.0
        xmlid = self.env["ir.model.data"]._xmlid_to_res_id
        pound = self.env["uom.uom"].browse(xmlid("uom.product_uom_lb"))
        kg = self.env["uom.uom"].browse(xmlid("uom.product_uom_kgm"))
        return pound._compute_quantity(weight, kg, round=False)

    def _carrier_api_check_weight(self, weight_kg):
        """A problem text when the weight exceeds the service's limit, else ''."""
        self.ensure_one()
        if self.carrier_api_max_weight and weight_kg > self.carrier_api_max_weight:
            return _(
                "The weight %(weight).2f kg exceeds the %(max).2f kg limit of "
                "%(service)s.",
                weight=weight_kg,
                max=self.carrier_api_max_weight,
                service=self.name,
            )
        return ""

    # ------------------------------------------------------------------ rates
    def _carrier_api_rate_shipment(self, order):
        """Live rate of this service for the order (``rate_shipment`` contract)."""
        self.ensure_one()

        def failure(message):
            return {
                "success": False,
                "price": 0.0,
                "error_message": message,
                "warning_message": False,
            }

        # The Add shipping wizard passes its (editable) total weight.
        weight = self.env.context.get("order_weight") or order._get_estimated_weight()
        weight = self._carrier_api_weight_kg(weight or 0.0)
        problems = []
        warehouse = order.warehouse_id
        sender = self._carrier_api_sender_partner(warehouse, order.company_id)
        origin, sender_problems, _w = sender._carrier_api_address(self, role="sender")
        destination, dest_problems, warnings = (
            order.partner_shipping_id._carrier_api_address(self, role="rate")
        )
        problems += sender_problems + dest_problems
        if weight <= 0:
            problems.append(_("The order has no weight: set the products' weights."))
        if limit := self._carrier_api_check_weight(weight):
            problems.append(limit)
        if problems:
            return failure("\n".join(problems))
        try:
            client = self._carrier_api_client()
            if CAP_RATES not in client.capabilities:
                return failure(_("%s publishes no rates through its API.", self.name))
            value = int(round(order._compute_amount_total_without_delivery()))
            quotes = client.quote(
                origin,
                destination,
                [Parcel(weight_kg=weight, value=value, description=order.name)],
                service_codes=[self._carrier_api_service_key()],
            )
        except UserError as exc:
            return failure(str(exc))
        except IntegrationError as exc:
            return failure(
                _(
                    "%(carrier)s did not quote: %(error)s",
                    carrier=self.name,
                    error=self._carrier_api_mask(str(exc)),
                )
            )
        wanted = self._carrier_api_service_key().lower()
        quote = next(
            (q for q in quotes if (q.service_code or "").lower() == wanted), None
        )
        if quote is None:
            return failure(
                _(
                    "%(carrier)s has no rate for service %(service)s to this "
                    "address (%(weight).2f kg).",
                    carrier=self.name,
                    service=self.carrier_api_service_code or "-",
                    weight=weight,
                )
            )
        return {
            "success": True,
            "price": float(quote.price),
            "error_message": False,
            "warning_message": "\n".join(warnings) or False,
        }

    # ------------------------------------------------------------------ shipping
    def _carrier_api_send_shipping(self, pickings):
        """``send_shipping`` contract: one ``{exact_price, tracking_number}`` per
        picking. Pickings that already hold a waybill are not sent again (a waybill
        created before validation: ``send_to_shipper`` then prices it, without a
        call).

        ``exact_price`` is the carrier's price before margins: the booking answer's,
        or for carriers whose answer has none their tariff for the booked parcels
        (``_quote_price`` in stock_picking.py); 0 when neither is known."""
        results = []
        for picking in pickings:
            booked = picking._carrier_api_ensure_waybill()
            if booked:
                # booked by a validation of many: written by send_to_shipper now,
                # the waybill state after (stock.picking._send_confirmation_email)
                results.append(
                    {
                        "exact_price": float(sum(r.price or 0 for r in booked)),
                        "tracking_number": ",".join(
                            r.waybill or r.carrier_order_id for r in booked
                        ),
                    }
                )
                continue
            results.append(
                {
                    "exact_price": picking.carrier_api_price or 0.0,
                    "tracking_number": picking.carrier_tracking_ref or False,
                }
            )
        return results

    def _carrier_api_get_tracking_link(self, picking):
        """The carrier's tracking page; for several packages, Odoo's JSON list of
        ``[waybill, url]`` pairs (``stock.picking.open_website_url`` posts one link
        per package)."""
        self.ensure_one()
        numbers = [
            number.strip()
            for number in (picking.carrier_tracking_ref or "").split(",")
            if number.strip()
        ]
        template = self.tracking_url or TRACKING_URLS.get(self.delivery_type)
        if not numbers or not template:
            return False
        links = [
            [number, template.replace("<shipmenttrackingnumber>", number)]
            for number in numbers
        ]
        if len(links) == 1:
            return links[0][1]
        return json.dumps(links)

    def _carrier_api_cancel_shipment(self, pickings):
        for picking in pickings:
            picking._carrier_api_cancel_waybill()

    def _carrier_api_cod_available(self):
        """COD only where the service supports it and the account's API passes it."""
        self.ensure_one()
        connection = self.sudo().carrier_api_connection_id
        if not self.carrier_api_cod_supported or not connection:
            return False
        client_class = CLIENTS.get(connection.provider)
        return bool(client_class and CAP_COD in client_class.capabilities)

    def _carrier_api_can_cancel(self):
        self.ensure_one()
        connection = self.sudo().carrier_api_connection_id
        client_class = CLIENTS.get(connection.provider) if connection else None
        return bool(client_class and CAP_CANCEL in client_class.capabilities)


def _bind(name):
    def method(self, *args):
        return getattr(self, f"_carrier_api_{name}")(*args)

    method.__name__ = name
    return method


# Odoo looks the provider methods up by name (<type>_rate_shipment...).
for _code in CARRIER_TYPES:
    for _name in ("rate_shipment", "send_shipping", "get_tracking_link"):
        setattr(DeliveryCarrier, f"{_code}_{_name}", _bind(_name))
    setattr(DeliveryCarrier, f"{_code}_cancel_shipment", _bind("cancel_shipment"))
