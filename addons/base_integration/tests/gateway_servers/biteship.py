# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of the Biteship API (aggregator), mounted under ``/biteship``.

Contract (``/work/shared/reference/carriers.md`` §5, from ``BS-DOCS``):

* header ``authorization: <API key>``, the raw key without ``Bearer``, keys start with
  ``biteship_test.`` / ``biteship_live.``; auth errors carry the documented codes
  (40101001 authorization failed, 40101002 no account for the key) (§5.1);
* ``POST /v1/rates/couriers`` by postal code or area id, ``couriers`` comma list, items
  with weights in grams (§5.2); ``GET /v1/maps/areas?countries=ID&input=`` (§5.2
  [secondary]);
* ``POST /v1/orders``, ``GET /v1/orders/:id``, ``POST /v1/orders/:id/cancel`` - cancel
  only in the first four statuses (confirmed, scheduled, allocated, picking_up) (§5.3);
* ``GET /v1/trackings/:id`` and ``GET /v1/trackings/:waybill/couriers/:courier`` with
  ``history[{note, service_type, updated_at, status}]`` and the misspelt ``messsage``
  (§5.4).

Not documented, invented here and listed in carrier_api's ROADMAP: the error codes
other than the auth ones, the refusal of a second order with the same ``reference_id``
(the real API may accept it), the weight rounding (grams summed, charged per started
kilogram).
"""

import itertools
import math
import uuid

from . import carrier_common as cc
from .framework import Response

# Biteship statuses for the generic steps (§5.3 order statuses).
STATUS = {
    cc.RECORDED: "confirmed",
    cc.PICKED_UP: "picked",
    cc.IN_TRANSIT: "dropping_off",
    cc.OUT_FOR_DELIVERY: "dropping_off",
    cc.DELIVERED: "delivered",
    cc.FAILED_ATTEMPT: "on_hold",
    cc.RETURNING: "return_in_transit",
    cc.RETURNED: "returned",
    cc.CANCELLED: "cancelled",
}
NOTES = {
    cc.RECORDED: "Order has been confirmed. Locating nearest driver to pick up.",
    cc.PICKED_UP: "Item has been picked and ready to be shipped.",
    cc.IN_TRANSIT: "Item is on the way to the destination city.",
    cc.OUT_FOR_DELIVERY: "Item is being delivered to the recipient.",
    cc.DELIVERED: "Item has been delivered.",
    cc.FAILED_ATTEMPT: "Delivery attempt failed, the recipient was not at home.",
    cc.RETURNING: "Item is being returned to the shipper.",
    cc.RETURNED: "Item has been returned to the shipper.",
    cc.CANCELLED: "Order is cancelled.",
}
CANCELLABLE = {"confirmed", "scheduled", "allocated", "picking_up"}

# Areas of the test map: (area id, name, postal code, zone, district, city, province).
AREAS = (
    (
        "IDNP6IDNC148IDND836IDZ12410",
        "Kebayoran Lama, Jakarta Selatan, DKI Jakarta. 12240",
        "12240",
        "JKT",
        "Kebayoran Lama",
        "Jakarta Selatan",
        "DKI Jakarta",
    ),
    (
        "IDNP9IDNC22IDND1254IDZ40115",
        "Coblong, Bandung, Jawa Barat. 40132",
        "40132",
        "BDG",
        "Coblong",
        "Bandung",
        "Jawa Barat",
    ),
    (
        "IDNP11IDNC390IDND5043IDZ60241",
        "Wonokromo, Surabaya, Jawa Timur. 60243",
        "60243",
        "SBY",
        "Wonokromo",
        "Surabaya",
        "Jawa Timur",
    ),
)
# Couriers and services: (courier name, service name, factor %, duration, cod).
COURIERS = {
    "jne": {
        "reg": ("JNE", "Reguler", 100, "1 - 2", True),
        "yes": ("JNE", "Yakin Esok Sampai", 180, "1 - 1", False),
    },
    "jnt": {"ez": ("J&T", "EZ", 100, "2 - 3", True)},
    "sicepat": {
        "reg": ("SiCepat", "Reguler", 95, "1 - 2", True),
        "best": ("SiCepat", "Besok Sampai Tujuan", 170, "1 - 1", False),
    },
    "anteraja": {"reg": ("AnterAja", "Reguler", 98, "1 - 3", True)},
}


def area_zone(area_id=None, postal_code=None):
    for area in AREAS:
        if area_id and area[0] == area_id:
            return area
        if postal_code and area[2] == str(postal_code):
            return area
    return None


class BiteshipApi(cc.CarrierHandler):
    prefix = "/biteship"
    name = "biteship"
    api_key = "biteship_test.eyJhbGciOiJIUzI1NiJ9.TEST-KEY"

    def register_carrier_routes(self):
        self.route("POST", "/v1/rates/couriers", self.rates)
        self.route("GET", "/v1/maps/areas", self.areas)
        self.route("POST", "/v1/orders", self.create_order)
        self.route("GET", "/v1/orders/{order_id}", self.get_order)
        self.route("POST", "/v1/orders/{order_id}/cancel", self.cancel_order)
        self.route("GET", "/v1/trackings/{tracking_id}", self.tracking)
        self.route(
            "GET", "/v1/trackings/{waybill}/couriers/{courier}", self.public_tracking
        )

    def reset(self):
        result = super().reset()
        with self.lock:
            self.orders = {}  # Biteship order id -> waybill
            self._ids = itertools.count(1)
            # True: new orders answer without a waybill until ``issue_waybill``
            # (the courier assigns it later, order.waybill_id webhook, §5.5)
            self.defer_waybill = False
        return result

    def issue_waybill(self, order_id):
        """The courier assigns the waybill of an order made while ``defer_waybill``:
        ``GET /v1/orders/:id`` and the tracking routes show it from now on."""
        shipment = self._by_order_id(order_id)
        with self.lock:
            shipment["waybill_pending"] = False
        return shipment["waybill"]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _error(status, code, message):
        return Response(status, {"success": False, "error": message, "code": code})

    def error_response(self, status, request):
        if status == 429:
            return self._error(429, 42900001, "Too many requests")
        return self._error(status, 50000001, "Internal server error")

    def _auth(self, request):
        key = request.header("authorization")
        if not key:
            return self._error(401, 40101001, "Authorization failed")
        if key != self.api_key:
            return self._error(401, 40101002, "No account found for this API key")
        return None

    @staticmethod
    def _weight_grams(items):
        total = 0
        for item in items or ():
            total += int(item.get("weight") or 0) * int(item.get("quantity") or 1)
        return total

    def _area(self, data, side):
        return area_zone(data.get(f"{side}_area_id"), data.get(f"{side}_postal_code"))

    def _order_body(self, shipment):
        step = shipment.step
        return {
            "success": True,
            "message": "Order successfully created",
            "object": "order",
            "id": shipment["order_id"],
            "reference_id": shipment["reference"],
            "shipper": {"name": shipment["origin_contact_name"]},
            "origin": {
                "contact_name": shipment["origin_contact_name"],
                "postal_code": shipment["origin"][2],
                "area_id": shipment["origin"][0],
            },
            "destination": {
                "contact_name": shipment["destination_contact_name"],
                "contact_phone": shipment["destination_contact_phone"],
                "address": shipment["destination_address"],
                "postal_code": shipment["destination"][2],
                "area_id": shipment["destination"][0],
                "cash_on_delivery": {"amount": shipment["cod"]}
                if shipment["cod"]
                else None,
            },
            "courier": {
                "tracking_id": shipment["tracking_id"],
                "waybill_id": None
                if shipment.get("waybill_pending")
                else shipment["waybill"],
                "company": shipment["courier"],
                "type": shipment["service"],
                "link": f"https://track.biteship.test/{shipment['tracking_id']}",
                "insurance": {"amount": shipment["insurance"]},
            },
            "delivery": {"type": shipment["delivery_type"]},
            "items": shipment["items"],
            "price": shipment["price"],
            "status": STATUS[step],
        }

    def _by_order_id(self, order_id):
        with self.lock:
            waybill = self.orders.get(order_id)
        return self.get(waybill) if waybill else None

    # ------------------------------------------------------------------ routes
    def areas(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        text = (request.arg("input") or "").lower()
        if len(text) < 3:
            return self._error(400, 40002010, "Input must be at least 3 characters")
        rows = [
            {
                "id": area[0],
                "name": area[1],
                "country_name": "Indonesia",
                "country_code": "ID",
                "administrative_division_level_1_name": area[6],
                "administrative_division_level_1_type": "province",
                "administrative_division_level_2_name": area[5],
                "administrative_division_level_2_type": "city",
                "administrative_division_level_3_name": area[4],
                "administrative_division_level_3_type": "district",
                "postal_code": int(area[2]),
            }
            for area in AREAS
            if text in area[1].lower()
        ]
        return Response(200, {"success": True, "areas": rows})

    def rates(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request)
        if data is None:
            return self._error(400, 40002001, "Invalid JSON body")
        origin, destination = (
            self._area(data, "origin"),
            self._area(data, "destination"),
        )
        if not origin or not destination:
            return self._error(
                400, 40002002, "Origin or destination area could not be found"
            )
        grams = self._weight_grams(data.get("items"))
        if grams <= 0:
            return self._error(400, 40002003, "Items weight is required")
        charged_kg = max(1, math.ceil(grams / 1000))
        couriers = [c.strip() for c in str(data.get("couriers") or "").split(",")]
        pricing = []
        for courier in couriers:
            for service, (cname, sname, factor, duration, cod) in COURIERS.get(
                courier, {}
            ).items():
                pricing.append(
                    {
                        "courier_name": cname,
                        "courier_code": courier,
                        "courier_service_name": sname,
                        "courier_service_code": service,
                        "description": sname,
                        "duration": f"{duration} days",
                        "shipment_duration_range": duration,
                        "shipment_duration_unit": "days",
                        "service_type": "standard",
                        "shipping_type": "parcel",
                        "available_for_cash_on_delivery": cod,
                        "available_collection_method": ["pickup", "drop_off"],
                        "price": cc.price(
                            origin[3], destination[3], factor, charged_kg
                        ),
                    }
                )
        return Response(
            200,
            {
                "success": True,
                "object": "courier_pricing",
                "message": "Success to retrieve courier pricing",
                "origin": {"postal_code": int(origin[2]), "area_id": origin[0]},
                "destination": {
                    "postal_code": int(destination[2]),
                    "area_id": destination[0],
                },
                "pricing": pricing,
            },
        )

    def create_order(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        data = self._json(request)
        if data is None:
            return self._error(400, 40002001, "Invalid JSON body")
        required = (
            "origin_contact_name",
            "origin_contact_phone",
            "origin_address",
            "destination_contact_name",
            "destination_contact_phone",
            "destination_address",
            "courier_company",
            "courier_type",
            "delivery_type",
            "items",
        )
        missing = [name for name in required if not data.get(name)]
        if missing:
            return self._error(400, 40002004, f"{missing[0]} is required")
        origin, destination = (
            self._area(data, "origin"),
            self._area(data, "destination"),
        )
        if not origin or not destination:
            return self._error(
                400, 40002002, "Origin or destination area could not be found"
            )
        courier = data["courier_company"]
        service = COURIERS.get(courier, {}).get(data["courier_type"])
        if not service:
            return self._error(400, 40002005, "Courier service is not available")
        cod = int(data.get("destination_cash_on_delivery") or 0)
        if cod and not service[4]:
            return self._error(
                400, 40002006, "Cash on delivery is not available for this service"
            )
        reference = data.get("reference_id") or ""
        with self.lock:
            if reference and self.find(reference):
                return self._error(
                    400, 40002007, "Order with this reference_id already exists"
                )
            number = self.next_number()
            order_id = uuid.uuid5(uuid.NAMESPACE_URL, f"biteship/{number}").hex[:24]
            waybill = f"WYB-{courier.upper()}{number:010d}"
            grams = self._weight_grams(data["items"])
            shipment = self.book(
                reference,
                waybill,
                order_id=order_id,
                tracking_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bt/{number}").hex[:24],
                courier=courier,
                service=data["courier_type"],
                origin=origin,
                destination=destination,
                origin_contact_name=data["origin_contact_name"],
                destination_contact_name=data["destination_contact_name"],
                destination_contact_phone=data["destination_contact_phone"],
                destination_address=data["destination_address"],
                delivery_type=data["delivery_type"],
                items=data["items"],
                cod=cod,
                insurance=int(data.get("courier_insurance") or 0),
                price=cc.price(
                    origin[3],
                    destination[3],
                    service[2],
                    max(1, math.ceil(grams / 1000)),
                ),
            )
            self.orders[order_id] = waybill
            shipment["waybill_pending"] = self.defer_waybill
        return Response(200, self._order_body(shipment))

    def get_order(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self._by_order_id(request.params["order_id"])
        if not shipment:
            return self._error(404, 40402001, "Order not found")
        body = self._order_body(shipment)
        body["message"] = "Order successfully retrieved"
        return Response(200, body)

    def cancel_order(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self._by_order_id(request.params["order_id"])
        if not shipment:
            return self._error(404, 40402001, "Order not found")
        if STATUS[shipment.step] not in CANCELLABLE:
            return self._error(
                400,
                40002008,
                f"Order can not be cancelled, current status is "
                f"{STATUS[shipment.step]}",
            )
        refusal = self.cancel_shipment(shipment)
        if refusal:
            return self._error(400, 40002008, f"Order can not be cancelled: {refusal}")
        return Response(
            200,
            {
                "success": True,
                "message": "Order successfully cancelled",
                "object": "order",
                "id": shipment["order_id"],
                "status": "cancelled",
            },
        )

    def _tracking_body(self, shipment):
        return {
            "success": True,
            "messsage": "Successfully get tracking info",  # sic (§5.4)
            "object": "tracking",
            "id": shipment["tracking_id"],
            "waybill_id": shipment["waybill"],
            "courier": {
                "company": shipment["courier"],
                "driver_name": "Budi",
                "driver_phone": "6281200000000",
            },
            "origin": {"contact_name": shipment["origin_contact_name"]},
            "destination": {"contact_name": shipment["destination_contact_name"]},
            "history": [
                {
                    "note": NOTES[step],
                    "service_type": shipment["service"],
                    "updated_at": at.astimezone(cc.WIB).isoformat(),
                    "status": STATUS[step],
                }
                for step, at in shipment["history"]
            ],
            "link": f"https://track.biteship.test/{shipment['tracking_id']}",
            "order_id": shipment["order_id"],
            "status": STATUS[shipment.step],
        }

    def tracking(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        tracking_id = request.params["tracking_id"]
        with self.lock:
            waybill = next(
                (
                    s["waybill"]
                    for s in self.shipments.values()
                    if s["tracking_id"] == tracking_id
                ),
                None,
            )
        shipment = self.get(waybill) if waybill else None
        if not shipment:
            return self._error(404, 40403001, "Tracking data not found")
        return Response(200, self._tracking_body(shipment))

    def public_tracking(self, request):
        if (denied := self._auth(request)) is not None:
            return denied
        shipment = self.get(request.params["waybill"])
        if (
            not shipment
            or shipment["courier"] != request.params["courier"]
            or shipment.get("waybill_pending")
        ):
            return self._error(404, 40403001, "Tracking data not found")
        return Response(200, self._tracking_body(shipment))
