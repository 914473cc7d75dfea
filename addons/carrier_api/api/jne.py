# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""JNE client (apiv2.jne.co.id; carriers.md §1, ``JNE-DOC``).

Form posts (``application/x-www-form-urlencoded``) with ``username`` and ``api_key`` in
every body (§1.1); errors come back as HTTP 200 with ``{"error": ..., "status":
"false"}`` (string or boolean, §1.1/§1.4). Weights in kilograms; origins and
destinations are JNE tariff codes (``CGK10000``, §1.5) in ``Address.area_code``.

Not offered by the documented API: cancellation (a ``/tracing/api/cancelcnote`` is
seen in one client only, [unverified] §1.3), labels (print locally, §1.3), a look-up
by our order id.

Pickup: ``POST /pickupcashless`` (§1.3, ``JNE-DOC`` chapter "ondelivery"): one call per
waybill, repeating the order's shipper/receiver blocks with the pickup date and time.
Its answer is not documented (only "error payload for 200 (OK): Some mandatory fields
are empty"): the path, every field name and the constant values are configurable
through the connection's endpoint overrides (``pickup = /path``, ``pickup_field.AWB =
CNOTE_NO``, ``pickup_value.PICKUP_VEHICLE = MOBIL``), and the answer is read
tolerantly (ROADMAP).
"""

import re

from odoo.addons.base_integration.api.exceptions import (
    AuthenticationError,
    CircuitOpenError,
    IntegrationError,
    PermanentError,
    RetryableError,
)

from . import common
from .base import (
    CAP_AREAS,
    CAP_COD,
    CAP_PICKUP,
    CAP_RATES,
    CAP_TRACK,
    CAP_WAYBILL,
    Area,
    CarrierClient,
    DuplicateReferenceError,
    PickupResult,
    RateQuote,
    ShipmentResult,
    TrackingEvent,
    TrackingResult,
)

# §1.1: test port 10102 (documented); production host/port only from SDKs and apps
# (10101, 10205, 10206 for generatecnote) [secondary] - configurable on the connection.
TEST_URL = "http://apiv2.jne.co.id:10102"
PRODUCTION_URL = "https://apiv2.jne.co.id:10205"
PATHS = {
    "tariff": "/tracing/api/pricedev",  # §1.2
    "create": "/tracing/api/generatecnote",  # §1.3
    "track": "/tracing/api/list/v1/cnote/{awb}",  # §1.4 (older: /list/cnoteretails)
    "destinations": "/insert/getdestination",  # §1.5 [secondary]
    "pickup": "/pickupcashless",  # §1.3 (JNE-DOC ondelivery); answer undocumented
}
# Constant values of the pickup form (§1.3 example); overridable (pickup_value.X).
PICKUP_VALUES = {
    "PICKUP_VEHICLE": "MOTOR",
    "TYPE": "PICKUP",  # the example shows DROP; PICKUP asks for a courier [inference]
    "SHIPPER_COUNTRY": "INDONESIA",
    "RECEIVER_COUNTRY": "INDONESIA",
}
# Keys of the pickup answer that may hold its number [unverified: not documented].
PICKUP_ID_KEYS = ("pickup_no", "PICKUP_NO", "pickup_number", "pickup_id", "no_pickup")
_AUTH_TEXT = re.compile(r"api.?key|username", re.I)
# The answer to a repeated OLSHOP_ORDERID is not documented [unverified]: these words
# mark it (our test server says "Order ID Already Exist").
_DUPLICATE_TEXT = re.compile(r"already|exist|sudah|duplicate|double", re.I)
# History dates are dd-mm-yyyy HH:MM in WIB; older answers use "04 SEP 2019  13:46"
# (§1.4).
DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d %b %Y %H:%M")
LINE = 30  # OLSHOP_*_ADDR1..3 are VARCHAR(30) each (§1.3)


def split_lines(text, width=LINE, count=3):
    """Split an address over ``count`` lines of ``width`` characters at word
    boundaries (§1.3: 30-byte ADDR1..3); a word longer than a line is cut."""
    words = (text or "").split()
    lines, current = [], ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = lines[:count]
    return lines + [""] * (count - len(lines))


class JneClient(CarrierClient):
    code = "jne"
    capabilities = frozenset(
        {CAP_RATES, CAP_WAYBILL, CAP_TRACK, CAP_COD, CAP_AREAS, CAP_PICKUP}
    )
    # §1.3 VARCHAR sizes: names 30, three address lines of 30, order id 20.
    field_limits = {
        "name": 30,
        "street": 90,
        "city": 20,
        "phone": 20,
        "reference": 20,
        "description": 60,
    }

    def __init__(
        self,
        session,
        base_url,
        username="",
        api_key="",
        branch="",
        customer="",
        paths=None,
        **kw,
    ):
        super().__init__(session, base_url or TEST_URL, **kw)
        if not username or not api_key:
            raise PermanentError("The JNE username and API key are not configured.")
        self.username, self.api_key = username, api_key
        self.branch, self.customer = branch, customer
        overrides = dict(paths or {})
        # "pickup_field.<ours> = <theirs>" renames a pickup form field ("-" drops it);
        # "pickup_value.<field> = <value>" replaces a constant (keys are lower-cased
        # by the connection, field names are upper case).
        self.pickup_fields = {}
        self.pickup_values = dict(PICKUP_VALUES)
        for name in list(overrides):
            prefix, _sep, field = name.partition(".")
            if prefix == "pickup_field" and field:
                self.pickup_fields[field.upper()] = overrides.pop(name).strip()
            elif prefix == "pickup_value" and field:
                self.pickup_values[field.upper()] = overrides.pop(name).strip()
        self.paths = dict(PATHS, **overrides)

    # ------------------------------------------------------------------ transport
    def _post(self, name, form, safe=True, **path_args):
        url = self.base_url + self.paths[name].format(**path_args)
        body = {"username": self.username, "api_key": self.api_key, **form}
        data = self.session.request_json(
            "POST",
            url,
            data=body,
            headers={"Accept": "application/json"},
            retry_unsafe=safe,
        )
        data = common.need_dict(data, "JNE")
        error = data.get("error")
        if error and not common.to_bool(data.get("status")):
            message = f"JNE: {error}"
            if _AUTH_TEXT.search(str(error)):
                raise AuthenticationError(message, code="auth", response_body=data)
            raise PermanentError(message, code="error", response_body=data)
        return data

    # ------------------------------------------------------------------ API
    def test(self):
        try:
            self.quote_raw("CGK10000", "CGK10000", 1)
        except AuthenticationError:
            raise
        except PermanentError as exc:
            # the key was accepted; the route may not exist for this account
            return f"Credentials accepted ({exc.message})."
        return "JNE accepted the username and API key."

    def quote_raw(self, origin_code, destination_code, weight_kg):
        data = self._post(
            "tariff",
            {
                "from": origin_code,
                "thru": destination_code,
                "weight": common.kg_text(weight_kg),
            },
        )
        return common.as_list(data.get("price"))

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        if not origin.area_code or not destination.area_code:
            raise PermanentError(
                "JNE needs the tariff codes of origin and destination."
            )
        rows = self.quote_raw(
            origin.area_code, destination.area_code, common.total_weight(parcels)
        )
        wanted = {code.upper() for code in service_codes or ()}
        quotes = []
        for row in rows:
            display = str(row.get("service_display") or "").upper()
            amount = common.to_int(row.get("price"))
            if not display or amount is None:
                continue
            # JTR rows are trucking weight bands (JTR<130): only when asked (§1.2).
            trucking = display.startswith("JTR")
            if wanted and display not in wanted:
                if not (trucking and "JTR" in wanted):
                    continue
            elif not wanted and trucking:
                continue
            if cod and trucking:
                continue
            low, high = common.etd_range(row.get("etd_from"), row.get("etd_thru"))
            quotes.append(
                RateQuote(
                    service_code=display,
                    price=amount,
                    etd_min_days=low,
                    etd_max_days=high,
                    # COD is a contract option of the JNE account, not in the tariff
                    # answer [inference]: offered on every parcel service.
                    cod_available=not trucking,
                    raw=row,
                )
            )
        return quotes

    def build_order(self, request):
        sender, recipient = request.sender, request.recipient
        weight = common.total_weight(request.parcels)
        quantity = sum(int(p.quantity or 1) for p in request.parcels)
        description = ", ".join(p.description for p in request.parcels if p.description)
        form = {
            "OLSHOP_BRANCH": self.branch,
            "OLSHOP_CUST": self.customer,
            "OLSHOP_ORDERID": request.reference,
            "OLSHOP_SHIPPER_NAME": sender.name,
            "OLSHOP_SHIPPER_CITY": sender.city,
            "OLSHOP_SHIPPER_REGION": sender.province,
            "OLSHOP_SHIPPER_ZIP": sender.postal_code,
            "OLSHOP_SHIPPER_PHONE": sender.phone,
            "OLSHOP_RECEIVER_NAME": recipient.name,
            "OLSHOP_RECEIVER_CITY": recipient.city,
            "OLSHOP_RECEIVER_REGION": recipient.province,
            "OLSHOP_RECEIVER_ZIP": recipient.postal_code,
            "OLSHOP_RECEIVER_PHONE": recipient.phone,
            "OLSHOP_QTY": str(quantity),
            "OLSHOP_WEIGHT": common.kg_text(weight),
            "OLSHOP_GOODSDESC": (description or "Paket")[:60],
            "OLSHOP_GOODSVALUE": str(int(request.declared_value or 0)),
            "OLSHOP_GOODSTYPE": "1",  # as in the documented example (§1.3)
            "OLSHOP_INST": request.note or "",
            "OLSHOP_INS_FLAG": "Y" if request.insured_value else "N",
            "OLSHOP_ORIG": sender.area_code,
            "OLSHOP_DEST": recipient.area_code,
            # The display code (REG), not the versioned one (REG19) (§1.3 example).
            "OLSHOP_SERVICE": request.service_code.upper(),
            # generatecnote spells the flag N/Y (pickupcashless says NO) (§1.3).
            "OLSHOP_COD_FLAG": "Y" if request.cod_amount else "N",
            "OLSHOP_COD_AMOUNT": str(int(request.cod_amount or 0)),
        }
        for prefix, address in (("SHIPPER", sender), ("RECEIVER", recipient)):
            street = " ".join(
                filter(None, (address.street, address.street2, address.district))
            )
            for index, line in enumerate(split_lines(street), start=1):
                form[f"OLSHOP_{prefix}_ADDR{index}"] = line
        return form

    def create_shipment(self, request):
        # Never repeated on a lost answer (no idempotency key at JNE).
        data = self._post("create", self.build_order(request), safe=False)
        details = common.as_list(data.get("detail"))
        detail = details[0] if details else {}
        status = str(detail.get("status") or "").lower()  # "sukses" (§1.3)
        if status == "sukses" and detail.get("cnote_no"):
            return ShipmentResult(
                reference=request.reference,
                waybill=str(detail["cnote_no"]),
                raw=data,
            )
        reason = str(detail.get("reason") or detail.get("message") or data)
        message = f"JNE refused the waybill: {reason}"
        if _DUPLICATE_TEXT.search(reason):
            raise DuplicateReferenceError(message, code="duplicate", response_body=data)
        raise PermanentError(message, code="refused", response_body=data)

    def track(self, waybills):
        return [self._track_one(waybill) for waybill in waybills]

    def _track_one(self, waybill):
        try:
            data = self._post("track", {}, awb=waybill)
        except AuthenticationError:
            raise
        except PermanentError as exc:
            # {"error": "Cnote No. Not Found.", "status": false} (§1.4)
            if "not found" in str(exc).lower():
                return TrackingResult(waybill=waybill, known=False)
            raise
        cnote = data.get("cnote") if isinstance(data.get("cnote"), dict) else {}
        events = [
            TrackingEvent(
                at=common.to_utc(row.get("date"), DATE_FORMATS),
                status=str(row.get("desc") or ""),
                description=str(row.get("desc") or ""),
            )
            for row in common.as_list(data.get("history"))
        ]
        events.sort(key=lambda e: e.at or common.datetime.min)
        pod = str(cnote.get("pod_status") or "").upper()
        # pod_status DELIVERED is the only documented status (§1.4); otherwise the
        # latest history text is the status (mapped by keyword in models/const.py).
        status = (
            "DELIVERED"
            if pod == "DELIVERED"
            else (events[-1].status if events else str(cnote.get("last_status") or ""))
        )
        delivered_at = None
        if pod == "DELIVERED":
            delivered_at = common.to_utc(cnote.get("cnote_pod_date"), DATE_FORMATS)
        return TrackingResult(
            waybill=waybill,
            known=True,
            status=status,
            events=events,
            delivered_at=delivered_at,
            receiver=str(cnote.get("cnote_pod_receiver") or ""),
            raw=data,
        )

    # ------------------------------------------------------------------ pickup
    def build_pickup(self, waybill, request, sender, start):
        """The ``/pickupcashless`` form of one waybill (§1.3 field list)."""
        local = start.replace(tzinfo=common.timezone.utc).astimezone(common.WIB)
        recipient = request.recipient
        weight = common.total_weight(request.parcels)
        form = {
            "PICKUP_NAME": sender.name,
            "PICKUP_DATE": local.strftime("%d-%m-%Y"),
            "PICKUP_TIME": local.strftime("%H:%M"),
            "PICKUP_PIC": sender.name,
            "PICKUP_PIC_PHONE": sender.phone,
            "PICKUP_ADDRESS": " ".join(filter(None, (sender.street, sender.street2))),
            "PICKUP_DISTRICT": sender.district,
            "PICKUP_CITY": sender.city,
            "PICKUP_SERVICE": request.service_code.upper(),
            "BRANCH": self.branch,
            "CUST_ID": self.customer,
            "ORDER_ID": request.reference,
            "AWB": waybill,
            "ORIGIN_CODE": sender.area_code,
            "DESTINATION_CODE": recipient.area_code,
            "SERVICE_CODE": request.service_code.upper(),
            "WEIGHT": common.kg_text(weight),
            "QTY": str(sum(int(p.quantity or 1) for p in request.parcels)),
            "GOODS_DESC": (
                ", ".join(p.description for p in request.parcels if p.description)
                or "Paket"
            )[:60],
            "GOODS_AMOUNT": str(int(request.declared_value or 0)),
            "INSURANCE_FLAG": "Y" if request.insured_value else "N",
            "SPECIAL_INS": request.note or "",
            "MERCHANT_ID": self.customer,
            "LAT": "" if sender.latitude is None else str(sender.latitude),
            "LON": "" if sender.longitude is None else str(sender.longitude),
            # pickupcashless spells the flag YES/NO (generatecnote: Y/N) (§1.3).
            "COD_FLAG": "YES" if request.cod_amount else "NO",
            "COD_AMOUNT": str(int(request.cod_amount or 0)),
            **self.pickup_values,
        }
        for prefix, address in (("SHIPPER", sender), ("RECEIVER", recipient)):
            street = " ".join(
                filter(None, (address.street, address.street2, address.district))
            )
            for index, line in enumerate(split_lines(street), start=1):
                form[f"{prefix}_ADDR{index}"] = line
            form.update(
                {
                    f"{prefix}_NAME": address.name,
                    f"{prefix}_CITY": address.city,
                    f"{prefix}_ZIP": address.postal_code,
                    f"{prefix}_REGION": address.province,
                    f"{prefix}_CONTACT": address.name,
                    f"{prefix}_PHONE": address.phone,
                }
            )
        renamed = {}
        for name, value in form.items():
            target = self.pickup_fields.get(name, name)
            if target and target != "-":
                renamed[target] = value
        return renamed

    def _pickup_one(self, waybill, request, sender, start):
        """The pickup number of one waybill (may be ""); raises the refusal."""
        # Never repeated on a lost answer: a second call could book a second courier.
        data = self._post(
            "pickup", self.build_pickup(waybill, request, sender, start), safe=False
        )
        details = common.as_list(data.get("detail")) or [data]
        detail = details[0]
        for row in (detail, data):
            for key in PICKUP_ID_KEYS:
                if row.get(key):
                    return str(row[key])
        status = str(detail.get("status") or data.get("status") or "")
        reason = detail.get("reason") or detail.get("message") or data.get("message")
        if status.lower() in ("sukses", "success", "ok", "true") or common.to_bool(
            status
        ):
            return ""
        if reason:
            raise PermanentError(
                f"JNE refused the pickup: {reason}", response_body=data
            )
        # Neither an acceptance nor a refusal: never taken for a booked courier, and
        # the user is told to look before asking again (it may be booked).
        raise PermanentError(
            "JNE answered the pickup without saying whether it accepted it "
            f"({str(data)[:200]}): check JNE's portal before asking again.",
            response_body=data,
        )

    def request_pickup(
        self, waybills, sender, start, end, shipments=None, on_accepted=None
    ):
        """One call per waybill (§1.3), in order.

        :param on_accepted: ``callable(waybill, pickup number)`` called as soon as
            JNE accepted one waybill (the caller commits it at once: a worker killed
            during the next calls must not lose it).
        :returns: ``PickupResult``; ``raw["uncertain"]`` ``{waybill: text}``, the
            waybills whose answer was unclear (a timeout or 5xx after the request
            was sent: JNE may have booked the courier), also in ``refused``.
        """
        # JNE takes a date and a start time, no end (§1.3): ``end`` is ours only.
        shipments = shipments or {}
        accepted, numbers, refused, by_waybill = [], [], {}, {}
        uncertain = {}
        for index, waybill in enumerate(waybills):
            request = shipments.get(waybill)
            if request is None:
                refused[waybill] = "JNE needs the order details of this waybill."
                continue
            try:
                number = self._pickup_one(waybill, request, sender, start)
            except IntegrationError as exc:
                refused[waybill] = str(exc)
                if isinstance(exc, RetryableError) and not isinstance(
                    exc,
                    CircuitOpenError,  # not sent at all
                ):
                    uncertain[waybill] = str(exc)
                if isinstance(exc, AuthenticationError):
                    # the same answer for every other waybill: do not ask again
                    for rest in waybills[index + 1 :]:
                        refused[rest] = str(exc)
                    break
                continue
            accepted.append(waybill)
            if number:
                by_waybill[waybill] = number
                if number not in numbers:
                    numbers.append(number)
            if on_accepted is not None:
                on_accepted(waybill, number)
        return PickupResult(
            pickup_id=",".join(numbers),
            waybills=accepted,
            refused=refused,
            numbers=by_waybill,
            raw={"uncertain": uncertain},
        )

    def list_areas(self, query=""):
        data = self._post("destinations", {})
        # The list's shape is [secondary] (§1.5): read the names seen in clients.
        areas = []
        for row in common.as_list(data.get("detail")):
            code = row.get("code") or row.get("City_Code") or row.get("TARIFF_CODE")
            name = row.get("label") or row.get("City_Name") or row.get("name") or ""
            if not code:
                continue
            if query and query.lower() not in str(name).lower():
                continue
            areas.append(Area(code=str(code), name=str(name), raw=row))
        return areas
