# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of the JNE API (apiv2.jne.co.id), mounted under ``/jne``.

Contract (``/work/shared/reference/carriers.md`` §1, from ``JNE-DOC``, ``JNE-PHP``,
``JNE-LARA``):

* every call is a form post (``application/x-www-form-urlencoded``) carrying
  ``username`` and ``api_key`` fields; a missing or wrong pair answers HTTP 200 with
  ``{"error": "...", "status": "false"}`` (§1.1);
* ``POST /tracing/api/pricedev`` (``from``, ``thru``, ``weight`` kg) → ``{"price":
  [...]}`` with prices as strings, versioned ``service_code`` and display codes, a JTR
  trucking row without ETD (§1.2);
* ``POST /tracing/api/generatecnote`` (``OLSHOP_*`` fields) → ``{"detail": [{"status":
  "sukses", "cnote_no": ...}]}`` (§1.3);
* ``POST /tracing/api/list/v1/cnote/{awb}`` → ``cnote``, ``detail``, ``history``
  (``dd-mm-yyyy HH:MM`` dates); unknown: ``{"error": "Cnote No. Not Found.", "status":
  false}`` (boolean, §1.4);
* ``POST /insert/getdestination`` destination list [secondary] (§1.5);
* ``POST /pickupcashless`` (§1.3, ``JNE-DOC`` ondelivery): the pickup of one booked
  AWB with ``PICKUP_DATE`` (dd-mm-yyyy) and ``PICKUP_TIME`` (HH:MM, WIB); missing
  fields answer HTTP 200 "Some mandatory fields are empty" (the 2024-07-29 update
  note).

