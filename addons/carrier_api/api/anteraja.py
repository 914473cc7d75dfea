# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Anteraja client (API v2.1.0; carriers.md §4).

Headers ``access-key-id`` + ``secret-access-key`` (§4.1); the base URL is handed out by
Anteraja and carries a partner prefix (``https://doit-sit.anteraja.id/<partner>``)
[secondary] - so there is no default host: set the base URL on the connection.
Areas are Kemendagri kecamatan codes (``31.73.06``) in ``Address.area_code``; weights in
grams, whole numbers (§4.1).

[unverified] (§4.2, §12.3): the order answer's shape (read tolerantly), the cancel path
(``/order/cancel``, configurable), the tracking codes other than 250 delivered and
430/255 terminal. No label, no look-up by ``booking_id``, no area list.
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
    CAP_CANCEL,
    CAP_COD,
    CAP_RATES,
    CAP_TRACK,
    CAP_WAYBILL,
    CarrierClient,
    DuplicateReferenceError,
    RateQuote,
    ShipmentResult,
    TrackingEvent,
    TrackingResult,
    UnknownShipmentError,
)

PATHS = {
    "rates": "/serviceRates",
    "order": "/order",
    "tracking": "/tracking",
    "cancel": "/order/cancel",  # [unverified]
}
# Texts may hold only alphanumerics and /()[]., (§4.1); "-" kept for booking ids.
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 /()\[\].,\-]+")
_DUPLICATE = re.compile(r"already|exist|duplicate|sudah", re.I)
_NOT_FOUND = re.compile(r"not found|tidak ditemukan", re.I)
MIN_PARCEL_GRAMS = 1000  # §4.2 parcel_total_weight 1000-50000 g
MAX_PARCEL_GRAMS = 50000
MIN_ITEM_GRAMS = 100  # AJ-LARA clamps items to >= 100 g [secondary]
MIN_ADDRESS = 10  # AJ-LARA pads addresses to >= 10 characters [secondary]


def clean(text, size):
    """Trimmed text with only the allowed characters (§4.1), cut to ``size``."""
    return " ".join(_NOT_ALLOWED.sub(" ", text or "").split())[:size]


