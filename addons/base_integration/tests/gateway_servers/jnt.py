# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Imitation of J&T Express Indonesia's legacy B2B API, mounted under ``/jnt``.

Contract (``/work/shared/reference/carriers.md`` §2, from ``JT-SAMPLE``, ``JT-WOO``,
``JT-NUTRI``; all [secondary]): the sandbox paths of §2.1 below the prefix;

* signatures ``base64(md5_hex(json + key))`` - the *hex text* of the digest is
  base64-encoded, not the 16 raw bytes (§2.2); order/cancel post ``data_param`` +
  ``data_sign``, tariff ``data`` + ``sign``, label ``logistics_interface`` +
  ``data_digest`` + ``msg_type`` + ``eccompanyid`` (§2.2);
* order create: a repeated ``orderid`` answers ``"status": "Error", "reason":
  "Orderid tidak boleh sama"`` inside a ``success: true`` envelope (§2.3), the field
  rules of the WooCommerce validator (§2.3);
* tariff by city/district *names*, ``content`` as a JSON-encoded string (§2.4);
* tracking with HTTP Basic ``eccompanyid:password`` and codes 101/100/150/200/401
  (§2.5);
* cancel only before pickup; after it the reason ends ``Status pesanan adalah : GOT``
  (§2.5, §2.6); print URL that expires (``label_ttl`` seconds), reasons S01-S09
  (§2.6).