Not documented, invented here and listed in carrier_api's ROADMAP: the wrong-key text,
the answer to a repeated ``OLSHOP_ORDERID``, the 0.3 kg weight tolerance, the shape of
the destination list, the whole pickup answer (``pickup_no``), its refusals (unknown,
cancelled or already collected AWB, a second pickup of one AWB, a time in the past or
more than ``PICKUP_DAYS_AHEAD`` days ahead, outside ``PICKUP_HOURS``). JNE has no
documented cancel or label endpoint.
"""

from datetime import datetime, timedelta

from . import carrier_common as cc
from .framework import Response

USERNAME = "TESTAPI"
API_KEY = "25c898a9-test-jne-key-4548"

# Tariff codes of the test map: code -> (label, zone).
AREAS = {
    "CGK10000": ("JAKARTA", "JKT"),
    "CGK10101": ("KEBAYORAN LAMA, JAKARTA SELATAN", "JKT"),
    "BDO10000": ("BANDUNG", "BDG"),
    # the demo customer's district (scripts/setup_demo.py syncs it with Sync areas)
    "BDO10102": ("COBLONG, BANDUNG", "BDG"),
    "SUB10000": ("SURABAYA", "SBY"),
}
# display code -> (versioned code, factor %, etd_from, etd_thru)
SERVICES = {
    "OKE": ("OKE19", 80, "2", "3"),
    "REG": ("REG19", 100, "1", "2"),
    "YES": ("YES19", 180, "1", "1"),
}
# JTR (trucking) is a weight band: a flat price up to 10 kg, no ETD (§1.2).
JTR_PRICE = 60000
# Weight tolerance: a fraction up to 0.3 kg is not charged [unverified, see ROADMAP].
WEIGHT_TOLERANCE = 0.3
# What JNE's history says for each generic step (§1.4 examples; keywords the client
# maps: RECEIVED/PROCESSED/DEPARTED, WITH DELIVERY COURIER, DELIVERED TO, RETURN).
HISTORY = {
    cc.RECORDED: "SHIPMENT RECEIVED BY JNE COUNTER OFFICER AT [JAKARTA]",
    cc.PICKED_UP: "PICKED UP BY COURIER [JAKARTA]",
    cc.IN_TRANSIT: "RECEIVED AT SORTING CENTER [JAKARTA]",
    cc.OUT_FOR_DELIVERY: "WITH DELIVERY COURIER [BANDUNG]",
    cc.DELIVERED: "DELIVERED TO [{receiver} | {date} | BANDUNG ]",
    cc.FAILED_ATTEMPT: "CONSIGNEE NOT AT HOME [BANDUNG]",
    cc.RETURNING: "RETURN TO SHIPPER [BANDUNG]",
    cc.RETURNED: "RETURNED TO SHIPPER [JAKARTA]",
    cc.CANCELLED: "SHIPMENT CANCELLED",
}
CREATE_REQUIRED = (
    "OLSHOP_BRANCH",
    "OLSHOP_CUST",
    "OLSHOP_ORDERID",
    "OLSHOP_SHIPPER_NAME",
    "OLSHOP_SHIPPER_ADDR1",
    "OLSHOP_SHIPPER_ADDR2",
    "OLSHOP_RECEIVER_NAME",
    "OLSHOP_RECEIVER_ADDR1",
    "OLSHOP_RECEIVER_PHONE",
    "OLSHOP_ORIG",
    "OLSHOP_DEST",
    "OLSHOP_SERVICE",
    "OLSHOP_WEIGHT",
)
# VARCHAR lengths of the documented table (§1.3).
LIMITS = {
    "OLSHOP_ORDERID": 20,
    "OLSHOP_SHIPPER_NAME": 30,
    "OLSHOP_SHIPPER_ADDR1": 30,
    "OLSHOP_SHIPPER_ADDR2": 30,
    "OLSHOP_SHIPPER_ADDR3": 30,
    "OLSHOP_RECEIVER_NAME": 30,
    "OLSHOP_RECEIVER_ADDR1": 30,
    "OLSHOP_RECEIVER_ADDR2": 30,
    "OLSHOP_RECEIVER_ADDR3": 30,
    "OLSHOP_ORIG": 10,
    "OLSHOP_DEST": 10,
}


PICKUP_REQUIRED = (
    "PICKUP_NAME",
    "PICKUP_DATE",
    "PICKUP_TIME",
    "PICKUP_PIC_PHONE",
    "PICKUP_ADDRESS",
    "PICKUP_CITY",
    "BRANCH",
    "CUST_ID",
    "ORDER_ID",
    "AWB",
    "SHIPPER_NAME",
    "RECEIVER_NAME",
    "ORIGIN_CODE",
    "DESTINATION_CODE",
    "SERVICE_CODE",
    "WEIGHT",
    "QTY",
)
PICKUP_DAYS_AHEAD = 7  # [invented]
PICKUP_HOURS = (8, 20)  # couriers collect 08:00-20:00 WIB [invented]


def jne_date(dt):
    """``dd-mm-yyyy HH:MM`` in WIB (§1.4 history dates)."""
    return dt.astimezone(cc.WIB).strftime("%d-%m-%Y %H:%M")


class JneApi(cc.CarrierHandler):
    prefix = "/jne"
    name = "jne"
    username = USERNAME
    api_key = API_KEY

    def register_carrier_routes(self):
        self.route("POST", "/tracing/api/pricedev", self.tariff)
        self.route("POST", "/tracing/api/generatecnote", self.generate_cnote)
        self.route("POST", "/tracing/api/list/v1/cnote/{awb}", self.tracking)
        self.route("POST", "/insert/getdestination", self.destinations)
        self.route("POST", "/insert/getorigin", self.destinations)
        self.route("POST", "/pickupcashless", self.pickup)

    @staticmethod
    def _error(text, status="false"):
        return Response(200, {"error": text, "status": status})

    def error_response(self, status, request):
        return Response(status, "<html><body>Service Unavailable</body></html>")

    def _auth(self, form):
        if not form.get("username") or not form.get("api_key"):
            return self._error("Username And API KEY Must Be Sent.")
        if form["username"] != self.username or form["api_key"] != self.api_key:
            return self._error("Invalid Username Or API KEY.")
        return None

    # ------------------------------------------------------------------ routes
    def tariff(self, request):
        form = self._form(request)
        if (denied := self._auth(form)) is not None:
            return denied
        origin, destination = AREAS.get(form.get("from")), AREAS.get(form.get("thru"))
        try:
            weight = float(form.get("weight") or 0)
        except ValueError:
            weight = 0
        if not origin or not destination or weight <= 0:
            return self._error("Price Not Found.")
        charged = cc.round_weight_kg(weight, WEIGHT_TOLERANCE)
        rows = []
        for display, (code, factor, etd_from, etd_thru) in SERVICES.items():
            rows.append(
                {
                    "origin_name": origin[0],
                    "destination_name": destination[0],
                    "service_display": display,
                    "service_code": code,
                    "goods_type": "Document/Paket",
                    "currency": "IDR",
                    "price": str(cc.price(origin[1], destination[1], factor, charged)),
                    "etd_from": etd_from,
                    "etd_thru": etd_thru,
                    "times": "D",
                }
            )
        if charged <= 10:
            rows.append(
                {
                    "origin_name": origin[0],
                    "destination_name": destination[0],
                    "service_display": "JTR<130",
                    "service_code": "JTR18",
                    "goods_type": "Paket",
                    "currency": "IDR",
                    "price": str(JTR_PRICE),
                    "etd_from": None,
                    "etd_thru": None,
                    "times": None,
                }
            )
        return Response(200, {"price": rows})

    def generate_cnote(self, request):
        form = self._form(request)
        if (denied := self._auth(form)) is not None:
            return denied
        missing = [name for name in CREATE_REQUIRED if not form.get(name)]
        if missing:
            return Response(
                200,
                {
                    "detail": [
                        {
                            "status": "Error",
                            "reason": "Some mandatory fields are empty: "
                            + ", ".join(missing),
                        }
                    ]
                },
            )
        too_long = [n for n, size in LIMITS.items() if len(form.get(n, "")) > size]
        if too_long:
            return Response(
                200,
                {
                    "detail": [
                        {
                            "status": "Error",
                            "reason": f"Field {too_long[0]} is too long",
                        }
                    ]
                },
            )
        if form["OLSHOP_ORIG"] not in AREAS or form["OLSHOP_DEST"] not in AREAS:
            return Response(
                200,
                {
                    "detail": [
                        {"status": "Error", "reason": "Origin/Destination Invalid"}
                    ]
                },
            )
        if form["OLSHOP_SERVICE"] not in SERVICES:
            return Response(
                200, {"detail": [{"status": "Error", "reason": "Service Invalid"}]}
            )
        reference = form["OLSHOP_ORDERID"]
        with self.lock:
            if self.find(reference):
                return Response(
                    200,
                    {
                        "detail": [
                            {"status": "Error", "reason": "Order ID Already Exist"}
                        ]
                    },
                )
            number = self.next_number()
            cnote = f"0109{number:012d}"
            self.book(
                reference,
                cnote,
                form=form,
                service=form["OLSHOP_SERVICE"],
                cod=form.get("OLSHOP_COD_FLAG", "N").upper() in ("Y", "YES"),
                cod_amount=form.get("OLSHOP_COD_AMOUNT") or "0",
            )
        return Response(200, {"detail": [{"status": "sukses", "cnote_no": cnote}]})

    def tracking(self, request):
        form = self._form(request)
        if (denied := self._auth(form)) is not None:
            return denied
        shipment = self.get(request.params["awb"])
        if not shipment:
            return Response(200, {"error": "Cnote No. Not Found.", "status": False})
        form = shipment["form"]
        receiver = form.get("OLSHOP_RECEIVER_NAME", "")
        history = []
        for step, at in shipment["history"]:
            text = HISTORY[step].format(receiver=receiver.upper(), date=jne_date(at))
            history.append({"date": jne_date(at), "desc": text})
        delivered = shipment.step == cc.DELIVERED
        last_at = shipment["history"][-1][1]
        cnote = {
            "cnote_no": shipment["waybill"],
            "reference_number": shipment["reference"],
            "cnote_origin": form["OLSHOP_ORIG"],
            "cnote_destination": form["OLSHOP_DEST"],
            "cnote_services_code": form["OLSHOP_SERVICE"],
            "servicetype": SERVICES[form["OLSHOP_SERVICE"]][0],
            "cnote_cust_no": form["OLSHOP_CUST"],
            "cnote_date": shipment["history"][0][1].astimezone(cc.WIB).isoformat(),
            "cnote_pod_receiver": receiver.upper() if delivered else None,
            "cnote_receiver_name": receiver.upper(),
            "city_name": "BANDUNG",
            "cnote_pod_date": last_at.astimezone(cc.WIB).isoformat()
            if delivered
            else None,
            "pod_status": "DELIVERED" if delivered else "ON PROCESS",
            "last_status": history[-1]["desc"],
            "pod_code": "D01" if delivered else None,
            "keterangan": "YANG BERSANGKUTAN" if delivered else None,
            "cnote_amount": "0",
            "cnote_weight": form.get("OLSHOP_WEIGHT"),
            "freight_charge": "0",
            "cod_flag": "YES" if shipment["cod"] else "NO",
            "amount_cod": shipment["cod_amount"],
        }
        detail = [
            {
                "cnote_no": shipment["waybill"],
                "cnote_date": jne_date(shipment["history"][0][1]),
                "cnote_weight": form.get("OLSHOP_WEIGHT"),
                "cnote_origin": form["OLSHOP_ORIG"],
                "cnote_shipper_name": form.get("OLSHOP_SHIPPER_NAME"),
                "cnote_receiver_name": receiver,
                "cnote_receiver_addr1": form.get("OLSHOP_RECEIVER_ADDR1"),
            }
        ]
        return Response(200, {"cnote": cnote, "detail": detail, "history": history})

    def destinations(self, request):
        form = self._form(request)
        if (denied := self._auth(form)) is not None:
            return denied
        return Response(
            200,
            {
                "detail": [
                    {"code": code, "label": label}
                    for code, (label, _zone) in AREAS.items()
                ]
            },
        )

    def pickup(self, request):
        form = self._form(request)
        if (denied := self._auth(form)) is not None:
            return denied
        missing = [name for name in PICKUP_REQUIRED if not form.get(name)]
        if missing:
            return self._error("Some mandatory fields are empty: " + ", ".join(missing))
        try:
            at = datetime.strptime(
                f"{form['PICKUP_DATE']} {form['PICKUP_TIME']}", "%d-%m-%Y %H:%M"
            ).replace(tzinfo=cc.WIB)
        except ValueError:
            return self._error("PICKUP_DATE must be dd-mm-yyyy and PICKUP_TIME HH:MM")
        now = cc.now_utc()
        if at < now - timedelta(minutes=5):
            return self._error("Pickup time has passed")
        if at > now + timedelta(days=PICKUP_DAYS_AHEAD):
            return self._error(f"Pickup at most {PICKUP_DAYS_AHEAD} days ahead")
        if not PICKUP_HOURS[0] <= at.hour < PICKUP_HOURS[1]:
            return self._error("Pickup time is outside the courier hours")
        awb = form["AWB"]
        with self.lock:
            shipment = self.shipments.get(awb)
            if shipment is None:
                return self._error("AWB Not Found")
            if shipment["reference"] != form["ORDER_ID"]:
                return self._error("ORDER_ID does not match the AWB")
            if shipment.step == cc.CANCELLED:
                return self._error("AWB is cancelled")
            if shipment.step != cc.RECORDED:
                return self._error(f"AWB is already {shipment.step}")
            if awb in self.pickups:
                return self._error("Pickup already requested for this AWB")
            number = f"PU{self.next_number():010d}"
            self.pickups[awb] = {"pickup_no": number, "at": at, "form": form}
        return Response(
            200,
            {
                "status": "true",
                "detail": [{"status": "sukses", "awb": awb, "pickup_no": number}],
            },
        )
