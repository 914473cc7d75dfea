# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of the Anteraja API v2, mounted under ``/anteraja/<partner>``.

Contract (``/work/shared/reference/carriers.md`` §4, from ``AJ-DEV``, ``AJ-APPG``,
``AJ-LARA``):

* headers ``access-key-id`` and ``secret-access-key`` on every call; the base path
  carries a partner prefix (``/satoe/serviceRates``) [secondary] (§4.1);
* ``POST /serviceRates`` (Kemendagri kecamatan codes ``31.73.06``, weight in grams) →
  ``{"status": 200, "info": "OK", "content": {"services": [{"product_code", "etd",
  "rates", "is_cod"}]}}`` (§4.2);
* ``POST /order``: ``booking_id`` (``PREFIX-TRXID`` ≤ 25, trimmed, case-insensitive),
  ``parcel_total_weight`` grams 1000-50000, shipper/receiver objects with ``district``
  codes, ``items`` (max 30), only alphanumerics and ``/()[].,`` in texts (§4.1, §4.2)
  [secondary];
* ``POST /tracking`` ``{"waybill_no"}`` (§4.2); 250 delivered, 430/255 terminal
  (``AJ-LARA``) [secondary].

Invented (the public material does not show them; listed in carrier_api's ROADMAP):
the order answer's shape, the refusal of a repeated ``booking_id``, ``POST
/order/cancel``, every tracking code but 250/255/430 and their texts, the error
envelope for wrong keys.
"""

import re

from . import carrier_common as cc
from .framework import Response

PARTNER = "satoe"
DISTRICTS = {  # Kemendagri kecamatan code -> zone (§7)
    "31.74.04": "JKT",  # Pasar Minggu
    "31.74.05": "JKT",  # Kebayoran Lama
    "31.73.06": "JKT",  # Kalideres
    "32.73.02": "BDG",  # Coblong
    "35.78.08": "SBY",  # Wonokromo
}
SERVICES = {  # code -> (name, factor %, etd, cod)
    "REG": ("Regular", 98, "2-3 Day", True),
    "ND": ("Next Day", 160, "1 Day", False),
    "SD": ("Same Day", 250, "0 Day", False),
}
CODES = {  # generic step -> (tracking code, text)
    cc.RECORDED: (100, "Order has been created"),
    cc.PICKED_UP: (200, "Parcel picked up by SATRIA"),
    cc.IN_TRANSIT: (210, "Parcel arrived at the hub"),
    cc.OUT_FOR_DELIVERY: (240, "Parcel is being delivered"),
    cc.DELIVERED: (250, "Delivery success"),
    cc.FAILED_ATTEMPT: (260, "Delivery failed, receiver not at home"),
    cc.RETURNING: (300, "Parcel is being returned to the shipper"),
    cc.RETURNED: (255, "Parcel returned to the shipper"),
    cc.CANCELLED: (430, "Order cancelled"),
}
_ALLOWED = re.compile(r"^[A-Za-z0-9 /()\[\].,\-]*$")


class AnterajaApi(cc.CarrierHandler):
    prefix = f"/anteraja/{PARTNER}"
    name = "anteraja"
    access_key_id = "anteraja-access-key-TEST"
    secret_access_key = "anteraja-secret-key-TEST"
    booking_prefix = "TST"

    def register_carrier_routes(self):
        self.route("POST", "/serviceRates", self.rates)
        self.route("POST", "/order", self.create_order)
        self.route("POST", "/order/cancel", self.cancel_order)
        self.route("POST", "/tracking", self.tracking)

    @staticmethod
    def _answer(status, info, content=None, http=200):
        return Response(http, {"status": status, "info": info, "content": content})

    def error_response(self, status, request):
        return self._answer(status, "Internal Server Error", http=status)

    def _auth(self, request):
        if (
            request.header("access-key-id") != self.access_key_id
            or request.header("secret-access-key") != self.secret_access_key
        ):
            return self._answer(401, "Unauthorized", http=401)
        return None

    def rates(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request)
        if data is None:
            return self._answer(400, "Invalid request body")
        origin = DISTRICTS.get(str(data.get("origin") or ""))
        destination = DISTRICTS.get(str(data.get("destination") or ""))
        weight = data.get("weight")
        if not isinstance(weight, int) or weight <= 0:
            return self._answer(400, "weight must be a whole number of grams")
        if not origin or not destination:
            return self._answer(400, "Origin or destination is not covered")
        charged = cc.round_weight_kg(weight / 1000)
        services = [
            {
                "product_code": code,
                "product_name": name,
                "etd": etd,
                "rates": cc.price(origin, destination, factor, charged),
                "is_cod": cod,
                "surcharges": None,
            }
            for code, (name, factor, etd, cod) in SERVICES.items()
        ]
        return self._answer(
            200,
            "OK",
            {
                "origin": data["origin"],
                "destination": data["destination"],
                "services": services,
            },
        )

    def _check_party(self, party, side):
        if not isinstance(party, dict):
            return f"{side} is required"
        for name, size in (
            ("name", 50),
            ("phone", 16),
            ("address", 256),
            ("district", 10),
        ):
            value = str(party.get(name) or "")
            if not value:
                return f"{side}.{name} is required"
            if len(value) > size:
                return f"{side}.{name} is too long"
        if len(str(party["address"])) < 10:
            return f"{side}.address is too short"
        for name in ("name", "address"):
            if not _ALLOWED.match(str(party[name])):
                return f"{side}.{name} contains characters that are not allowed"
        if str(party["district"]) not in DISTRICTS:
            return f"{side}.district is not covered"
        return None

    def create_order(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request)
        if data is None:
            return self._answer(400, "Invalid request body")
        booking = str(data.get("booking_id") or "").strip()
        if not booking or len(booking) > 25:
            return self._answer(400, "booking_id is required (max 25)")
        if not booking.upper().startswith(self.booking_prefix.upper() + "-"):
            return self._answer(400, "booking_id must start with your prefix")
        if data.get("service_code") not in SERVICES:
            return self._answer(400, "service_code is not valid")
        weight = data.get("parcel_total_weight")
        if not isinstance(weight, int) or not 1000 <= weight <= 50000:
            return self._answer(400, "parcel_total_weight must be 1000-50000 grams")
        for side in ("shipper", "receiver"):
            problem = self._check_party(data.get(side), side)
            if problem:
                return self._answer(400, problem)
        items = data.get("items") or []
        if not items or len(items) > 30:
            return self._answer(400, "items must hold 1 to 30 entries")
        with self.lock:
            # booking_id is case-insensitive (§4.1): find() compares lower-cased.
            if self.find(booking):
                return self._answer(400, "Booking id already exist")
            number = self.next_number()
            waybill = f"1000{number:08d}"
            self.book(booking, waybill, order=data)
        return self._answer(
            200,
            "Order has been created",
            {"booking_id": booking, "waybill_no": waybill},
        )

    def cancel_order(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request) or {}
        shipment = self.get(str(data.get("waybill_no") or ""))
        if not shipment:
            return self._answer(404, "Waybill not found")
        refusal = self.cancel_shipment(shipment)
        if refusal:
            return self._answer(400, f"Order can not be cancelled, parcel {refusal}")
        return self._answer(
            200, "Order has been cancelled", {"waybill_no": shipment["waybill"]}
        )

    def tracking(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request) or {}
        shipment = self.get(str(data.get("waybill_no") or ""))
        if not shipment:
            return self._answer(404, "Waybill not found")
        order = shipment["order"]
        history = [
            {
                "timestamp": at.astimezone(cc.WIB).isoformat(timespec="seconds"),
                "message": {"id": CODES[step][1], "en": CODES[step][1]},
                "tracking_code": CODES[step][0],
            }
            for step, at in reversed(shipment["history"])  # newest first
        ]
        delivered = shipment.step == cc.DELIVERED
        return self._answer(
            200,
            "OK",
            {
                "waybill_no": shipment["waybill"],
                "booking_id": shipment["reference"],
                "history": history,
                "order": {
                    "booking_id": shipment["reference"],
                    "service_code": order["service_code"],
                    "actual_weight": order["parcel_total_weight"],
                    "receiver": {"name": order["receiver"]["name"]},
                },
                "receiver_name": order["receiver"]["name"] if delivered else None,
            },
        )
