# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of marketplace_sync order intake and stock push.

One command::

    python3 tests/benchmarks/bench_marketplace.py [--n 200 --n 2000]

creates the throwaway database ``bench_marketplace`` (``marketplace_sync``, ``l10n_id``)
when missing, runs the intake and floor in-process (rolled back), then starts an Odoo
server on it for the XML-RPC baseline (which does write orders). ``-c``/``-d`` and
``--xmlrpc-url`` use an existing configuration, database and server instead.

Measured:

* intake: N Shopee orders of 3 lines served by the local Shopee test server, pulled by
  the reconciliation path (order list → details by 50 → mapping → sale order confirmed
  with its delivery): orders/s, SQL queries per order, peak RSS growth;
* floor: the same sale orders through bare ORM ``sale.order.create`` +
  ``action_confirm`` one by one (no platform call, no mapping);
* XML-RPC baseline: one ``create`` and one ``action_confirm`` call per order from
  outside;
* stock push: 5,000 SKUs (100 items × 50 models) → API calls and time;
* end to end through a running server (2 × CPUs + 1 HTTP workers, 2 cron workers, as production): N
  signed Shopee pushes from 16 concurrent senders, acknowledged by the webhook route,
  drained by the inbox crons (order details fetched by 50, sale orders created and
  confirmed in batches), timed from the first push until N sale orders are confirmed
  with their delivery; plus acknowledgement latency.

