# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A generic JSON API used to test the shared plumbing (base_integration).

Contract: ``Authorization: Bearer <api_key>`` on every request (401 otherwise), ``GET
/items?page=N`` pages of 2 items, ``POST /items`` creates an item and honours the
``Idempotency-Key`` header (a replay returns the first answer, as Stripe-style APIs do).
"""

import itertools

from .framework import GatewayHandler, Response


class EchoApi(GatewayHandler):
    prefix = "/echo"
    name = "echo"
    api_key = "echo-secret-key"

    def register_routes(self):
        self.route("GET", "/items", self.list_items)
        self.route("POST", "/items", self.create_item)
        self.route("POST", "/echo", self.echo)

    def reset(self):
        with self.lock:
            self.items = []
            self.idempotent_answers = {}
            self._ids = itertools.count(1)

    def __init__(self):
        super().__init__()
        self.reset()

    def _authorized(self, request):
        return request.header("Authorization") == f"Bearer {self.api_key}"

    def list_items(self, request):
        if not self._authorized(request):
            return Response(401, {"error": "unauthorized"})
        page = int(request.arg("page", "1"))
        chunk = self.items[(page - 1) * 2 : page * 2]
        return Response(200, {"items": chunk, "has_more": page * 2 < len(self.items)})

    def create_item(self, request):
        if not self._authorized(request):
            return Response(401, {"error": "unauthorized"})
        key = request.header("Idempotency-Key")
        with self.lock:
            if key and key in self.idempotent_answers:
                return self.idempotent_answers[key]
            item = dict(request.json() or {}, id=next(self._ids))
            self.items.append(item)
            response = Response(201, item)
            if key:
                self.idempotent_answers[key] = response
            return response

    def echo(self, request):
        return Response(
            200, {"headers": request.headers, "body": request.body.decode()}
        )
