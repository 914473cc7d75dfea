# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Waybills, labels, cancel and pickup on deliveries shipped with our carriers.

Exactly once (carriers.md §0): each external order id has a ledger row
(``carrier.api.waybill``) that is claimed, then settled, in side transactions that
commit on their own. A second click or a second user finds the row "sending" and
stops; an attempt whose outcome is unknown (timeout, 5xx, killed worker) makes the
next one look the order up first; the carrier's "duplicate order id" is answered by a
look-up; a rollback after the carrier answered leaves the "sent" row, from which the
next click restores the waybill without calling again.
"""

import base64
import dataclasses
import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import (
    IntegrationError,
    RetryableError,
)

from ..api.base import (
    CAP_FIND,
    CAP_LABEL,
    DuplicateReferenceError,
    Parcel,
    ShipmentRequest,
    ShipmentResult,
)

_logger = logging.getLogger(__name__)

WAYBILL_STATES = [
    ("none", "No waybill"),
    ("sending", "Sending"),
    ("sent", "Waybill created"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
PICKUP_STATES = [
    ("none", "Not requested"),
    ("requested", "Requested"),
    ("failed", "Refused"),
]
# How long a "sending" claim protects an attempt in progress; after it, the attempt
# is taken for dead (worker killed) and the next one looks the order up first. Longer
# than the HTTP session's timeout times its attempts.
DEFAULT_LEASE_SECONDS = 300


class StockPicking(models.Model):
    _inherit = "stock.picking"

    carrier_api_is_ours = fields.Boolean(
        string="Shipped through a carrier API",
        compute="_compute_carrier_api_is_ours",
    )
    carrier_api_reference = fields.Char(
        string="External order id",
        copy=False,
        readonly=True,
        help="The order id the carrier knows this delivery by (stable per delivery).",
    )
    carrier_api_state = fields.Selection(
        WAYBILL_STATES,
        string="Waybill status",
        default="none",
        copy=False,
        readonly=True,
        tracking=True,
    )
    carrier_api_message = fields.Text(
        string="Carrier message", copy=False, readonly=True
    )
    carrier_api_price = fields.Float(
        string="Carrier price", copy=False, readonly=True, digits=(16, 0)
    )
    carrier_api_cod_available = fields.Boolean(
        string="COD offered", compute="_compute_carrier_api_cod_available"
    )
    carrier_api_cod = fields.Boolean(
        string="Cash on delivery",
        copy=False,
        help="The courier collects the COD amount from the recipient.",
    )
    carrier_api_cod_amount = fields.Float(
        string="COD amount",
        digits=(16, 0),
        copy=False,
        compute="_compute_carrier_api_cod_amount",
        store=True,
        readonly=False,
        help="Proposed from the order total; editable until the waybill is created.",
    )
    carrier_api_pickup_state = fields.Selection(
        PICKUP_STATES,
        string="Pickup",
        default="none",
        copy=False,
        readonly=True,
        tracking=True,
    )
    carrier_api_pickup_ref = fields.Char(
        string="Pickup reference", copy=False, readonly=True
    )
    carrier_api_pickup_start = fields.Datetime(
        string="Pickup from", copy=False, readonly=True
    )
    carrier_api_pickup_end = fields.Datetime(
        string="Pickup until", copy=False, readonly=True
    )
    carrier_api_waybill_ids = fields.One2many(
        "carrier.api.waybill",
        "picking_id",
        string="Waybill requests",
        groups="carrier_api.group_carrier_manager",
    )

    @api.depends("carrier_id.delivery_type")
    def _compute_carrier_api_is_ours(self):
        for picking in self:
            picking.carrier_api_is_ours = bool(
                picking.carrier_id and picking.carrier_id._carrier_api_is_ours()
            )

    @api.depends("carrier_id", "carrier_id.carrier_api_cod_supported")
    def _compute_carrier_api_cod_available(self):
        for picking in self:
            carrier = picking.carrier_id
            picking.carrier_api_cod_available = bool(
                carrier
                and carrier._carrier_api_is_ours()
                and carrier._carrier_api_cod_available()
            )

    @api.depends("carrier_api_cod", "sale_id.amount_total")
    def _compute_carrier_api_cod_amount(self):
        for picking in self:
            if not picking.carrier_api_cod:
                picking.carrier_api_cod_amount = 0
            elif not picking.carrier_api_cod_amount:
                # whole rupiah: what the courier collects (carriers.md §8)
                picking.carrier_api_cod_amount = round(picking.sale_id.amount_total)

    # ------------------------------------------------------------------ actions
    def action_carrier_api_create_waybill(self):
        """*Create waybill* on ready deliveries (one or many from the list)."""
        wrong = self.filtered(
            lambda p: p.state != "assigned" or not p.carrier_api_is_ours
        )
        if wrong:
            raise UserError(
                _(
                    "A waybill is created for ready deliveries with a carrier-API "
                    "shipping method only: %s",
                    ", ".join(wrong.mapped("name")),
                )
            )
        if len(self) == 1:
            self._carrier_api_ensure_waybill()
            return True
        # Many from the list: each one on its own; the refused ones are listed (the
        # booked ones stay booked: their ledger rows are committed).
        problems = []
        for picking in self:
            try:
                with self.env.cr.savepoint():
                    picking._carrier_api_ensure_waybill()
            except UserError as exc:
                problems.append(str(exc))
                picking.carrier_api_message = str(exc)
        if not problems:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Some waybills were not created"),
                "message": "\n\n".join(problems),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_carrier_api_print_labels(self):
        """Labels of these deliveries as one PDF (our own 100×150 mm label)."""
        missing = self.filtered(lambda p: not p.carrier_tracking_ref)
        if missing:
            raise UserError(
                _(
                    "These deliveries have no waybill yet: %s",
                    ", ".join(missing.mapped("name")),
                )
            )
        return self.env.ref("carrier_api.action_report_carrier_label").report_action(
            self
        )

    def action_carrier_api_request_pickup(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Request pickup"),
            "res_model": "carrier.api.pickup.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_ids": self.ids},
        }

    # ------------------------------------------------------------------ waybill
    def _carrier_api_ensure_waybill(self):
        """Create the waybill(s) of this delivery unless it has them already."""
        self.ensure_one()
        carrier = self.carrier_id
        if self.carrier_tracking_ref and self.carrier_api_state == "sent":
            return
        requests = self._carrier_api_requests()  # every problem, before any call
        client = carrier._carrier_api_client()
        results = [self._carrier_api_book(client, part, req) for part, req in requests]
        waybills = [r.waybill or r.carrier_order_id for r in results]
        price = sum(r.price or 0 for r in results)
        values = {
            "carrier_tracking_ref": ",".join(waybills),
            "carrier_api_state": "sent",
            "carrier_api_message": False,
        }
        if price:
            values["carrier_api_price"] = price
        self.write(values)
        self.message_post(
            body=_(
                "Waybill %(waybill)s created with %(carrier)s (order id %(ref)s).",
                waybill=", ".join(waybills),
                carrier=carrier.name,
                ref=self.carrier_api_reference,
            )
        )
        self._carrier_api_attach_labels(client, results)

    def _carrier_api_sender(self):
        warehouse = self.picking_type_id.warehouse_id
        return self.carrier_id._carrier_api_sender_partner(warehouse, self.company_id)

    def _carrier_api_parcels(self):
        """One ``Parcel`` per package (or one for the whole delivery)."""
        self.ensure_one()

        def value_of(lines):
            total = 0.0
            for line in lines:
                sale_line = line.move_id.sale_line_id
                unit = (
                    sale_line.price_reduce_taxinc
                    if sale_line
                    else line.product_id.lst_price
                )
                total += unit * (line.quantity or line.move_id.product_uom_qty)
            return int(round(total))

        lines = self.move_line_ids
        packages = lines.result_package_id
        description = ", ".join(self.move_ids.product_id.mapped("name"))[:60]
        if len(packages) > 1:
            parcels = []
            for package in packages:
                pack_lines = lines.filtered(
                    lambda ml, p=package: ml.result_package_id == p
                )
                weight = package.shipping_weight or sum(
                    ml.product_id.weight * ml.quantity for ml in pack_lines
                )
                parcels.append(
                    Parcel(
                        weight_kg=weight,
                        value=value_of(pack_lines),
                        description=description,
                        reference=package.name,
                    )
                )
            unpacked = lines.filtered(lambda ml: not ml.result_package_id)
            if unpacked:
                parcels.append(
                    Parcel(
                        weight_kg=sum(
                            ml.product_id.weight * ml.quantity for ml in unpacked
                        ),
                        value=value_of(unpacked),
                        description=description,
                    )
                )
            return parcels
        weight = self.shipping_weight or self.weight
        value = value_of(lines) if lines else 0
        if not lines:
            value = int(
                round(
                    sum(
                        (m.sale_line_id.price_reduce_taxinc or m.product_id.lst_price)
                        * m.product_uom_qty
                        for m in self.move_ids
                    )
                )
            )
        return [Parcel(weight_kg=weight, value=value, description=description)]

    def _carrier_api_requests(self):
        """``[(part, ShipmentRequest)]``: one per package when there are several.

        :raises UserError: listing every problem at once (nothing was sent).
        """
        self.ensure_one()
        carrier = self.carrier_id
        if not carrier or not carrier._carrier_api_is_ours():
            raise UserError(_("%s has no carrier-API shipping method.", self.name))
        problems = []
        sender, sender_problems, sender_warnings = (
            self._carrier_api_sender()._carrier_api_address(carrier, role="sender")
        )
        recipient, recipient_problems, warnings = (
            self.partner_id._carrier_api_address(carrier, role="recipient")
            if self.partner_id
            else (None, [_("%s has no recipient.", self.name)], [])
        )
        problems += sender_problems + recipient_problems
        parcels = self._carrier_api_parcels()
        for index, parcel in enumerate(parcels, 1):
            label = parcel.reference or (
                _("Package %s", index) if len(parcels) > 1 else self.name
            )
            if parcel.weight_kg <= 0:
                problems.append(_("%s has no weight.", label))
            elif limit := carrier._carrier_api_check_weight(parcel.weight_kg):
                problems.append(f"{label}: {limit}")
        cod = 0
        if self.carrier_api_cod:
            if not carrier._carrier_api_cod_available():
                problems.append(_("%s does not offer cash on delivery.", carrier.name))
            elif self.carrier_api_cod_amount <= 0:
                problems.append(_("The COD amount must be positive."))
            cod = int(round(self.carrier_api_cod_amount))
        if problems:
            raise UserError(
                _(
                    "The waybill of %(picking)s cannot be created:\n%(problems)s",
                    picking=self.name,
                    problems="\n".join(f"- {p}" for p in problems),
                )
            )
        for warning in sender_warnings + warnings:
            self.message_post(body=warning)
        declared = sum(p.value for p in parcels)
        insured = 0
        if carrier.shipping_insurance:
            insured = int(round(declared * carrier.shipping_insurance / 100.0))
        requests = []
        for part, parcel in enumerate(parcels if len(parcels) > 1 else parcels[:1]):
            requests.append(
                (
                    part + 1 if len(parcels) > 1 else 0,
                    ShipmentRequest(
                        reference="",  # set by the claim
                        service_code=carrier._carrier_api_service_key(),
                        sender=sender,
                        recipient=recipient,
                        parcels=[parcel],
                        # COD collected once, with the first package [ROADMAP].
                        cod_amount=cod if part == 0 else 0,
                        insured_value=int(round(insured * parcel.value / declared))
                        if declared
                        else 0,
                        declared_value=parcel.value,
                        note=self.origin or self.name,
                    ),
                )
            )
        return requests

    def _carrier_api_reference_prefix(self):
        icp = self.env["ir.config_parameter"].sudo()
        prefix = icp.get_param("carrier_api.reference_prefix")
        if not prefix:
            prefix = (icp.get_param("database.uuid") or "ODOO")[:6].upper()
        return prefix

    def _carrier_api_lease(self):
        icp = self.env["ir.config_parameter"].sudo()
        try:
            return int(icp.get_param("carrier_api.sending_lease_seconds", 0)) or (
                DEFAULT_LEASE_SECONDS
            )
        except ValueError:
            return DEFAULT_LEASE_SECONDS

    def _carrier_api_claim(self, part):
        """Claim the external order id of ``part`` in a committed side transaction.

        :returns: the ledger row as a dict; ``recover`` says the carrier may already
            hold the order (look it up first), ``state == "sent"`` that it does.
        :raises UserError: another attempt is running right now.
        """
        self.ensure_one()
        busy = _(
            "The waybill of %s is being created right now (another click or user); "
            "try again in a moment.",
            self.name,
        )
        base = f"{self._carrier_api_reference_prefix()}-{self.id}"
        columns = (
            "id, reference, state, uncertain, waybill, carrier_order_id, price, "
            "(now() at time zone 'utc') - sending_at > make_interval(secs => %s)"
        )
        try:
            with self.env.registry.cursor() as cr:
                # A cancelled order id is never booked again: count them.
                cr.execute(
                    "SELECT count(*) FROM carrier_api_waybill WHERE picking_id = %s "
                    "AND part = %s AND state = 'cancelled'",
                    [self.id, part],
                )
                generation = cr.fetchone()[0]
                reference = base + (f"-R{generation}" if generation else "")
                reference += f"-{part}" if part else ""
                cr.execute(
                    "INSERT INTO carrier_api_waybill (picking_id, carrier_id, "
                    "reference, part, state, sending_at, uncertain, create_uid, "
                    "write_uid, create_date, write_date) VALUES (%s, %s, %s, %s, "
                    "'sending', now() at time zone 'utc', false, %s, %s, "
                    "now() at time zone 'utc', now() at time zone 'utc') "
                    "ON CONFLICT (reference) DO NOTHING RETURNING id",
                    [
                        self.id,
                        self.carrier_id.id,
                        reference,
                        part,
                        self.env.uid,
                        self.env.uid,
                    ],
                )
                if cr.fetchone():
                    return {"reference": reference, "state": "new", "recover": False}
                cr.execute(
                    f"SELECT {columns} FROM carrier_api_waybill WHERE reference = %s "
                    "FOR UPDATE NOWAIT",
                    [self._carrier_api_lease(), reference],
                    log_exceptions=False,
                )
                row_id, reference, state, uncertain, waybill, order_id, price, stale = (
                    cr.fetchone()
                )
                row = {
                    "reference": reference,
                    "state": state,
                    "waybill": waybill,
                    "carrier_order_id": order_id,
                    "price": price,
                }
                if state == "sent":
                    return row
                if state == "sending" and not stale:
                    raise UserError(busy)
                # failed, or a "sending" whose worker died: maybe booked.
                row["recover"] = bool(uncertain or state == "sending")
                cr.execute(
                    "UPDATE carrier_api_waybill SET state = 'sending', "
                    "sending_at = now() at time zone 'utc', uncertain = %s, "
                    "write_date = now() at time zone 'utc' WHERE id = %s",
                    [row["recover"], row_id],
                )
                return row
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise UserError(busy) from None
        except psycopg2.errors.UniqueViolation:
            raise UserError(busy) from None

    def _carrier_api_settle(
        self, reference, state, uncertain=False, result=None, message=None
    ):
        """Record the outcome of an order id in its own committed transaction."""
        result = result or ShipmentResult(reference=reference, waybill="")
        with self.env.registry.cursor() as cr:
            cr.execute(
                "UPDATE carrier_api_waybill SET state = %s, uncertain = %s, "
                "waybill = COALESCE(NULLIF(%s, ''), waybill), "
                "carrier_order_id = COALESCE(NULLIF(%s, ''), carrier_order_id), "
                "price = COALESCE(%s, price), message = %s, "
                "write_date = now() at time zone 'utc' WHERE reference = %s",
                [
                    state,
                    uncertain,
                    result.waybill or "",
                    result.carrier_order_id or "",
                    result.price,
                    message,
                    reference,
                ],
            )

    def _carrier_api_lookup(self, client, reference):
        if CAP_FIND not in client.capabilities:
            return None
        try:
            return client.find_shipment(reference)
        except IntegrationError as exc:
            raise UserError(
                _(
                    "%(carrier)s could not be asked whether order %(ref)s exists: "
                    "%(error)s. Nothing was sent again; try later.",
                    carrier=self.carrier_id.name,
                    ref=reference,
                    error=self.carrier_id._carrier_api_mask(str(exc)),
                )
            ) from None

    def _carrier_api_book(self, client, part, request):
        """One order id booked exactly once; returns its ``ShipmentResult``."""
        claim = self._carrier_api_claim(part)
        reference = claim["reference"]
        if part <= 1:
            base = reference.rsplit("-", 1)[0] if part else reference
            if self.carrier_api_reference != base:
                self.carrier_api_reference = base
        if claim["state"] == "sent":
            # booked before (the request that got the answer was rolled back)
            return ShipmentResult(
                reference=reference,
                waybill=claim["waybill"] or "",
                carrier_order_id=claim["carrier_order_id"] or "",
                price=claim["price"],
            )
        request = dataclasses.replace(request, reference=reference)
        carrier = self.carrier_id
        if claim.get("recover"):
            found = self._carrier_api_lookup(client, reference)
            if found:
                self._carrier_api_settle(reference, "sent", result=found)
                return found
        try:
            result = client.create_shipment(request)
        except DuplicateReferenceError as exc:
            found = self._carrier_api_lookup(client, reference)
            if found:
                self._carrier_api_settle(reference, "sent", result=found)
                return found
            message = _(
                "%(carrier)s already holds order %(ref)s but its API cannot look it "
                "up: copy the waybill from the carrier's portal into the tracking "
                "reference. (%(error)s)",
                carrier=carrier.name,
                ref=reference,
                error=carrier._carrier_api_mask(str(exc)),
            )
            self._carrier_api_settle(
                reference, "failed", uncertain=True, message=message
            )
            self._carrier_api_fail(message)
        except RetryableError as exc:
            message = _(
                "%(carrier)s did not answer clearly for order %(ref)s (%(error)s). "
                "It may have booked it: the next attempt looks it up first.",
                carrier=carrier.name,
                ref=reference,
                error=carrier._carrier_api_mask(str(exc)),
            )
            self._carrier_api_settle(
                reference, "failed", uncertain=True, message=message
            )
            self._carrier_api_fail(message)
        except IntegrationError as exc:
            message = _(
                "%(carrier)s refused the waybill of %(ref)s: %(error)s",
                carrier=carrier.name,
                ref=reference,
                error=carrier._carrier_api_mask(str(exc)),
            )
            self._carrier_api_settle(reference, "failed", message=message)
            self._carrier_api_fail(message)
        except Exception:
            # anything else (a bug, a kill): the outcome is unknown
            self._carrier_api_settle(
                reference, "failed", uncertain=True, message="unexpected error"
            )
            raise
        self._carrier_api_settle(reference, "sent", result=result)
        return result

    def _carrier_api_fail(self, message):
        raise UserError(message)

    # ------------------------------------------------------------------ labels
    def _carrier_api_attach_labels(self, client, results):
        """Attach the carrier's label at once (J&T print URLs expire, §0)."""
        prefix = self.carrier_id._get_delivery_label_prefix()
        for result in results:
            pdf = result.label_pdf
            if not pdf and CAP_LABEL in client.capabilities:
                try:
                    pdf = client.fetch_label(result)
                except IntegrationError as exc:
                    self.message_post(
                        body=_(
                            "The carrier's label of %(waybill)s could not be "
                            "downloaded (%(error)s); print our own label instead.",
                            waybill=result.waybill,
                            error=self.carrier_id._carrier_api_mask(str(exc)),
                        )
                    )
                    continue
            if pdf:
                self.env["ir.attachment"].create(
                    {
                        "name": f"{prefix}-{result.waybill}.pdf",
                        "datas": base64.b64encode(pdf),
                        "res_model": "stock.picking",
                        "res_id": self.id,
                        "mimetype": "application/pdf",
                    }
                )

    def _carrier_api_waybills(self):
        self.ensure_one()
        return [
            w.strip() for w in (self.carrier_tracking_ref or "").split(",") if w.strip()
        ]

    def _carrier_api_label_lines(self):
        """What the label prints, per waybill (the QWeb report reads this)."""
        self.ensure_one()
        parcels = self._carrier_api_parcels()
        lines = []
        waybills = self._carrier_api_waybills()
        for index, waybill in enumerate(waybills):
            parcel = parcels[index] if len(parcels) == len(waybills) else None
            weight = (
                parcel.weight_kg if parcel else (self.shipping_weight or self.weight)
            )
            lines.append(
                {
                    "waybill": waybill,
                    "index": index + 1,
                    "count": len(waybills),
                    "weight": weight,
                    "cod": int(self.carrier_api_cod_amount)
                    if index == 0 and self.carrier_api_cod
                    else 0,
                }
            )
        return lines

    # ------------------------------------------------------------------ cancel
    def _carrier_api_cancel_waybill(self):
        """Cancel at the carrier; its refusal is shown and nothing changes here."""
        self.ensure_one()
        carrier = self.carrier_id
        waybills = self._carrier_api_waybills()
        if not waybills:
            raise UserError(_("%s has no waybill to cancel.", self.name))
        if not carrier._carrier_api_can_cancel():
            raise UserError(
                _(
                    "%s offers no cancellation through its API: cancel it in the "
                    "carrier's portal.",
                    carrier.name,
                )
            )
        client = carrier._carrier_api_client()
        rows = (
            self.env["carrier.api.waybill"]
            .sudo()
            .search([("picking_id", "=", self.id), ("state", "=", "sent")])
        )
        by_waybill = {r.waybill or r.carrier_order_id: r for r in rows}
        for waybill in waybills:
            row = by_waybill.get(waybill)
            target = row.carrier_order_id if row and row.carrier_order_id else waybill
            try:
                client.cancel(target, reason=_("Cancelled in Odoo"))
            except IntegrationError as exc:
                raise UserError(
                    _(
                        "%(carrier)s refused to cancel waybill %(waybill)s: %(error)s",
                        carrier=carrier.name,
                        waybill=waybill,
                        error=carrier._carrier_api_mask(str(exc)),
                    )
                ) from None
            if row:
                self._carrier_api_settle(
                    row.reference, "cancelled", message="cancelled"
                )
        self.write(
            {
                "carrier_api_state": "cancelled",
                "carrier_api_reference": False,
                "carrier_api_pickup_state": "none",
            }
        )