Results are appended to ``tests/benchmarks/results/marketplace.md``.
"""

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
import xmlrpc.client
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(  # gateway_servers (plain Python) of base_integration's tests
    0,
    os.path.join(
        os.path.dirname(os.path.dirname(HERE)), "addons", "base_integration", "tests"
    ),
)

from benchlib import (  # noqa: E402
    HTTP_WORKERS,
    Rpc,
    ensure_database,
    odoo_server,
    percentile,
    wait_for,
    warm_up,
    write_config,
)
from gateway_servers import GatewayServer  # noqa: E402
from gateway_servers.shopee import ShopeeApi  # noqa: E402


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def order_payload(index, now):
    items = []
    total = 0
    for line in range(3):
        qty = 1 + (index + line) % 3
        price = 10000 * (line + 1)
        total += qty * price
        items.append(
            {
                "item_id": 9100 + line,
                "item_name": f"Bench {line}",
                "item_sku": f"B-{line}",
                "model_id": 0,
                "model_name": "",
                "model_sku": "",
                "model_quantity_purchased": qty,
                "model_original_price": price,
                "model_discounted_price": price,
            }
        )
    total += 9000
    return {
        "order_sn": f"BENCH{index:07d}",
        "region": "ID",
        "currency": "IDR",
        "order_status": "READY_TO_SHIP",
        "create_time": now - 3600 - index,
        "update_time": now - 600 - (index % 3000),
        "buyer_user_id": index,
        "estimated_shipping_fee": 9000,
        "total_amount": total,
        "recipient_address": {
            "name": "B****r",
            "phone": "******12",
            "city": "Jakarta",
            "region": "ID",
            "full_address": "Jl. *****",
        },
        "item_list": items,
        "package_list": [{"package_number": f"PKG{index}"}],
    }


def setup(env, server, api, shop_name="Bench shop"):
    from odoo import fields

    idr = env.ref("base.IDR")
    idr.active = True
    company = env["res.company"].search([("name", "=", "PT Bench")], limit=1)
    if not company:
        company = env["res.company"].create(
            {
                "name": "PT Bench",
                "currency_id": idr.id,
                "country_id": env.ref("base.id").id,
            }
        )
    if company.chart_template != "id":
        env["account.chart.template"].try_loading(
            "id", company=company, install_demo=False
        )
    env.user.company_ids |= company
    env.user.company_id = company
    env = env(
        context=dict(
            env.context,
            allowed_company_ids=[company.id],
            tracking_disable=True,
            mail_notrack=True,
        )
    )
    # outside tests stock creates no warehouse for a new company
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", company.id)], limit=1
    ) or env["stock.warehouse"].create(
        {"company_id": company.id, "name": "Bench", "code": "BNCH"}
    )
    products = env["product.product"].create(
        [
            {"name": f"Bench product {i}", "is_storable": True, "type": "consu"}
            for i in range(3)
        ]
    )
    access, refresh, lifetime = api.issue_tokens()
    shop = env["marketplace.shop"].create(
        {
            "name": shop_name,
            "webhook_secret": api.push_key,
            "provider": "shopee",
            "company_id": company.id,
            "warehouse_id": warehouse.id,
            "shop_ref": str(api.shop_id),
            "api_key": str(api.partner_id),
            "api_secret": api.partner_key,
            "base_url": server.url + "/shopee",
            "access_token": access,
            "refresh_token": refresh,
            "token_expires_at": fields.Datetime.now() + timedelta(seconds=lifetime),
            "sync_initial_days": 1,
            "sync_window_hours": 24,
        }
    )
    env["ir.config_parameter"].sudo().set_param("base_integration.http_log", "errors")
    env["marketplace.product.map"].create(
        [
            {
                "shop_id": shop.id,
                "item_id": str(9100 + i),
                "model_id": "0",
                "product_id": p.id,
            }
            for i, p in enumerate(products)
        ]
    )
    return env, shop, products


def bench_intake(env, shop, api, n):
    now = int(time.time())
    with api.lock:
        api.orders.clear()
    for index in range(n):
        api.put_order(order_payload(index, now))
    env.flush_all()
    cr = env.cr
    queries = cr.sql_log_count
    rss = rss_mb()
    started = time.perf_counter()
    count = shop.with_context(
        marketplace_page_size=100, marketplace_no_commit=True
    )._marketplace_sync_orders()
    env.flush_all()
    elapsed = time.perf_counter() - started
    confirmed = env["sale.order"].search_count(
        [
            ("marketplace_order_id.shop_id", "=", shop.id),
            ("state", "=", "sale"),
            ("picking_ids", "!=", False),
        ]
    )
    assert confirmed >= n, (confirmed, n, count)
    return {
        "orders": n,
        "seconds": elapsed,
        "orders_per_s": n / elapsed,
        "queries_per_order": (cr.sql_log_count - queries) / n,
        "rss_growth_mb": rss_mb() - rss,
    }


def bench_floor(env, shop, products, n):
    from odoo import Command

    tax = shop.tax_id
    env.flush_all()
    cr = env.cr
    queries = cr.sql_log_count
    started = time.perf_counter()
    for index in range(n):
        order = env["sale.order"].create(
            {
                "partner_id": shop.partner_id.id,
                "client_order_ref": f"FLOOR{index}",
                "warehouse_id": shop.warehouse_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": p.id,
                            "product_uom_qty": 1 + i,
                            "price_unit": 10000.0 * (i + 1),
                            "tax_id": [Command.set(tax.ids)],
                        }
                    )
                    for i, p in enumerate(products)
                ]
                + [
                    Command.create(
                        {
                            "product_id": shop.shipping_product_id.id,
                            "product_uom_qty": 1,
                            "price_unit": 9000.0,
                            "tax_id": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
    env.flush_all()
    elapsed = time.perf_counter() - started
    return {
        "orders": n,
        "seconds": elapsed,
        "orders_per_s": n / elapsed,
        "queries_per_order": (cr.sql_log_count - queries) / n,
    }


def bench_stock(env, shop, api, products):
    product = products[0]
    maps = env["marketplace.product.map"].create(
        [
            {
                "shop_id": shop.id,
                "item_id": str(500000 + i // 50),
                "model_id": str(i),
                "product_id": product.id,
            }
            for i in range(5000)
        ]
    )
    before = len(api.server.requests_to("update_stock"))
    started = time.perf_counter()
    calls = shop._marketplace_push_stock(maps)
    elapsed = time.perf_counter() - started
    assert len(api.server.requests_to("update_stock")) - before == calls
    return {"skus": 5000, "calls": calls, "seconds": elapsed}


def ensure_push_shop(registry, server, api):
    """A committed shop for the run against the server (in-process runs roll back);
    returns its id and its company's."""
    import odoo
    from odoo import fields

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shop = env["marketplace.shop"].search([("name", "=", "Bench push shop")])
        if shop:
            access, refresh, lifetime = api.issue_tokens()
            shop.write(
                {
                    "base_url": server.url + "/shopee",
                    "webhook_secret": api.push_key,
                    "access_token": access,
                    "refresh_token": refresh,
                    "token_expires_at": fields.Datetime.now()
                    + timedelta(seconds=lifetime),
                }
            )
        else:
            _env, shop, _products = setup(env, server, api, "Bench push shop")
        # the reconciliation cron would pull the same orders: only pushes here
        shop.sync_enabled = False
        # the JSON-RPC user must see the shop's company to count its orders
        env.ref("base.user_admin").company_ids |= shop.company_id
        cr.commit()
        return shop.id, shop.company_id.id


