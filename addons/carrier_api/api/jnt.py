# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""J&T Express Indonesia client (legacy jet.co.id B2B API; carriers.md §2).

Everything here comes from third-party clients (``JT-WOO``, ``JT-SAMPLE``)
[secondary]: every host and path can be replaced on the connection.

* One host per operation and environment (§2.1); with a base URL override (a local
  test server) every operation goes to ``base + sandbox path``.
* Credentials per operation (§2.1): order ``username`` + ``api_key`` + signing
  ``key``; tariff ``cusName`` + tariff key; tracking e-company id + password (HTTP
  Basic); label print key.
* Signature ``base64(md5_hex(json + key))``: the hex *text* is base64-encoded (§2.2);
  the signed JSON string is exactly the one sent.
* Addresses: the tariff takes *names* (origin city, destination district, §2.4); the
  order takes 3-character city codes and the receiver area code (``JKT001``, §2.3),
  read from ``Address.area_code`` (its first three characters are the city code
  [inference]).

No look-up by our order id is documented: a repeated order id answers "Orderid tidak
boleh sama" (§2.3), raised as ``DuplicateReferenceError``; no pickup call (pickup is
``servicetype`` 1 of the order); no area list (J&T maps your list by hand, §2.1).
"""

import base64
import hashlib
import json
import re
from datetime import datetime, timezone

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
    CAP_LABEL,
    CAP_PICKUP_WITH_ORDER,
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

# §2.1 (JT-WOO get_endpoints) [secondary].
SANDBOX = {
    "order": "https://demo-ecommerce.inuat-jntexpress.id"
    "/jts-idn-ecommerce-api/api/order/create",
    "cancel": "https://demo-ecommerce.inuat-jntexpress.id"
    "/jts-idn-ecommerce-api/api/order/cancel",
    "tariff": "https://demo-general.inuat-jntexpress.id/jandt_track/inquiry.action",
    "track": "https://demo-general.inuat-jntexpress.id"
    "/jandt_track/track/trackAction!tracking.action",
    "print": "https://demo-general.inuat-jntexpress.id"
    "/jandt_order_web/labels/labelsAction!getPrintUrl.action",
}
PRODUCTION = {
    "order": "https://ecommerce.jntexpress.id/jts-idn-ecommerce-api/api/order/create",
    "cancel": "https://api.jet.co.id/jts-idn-ecommerce-api/api/order/cancel",
    "tariff": "https://partner-track.jet.co.id/jandt_track/inquiry.action",
    "track": "https://secure-jk.jet.co.id/jandt-order-web/track/trackAction!tracking.action",
    "print": "https://general.jntexpress.id"
    "/jandt_order_web/labels/labelsAction!getPrintUrl.action",
}
DUPLICATE_REASON = "orderid tidak boleh sama"  # §2.3
# "already picked up": a cancel refusal ends with "Status pesanan adalah : GOT" (§2.5).
PICKED_UP_REASON = re.compile(r"status pesanan adalah\s*:\s*(\w+)", re.I)
# Print errors (§2.6).
PRINT_ERRORS = {
    "S01": "bad request or wrong environment",
    "S02": "wrong print key or signature",
    "S03": "wrong e-company id",
    "S04": "this API or message type is not enabled for the account",
    "S09": "no printable data yet",
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M")
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ]+")


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sign(text, key):
    """``base64(md5(text + key).hexdigest())`` - PHP's ``md5()`` answers hex text,
    which J&T base64-encodes (§2.2)."""
    digest = hashlib.md5((text + key).encode()).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def plain(text, size):
    """Letters, digits and spaces only (§2.3 goodsdesc / item_name), cut to size."""
    return " ".join(_NOT_PLAIN.sub(" ", text or "").split())[:size]


def wib_text(dt):
    """Naive-UTC datetime -> ``YYYY-MM-DD hh:mm:ss`` in UTC+7 (§2.3)."""
    return (
        dt.replace(tzinfo=timezone.utc)
        .astimezone(common.WIB)
        .strftime("%Y-%m-%d %H:%M:%S")
    )


class JntClient(CarrierClient):
    code = "jnt"
    capabilities = frozenset(
        {CAP_RATES, CAP_WAYBILL, CAP_TRACK, CAP_CANCEL, CAP_LABEL, CAP_COD}
    )
    DEFAULT_URLS = {
        "test": "https://demo-ecommerce.inuat-jntexpress.id",
        "production": "https://ecommerce.jntexpress.id",
    }
    # §2.3 (JT-WOO validator).
    field_limits = {
        "name": 30,
        "phone": 15,
        "street": 200,
        "reference": 20,
        "description": 40,
        "item_name": 50,
        "note": 30,
    }

    def __init__(
        self,
        session,
        base_url,
        username="",
        api_key="",
        key="",
        tariff_customer="",
        tariff_key="",
        ecompany_id="",
        track_password="",
        print_key="",
        environment="test",
        custom_base=False,
        urls=None,
        service_type="1",
        **kw,
    ):
        super().__init__(session, base_url, **kw)
        if not username or not api_key or not key:
            raise PermanentError(
                "The J&T order username, API key and signing key are not configured."
            )
        self.username, self.api_key, self.key = username, api_key, key
        self.tariff_customer, self.tariff_key = tariff_customer, tariff_key
        self.ecompany_id, self.track_password = ecompany_id, track_password
        self.print_key = print_key
        self.service_type = service_type  # 1 = pickup, 6 = drop-off (§2.3)
        if str(service_type) == "1":
            # The order itself asks for the pickup, in its sendstarttime-sendendtime
            # window (§2.3): there is no separate pickup call.
            self.capabilities = self.capabilities | {CAP_PICKUP_WITH_ORDER}
        table = PRODUCTION if environment == "production" else SANDBOX
        if custom_base:
            # A local server or proxy: the sandbox paths below the base URL.
            table = {
                name: self.base_url + "/" + url.split("/", 3)[3]
                for name, url in SANDBOX.items()
            }
        self.urls = dict(table)
        for name, value in (urls or {}).items():
            self.urls[name] = value if "://" in value else self.base_url + value

    # ------------------------------------------------------------------ transport
    def _post_form(self, name, form, safe):
        try:
            data = self.session.request_json(
                "POST", self.urls[name], data=form, retry_unsafe=safe
            )
        except IntegrationError as exc:
            if exc.status_code in (401, 403) and not isinstance(exc, RetryableError):
                raise AuthenticationError(
                    f"J&T refused the credentials ({name}).",
                    status_code=exc.status_code,
                ) from None
            raise
        return common.need_dict(data, "J&T")

    def _detail_call(self, name, item, safe=False):
        """Order and cancel: ``data_param`` = ``{"detail": [item]}`` signed with the
        order key; answers the first detail entry (§2.3, §2.6)."""
        item = {"username": self.username, "api_key": self.api_key, **item}
        text = json.dumps({"detail": [item]}, separators=(",", ":"), ensure_ascii=False)
        data = self._post_form(
            name, {"data_param": text, "data_sign": sign(text, self.key)}, safe
        )
        if not common.to_bool(data.get("success")):
            # Envelope refusal (signature, malformed data) [invented wording].
            raise AuthenticationError(
                f"J&T refused the request: {data.get('desc') or data}",
                code="refused",
                response_body=data,
            )
        details = common.as_list(data.get("detail"))
        if not details:
            raise RetryableError(
                "J&T answered without a detail entry.", response_body=data
            )
        return details[0], data

    # ------------------------------------------------------------------ API
    def test(self):
        # A cancel of an order id that cannot exist: a signed call with no effect.
        detail, _data = self._detail_call(
            "cancel", {"orderid": "ODOO-CONN-TEST", "remark": "connection test"}, True
        )
        reason = str(detail.get("reason") or "")
        if re.search(r"api.?key|username", reason, re.I):
            raise AuthenticationError(f"J&T: {reason}", code="auth")
        return "J&T accepted the signature and the order credentials."

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        if not self.tariff_customer or not self.tariff_key:
            raise PermanentError("The J&T tariff customer name and key are not set.")
        origin_name = (origin.city or "").upper()
        destination_name = (destination.district or destination.city or "").upper()
        if not origin_name or not destination_name:
            raise PermanentError(
                "J&T quotes by the origin city and the destination district names."
            )
        payload = {
            "weight": round(common.total_weight(parcels), 3),
            "sendSiteCode": origin_name,
            "destAreaCode": destination_name,
            "cusName": self.tariff_customer,
            "productType": "EZ",
        }
        text = json.dumps(payload, separators=(",", ":"))
        data = self._post_form(
            "tariff", {"data": text, "sign": sign(text, self.tariff_key)}, True
        )
        if not common.to_bool(data.get("is_success")):
            message = str(data.get("message") or "tariff refused")
            raise PermanentError(f"J&T: {message}", code="tariff", response_body=data)
        content = data.get("content")
        if isinstance(content, str):  # sometimes a JSON-encoded string (§2.4)
            try:
                content = json.loads(content or "[]")
            except ValueError:
                raise RetryableError("J&T sent an unreadable tariff.") from None
        wanted = {c.upper() for c in service_codes or ()}
        quotes = []
        for row in common.as_list(content):
            service = str(row.get("productType") or row.get("name") or "").upper()
            amount = common.to_int(row.get("cost"))
            if not service or amount is None or (wanted and service not in wanted):
                continue
            quotes.append(
                RateQuote(
                    service_code=service, price=amount, cod_available=True, raw=row
                )
            )
        # Empty content = no tariff for that route/account (§2.4): an empty list.
        return quotes

    def build_order(self, request):
        sender, recipient = request.sender, request.recipient
        description = ", ".join(p.description for p in request.parcels if p.description)
        start = request.pickup_start or _utcnow()
        end = request.pickup_end or start
        return {
            "orderid": request.reference,
            "shipper_name": sender.name,
            "shipper_contact": sender.name,
            "shipper_phone": "+" + sender.phone.lstrip("+"),
            "shipper_addr": ", ".join(
                filter(None, (sender.street, sender.street2, sender.district))
            ),
            "origin_code": (sender.area_code or "")[:3],
            "receiver_name": recipient.name,
            "receiver_phone": "+" + recipient.phone.lstrip("+"),
            "receiver_addr": ", ".join(
                filter(None, (recipient.street, recipient.street2, recipient.district))
            ),
            "receiver_zip": recipient.postal_code,
            "destination_code": (recipient.area_code or "")[:3],
            "receiver_area": recipient.area_code,
            "qty": sum(int(p.quantity or 1) for p in request.parcels),
            "weight": round(common.total_weight(request.parcels), 3),
            "goodsdesc": plain(description or "Paket", 40),
            "item_name": plain(description or "Paket", 50),
            "servicetype": self.service_type,
            "expresstype": "1",  # EZ (§2.3)
            "insurance": int(request.insured_value or 0),
            "cod": int(request.cod_amount or 0),
            "goodsvalue": int(request.declared_value or 0),
            "orderdate": wib_text(_utcnow()),
            "sendstarttime": wib_text(start),
            "sendendtime": wib_text(end),
            "remark": (request.note or "")[:30],
        }

    def create_shipment(self, request):
        item = self.build_order(request)
        detail, data = self._detail_call("order", item)
        status = str(detail.get("status") or "").lower()
        if status == "sukses" and detail.get("awb_no"):
            if str(detail.get("orderid") or request.reference) != request.reference:
                # JT-WOO checks the echoed order id (§2.3).
                raise RetryableError(
                    "J&T answered for another order id.", response_body=data
                )
            return ShipmentResult(
                reference=request.reference, waybill=str(detail["awb_no"]), raw=data
            )
        reason = str(detail.get("reason") or "order refused")
        if DUPLICATE_REASON in reason.lower():
            raise DuplicateReferenceError(
                f"J&T: {reason}", code="duplicate", response_body=data
            )
        if re.search(r"api.?key|username", reason, re.I):
            raise AuthenticationError(f"J&T: {reason}", code="auth", response_body=data)
        raise PermanentError(f"J&T: {reason}", code="refused", response_body=data)

    def cancel(self, waybill, reason=""):
        """J&T cancels by *our order id* (§2.6): pass the reference."""
        detail, data = self._detail_call(
            "cancel",
            {"orderid": waybill, "remark": (reason or "Dibatalkan")[:30]},
        )
        if str(detail.get("status") or "").lower() == "sukses":
            return "cancelled"
        text = str(detail.get("reason") or "cancel refused")
        if "tidak ditemukan" in text.lower():
            raise UnknownShipmentError(f"J&T: {text}", response_body=data)
        raise PermanentError(f"J&T: {text}", code="cancel_refused", response_body=data)

    def track(self, waybills):
        if not self.ecompany_id or not self.track_password:
            raise PermanentError(
                "The J&T e-company id and tracking password are not set."
            )
        token = base64.b64encode(
            f"{self.ecompany_id}:{self.track_password}".encode()
        ).decode()
        results = []
        for waybill in waybills:
            try:
                data = self.session.request_json(
                    "POST",
                    self.urls["track"],
                    json={"awb": waybill, "eccompanyid": self.ecompany_id},
                    headers={"Authorization": f"Basic {token}"},
                    retry_unsafe=True,
                )
            except IntegrationError as exc:
                if exc.status_code in (401, 403):
                    raise AuthenticationError(
                        "J&T refused the tracking credentials.",
                        status_code=exc.status_code,
                    ) from None
                raise
            data = common.need_dict(data, "J&T")
            if data.get("error_id") or data.get("error_message"):
                results.append(TrackingResult(waybill=waybill, known=False, raw=data))
                continue
            events = [
                TrackingEvent(
                    at=common.to_utc(str(row.get("date_time") or ""), DATE_FORMATS),
                    # Codes: 101 manifest, 100 moving, 150 problem, 200 delivered,
                    # 401 return (§2.5 JT-NUTRI) [secondary].
                    status=str(row.get("status_code") or ""),
                    description=str(row.get("status") or ""),
                    location=str(row.get("city_name") or ""),
                )
                for row in common.as_list(data.get("history"))
            ]
            events.sort(key=lambda e: e.at or datetime.min)
            status = events[-1].status if events else ""
            results.append(
                TrackingResult(
                    waybill=waybill,
                    known=True,
                    status=status,
                    events=events,
                    delivered_at=events[-1].at if status == "200" else None,
                    raw=data,
                )
            )
        return results

    def print_url(self, waybill):
        """The short-lived print URL of a waybill's label (§2.6)."""
        if not self.print_key or not self.ecompany_id:
            raise PermanentError("The J&T label key and e-company id are not set.")
        text = json.dumps({"billcode": waybill}, separators=(",", ":"))
        data = self._post_form(
            "print",
            {
                "logistics_interface": text,
                "data_digest": sign(text, self.print_key),
                "msg_type": "GETPRINTURL",
                "eccompanyid": self.ecompany_id,
            },
            True,
        )
        items = common.as_list(data.get("responseitems"))
        item = items[0] if items else {}
        if common.to_bool(item.get("success")):
            # "a URL somewhere in the item" (§2.6): the first http(s) value.
            for value in item.values():
                if isinstance(value, str) and value.startswith(("http://", "https://")):
                    return value
            raise RetryableError("J&T answered a label without a URL.")
        code = str(item.get("reason") or "")
        text = PRINT_ERRORS.get(code, code or "label refused")
        if code == "S09":
            raise RetryableError(f"J&T label: {text}", code=code)
        if code in ("S02", "S03"):
            raise AuthenticationError(f"J&T label: {text}", code=code)
        raise PermanentError(f"J&T label: {text}", code=code)

    def fetch_label(self, shipment):
        """Download the label PDF at once: the print URL expires (§2.6)."""
        url = self.print_url(shipment.waybill)
        response = self.session.request("GET", url)
        content = response.content or b""
        if not content.startswith(b"%PDF"):
            raise RetryableError("J&T's print URL did not answer a PDF.")
        return content
