# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier clients against the local test servers, over real HTTP."""

from odoo.tests import BaseCase, tagged

from odoo.addons.base_integration.api.exceptions import (
    AuthenticationError,
    PermanentError,
    RetryableError,
)
from odoo.addons.base_integration.api.http import IntegrationSession
from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi
from odoo.addons.base_integration.tests.gateway_servers.jne import JneApi
from odoo.addons.base_integration.tests.gateway_servers.jnt import JntApi

from ..api import base, biteship, jne, jnt

SENDER = base.Address(
    name="Toko Maju",
    phone="6281234567890",
    street="Jl. Sudirman No. 1",
    city="Jakarta",
    district="Kebayoran Lama",
    postal_code="12240",
)
RECIPIENT = base.Address(
    name="Budi",
    phone="6281298765432",
    street="Jl. Dago 10",
    city="Bandung",
    district="Coblong",
    postal_code="40132",
)


@tagged("post_install", "-at_install")
class TestCarrierClients(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jne, cls.bs, cls.jt = JneApi(), BiteshipApi(), JntApi()
        cls.server = GatewayServer(cls.jne, cls.bs, cls.jt).start()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        super().setUp()
        self.server.reset()
        self.session = IntegrationSession(
            timeout=(2, 1), max_attempts=2, sleep=lambda s: None
        )

    def _addr(self, address, code):
        return base.Address(**dict(address.__dict__, area_code=code))

    def _jne(self, key=None):
        return jne.JneClient(
            self.session,
            self.server.url + "/jne",
            username="TESTAPI",
            api_key=key or self.jne.api_key,
            branch="CGK000",
            customer="TESTAKUN",
        )

    def _request(self, ref, service, sender, recipient):
        return base.ShipmentRequest(
            reference=ref,
            service_code=service,
            sender=sender,
            recipient=recipient,
            parcels=[base.Parcel(weight_kg=1.3, description="Baju")],
        )

    def test_jne(self):
        with self.assertRaises(AuthenticationError):
            self._jne("wrong-key").test()
        client = self._jne()
        snd, rcv = self._addr(SENDER, "CGK10000"), self._addr(RECIPIENT, "BDO10000")
        # 1.3 kg with the 0.3 kg tolerance = 1 kg; JKT-BDG 11,000/kg; REG factor 100.
        quotes = {
            q.service_code: q.price for q in client.quote(snd, rcv, [base.Parcel(1.3)])
        }
        self.assertEqual(quotes, {"OKE": 8800, "REG": 11000, "YES": 19800})
        request = self._request("WH-OUT-1", "REG", snd, rcv)
        result = client.create_shipment(request)
        with self.assertRaises(base.DuplicateReferenceError):
            client.create_shipment(request)
        self.jne.advance(result.waybill)
        self.jne.advance(result.waybill, "in_transit")
        track = client.track([result.waybill, "0000"])
        self.assertEqual(len(track[0].events), 3)
        self.assertIn("SORTING CENTER", track[0].status)
        self.assertFalse(track[1].known)
        self.server.faults.add("/jne/tracing/api/pricedev", Fault(status=500), times=2)
        with self.assertRaises(RetryableError):
            client.quote(snd, rcv, [base.Parcel(1)])
        self.server.faults.add("/jne/tracing/api/pricedev", Fault(malformed=True))
        with self.assertRaises(RetryableError):
            client.quote(snd, rcv, [base.Parcel(1)])

    def test_biteship(self):
        client = biteship.BiteshipClient(
            self.session, self.server.url + "/biteship", api_key=self.bs.api_key
        )
        with self.assertRaises(AuthenticationError):
            biteship.BiteshipClient(
                self.session, self.server.url + "/biteship", api_key="biteship_test.x"
            ).test()
        # 1,300 g -> 2 kg started; JKT-BDG 11,000/kg; jne reg factor 100 -> 22,000.
        quotes = client.quote(SENDER, RECIPIENT, [base.Parcel(1.3)], ["jne:reg"])
        self.assertEqual(
            [(q.service_code, q.price) for q in quotes], [("jne:reg", 22000)]
        )
        request = self._request("WH-OUT-2", "jne:reg", SENDER, RECIPIENT)
        result = client.create_shipment(request)
        with self.assertRaises(base.DuplicateReferenceError):
            client.create_shipment(request)
        self.bs.advance(result.waybill)  # picked
        with self.assertRaises(PermanentError):
            client.cancel(result.waybill)
        self.assertEqual(client.track([result.waybill])[0].status, "picked")
        self.server.faults.add(
            "/biteship/v1/rates",
            Fault(status=429, headers={"Retry-After": "0"}),
            times=2,
        )
        with self.assertRaises(RetryableError):
            client.quote(SENDER, RECIPIENT, [base.Parcel(1)])

    def test_jnt(self):
        j = self.jt
        client = jnt.JntClient(
            self.session,
            self.server.url + "/jnt",
            username=j.username,
            api_key=j.api_key,
            key=j.key,
            tariff_customer=j.tariff_customer,
            tariff_key=j.tariff_key,
            ecompany_id=j.ecompany_id,
            track_password=j.track_password,
            print_key=j.print_key,
            custom_base=True,
        )
        # md5 -> hex -> base64 (carriers.md §2.2): 'abc' + 'k' = md5('abck').
        self.assertEqual(
            jnt.sign("abc", "k"), "YmFiYWQzYjY3Njc3ZGE5MTM1NjkyZmU3YWRjYzQyM2M="
        )
        snd, rcv = self._addr(SENDER, "JKT001"), self._addr(RECIPIENT, "BDO001")
        request = self._request("WH-OUT-3", "EZ", snd, rcv)
        result = client.create_shipment(request)
        with self.assertRaises(base.DuplicateReferenceError):
            client.create_shipment(request)
        self.assertTrue(client.fetch_label(result).startswith(b"%PDF"))
        self.jt.advance(result.waybill)
        with self.assertRaises(PermanentError):
            client.cancel("WH-OUT-3")


@tagged("post_install", "-at_install")
class TestSicepatTimeoutAfterCreate(BaseCase):
    def test_timeout_after_create_then_find(self):
        from odoo.addons.base_integration.tests.gateway_servers.sicepat import (
            SicepatApi,
        )

        from ..api import sicepat

        api = SicepatApi()
        server = GatewayServer(api).start()
        self.addCleanup(server.stop)
        numbers = iter(["888000000001", "888000000002"])
        client = sicepat.SicepatClient(
            IntegrationSession(timeout=(2, 0.5), max_attempts=2, sleep=lambda s: None),
            server.url + "/sicepat",
            api_key=api.api_key,
            auth_key=api.auth_key,
            custom_base=True,
            receipt_numbers=lambda: next(numbers),
        )
        snd = base.Address(**dict(SENDER.__dict__, area_code="CGK10101"))
        rcv = base.Address(**dict(RECIPIENT.__dict__, area_code="BDO10000"))
        request = base.ShipmentRequest(
            reference="WH-OUT-9",
            service_code="REG",
            sender=snd,
            recipient=rcv,
            parcels=[base.Parcel(weight_kg=1)],
        )
        # The order is stored, then the answer comes after the client's timeout.
        api.late_faults.add("/sicepat/api/partner", Fault(delay=1.0))
        with self.assertRaises(RetryableError):
            client.create_shipment(request)
        found = client.find_shipment("WH-OUT-9")
        self.assertEqual(found.waybill, "888000000001")
        # Only one booking exists at the carrier (the POST was not repeated).
        self.assertEqual(len(server.requests_to("requestpickuppackage")), 1)
        with self.assertRaises(base.DuplicateReferenceError):
            client.create_shipment(request)