def bench_push(url, db, login, password, api, company_id, n, senders=16):
    """End to end through the server: N signed pushes (16 senders), the inbox crons
    fetch the orders by 50 and create and confirm them; until N are confirmed."""
    rpc = Rpc(url, db, login, password)
    run = time.strftime("%H%M%S")
    now = int(time.time())
    names = []
    for index in range(n):
        payload = order_payload(index, now)
        payload["order_sn"] = f"P{run}{index:06d}"
        api.put_order(payload)
        names.append(payload["order_sn"])
    push_url = f"{url}/marketplace/shopee/push"
    queue, latencies, statuses, lock = list(names), [], [], threading.Lock()

    def sender():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            started = time.perf_counter()
            response = api.push(push_url, api.push_payload(name))
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)

    warm_up(url, "/marketplace/shopee/push", senders)  # unsigned: 401, nothing stored
    started = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    acked = time.monotonic() - started

    context = {"allowed_company_ids": [company_id]}

    def confirmed():
        return rpc(
            "sale.order",
            "search_count",
            [
                ("client_order_ref", "in", names),
                ("state", "=", "sale"),
                ("picking_ids", "!=", False),
            ],
            context=context,
        )

    wait_for(lambda: confirmed() >= n, 60 + n, interval=1, what="confirmed orders")
    elapsed = time.monotonic() - started
    sales = rpc(
        "sale.order",
        "search_count",
        [("client_order_ref", "in", names)],
        context=context,
    )
    return {
        "orders": n,
        "seconds": elapsed,
        "orders_per_s": n / elapsed,
        "ack_p50_ms": percentile(latencies, 50) * 1000,
        "ack_p99_ms": percentile(latencies, 99) * 1000,
        "acks_per_s": n / acked,
        "http": sorted(set(statuses)),
        "sale_orders": sales,
    }


