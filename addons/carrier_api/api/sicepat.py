# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SiCepat client (carriers.md §3; all from third-party code [secondary]).

Two hosts (§3.1): the customer API (``apitrek``; header ``api-key``) for tariffs,
tracking, master data and the look-up by our reference; the pickup API (``auth_key`` in
the JSON body, a different key) that books a parcel. With a base URL override (a local
test server) both go below that base.

Booking *is* the pickup request (``requestpickuppackage``), and the partner supplies
the receipt number (the waybill) from a range SiCepat allocates (§3.3): the client
takes it from ``receipt_numbers()`` (the connection's counter) unless the request
carries one. So there is no separate pickup call (the pickup wizard records "booked
with the order", CAP_PICKUP_WITH_ORDER), and no label (print locally).
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
    CAP_FIND,
    CAP_PICKUP_WITH_ORDER,
    CAP_RATES,
    CAP_TRACK,
    CAP_WAYBILL,
    Area,
    CarrierClient,
    DuplicateReferenceError,
    RateQuote,
    ShipmentResult,
    TrackingEvent,
    TrackingResult,
    UnknownShipmentError,
)

CUSTOMER_URL = "https://apitrek.sicepat.com"  # §3.1 (older http://api.sicepat.com)
PICKUP_URLS = {
    "test": "https://pickup-stag.sicepat.com",  # §3.1 (or pickup.sandbox.sicepat.com)
    "production": "https://pickup.sicepat.com",
}
PATHS = {
    "origins": "/customer/origin",
    "destinations": "/customer/destination",
    "tariff": "/customer/tariff",
    "track": "/customer/waybill",
    "find": "/customer/waybillNumber",  # ?orderId=<our reference> (§3.2, SC-NEST)
    "pickup": "/api/partner/requestpickuppackage",
    "cancel": "/api/partner/cancelpickup",
}
PICKUP_OPERATIONS = ("pickup", "cancel")
_DUPLICATE = re.compile(r"sudah digunakan|already|exist|duplicate", re.I)
_NOT_FOUND = re.compile(r"tidak ditemukan|not found", re.I)
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M")


class SicepatClient(CarrierClient):
    code = "sicepat"
    capabilities = frozenset(
        {CAP_RATES, CAP_WAYBILL, CAP_FIND, CAP_TRACK, CAP_CANCEL, CAP_COD, CAP_AREAS}
    )
    DEFAULT_URLS = {"test": CUSTOMER_URL, "production": CUSTOMER_URL}
    # No lengths published [unverified]; conservative values.
    field_limits = {"name": 50, "street": 200, "phone": 15, "reference": 30}

    def __init__(
        self,
        session,
        base_url,
        api_key="",
        auth_key="",
        merchant_code="",
        account_code="",
        environment="test",
        custom_base=False,
        urls=None,
        receipt_numbers=None,
        pickup_method="PICKUP",
        **kw,
    ):
        super().__init__(session, base_url or CUSTOMER_URL, **kw)
        if not api_key:
            raise PermanentError("The SiCepat API key is not configured.")
        self.api_key, self.auth_key = api_key, auth_key
        self.merchant_code, self.account_code = merchant_code, account_code
        self.receipt_numbers = receipt_numbers
        self.pickup_method = pickup_method
        if (pickup_method or "").upper() == "PICKUP":
            # requestpickuppackage books the parcel *and* the courier (§3.3); calling
            # it again for a booked receipt number would be a second booking.
            self.capabilities = self.capabilities | {CAP_PICKUP_WITH_ORDER}
        pickup_base = (
            self.base_url
            if custom_base
            else PICKUP_URLS.get(environment, PICKUP_URLS["test"])
        )
        self.urls = {
            name: (pickup_base if name in PICKUP_OPERATIONS else self.base_url) + path
            for name, path in PATHS.items()
        }
        for name, value in (urls or {}).items():
            self.urls[name] = value if "://" in value else self.base_url + value

    # ------------------------------------------------------------------ transport
    def _get(self, name, params):
        """Customer API call; ``sicepat.status.code`` other than 200 is an error."""
        try:
            data = self.session.request_json(
                "GET", self.urls[name], params=params, headers={"api-key": self.api_key}
            )
        except IntegrationError as exc:
            if exc.status_code in (401, 403) and not isinstance(exc, RetryableError):
                raise AuthenticationError(
                    "SiCepat refused the API key.", status_code=exc.status_code
                ) from None
            raise
        body = common.need_dict(data, "SiCepat").get("sicepat")
        body = common.need_dict(body, "SiCepat")
        status = body.get("status") if isinstance(body.get("status"), dict) else {}
        code = common.to_int(status.get("code"))
        if code not in (None, 200):
            text = str(status.get("description") or "refused")
            if code in (401, 403):
                raise AuthenticationError(f"SiCepat: {text}", code=code)
            if _NOT_FOUND.search(text):
                raise UnknownShipmentError(f"SiCepat: {text}", code=code)
            raise PermanentError(f"SiCepat: {text}", code=code, response_body=data)
        return body

    def _post_pickup(self, name, payload):
        if not self.auth_key:
            raise PermanentError("The SiCepat pickup auth key is not configured.")
        data = self.session.request_json(
            "POST", self.urls[name], json={"auth_key": self.auth_key, **payload}
        )
        data = common.need_dict(data, "SiCepat")
        status = str(data.get("status") or "")
        if status != "200":
            text = str(data.get("error_message") or data.get("Message") or "refused")
            kwargs = {"code": status, "response_body": data}
            if status in ("401", "403"):
                raise AuthenticationError(f"SiCepat: {text}", **kwargs)
            if name == "pickup" and _DUPLICATE.search(text):
                raise DuplicateReferenceError(f"SiCepat: {text}", **kwargs)
            if _NOT_FOUND.search(text):
                raise UnknownShipmentError(f"SiCepat: {text}", **kwargs)
            if status.startswith("5"):
                raise RetryableError(f"SiCepat: {text}", **kwargs)
            raise PermanentError(f"SiCepat: {text}", **kwargs)
        return data

    # ------------------------------------------------------------------ API
    def test(self):
        self._get("origins", {})
        return "SiCepat accepted the API key."

    def list_areas(self, query=""):
        body = self._get("destinations", {})
        areas = []
        for row in common.as_list(body.get("results")):
            code = row.get("destination_code")
            name = str(row.get("subdistrict") or row.get("city") or "")
            if not code or (query and query.lower() not in name.lower()):
                continue
            areas.append(
                Area(
                    code=str(code),
                    name=name,
                    district=str(row.get("subdistrict") or ""),
                    city=str(row.get("city") or ""),
                    province=str(row.get("province") or ""),
                    raw=row,
                )
            )
        return areas

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        # Origin = 3-letter branch code, destination = JNE-style tariff code (§3.2).
        if not origin.area_code or not destination.area_code:
            raise PermanentError("SiCepat needs the origin and destination codes.")
        body = self._get(
            "tariff",
            {
                "origin": origin.area_code[:3],
                "destination": destination.area_code,
                "weight": common.kg_text(common.total_weight(parcels)),
            },
        )
        wanted = {c.upper() for c in service_codes or ()}
        quotes = []
        for row in common.as_list(body.get("results")):
            service = str(row.get("service") or "").upper()
            amount = common.to_int(row.get("tariff"))
            if not service or amount is None or (wanted and service not in wanted):
                continue
            low, high = common.etd_range(row.get("etd"))
            quotes.append(
                RateQuote(
                    service_code=service,
                    price=amount,
                    etd_min_days=low,
                    etd_max_days=high,
                    # cod_value exists per package (§3.3); cargo without it [inference].
                    cod_available=service != "GOKIL",
                    raw=row,
                )
            )
        return quotes

    def build_pickup(self, request, receipt_number):
        sender, recipient = request.sender, request.recipient
        start = request.pickup_start or common.datetime.now(
            common.timezone.utc
        ).replace(tzinfo=None)
        local = start.replace(tzinfo=common.timezone.utc).astimezone(common.WIB)
        weight = common.total_weight(request.parcels)
        description = ", ".join(p.description for p in request.parcels if p.description)
        package = {
            "receipt_number": receipt_number,
            "origin_code": (sender.area_code or "")[:3],
            "delivery_type": request.service_code.upper(),
            "parcel_category": "Normal",
            "parcel_content": description or "Paket",
            "parcel_qty": sum(int(p.quantity or 1) for p in request.parcels),
            "parcel_uom": "Pcs",
            "parcel_value": int(request.declared_value or 0),
            "cod_value": int(request.cod_amount or 0),
            "insurance_value": int(request.insured_value or 0),
            "total_weight": round(weight, 3),
            "notes": request.note or "",
            "destination_code": recipient.area_code,
        }
        for prefix, address in (("shipper", sender), ("recipient", recipient)):
            package.update(
                {
                    f"{prefix}_name": address.name,
                    f"{prefix}_address": ", ".join(
                        filter(None, (address.street, address.street2))
                    ),
                    f"{prefix}_province": address.province,
                    f"{prefix}_city": address.city,
                    f"{prefix}_district": address.district,
                    f"{prefix}_zip": address.postal_code,
                    f"{prefix}_phone": address.phone,
                    f"{prefix}_longitude": address.longitude or "",
                    f"{prefix}_latitude": address.latitude or "",
                }
            )
        package["recipient_title"] = "Mr/Mrs"
        return {
            "reference_number": request.reference,
            "pickup_request_date": local.strftime("%Y-%m-%d %H:%M"),
            "pickup_method": self.pickup_method,
            "pickup_merchant_code": self.merchant_code,
            "pickup_merchant_name": sender.name,
            "sicepat_account_code": self.account_code,
            "pickup_address": ", ".join(filter(None, (sender.street, sender.street2))),
            "pickup_city": sender.city,
            "pickup_merchant_phone": sender.phone,
            "pickup_merchant_email": sender.email,
            "PackageList": [package],
        }

    def create_shipment(self, request):
        receipt = request.waybill or (
            self.receipt_numbers() if self.receipt_numbers else ""
        )
        if not receipt:
            raise PermanentError(
                "SiCepat needs a receipt number from the range it allocated."
            )
        data = self._post_pickup("pickup", self.build_pickup(request, receipt))
        datas = common.as_list(data.get("datas"))
        waybill = str((datas[0] if datas else {}).get("receipt_number") or receipt)
        return ShipmentResult(
            reference=request.reference,
            waybill=waybill,
            carrier_order_id=str(data.get("request_number") or ""),
            raw=data,
        )

    def find_shipment(self, reference):
        try:
            body = self._get("find", {"orderId": reference})
        except UnknownShipmentError:
            return None
        result = body.get("result") if isinstance(body.get("result"), dict) else {}
        waybill = result.get("waybill_number") or result.get("waybillNumber")
        if not waybill:
            return None
        return ShipmentResult(reference=reference, waybill=str(waybill), raw=body)

    def track(self, waybills):
        results = []
        for waybill in waybills:
            try:
                body = self._get("track", {"waybill": waybill})
            except UnknownShipmentError:
                results.append(TrackingResult(waybill=waybill, known=False))
                continue
            result = body.get("result") if isinstance(body.get("result"), dict) else {}
            events = [
                TrackingEvent(
                    at=common.to_utc(str(row.get("date_time") or ""), DATE_FORMATS),
                    status=str(row.get("status") or ""),
                    description=str(row.get("city") or ""),
                )
                for row in common.as_list(result.get("track_history"))
            ]
            events.sort(key=lambda e: e.at or common.datetime.min)
            last = (
                result.get("last_status")
                if isinstance(result.get("last_status"), dict)
                else {}
            )
            status = str(last.get("status") or (events[-1].status if events else ""))
            # "delivered" = POD_receiver_time non-empty (§3.4, the C# client).
            pod_time = common.to_utc(
                str(result.get("POD_receiver_time") or ""), DATE_FORMATS
            )
            results.append(
                TrackingResult(
                    waybill=waybill,
                    known=True,
                    status=status,
                    events=events,
                    delivered_at=pod_time,
                    receiver=str(result.get("POD_receiver") or ""),
                    raw=body,
                )
            )
        return results

    def cancel(self, waybill, reason=""):
        self._post_pickup("cancel", {"receipt_number": waybill, "reason": reason})
        return "cancelled"