Invented (not in the public material, listed in carrier_api's ROADMAP): the answers to
a bad signature and to a wrong username/api_key, the tracking answer for an unknown
waybill, the weight rounding (started kilogram), the label URL's lifetime.
"""

import base64
import hashlib
import json
import re
import secrets
import time

from . import carrier_common as cc
from .framework import Response

ORDER = "/jts-idn-ecommerce-api/api/order/create"
CANCEL = "/jts-idn-ecommerce-api/api/order/cancel"
TARIFF = "/jandt_track/inquiry.action"
TRACK = "/jandt_track/track/trackAction!tracking.action"
PRINT = "/jandt_order_web/labels/labelsAction!getPrintUrl.action"

# Tariff names -> zone (§2.4: names, not codes).
SITES = {
    "JAKARTA": "JKT",
    "JAKARTA SELATAN": "JKT",  # the demo warehouse's city (scripts/setup_demo.py)
    "BANDUNG": "BDG",
    "SURABAYA": "SBY",
}
DISTRICTS = {
    "KALIDERES": "JKT",
    "KEBAYORAN LAMA": "JKT",
    "COBLONG": "BDG",
    "WONOKROMO": "SBY",
}
# Order codes: 3-char city code, area code <= 10 (§2.3).
CITY_CODES = {"JKT": "JKT", "BDO": "BDG", "SUB": "SBY"}
EZ_FACTOR = 100
STATUS = {  # generic step -> (status_code, status text) (§2.5 JT-NUTRI table)
    cc.RECORDED: ("101", "Manifes"),
    cc.PICKED_UP: ("100", "Paket telah diterima oleh J&T"),
    cc.IN_TRANSIT: ("100", "Paket akan dikirimkan ke gateway"),
    cc.OUT_FOR_DELIVERY: ("100", "Paket akan dikirim ke alamat penerima"),
    cc.DELIVERED: ("200", "Paket telah diterima"),
    cc.FAILED_ATTEMPT: ("150", "Paket tertunda, penerima tidak di tempat"),
    cc.RETURNING: ("401", "Paket dalam proses retur"),
    cc.RETURNED: ("401", "Paket telah dikembalikan ke pengirim"),
}
_PLAIN = re.compile(r"^[A-Za-z0-9 ]*$")
_PHONE = re.compile(r"^\+?62\d{8,12}$")


def jnt_sign(text, key):
    """``base64(md5(text + key).hexdigest())`` (§2.2)."""
    digest = hashlib.md5((text + key).encode()).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def minimal_pdf(text):
    """A one-page PDF saying ``text`` (enough for a label test)."""
    stream = f"BT /F1 18 Tf 20 200 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 425] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


class JntApi(cc.CarrierHandler):
    prefix = "/jnt"
    name = "jnt"
    username = "JNT-TEST-USER"
    api_key = "jnt-order-api-key-TEST"
    key = "jnt-order-sign-key-TEST"
    tariff_customer = "TESTCUST"
    tariff_key = "jnt-tariff-key-TEST"
    ecompany_id = "TESTECOM"
    track_password = "jnt-track-password-TEST"
    print_key = "jnt-print-key-TEST"
    label_ttl = 60.0  # seconds a print URL stays valid [invented]

    def register_carrier_routes(self):
        self.route("POST", ORDER, self.create_order)
        self.route("POST", CANCEL, self.cancel_order)
        self.route("POST", TARIFF, self.tariff)
        self.route("POST", TRACK, self.tracking)
        self.route("POST", PRINT, self.print_url)
        self.route("GET", "/_label/{token}", self.label_pdf)

    def reset(self):
        result = super().reset()
        with self.lock:
            self.labels = {}  # token -> (waybill, expires monotonic)
        return result

    def error_response(self, status, request):
        return Response(status, "<html><body><h1>502 Bad Gateway</h1></body></html>")

    # ------------------------------------------------------------------ helpers
    def _signed(self, form, data_name, sign_name, key):
        """The decoded JSON of a signed form post, or a Response refusing it."""
        data, sign = form.get(data_name), form.get(sign_name)
        if not data or not sign or sign != jnt_sign(data, key):
            return None, Response(200, {"success": False, "desc": "Sign tidak valid"})
        try:
            return json.loads(data), None
        except ValueError:
            return None, Response(200, {"success": False, "desc": "Data tidak valid"})

    def _detail_error(self, orderid, reason):
        return {"orderid": orderid, "status": "Error", "reason": reason}

    def _check_order(self, item):
        """Field rules of the order (§2.3); the first broken one, or None."""
        rules = (
            ("orderid", 20),
            ("shipper_name", 30),
            ("shipper_contact", 30),
            ("shipper_phone", 15),
            ("shipper_addr", 200),
            ("receiver_name", 30),
            ("receiver_phone", 15),
            ("receiver_addr", 200),
            ("receiver_area", 10),
            ("goodsdesc", 40),
            ("item_name", 50),
        )
        for name, size in rules:
            value = str(item.get(name) or "")
            if not value and name not in ("item_name",):
                return f"{name} tidak boleh kosong"
            if len(value) > size:
                return f"{name} maksimal {size} karakter"
        if not re.fullmatch(r"\d{5}", str(item.get("receiver_zip") or "")):
            return "receiver_zip harus 5 digit"
        if not _PHONE.match(str(item["receiver_phone"])):
            return "receiver_phone tidak valid"
        for name in ("goodsdesc", "item_name"):
            if not _PLAIN.match(str(item.get(name) or "")):
                return f"{name} hanya boleh huruf, angka dan spasi"
        try:
            weight = float(item.get("weight"))
        except (TypeError, ValueError):
            return "weight tidak valid"
        if not 0 < weight <= 100:
            return "weight harus lebih dari 0 dan maksimal 100"
        for name in ("origin_code", "destination_code"):
            if str(item.get(name) or "") not in CITY_CODES:
                return f"{name} tidak dikenal"
        return None

    def _order_api(self, request, answer):
        """Answer a signed post of the order API (create, cancel): ``answer(item,
        orderid)`` gives the result of each detail whose credentials are right."""
        data, refusal = self._signed(
            self._form(request), "data_param", "data_sign", self.key
        )
        if refusal:
            return refusal
        results = []
        for item in data.get("detail") or []:
            orderid = str(item.get("orderid") or "")
            if (
                item.get("username") != self.username
                or item.get("api_key") != self.api_key
            ):
                results.append(
                    self._detail_error(orderid, "username atau api_key salah")
                )
            else:
                results.append(answer(item, orderid))
        return Response(
            200, {"success": True, "desc": "Request berhasil", "detail": results}
        )

    # ------------------------------------------------------------------ routes
    def create_order(self, request):
        return self._order_api(request, self._create_one)

    def _create_one(self, item, orderid):
        problem = self._check_order(item)
        if problem:
            return self._detail_error(orderid, problem)
        with self.lock:
            if self.find(orderid):
                # §2.3 / §0: a replay of the same order id.
                return self._detail_error(orderid, "Orderid tidak boleh sama")
            number = self.next_number()
            awb = f"JO{number:010d}"
            self.book(orderid, awb, item=item)
        return {
            "awb_no": awb,
            "orderid": orderid,
            "desCode": f"{item['destination_code']}-{item['receiver_area']}",
            "etd": "2-4",
            "status": "Sukses",
        }

    def cancel_order(self, request):
        return self._order_api(request, self._cancel_one)

    def _cancel_one(self, item, orderid):
        shipment = self.find(orderid)
        if not shipment:
            return self._detail_error(orderid, "Orderid tidak ditemukan")
        step = shipment.step
        if self.cancel_shipment(shipment):
            status = "GOT" if step != cc.CANCELLED else "CANCEL"
            return self._detail_error(
                orderid,
                "Pesanan tidak dapat dibatalkan. Status pesanan adalah : " + status,
            )
        return {"orderid": orderid, "status": "Sukses"}

    def tariff(self, request):
        data, refusal = self._signed(
            self._form(request), "data", "sign", self.tariff_key
        )
        if refusal:
            return Response(200, {"is_success": "false", "message": "Sign tidak valid"})
        if data.get("cusName") != self.tariff_customer:
            return Response(
                200, {"is_success": "false", "message": "cusName tidak terdaftar"}
            )
        origin = SITES.get(str(data.get("sendSiteCode") or "").upper())
        destination = DISTRICTS.get(str(data.get("destAreaCode") or "").upper())
        try:
            weight = float(data.get("weight") or 0)
        except (TypeError, ValueError):
            weight = 0
        content = []
        if origin and destination and weight > 0:
            cost = cc.price(origin, destination, EZ_FACTOR, cc.round_weight_kg(weight))
            content = [{"name": "EZ", "cost": str(cost), "productType": "EZ"}]
        # content arrives as a JSON-encoded string (§2.4, JT-WOO decodes it).
        return Response(
            200, {"is_success": "true", "message": "", "content": json.dumps(content)}
        )

    def tracking(self, request):
        expected = base64.b64encode(
            f"{self.ecompany_id}:{self.track_password}".encode()
        ).decode()
        if request.header("Authorization") != f"Basic {expected}":
            return Response(401, {"error_id": "401", "error_message": "Unauthorized"})
        try:
            data = request.json() or {}
        except ValueError:
            data = {}
        awb = str(data.get("awb") or "")
        shipment = self.get(awb)
        if not shipment:
            return Response(
                200, {"awb": awb, "error_id": "404", "error_message": "Data not found"}
            )
        item = shipment["item"]
        history = [
            {
                "date_time": at.astimezone(cc.WIB).strftime("%Y-%m-%d %H:%M:%S"),
                "city_name": "JAKARTA"
                if step in (cc.RECORDED, cc.PICKED_UP)
                else "BANDUNG",
                "status": STATUS[step][1],
                "status_code": int(STATUS[step][0]),
                "note": "",
            }
            for step, at in shipment["history"]
            if step in STATUS  # a cancelled order keeps its manifest entry only
        ]
        return Response(
            200,
            {
                "awb": awb,
                "orderid": shipment["reference"],
                "detail": {
                    "itemname": item.get("item_name"),
                    "qty": item.get("qty"),
                    "weight": item.get("weight"),
                    "sender": {
                        "name": item["shipper_name"],
                        "addr": item["shipper_addr"],
                    },
                    "receiver": {
                        "name": item["receiver_name"],
                        "addr": item["receiver_addr"],
                        "zipcode": item["receiver_zip"],
                    },
                    "delivDriver": {"name": "", "phone": ""},
                    "detail_cost": {
                        "shipping_cost": 0,
                        "cod": item.get("cod") or 0,
                        "insurance_cost": 0,
                        "return_cost": 0,
                    },
                },
                "history": history,
            },
        )

    def print_url(self, request):
        form = self._form(request)
        payload = form.get("logistics_interface") or ""
        if form.get("msg_type") != "GETPRINTURL":
            reason = "S04"
        elif form.get("data_digest") != jnt_sign(payload, self.print_key):
            reason = "S02"
        elif form.get("eccompanyid") != self.ecompany_id:
            reason = "S03"
        else:
            try:
                billcode = str(json.loads(payload).get("billcode") or "")
            except (ValueError, AttributeError):
                billcode = None
            shipment = self.get(billcode) if billcode else None
            if billcode is None:
                reason = "S01"
            elif not shipment:
                reason = "S09"
            else:
                token = secrets.token_urlsafe(16)
                with self.lock:
                    self.labels[token] = (billcode, time.monotonic() + self.label_ttl)
                url = f"{self.base_url}/_label/{token}"
                return Response(
                    200,
                    {
                        "logisticproviderid": "JNT",
                        "responseitems": [
                            {"success": "true", "reason": "", "url": url}
                        ],
                    },
                )
        return Response(
            200,
            {"responseitems": [{"success": "false", "reason": reason}]},
        )

    def label_pdf(self, request):
        with self.lock:
            entry = self.labels.get(request.params["token"])
        if not entry or entry[1] < time.monotonic():
            return Response(404, "This print URL has expired.")
        return Response(
            200, minimal_pdf(f"J&T {entry[0]}"), {"Content-Type": "application/pdf"}
        )