def bench_xmlrpc(url, db, login, password, n):
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(db, login, password, {})
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    partner = models.execute_kw(
        db, uid, password, "res.partner", "create", [{"name": "XML-RPC bench"}]
    )
    product = models.execute_kw(
        db,
        uid,
        password,
        "product.product",
        "create",
        [{"name": "XML-RPC bench product", "type": "consu", "is_storable": True}],
    )
    started = time.perf_counter()
    for index in range(n):
        order = models.execute_kw(
            db,
            uid,
            password,
            "sale.order",
            "create",
            [
                {
                    "partner_id": partner,
                    "client_order_ref": f"RPC{index}",
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product,
                                "product_uom_qty": 1 + i,
                                "price_unit": 10000.0,
                            },
                        )
                        for i in range(3)
                    ],
                }
            ],
        )
        models.execute_kw(db, uid, password, "sale.order", "action_confirm", [[order]])
    elapsed = time.perf_counter() - started
    return {"orders": n, "seconds": elapsed, "orders_per_s": n / elapsed}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database", default="bench_marketplace")
    parser.add_argument("--n", type=int, action="append")
    parser.add_argument("--xmlrpc-url")
    parser.add_argument("--xmlrpc-n", type=int, default=200)
    parser.add_argument("--xmlrpc-login", default="admin")
    parser.add_argument("--xmlrpc-password", default="admin")
    args = parser.parse_args()
    sizes = args.n or [200, 2000]
    if not args.config:
        args.config = str(write_config(tempfile.mkdtemp(prefix="bench-mk-")))
        ensure_database(args.database, "marketplace_sync,l10n_id", args.config)

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(args.database)
    api = ShopeeApi()
    server = GatewayServer(api).start()
    lines, push_lines = [], []
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env, shop, products = setup(env, server, api)
            for n in sizes:
                savepoint = cr.savepoint()
                intake = bench_intake(env, shop, api, n)
                savepoint.close(rollback=True)
                env.invalidate_all()
                shop.sync_cursor = False
                savepoint = cr.savepoint()
                floor = bench_floor(env, shop, products, n)
                savepoint.close(rollback=True)
                env.invalidate_all()
                lines.append(
                    f"| {n} | {intake['orders_per_s']:.1f}"
                    f" | {intake['queries_per_order']:.0f}"
                    f" | {intake['rss_growth_mb']:.0f} | {floor['orders_per_s']:.1f}"
                    f" | {floor['queries_per_order']:.0f} |"
                )
                print(lines[-1], flush=True)
            stock = bench_stock(env, shop, api, products)
            cr.rollback()
        _push_shop_id, push_company_id = ensure_push_shop(registry, server, api)

        def against(url):
            rpc = bench_xmlrpc(
                url,
                args.database,
                args.xmlrpc_login,
                args.xmlrpc_password,
                args.xmlrpc_n,
            )
            print(f"XML-RPC baseline: {rpc['orders_per_s']:.1f} orders/s", flush=True)
            for n in sizes:
                push = bench_push(
                    url,
                    args.database,
                    args.xmlrpc_login,
                    args.xmlrpc_password,
                    api,
                    push_company_id,
                    n,
                )
                push_lines.append(
                    f"| {n} | {push['orders_per_s']:.1f} | {push['seconds']:.0f}"
                    f" | {push['acks_per_s']:.0f} | {push['ack_p50_ms']:.0f}"
                    f" | {push['ack_p99_ms']:.0f} | {push['sale_orders']} |"
                )
                print(push_lines[-1], flush=True)
            return rpc

        if args.xmlrpc_url:
            rpc = against(args.xmlrpc_url)
        else:
            with odoo_server(args.database, "marketplace_sync,l10n_id") as url:
                rpc = against(url)
    finally:
        server.stop()
    report = [
        f"\n## Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
        "Intake = reconciliation pull from the local Shopee test server (list +"
        " details by 50 + mapping + sale order confirmed with delivery), single"
        " process, one transaction per run (rolled back). Floor = bare ORM create +"
        " action_confirm, one by one.\n",
        "| N orders (3 lines) | intake orders/s | intake SQL/order | intake peak RSS"
        " growth"
        " (MB) | ORM floor orders/s | floor SQL/order |",
        "|---|---|---|---|---|---|",
        *lines,
        "",
        f"Stock push: {stock['skus']} SKUs (100 items × 50 models) in {stock['calls']} "
        f"Shopee update_stock calls, {stock['seconds']:.1f} s.",
        f"\nXML-RPC baseline (create + action_confirm per order, {rpc['orders']}"
        f" orders, one call each): {rpc['orders_per_s']:.1f} orders/s.",
        f"\nEnd to end through the server ({HTTP_WORKERS} HTTP + 2 cron workers): N"
        " signed Shopee"
        " pushes from 16 senders; the inbox crons fetch the orders by 50, create and"
        " confirm them in batches; from the first push until N sale orders are"
        " confirmed with their delivery.\n",
        "| N pushes | orders/s | seconds | acks/s | ack p50 (ms) | ack p99 (ms) |"
        " sale orders |",
        "|---|---|---|---|---|---|---|",
        *push_lines,
    ]
    out = os.path.join(HERE, "results", "marketplace.md")
    new = not os.path.exists(out)
    with open(out, "a") as handle:
        if new:
            handle.write("# marketplace_sync benchmark\n")
        handle.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
