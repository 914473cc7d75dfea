# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the five carrier imitations (JNE, J&T, SiCepat, Anteraja, Biteship) share.

* A deterministic tariff: a price per kilogram by origin and destination *zone* (each
  carrier maps its own area codes onto the zones below) times a service factor, times
  the weight rounded the carrier's way. Tests compute expected prices by hand from
  :data:`ZONE_PRICE_PER_KG` and the service factors.
* A shipment book: orders by our reference and by waybill, each with a status history
  that moves forward (explicitly with :meth:`CarrierHandler.advance`, over the control
  route ``POST <prefix>/_control/advance/{waybill}``, or by itself every
  ``step_seconds`` when that is set, as in the demo).
* Faults after the handler ran: ``handler.late_faults.add(path, Fault(delay=...))``
  stores the order, then delays the answer past the client's timeout ("the carrier
  timed out after it created the order").

Plain Python: no Odoo import.
"""

import math
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from .framework import FaultQueue, GatewayHandler, Response

WIB = timezone(timedelta(hours=7))

# Generic lifecycle; each server renders these steps in its own status vocabulary.
RECORDED = "recorded"
PICKED_UP = "picked_up"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
FAILED_ATTEMPT = "failed_attempt"
RETURNING = "returning"
RETURNED = "returned"
CANCELLED = "cancelled"
MAIN_PATH = (RECORDED, PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED)
STEPS = MAIN_PATH + (FAILED_ATTEMPT, RETURNING, RETURNED, CANCELLED)
TERMINAL = frozenset({DELIVERED, RETURNED, CANCELLED})
# The next step on its own: after a failed attempt the courier tries again; a return
# goes back to the shipper.
NEXT_STEP = {
    RECORDED: PICKED_UP,
    PICKED_UP: IN_TRANSIT,
    IN_TRANSIT: OUT_FOR_DELIVERY,
    OUT_FOR_DELIVERY: DELIVERED,
    FAILED_ATTEMPT: OUT_FOR_DELIVERY,
    RETURNING: RETURNED,
}

# Zones of the test tariff and the price of one kilogram between them (whole rupiah).
# Symmetric: (a, b) and (b, a) cost the same.
ZONE_PRICE_PER_KG = {
    ("JKT", "JKT"): 9000,
    ("JKT", "BDG"): 11000,
    ("JKT", "SBY"): 15000,
    ("BDG", "BDG"): 8000,
    ("BDG", "SBY"): 14000,
    ("SBY", "SBY"): 8000,
}


def zone_price(origin_zone, destination_zone):
    """Price of one kilogram between two zones, or None (no route)."""
    return ZONE_PRICE_PER_KG.get(
        (origin_zone, destination_zone)
    ) or ZONE_PRICE_PER_KG.get((destination_zone, origin_zone))


def round_weight_kg(weight_kg, tolerance=0.0, minimum=1):
    """Whole kilograms, rounded up; a fraction up to ``tolerance`` is dropped
    (1.3 kg with a 0.3 tolerance is charged as 1 kg, 1.31 kg as 2 kg)."""
    whole = math.floor(weight_kg)
    fraction = round(weight_kg - whole, 6)
    charged = whole if fraction <= tolerance else whole + 1
    return max(minimum, charged)


def price(origin_zone, destination_zone, factor_percent, charged_kg):
    """Whole-rupiah price: ``per_kg * factor / 100`` (integer) times the kilograms."""
    per_kg = zone_price(origin_zone, destination_zone)
    if per_kg is None:
        return None
    return per_kg * factor_percent // 100 * charged_kg


def now_utc():
    return datetime.now(timezone.utc)


class Shipment(dict):
    """One booked order: a dict (what the server answers from) plus its history."""

    @property
    def step(self):
        return self["history"][-1][0]


class CarrierHandler(GatewayHandler):
    """Base of the carrier imitations: the shipment book, lifecycle and control routes."""

    # Seconds after which a shipment moves to the next step on its own (0: never;
    # the demo sets CARRIER_STEP_SECONDS).
    step_seconds = 0

    def __init__(self):
        self.late_faults = FaultQueue()
        self._counter_lock = threading.Lock()
        super().__init__()
        self.step_seconds = float(
            os.environ.get("CARRIER_STEP_SECONDS", self.step_seconds) or 0
        )
        self.reset()

    def reset(self):
        with self.lock:
            self.shipments = {}  # waybill -> Shipment
            self.by_reference = {}  # our reference -> waybill
            self.pickups = {}
            self.sequence = 0
        self.late_faults.clear()

    def register_routes(self):
        self.route("POST", "/_control/advance/{waybill}", self.control_advance)
        self.route("GET", "/_control/shipments", self.control_list)
        self.register_carrier_routes()

    def register_carrier_routes(self):
        """Override: the carrier's own endpoints."""

    def dispatch(self, request):
        response = super().dispatch(request)
        fault = self.late_faults.take(request.path)
        if fault and fault.delay:
            # The work is done (the order is stored), the answer comes too late.
            time.sleep(fault.delay)
        return response

    # ------------------------------------------------------------------ requests
    @staticmethod
    def _form(request):
        """The fields of a form-encoded body (first values), whatever the request's
        Content-Type says: the carriers that take forms do not look at it."""
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in form.items()}

    @staticmethod
    def _json(request):
        """The JSON object of the body, or None (not JSON, or not an object)."""
        try:
            data = request.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    # ------------------------------------------------------------------ book
    def next_number(self):
        with self._counter_lock:
            self.sequence += 1
            return self.sequence

    def book(self, reference, waybill, **values):
        """Store a new shipment in its first step; returns it."""
        shipment = Shipment(values, reference=reference, waybill=waybill)
        shipment["history"] = [(RECORDED, now_utc())]
        with self.lock:
            self.shipments[waybill] = shipment
            if reference:
                self.by_reference[reference.lower()] = waybill
        return shipment

    def find(self, reference):
        with self.lock:
            waybill = self.by_reference.get((reference or "").lower())
            return self.shipments.get(waybill) if waybill else None

    def get(self, waybill):
        with self.lock:
            shipment = self.shipments.get(waybill)
        if shipment is not None:
            self._auto_advance(shipment)
        return shipment

    def _auto_advance(self, shipment):
        if not self.step_seconds:
            return
        with self.lock:
            while shipment.step not in TERMINAL:
                last_at = shipment["history"][-1][1]
                due = last_at + timedelta(seconds=self.step_seconds)
                if due > now_utc():
                    break
                shipment["history"].append((NEXT_STEP[shipment.step], due))

    def advance(self, waybill, to=None):
        """Move a shipment to its next step (or to ``to``: failed_attempt, returning,
        returned, delivered...). Returns the new step; raises KeyError/ValueError."""
        with self.lock:
            shipment = self.shipments[waybill]
            current = shipment.step
            if current in TERMINAL:
                raise ValueError(f"shipment {waybill} is already {current}")
            target = to or NEXT_STEP[current]
            if target not in STEPS:
                raise ValueError(f"unknown step {target}")
            shipment["history"].append((target, now_utc()))
            return target

    def cancel_shipment(self, shipment):
        """Cancel when not picked up yet; returns None or the refusal text."""
        with self.lock:
            if shipment.step == CANCELLED:
                return "already cancelled"
            if shipment.step != RECORDED:
                return f"already {shipment.step}"
            shipment["history"].append((CANCELLED, now_utc()))
            return None

    # ------------------------------------------------------------------ control
    def control_advance(self, request):
        try:
            data = request.json() or {}
        except ValueError:
            data = {}
        try:
            step = self.advance(request.params["waybill"], data.get("to"))
        except KeyError:
            return Response(404, {"error": "unknown waybill"})
        except ValueError as exc:
            return Response(409, {"error": str(exc)})
        return Response(200, {"waybill": request.params["waybill"], "step": step})

    def control_list(self, request):
        with self.lock:
            rows = [
                {
                    "waybill": s["waybill"],
                    "reference": s["reference"],
                    "step": s.step,
                    "history": [[step, at.isoformat()] for step, at in s["history"]],
                }
                for s in self.shipments.values()
            ]
        return Response(200, {"shipments": rows})
