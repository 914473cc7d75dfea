# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship client (aggregator; carriers.md §5, ``BS-DOCS``).

One host for test and live (the key decides: ``biteship_test.`` / ``biteship_live.``),
raw key in the ``authorization`` header, JSON bodies, weights in grams.

Service codes: one Biteship account books many couriers, so a service is
``"<courier>:<service>"`` (``"jne:reg"``, ``"sicepat:best"``), as the rates answer
names them (``courier_code`` + ``courier_service_code``). A bare ``"reg"`` uses the
``courier`` credential.

Waybills: Biteship cancels by its own order id and tracks by its tracking id or by
waybill *and courier* (§5.4). Methods taking a waybill accept ``"<courier>:<waybill>"``
or a bare waybill (the ``courier`` credential), and a 24-character order id where one
is expected; the public tracking answer gives the order id back.
"""

import re

from odoo.addons.base_integration.api.exceptions import (
    AuthenticationError,
    IntegrationError,
    PermanentError,
    RetryableError,
)

from . import common
from .base import (
    CAP_AREAS,
    CAP_CANCEL,
    CAP_COD,
    CAP_PICKUP_WITH_ORDER,
    CAP_RATES,
    CAP_TRACK,
    CAP_WAYBILL,
    CAP_WEBHOOK,
    Area,
    CarrierClient,
    DuplicateReferenceError,
    RateQuote,
    ShipmentResult,
    TrackingEvent,
    TrackingResult,
    UnknownShipmentError,
)

PRODUCTION_URL = "https://api.biteship.com"  # test and live differ by key (§5.1)
DEFAULT_COURIERS = "jne,jnt,sicepat,anteraja"
# Documented auth failures (§5.1): the key is wrong, not the request.
AUTH_CODES = {40000001, 40101001, 40101002, 40101003, 40301001, 40301002}
# Our own test server's code for a repeated reference_id [unverified: the real API's
# answer to a repeated reference_id is not documented, see ROADMAP]; the text is
# matched too.
DUPLICATE_CODES = {40002007}
_DUPLICATE_TEXT = re.compile(r"reference.?id.*(exist|already|duplicate)", re.I)
_ORDER_ID = re.compile(r"^[0-9a-f]{24}$")
# Statuses from which Biteship no longer cancels (§5.3: only the first four are
# "Available to Delete").
TERMINAL_STATUSES = frozenset({"delivered", "cancelled", "returned", "disposed"})


def service_key(courier, service):
    return f"{courier}:{service}"


def split_key(value, default_courier):
    """``"jne:reg"`` -> ("jne", "reg"); ``"reg"`` -> (default, "reg")."""
    courier, sep, rest = (value or "").partition(":")
    if sep:
        return courier.strip().lower(), rest.strip()
    return default_courier, courier.strip()


class BiteshipClient(CarrierClient):
    code = "biteship"
    # No label endpoint is documented (§5.6, §12.5), no order look-up by our
    # reference (GET /v1/orders/:id takes Biteship's id), no separate pickup call
    # (pickup is part of the order: origin_collection_method "pickup" in every
    # order we send, §5.3 - CAP_PICKUP_WITH_ORDER).
    capabilities = frozenset(
        {
            CAP_RATES,
            CAP_WAYBILL,
            CAP_TRACK,
            CAP_CANCEL,
            CAP_COD,
            CAP_WEBHOOK,
            CAP_AREAS,
            CAP_PICKUP_WITH_ORDER,
        }
    )
    # Biteship documents no lengths; these are the destination couriers' smallest
    # ones seen (JNE 30 for names, carriers.md §1.3) [inference].
    field_limits = {"name": 50, "street": 200, "phone": 16, "note": 100}

    def __init__(self, session, base_url, api_key="", courier="jne", couriers="", **kw):
        super().__init__(session, base_url or PRODUCTION_URL, **kw)
        if not api_key:
            raise PermanentError("The Biteship API key is not configured.")
        self.courier = (courier or "jne").lower()
        self.couriers = couriers or DEFAULT_COURIERS
        self.headers = {"authorization": api_key, "Content-Type": "application/json"}

    # ------------------------------------------------------------------ transport
    def _call(self, method, path, payload=None, params=None, safe=False, **kw):
        """One call; Biteship's error envelope ``{"success": false, "error", "code"}``
        becomes the typed error (the code kept on ``exc.code``)."""
        try:
            data = self.session.request_json(
                method,
                f"{self.base_url}{path}",
                json=payload,
                params=params,
                headers=self.headers,
                retry_unsafe=safe,
                **kw,
            )
        except IntegrationError as exc:
            body = common.error_body(exc.response_body)
            if body:
                exc.code = body.get("code")
                message = f"Biteship: {body.get('error') or exc.message}"
                raise self._typed(exc, body, message) from None
            raise
        data = common.need_dict(data, "Biteship")
        if data.get("success") is False:
            raise self._typed(None, data, f"Biteship: {data.get('error')}")
        return data

    @staticmethod
    def _typed(exc, body, message):
        code = body.get("code")
        status = getattr(exc, "status_code", None)
        kwargs = {"status_code": status, "code": code, "response_body": body}
        if isinstance(exc, RetryableError) or (status and status >= 500):
            return RetryableError(message, **kwargs)
        if code in AUTH_CODES or status in (401, 403):
            return AuthenticationError(message, **kwargs)
        if code in DUPLICATE_CODES or _DUPLICATE_TEXT.search(str(body.get("error"))):
            return DuplicateReferenceError(message, **kwargs)
        if status == 404:
            return UnknownShipmentError(message, **kwargs)
        return PermanentError(message, **kwargs)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _location(address, side):
        """Area id when known, else postal code (§5.2: either keys the rate)."""
        values = {}
        if address.area_code:
            values[f"{side}_area_id"] = address.area_code
        if address.postal_code:
            values[f"{side}_postal_code"] = int(address.postal_code)
        if address.latitude is not None and address.longitude is not None:
            values[f"{side}_latitude"] = address.latitude
            values[f"{side}_longitude"] = address.longitude
        return values

    @staticmethod
    def _items(parcels, description=""):
        return [
            {
                "name": (p.description or description or "Parcel")[:50],
                "description": p.description or description or "",
                "category": "others",
                "value": int(p.value or 0),
                "quantity": int(p.quantity or 1),
                "weight": common.grams(p.weight_kg),  # grams (§5.2)
                "length": int(p.length_cm or 0),
                "width": int(p.width_cm or 0),
                "height": int(p.height_cm or 0),
            }
            for p in parcels
        ]

    def _courier_and_waybill(self, waybill):
        courier, sep, rest = (waybill or "").partition(":")
        if sep:
            return courier.lower(), rest
        return self.courier, waybill

    # ------------------------------------------------------------------ API
    def test(self):
        self._call(
            "GET",
            "/v1/maps/areas",
            params={"countries": "ID", "input": "Jakarta", "type": "single"},
        )
        return "Biteship accepted the API key."

    def list_areas(self, query=""):
        if len((query or "").strip()) < 3:
            raise PermanentError(
                "Biteship searches areas by a text of 3 letters or more."
            )
        data = self._call(
            "GET",
            "/v1/maps/areas",
            params={"countries": "ID", "input": query.strip(), "type": "single"},
        )
        areas = []
        for row in common.as_list(data.get("areas")):
            if not row.get("id"):
                continue
            areas.append(
                Area(
                    code=str(row["id"]),
                    name=str(row.get("name") or ""),
                    district=str(row.get("administrative_division_level_3_name") or ""),
                    city=str(row.get("administrative_division_level_2_name") or ""),
                    province=str(row.get("administrative_division_level_1_name") or ""),
                    postal_code=str(row.get("postal_code") or ""),
                    raw=row,
                )
            )
        return areas

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        wanted = [split_key(code, self.courier) for code in service_codes or ()]
        couriers = sorted({c for c, _s in wanted}) if wanted else None
        payload = {
            **self._location(origin, "origin"),
            **self._location(destination, "destination"),
            "couriers": ",".join(couriers) if couriers else self.couriers,
            "items": self._items(parcels),
        }
        data = self._call("POST", "/v1/rates/couriers", payload, safe=True)
        quotes = []
        for row in common.as_list(data.get("pricing")):
            courier = str(row.get("courier_code") or "").lower()
            service = str(row.get("courier_service_code") or "")
            amount = common.to_int(row.get("price"))
            if not courier or not service or amount is None:
                continue
            if wanted and (courier, service) not in wanted:
                continue
            cod_ok = common.to_bool(row.get("available_for_cash_on_delivery"))
            if cod and not cod_ok:
                continue
            low, high = common.etd_range(
                row.get("shipment_duration_range") or row.get("duration")
            )
            quotes.append(
                RateQuote(
                    service_code=service_key(courier, service),
                    price=amount,
                    etd_min_days=low,
                    etd_max_days=high,
                    cod_available=cod_ok,
                    raw=row,
                )
            )
        return quotes

    def build_order(self, request):
        courier, service = split_key(request.service_code, self.courier)
        sender, recipient = request.sender, request.recipient
        payload = {
            "reference_id": request.reference,
            "shipper_contact_name": sender.name,
            "shipper_contact_phone": sender.phone,
            "shipper_contact_email": sender.email or None,
            "origin_contact_name": sender.name,
            "origin_contact_phone": sender.phone,
            "origin_address": ", ".join(filter(None, (sender.street, sender.street2))),
            "origin_note": "",
            "origin_collection_method": "pickup",
            **self._location(sender, "origin"),
            "destination_contact_name": recipient.name,
            "destination_contact_phone": recipient.phone,
            "destination_contact_email": recipient.email or None,
            "destination_address": ", ".join(
                filter(None, (recipient.street, recipient.street2))
            ),
            "destination_note": request.note or "",
            **self._location(recipient, "destination"),
            "courier_company": courier,
            "courier_type": service,
            "delivery_type": "now",
            "order_note": request.note or "",
            "items": self._items(request.parcels),
        }
        if request.pickup_start:
            # Scheduled pickup: date and time in WIB (§5.3 delivery_type scheduled).
            local = request.pickup_start.replace(tzinfo=common.timezone.utc).astimezone(
                common.WIB
            )
            payload.update(
                delivery_type="scheduled",
                delivery_date=local.strftime("%Y-%m-%d"),
                delivery_time=local.strftime("%H:%M"),
            )
        if request.cod_amount:
            # COD settlement types 7_days / 5_days / 3_days (§5.2).
            payload["destination_cash_on_delivery"] = int(request.cod_amount)
            payload["destination_cash_on_delivery_type"] = "7_days"
        if request.insured_value:
            payload["courier_insurance"] = int(request.insured_value)
        return {k: v for k, v in payload.items() if v is not None}

    def _result(self, data, reference=""):
        courier = common.as_list(data.get("courier"))
        courier = courier[0] if courier else {}
        return ShipmentResult(
            reference=str(data.get("reference_id") or reference or ""),
            # The waybill can come later (order.waybill_id webhook, §5.5): empty then.
            waybill=str(courier.get("waybill_id") or ""),
            price=common.to_int(data.get("price")),
            carrier_order_id=str(data.get("id") or ""),
            raw=data,
        )

    def create_shipment(self, request):
        # No idempotency key: never repeated on a lost answer (the caller looks up).
        data = self._call("POST", "/v1/orders", self.build_order(request))
        return self._result(data, request.reference)

    def get_order(self, order_id):
        """``GET /v1/orders/:id`` (the webhook re-read, §5.5): ``(ShipmentResult,
        status)`` or None when Biteship does not know the id."""
        try:
            data = self._call("GET", f"/v1/orders/{order_id}")
        except UnknownShipmentError:
            return None
        return self._result(data), str(data.get("status") or "")

    def _tracking(self, waybill):
        courier, number = self._courier_and_waybill(waybill)
        return self._call("GET", f"/v1/trackings/{number}/couriers/{courier}")

    def track(self, waybills):
        results = []
        for waybill in waybills:
            _courier, number = self._courier_and_waybill(waybill)
            try:
                data = self._tracking(waybill)
            except UnknownShipmentError:
                results.append(TrackingResult(waybill=number, known=False))
                continue
            events = []
            for row in common.as_list(data.get("history")):
                events.append(
                    TrackingEvent(
                        at=common.to_utc(row.get("updated_at")),
                        status=str(row.get("status") or ""),
                        description=str(row.get("note") or ""),
                    )
                )
            events.sort(key=lambda e: e.at or common.datetime.min)
            status = str(data.get("status") or (events[-1].status if events else ""))
            delivered = [e for e in events if e.status == "delivered"]
            results.append(
                TrackingResult(
                    waybill=number,
                    known=True,
                    status=status,
                    events=events,
                    delivered_at=delivered[-1].at
                    if delivered and status == "delivered"
                    else None,
                    raw=data,
                )
            )
        return results

    def cancel(self, waybill, reason=""):
        order_id = waybill if _ORDER_ID.match(waybill or "") else ""
        if not order_id:
            order_id = str(self._tracking(waybill).get("order_id") or "")
            if not order_id:
                raise UnknownShipmentError(
                    f"Biteship does not know an order for waybill {waybill}."
                )
        data = self._call(
            "POST",
            f"/v1/orders/{order_id}/cancel",
            {"cancellation_reason": reason or "Cancelled by the shipper"},
        )
        return str(data.get("status") or "cancelled")
