# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of SiCepat's APIs, mounted under ``/sicepat`` (both hosts: the
``apitrek`` customer API and the pickup API, by path).

Contract (``/work/shared/reference/carriers.md`` §3, from ``SC-SEJOLI``, ``SC-NODE``,
``SC-DTO``, ``SC-NEST``; all [secondary]):

* customer API: header ``api-key``; ``GET /customer/origin``, ``/customer/destination``
  → ``{"sicepat": {"results": [...]}}``; ``GET /customer/tariff?origin=CGK&destination=
  CGK10000&weight=1``; ``GET /customer/waybill?waybill=`` (``sicepat.status`` +
  ``sicepat.result`` with ``track_history``, ``last_status``, ``POD_receiver_time``);
  ``GET /customer/waybillNumber?orderId=<our reference>`` (§3.2);
* pickup API: ``POST /api/partner/requestpickuppackage`` with ``auth_key`` in the body
  and partner-supplied ``receipt_number`` per package → ``{"status": "200",
  "request_number", "receipt_datetime", "datas": [{"receipt_number"}]}``; errors carry
  ``error_message`` and a non-"200" status string (§3.3); ``POST
  /api/partner/cancelpickup`` (§3.2).

Invented (listed in carrier_api's ROADMAP): the tracking status texts and codes, the
answer shapes of ``waybillNumber`` and ``cancelpickup``, the refusal of a repeated
``reference_number`` or ``receipt_number``, weights charged per started kilogram.
"""

from . import carrier_common as cc
from .framework import Response

ORIGINS = {
    "CGK": ("JAKARTA", "JKT"),
    "BDO": ("BANDUNG", "BDG"),
    "SUB": ("SURABAYA", "SBY"),
}
DESTINATIONS = {
    "CGK10000": ("JAKARTA", "JKT"),
    "CGK10101": ("KEBAYORAN LAMA, JAKARTA SELATAN", "JKT"),
    "BDO10000": ("BANDUNG", "BDG"),
    # the demo customer's district (scripts/setup_demo.py syncs it with Sync areas)
    "BDO10102": ("COBLONG, BANDUNG", "BDG"),
    "SUB10000": ("SURABAYA", "SBY"),
}
SERVICES = {  # code -> (description, factor %, etd)
    "REG": ("Layanan Reguler", 95, "1 - 2 hari"),
    "BEST": ("Besok Sampai Tujuan", 170, "1 hari"),
    "GOKIL": ("Cargo", 60, "3 - 5 hari"),
}
STATUS = {  # generic step -> (status, description) [invented]
    cc.RECORDED: ("PICKREQ", "Pickup request diterima"),
    cc.PICKED_UP: ("PICK", "Paket telah di pick up"),
    cc.IN_TRANSIT: ("IN", "Paket diproses di gudang"),
    cc.OUT_FOR_DELIVERY: ("ANT", "Paket dibawa kurir menuju alamat penerima"),
    cc.DELIVERED: ("DELIVERED", "Paket diterima"),
    cc.FAILED_ATTEMPT: ("CU", "Penerima tidak di tempat"),
    cc.RETURNING: ("RTS", "Paket dalam proses retur"),
    cc.RETURNED: ("RTN", "Paket telah dikembalikan"),
    cc.CANCELLED: ("CANCEL", "Pickup dibatalkan"),
}


class SicepatApi(cc.CarrierHandler):
    prefix = "/sicepat"
    name = "sicepat"
    api_key = "sicepat-api-key-TEST"
    auth_key = "sicepat-pickup-auth-key-TEST"

    def register_carrier_routes(self):
        self.route("GET", "/customer/origin", self.origins)
        self.route("GET", "/customer/destination", self.destinations)
        self.route("GET", "/customer/tariff", self.tariff)
        self.route("GET", "/customer/waybill", self.waybill)
        self.route("GET", "/customer/waybillNumber", self.waybill_number)
        self.route("POST", "/api/partner/requestpickuppackage", self.request_pickup)
        self.route("POST", "/api/partner/cancelpickup", self.cancel_pickup)

    def error_response(self, status, request):
        return Response(
            status,
            {"sicepat": {"status": {"code": status, "description": "Server error"}}},
        )

    @staticmethod
    def _status(code, description, **rest):
        return {
            "sicepat": {"status": {"code": code, "description": description}, **rest}
        }

    def _auth(self, request):
        if request.header("api-key") != self.api_key:
            return Response(401, self._status(401, "Invalid API key"))
        return None

    @staticmethod
    def _pickup_error(status, message):
        return Response(200, {"status": str(status), "error_message": message})

    # ------------------------------------------------------------------ customer API
    def origins(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        rows = [
            {"origin_code": code, "origin_name": name}
            for code, (name, _zone) in ORIGINS.items()
        ]
        return Response(200, self._status(200, "OK", results=rows))

    def destinations(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        # "KEBAYORAN LAMA, JAKARTA SELATAN": the subdistrict, then its city.
        rows = [
            {
                "destination_code": code,
                "subdistrict": name.split(",")[0].strip(),
                "city": name.split(",")[-1].strip(),
            }
            for code, (name, _zone) in DESTINATIONS.items()
        ]
        return Response(200, self._status(200, "OK", results=rows))

    def tariff(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        origin = ORIGINS.get(request.arg("origin") or "")
        destination = DESTINATIONS.get(request.arg("destination") or "")
        try:
            weight = float(request.arg("weight") or 0)
        except ValueError:
            weight = 0
        if not origin or not destination or weight <= 0:
            return Response(200, self._status(400, "Tarif tidak ditemukan", results=[]))
        charged = cc.round_weight_kg(weight)
        rows = [
            {
                "service": code,
                "description": description,
                "tariff": cc.price(origin[1], destination[1], factor, charged),
                "minPrice": 0,
                "unitPrice": cc.price(origin[1], destination[1], factor, 1),
                "etd": etd,
            }
            for code, (description, factor, etd) in SERVICES.items()
        ]
        return Response(200, self._status(200, "OK", results=rows))

    def waybill(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self.get(request.arg("waybill") or "")
        if not shipment:
            return Response(200, self._status(400, "Data tidak ditemukan"))
        package = shipment["package"]
        history = [
            {
                "date_time": at.astimezone(cc.WIB).strftime("%Y-%m-%d %H:%M"),
                "status": STATUS[step][0],
                "city": STATUS[step][1],
            }
            for step, at in shipment["history"]
        ]
        delivered = shipment.step == cc.DELIVERED
        result = {
            "waybill_number": shipment["waybill"],
            "kodeasal": package.get("origin_code"),
            "kodetujuan": package.get("destination_code"),
            "service": package.get("delivery_type"),
            "weight": package.get("total_weight"),
            "partner": shipment["merchant"],
            "sender": package.get("shipper_name"),
            "sender_address": package.get("shipper_address"),
            "receiver_address": package.get("recipient_address"),
            "receiver_name": package.get("recipient_name"),
            "realprice": 0,
            "totalprice": 0,
            "POD_receiver": package.get("recipient_name") if delivered else "",
            "POD_receiver_time": history[-1]["date_time"] if delivered else "",
            "send_date": history[0]["date_time"],
            "track_history": history,
            "last_status": dict(history[-1], receiver_name=""),
        }
        return Response(200, self._status(200, "OK", result=result))

    def waybill_number(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self.find(request.arg("orderId") or "")
        if not shipment:
            return Response(200, self._status(400, "Data tidak ditemukan"))
        return Response(
            200,
            self._status(
                200,
                "OK",
                result={
                    "order_id": shipment["reference"],
                    "waybill_number": shipment["waybill"],
                },
            ),
        )

    # ------------------------------------------------------------------ pickup API
    def request_pickup(self, request):
        try:
            data = request.json() or {}
        except ValueError:
            return self._pickup_error(400, "Invalid JSON")
        if data.get("auth_key") != self.auth_key:
            return self._pickup_error(401, "Invalid auth_key")
        reference = str(data.get("reference_number") or "")
        packages = data.get("PackageList") or []
        if not reference or not packages:
            return self._pickup_error(
                400, "reference_number and PackageList are required"
            )
        for package in packages:
            for name in (
                "receipt_number",
                "origin_code",
                "destination_code",
                "delivery_type",
            ):
                if not package.get(name):
                    return self._pickup_error(400, f"{name} is required")
            if package["delivery_type"] not in SERVICES:
                return self._pickup_error(400, "delivery_type is not valid")
            if package["destination_code"] not in DESTINATIONS:
                return self._pickup_error(400, "destination_code is not valid")
        with self.lock:
            if self.find(reference):
                return self._pickup_error(400, "reference_number sudah digunakan")
            for package in packages:
                if package["receipt_number"] in self.shipments:
                    return self._pickup_error(400, "receipt_number sudah digunakan")
            number = self.next_number()
            request_number = f"PRQ{number:08d}"
            for package in packages:
                self.book(
                    reference,
                    package["receipt_number"],
                    package=package,
                    merchant=data.get("pickup_merchant_name"),
                    request_number=request_number,
                )
        first = self.shipments[packages[0]["receipt_number"]]
        return Response(
            200,
            {
                "status": "200",
                "request_number": request_number,
                "receipt_datetime": first["history"][0][1]
                .astimezone(cc.WIB)
                .strftime("%Y-%m-%d %H:%M:%S"),
                "datas": [{"receipt_number": p["receipt_number"]} for p in packages],
            },
        )

    def cancel_pickup(self, request):
        try:
            data = request.json() or {}
        except ValueError:
            return self._pickup_error(400, "Invalid JSON")
        if data.get("auth_key") != self.auth_key:
            return self._pickup_error(401, "Invalid auth_key")
        shipment = self.get(str(data.get("receipt_number") or ""))
        if not shipment:
            return self._pickup_error(404, "receipt_number tidak ditemukan")
        refusal = self.cancel_shipment(shipment)
        if refusal:
            return self._pickup_error(
                400, f"Pickup tidak dapat dibatalkan, paket {refusal}"
            )
        return Response(200, {"status": "200", "message": "Pickup berhasil dibatalkan"})