class AnterajaClient(CarrierClient):
    code = "anteraja"
    capabilities = frozenset({CAP_RATES, CAP_WAYBILL, CAP_TRACK, CAP_CANCEL, CAP_COD})
    DEFAULT_URLS = {}  # per partner, from Anteraja (§4.1)
    # §4.2 (AJ-APPG field table) [secondary].
    field_limits = {
        "name": 50,
        "phone": 16,
        "email": 50,
        "street": 256,
        "reference": 25,
        "item_name": 50,
    }

    def __init__(
        self,
        session,
        base_url,
        access_key_id="",
        secret_access_key="",
        booking_prefix="",
        paths=None,
        **kw,
    ):
        super().__init__(session, base_url, **kw)
        if not self.base_url:
            raise PermanentError(
                "Anteraja gives each partner its own base URL: set it on the connection."
            )
        if not access_key_id or not secret_access_key:
            raise PermanentError("The Anteraja access key id and secret are not set.")
        self.headers = {
            "access-key-id": access_key_id,
            "secret-access-key": secret_access_key,
            "Content-Type": "application/json",
        }
        self.booking_prefix = booking_prefix
        self.paths = dict(PATHS, **(paths or {}))

    # ------------------------------------------------------------------ transport
    def _post(self, name, payload, safe=True):
        url = self.paths[name]
        url = url if "://" in url else self.base_url + url
        try:
            data = self.session.request_json(
                "POST", url, json=payload, headers=self.headers, retry_unsafe=safe
            )
        except IntegrationError as exc:
            body = common.error_body(exc.response_body) or {}
            info = str(body.get("info") or exc.message)
            if isinstance(exc, RetryableError):
                raise
            if exc.status_code in (401, 403):
                raise AuthenticationError(
                    f"Anteraja: {info}", status_code=exc.status_code
                ) from None
            if exc.status_code == 404 or _NOT_FOUND.search(info):
                raise UnknownShipmentError(
                    f"Anteraja: {info}", status_code=exc.status_code
                ) from None
            raise PermanentError(
                f"Anteraja: {info}", status_code=exc.status_code, response_body=body
            ) from None
        data = common.need_dict(data, "Anteraja")
        status = common.to_int(data.get("status"))
        if status not in (None, 200):
            info = str(data.get("info") or "refused")
            kwargs = {"code": status, "response_body": data}
            if status in (401, 403):
                raise AuthenticationError(f"Anteraja: {info}", **kwargs)
            if status and status >= 500:
                raise RetryableError(f"Anteraja: {info}", **kwargs)
            if status == 404 or _NOT_FOUND.search(info):
                raise UnknownShipmentError(f"Anteraja: {info}", **kwargs)
            if name == "order" and _DUPLICATE.search(info):
                raise DuplicateReferenceError(f"Anteraja: {info}", **kwargs)
            raise PermanentError(f"Anteraja: {info}", **kwargs)
        return data

    # ------------------------------------------------------------------ API
    def test(self):
        try:
            self._post(
                "rates",
                {"origin": "31.73.06", "destination": "31.73.06", "weight": 1000},
            )
        except AuthenticationError:
            raise
        except PermanentError as exc:
            # the keys were accepted; the route may not be covered
            return f"Credentials accepted ({exc.message})."
        return "Anteraja accepted the access keys."

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        if not origin.area_code or not destination.area_code:
            raise PermanentError("Anteraja needs the Kemendagri district codes.")
        grams = max(MIN_PARCEL_GRAMS, common.grams(common.total_weight(parcels)))
        data = self._post(
            "rates",
            {
                "origin": origin.area_code,
                "destination": destination.area_code,
                "weight": grams,
            },
        )
        content = data.get("content") if isinstance(data.get("content"), dict) else {}
        wanted = {c.upper() for c in service_codes or ()}
        quotes = []
        for row in common.as_list(content.get("services")):
            service = str(row.get("product_code") or "").upper()
            amount = common.to_int(row.get("rates"))
            cod_ok = common.to_bool(row.get("is_cod"))
            if not service or amount is None or (wanted and service not in wanted):
                continue
            if cod and not cod_ok:
                continue
            low, high = common.etd_range(row.get("etd"))
            quotes.append(
                RateQuote(
                    service_code=service,
                    price=amount,
                    etd_min_days=low,
                    etd_max_days=high,
                    cod_available=cod_ok,
                    raw=row,
                )
            )
        return quotes

    def booking_id(self, reference):
        """``PREFIX-TRXID`` (§4.2): our reference under the issued prefix."""
        prefix = f"{self.booking_prefix}-" if self.booking_prefix else ""
        if prefix and reference.upper().startswith(prefix.upper()):
            prefix = ""
        return clean(prefix + reference.replace("/", "-"), 25)

    @staticmethod
    def _party(address):
        street = clean(
            ", ".join(filter(None, (address.street, address.street2, address.village))),
            256,
        )
        return {
            "name": clean(address.name, 50),
            "phone": address.phone[:16],
            "email": (address.email or "")[:50],
            "district": address.area_code,
            "address": street.ljust(MIN_ADDRESS, "."),
            "postcode": address.postal_code,
            "geoloc": f"{address.latitude},{address.longitude}"
            if address.latitude is not None and address.longitude is not None
            else "",
        }

    def build_order(self, request):
        items = []
        for parcel in request.parcels[:30]:  # max 30 items (§4.2)
            items.append(
                {
                    "item_name": clean(parcel.description or "Paket", 50),
                    "item_desc": clean(parcel.description or "", 100),
                    "item_category": "Others",
                    "item_quantity": int(parcel.quantity or 1),
                    "declared_value": int(parcel.value or 0),
                    "weight": max(MIN_ITEM_GRAMS, common.grams(parcel.weight_kg)),
                }
            )
        grams = common.grams(common.total_weight(request.parcels))
        if grams > MAX_PARCEL_GRAMS:
            raise PermanentError("Anteraja takes at most 50 kg per order.")
        payload = {
            "booking_id": self.booking_id(request.reference),
            "invoice_no": clean(request.reference, 25),
            "service_code": request.service_code.upper(),
            "parcel_total_weight": max(MIN_PARCEL_GRAMS, grams),
            "shipper": self._party(request.sender),
            "receiver": self._party(request.recipient),
            "items": items,
            "use_insurance": bool(request.insured_value),
            "declared_value": int(request.declared_value or 0),
        }
        if request.cod_amount:
            # [unverified] order field name; is_cod is what the rates answer shows.
            payload["is_cod"] = True
            payload["cod_amount"] = int(request.cod_amount)
        return payload

    def create_shipment(self, request):
        payload = self.build_order(request)
        data = self._post("order", payload, safe=False)
        content = data.get("content") if isinstance(data.get("content"), dict) else {}
        waybill = (
            content.get("waybill_no") or content.get("waybill") or content.get("awb")
        )
        if not waybill:
            raise RetryableError(
                "Anteraja answered the order without a waybill number.",
                response_body=data,
            )
        return ShipmentResult(
            reference=request.reference,
            waybill=str(waybill),
            carrier_order_id=str(content.get("booking_id") or payload["booking_id"]),
            raw=data,
        )

    def track(self, waybills):
        results = []
        for waybill in waybills:
            try:
                data = self._post("tracking", {"waybill_no": waybill})
            except UnknownShipmentError:
                results.append(TrackingResult(waybill=waybill, known=False))
                continue
            content = (
                data.get("content") if isinstance(data.get("content"), dict) else {}
            )
            events = []
            for row in common.as_list(content.get("history")):
                message = row.get("message")
                if isinstance(message, dict):
                    message = message.get("en") or message.get("id")
                events.append(
                    TrackingEvent(
                        at=common.to_utc(str(row.get("timestamp") or "")),
                        status=str(row.get("tracking_code") or ""),
                        description=str(message or ""),
                    )
                )
            # The history comes newest first (AJ-LARA log) with second-precision
            # times: reverse a non-increasing list before the (stable) sort, so that
            # events of the same second keep their real order.
            times = [e.at for e in events]
            if all(a and b and a >= b for a, b in zip(times, times[1:], strict=False)):
                events.reverse()
            events.sort(key=lambda e: e.at or common.datetime.min)  # oldest first
            status = events[-1].status if events else ""
            results.append(
                TrackingResult(
                    waybill=waybill,
                    known=True,
                    status=status,
                    events=events,
                    # 250 = delivered (AJ-LARA isShippingEndStatus) [secondary].
                    delivered_at=events[-1].at if status == "250" else None,
                    receiver=str(content.get("receiver_name") or ""),
                    raw=data,
                )
            )
        return results

    def cancel(self, waybill, reason=""):
        self._post(
            "cancel", {"waybill_no": waybill, "reason": clean(reason, 100)}, safe=False
        )
        return "cancelled"
