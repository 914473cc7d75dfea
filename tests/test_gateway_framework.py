# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The test-server framework itself: routing, fault injection, recording, callbacks."""

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
import requests

from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.echo import EchoApi

AUTH = {"Authorization": f"Bearer {EchoApi.api_key}"}


@pytest.fixture(scope="module")
def server():
    with GatewayServer(EchoApi()) as gateway_server:
        yield gateway_server


@pytest.fixture(autouse=True)
def _reset(server):
    server.reset()


def test_random_loopback_port(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert server.port > 0


def test_routing_auth_and_paging(server):
    assert requests.get(f"{server.url}/echo/items", timeout=5).status_code == 401
    for sku in "ABC":
        requests.post(
            f"{server.url}/echo/items", json={"sku": sku}, headers=AUTH, timeout=5
        )
    page1 = requests.get(
        f"{server.url}/echo/items?page=1", headers=AUTH, timeout=5
    ).json()
    page2 = requests.get(
        f"{server.url}/echo/items?page=2", headers=AUTH, timeout=5
    ).json()
    assert [i["sku"] for i in page1["items"]] == ["A", "B"] and page1["has_more"]
    assert [i["sku"] for i in page2["items"]] == ["C"] and not page2["has_more"]
    assert requests.get(f"{server.url}/echo/nope", timeout=5).status_code == 404
    assert requests.delete(f"{server.url}/echo/items", timeout=5).status_code == 405
    assert requests.get(f"{server.url}/unknown", timeout=5).status_code == 404


def test_faults_are_consumed_in_order(server):
    server.faults.add(
        "/echo/items", Fault(status=429, headers={"Retry-After": "7"}), times=2
    )
    server.faults.add("*", Fault(status=500))
    first = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    second = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    third = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    fourth = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 429
    assert third.status_code == 500
    assert fourth.status_code == 200
    assert len(server.requests_to("/echo/items")) == 4


def test_malformed_and_slow_faults(server):
    server.faults.add("/echo/items", Fault(malformed=True))
    response = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    with pytest.raises(ValueError):
        response.json()
    server.faults.add("/echo/items", Fault(delay=0.3))
    started = time.monotonic()
    requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5)
    assert time.monotonic() - started >= 0.3


def test_idempotency_key_replay(server):
    headers = dict(AUTH, **{"Idempotency-Key": "k1"})
    a = requests.post(
        f"{server.url}/echo/items", json={"sku": "X"}, headers=headers, timeout=5
    )
    b = requests.post(
        f"{server.url}/echo/items", json={"sku": "X"}, headers=headers, timeout=5
    )
    assert a.json() == b.json()
    items = requests.get(f"{server.url}/echo/items", headers=AUTH, timeout=5).json()[
        "items"
    ]
    assert len(items) == 1


def test_send_callback_posts_to_a_receiver(server):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        handler = server.handlers[0]
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        response = handler.send_callback(url, {"id": 1}, headers={"X-Signature": "abc"})
        assert response.status_code == 200
        assert received[0][1] == {"id": 1}
        assert received[0][0]["X-Signature"] == "abc"
    finally:
        receiver.shutdown()
        receiver.server_close()
