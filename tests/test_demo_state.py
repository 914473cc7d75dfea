# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo servers keep their state across a restart (``--state``): Odoo's demo
database holds tokens and VAs that the restarted servers must still know."""

import requests

from odoo.addons.base_integration.tests.gateway_servers import GatewayServer
from odoo.addons.base_integration.tests.gateway_servers.__main__ import (
    discover_handlers,
    load_state,
    save_state,
)
from odoo.addons.base_integration.tests.gateway_servers.panel import DemoPanel


def _server():
    server = GatewayServer(*discover_handlers())
    server.mount(DemoPanel(odoo_url="http://odoo.invalid"))
    return server


def _handler(server, name):
    return next(h for h in server.handlers if h.name == name)


def test_state_survives_a_restart(tmp_path):
    path = str(tmp_path / "gateways.pickle")
    first = _server()
    access, refresh, _lifetime = _handler(first, "shopee").issue_tokens()
    tiktok_token = _handler(first, "tiktok").issue_tokens()[0]
    midtrans = _handler(first, "midtrans")
    number = next(midtrans._va_counter)
    _handler(first, "panel").set_setting(
        "midtrans_notification_url", "http://odoo.invalid/payment_va/x/1"
    )
    save_state(first, path)

    second = _server()
    assert load_state(second, path)
    assert access in _handler(second, "shopee").access_tokens
    assert _handler(second, "shopee").refresh_tokens[refresh] == "valid"
    assert tiktok_token in _handler(second, "tiktok").access_tokens
    # counters go on where they stopped (no VA number is given twice)
    assert next(_handler(second, "midtrans")._va_counter) == number + 1
    assert (
        _handler(second, "midtrans").notification_url
        == "http://odoo.invalid/payment_va/x/1"
    )
    with second:  # the restored handlers still serve
        answer = requests.get(second.url + "/panel/api/state", timeout=10)
        assert answer.status_code == 200
        assert answer.json()["shopee"]["connected"] is True


def test_missing_or_broken_state_file_starts_empty(tmp_path):
    server = _server()
    assert not load_state(server, str(tmp_path / "none"))
    broken = tmp_path / "broken"
    broken.write_bytes(b"not a pickle")
    assert not load_state(server, str(broken))
