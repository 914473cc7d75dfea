# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark: Midtrans VA notifications against a running Odoo server, over real HTTP.

What it measures
  * 500 open invoices with a Midtrans VA each (opened by the outbox when posted);
  * 1,000 signed settlement notifications (each invoice twice, shuffled) posted by 16
    concurrent senders to ``/payment_va/midtrans/notification/<id>``;
  * ack latency p50/p99, acks per second, time until every invoice is paid (the inbox
    cron confirms each payment with the status API, books and reconciles it), payments
    created (must be exactly 500);
  * the floor: 500 other invoices paid one by one with ``account.payment.register``
    through JSON-RPC (what a clerk's clicks cost the server, without any gateway work).

One command::

    python3 tests/benchmarks/bench_payment_va.py

starts Odoo (2 × CPUs + 1 HTTP workers, 2 cron workers) on the database ``bench_payment_va``,
created with ``payment_va`` and ``l10n_id`` when missing; ``--url`` uses a server that
already runs instead.

The script loads the Indonesian chart on the main company if needed, starts the local
Midtrans imitation (base_integration/tests/gateway_servers/midtrans.py) in-process and points a
connection at it. Results are printed and written to
tests/benchmarks/results/payment_va.md.
"""

import argparse
import os
import random
import statistics
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

import requests

from benchlib import HTTP_WORKERS, Rpc, odoo_server, percentile, wait_for, warm_up
from gateway_servers import GatewayServer
from gateway_servers.midtrans import MidtransApi

RESULTS = Path(__file__).parent / "results" / "payment_va.md"


def ensure_company(rpc):
    """Indonesian chart and IDR on the main company (l10n_id), done once."""
    company_id = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
    company = rpc(
        "res.company", "read", [company_id], ["chart_template", "currency_id"]
    )[0]
    if company["chart_template"] != "id":
        country = rpc("res.country", "search", [("code", "=", "ID")])[0]
        idr = rpc(
            "res.currency",
            "search",
            [("name", "=", "IDR")],
            context={"active_test": False},
        )[0]
        rpc("res.currency", "write", [idr], {"active": True})
        rpc(
            "res.company",
            "write",
            [company_id],
            {"country_id": country, "currency_id": idr},
        )
        rpc("account.chart.template", "try_loading", [], "id", company_id, False)
    return company_id


def ensure_connection(rpc, company_id, gateway_url):
    journal = rpc(
        "account.journal",
        "search",
        [("type", "=", "bank"), ("company_id", "=", company_id)],
        limit=1,
    )[0]
    banks = rpc("payment.va.bank", "search", [("provider", "=", "midtrans")])
    bni = rpc(
        "payment.va.bank",
        "search",
        [("provider", "=", "midtrans"), ("code", "=", "bni")],
    )[0]
    values = {
        "name": "Midtrans benchmark",
        "provider": "midtrans",
        "company_id": company_id,
        "base_url": gateway_url,
        "api_secret": MidtransApi.server_key,
        "va_journal_id": journal,
        "va_mode": "invoice",
        "va_auto_create": True,
        "va_bank_ids": [(6, 0, banks)],
        "va_default_bank_id": bni,
        "sequence": 0,
    }
    found = rpc(
        "integration.connection", "search", [("name", "=", "Midtrans benchmark")]
    )
    if found:
        rpc("integration.connection", "write", found, values)
        return found[0], journal
    return rpc("integration.connection", "create", values), journal


def create_invoices(rpc, partner_id, count, amount, label, chunk=25):
    """Create and post ``count`` invoices in small requests (worker time limits)."""
    ids = []
    for first in range(0, count, chunk):
        batch = rpc(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_id,
                    "invoice_date": date.today().isoformat(),
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": f"{label} {i}",
                                "quantity": 1,
                                "price_unit": amount + i,
                                "tax_ids": [(5, 0, 0)],
                            },
                        )
                    ],
                }
                for i in range(first, min(count, first + chunk))
            ],
        )
        rpc("account.move", "action_post", batch)
        ids += batch
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--url",
        help="an Odoo server already running; without it one is started on --db "
        "(created with payment_va and l10n_id when missing)",
    )
    parser.add_argument("--db", default="bench_payment_va")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    if args.url:
        args.server_kind = "a server started by hand"
        return run(args)
    args.server_kind = (
        f"Odoo 18 prefork server started by the script ({HTTP_WORKERS} HTTP "
        "workers, 2 cron workers, odoo.conf's integration_cron_niceness)"
    )
    # Long bookings: one cron job may run longer than Odoo's default 120 s.
    with odoo_server(
        args.db,
        "payment_va,l10n_id",
        extra_args=("--limit-time-real-cron=1800",),
    ) as url:
        args.url = url
        return run(args)


def run(args):
    rpc = Rpc(args.url, args.db, args.login, args.password)
    company_id = ensure_company(rpc)
    midtrans = MidtransApi()
    server = GatewayServer(midtrans).start()
    connection_id, journal_id = ensure_connection(rpc, company_id, midtrans.base_url)
    notify_url = (
        f"{args.url.rstrip('/')}/payment_va/midtrans/notification/{connection_id}"
    )
    run = datetime.now(timezone.utc).strftime("%H%M%S")
    partner_id = rpc("res.partner", "create", {"name": f"Bench customer {run}"})
    n = args.invoices

    # ----------------------------------------------------------- VAs through the outbox
    print(f"Creating and posting {n} invoices ...", flush=True)
    t0 = time.monotonic()
    invoice_ids = create_invoices(rpc, partner_id, n, 100000, f"VA {run}")
    post_seconds = time.monotonic() - t0
    va_seconds = wait_for(
        lambda: (
            rpc(
                "payment.va",
                "search_count",
                [("move_id", "in", invoice_ids), ("state", "=", "open")],
            )
            >= n
        ),
        args.timeout,
        what="open VAs",
    )
    vas = rpc(
        "payment.va",
        "search_read",
        [("move_id", "in", invoice_ids), ("state", "=", "open")],
        ["reference"],
    )
    print(
        f"  posted in {post_seconds:.1f}s, {n} VAs opened by the outbox "
        f"{va_seconds:.1f}s "
        "later",
        flush=True,
    )

    # -------------------------------------------------------------- 1,000 notifications
    bodies = []
    for va in vas:
        midtrans.set_status(va["reference"], "settlement")
        bodies.append(midtrans.notification_for(va["reference"]))
    deliveries = bodies * 2
    random.Random(42).shuffle(deliveries)
    latencies, statuses, lock = [], [], threading.Lock()
    queue = list(deliveries)

    def sender():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            started = time.perf_counter()
            response = session.post(notify_url, json=body, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status_code)

    print(
        f"Sending {len(deliveries)} notifications with {args.senders} senders ...",
        flush=True,
    )
    # an unknown connection: 404 without touching the measured data
    warm_up(args.url, "/payment_va/midtrans/notification/0", args.senders)
    t_send = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_seconds = time.monotonic() - t_send

    def all_paid():
        return (
            rpc(
                "account.move",
                "search_count",
                [
                    ("id", "in", invoice_ids),
                    ("payment_state", "in", ("paid", "in_payment")),
                ],
            )
            >= n
        )

    wait_for(all_paid, args.timeout, what="all invoices paid")
    paid_seconds = time.monotonic() - t_send
    payments = rpc(
        "account.payment",
        "search_count",
        [("payment_va_id.move_id", "in", invoice_ids)],
    )
    failed_events = rpc(
        "integration.event",
        "search_count",
        [
            ("connection_id", "=", connection_id),
            ("direction", "=", "inbound"),
            ("state", "=", "failed"),
        ],
    )

    # ---------------------------------------------------------------- floor
    floor_seconds = None
    if not args.skip_floor:
        rpc(
            "integration.connection",
            "write",
            [connection_id],
            {"va_auto_create": False},
        )
        floor_ids = create_invoices(rpc, partner_id, n, 100000, f"Floor {run}")
        print(f"Floor: registering {n} payments one by one ...", flush=True)
        t_floor = time.monotonic()
        for move_id in floor_ids:
            ctx = {
                "active_model": "account.move",
                "active_ids": [move_id],
                "dont_redirect_to_payments": True,
            }
            wizard = rpc(
                "account.payment.register",
                "create",
                {"journal_id": journal_id},
                context=ctx,
            )
            rpc(
                "account.payment.register",
                "action_create_payments",
                [wizard],
                context=ctx,
            )
        floor_seconds = time.monotonic() - t_floor
        rpc(
            "integration.connection", "write", [connection_id], {"va_auto_create": True}
        )
    server.stop()

    rows = [
        ("Invoices / notifications", f"{n} / {len(deliveries)} (each twice, shuffled)"),
        ("Concurrent senders", str(args.senders)),
        (
            "HTTP answers",
            ", ".join(
                f"{code}: {statuses.count(code)}" for code in sorted(set(statuses))
            ),
        ),
        ("Ack latency p50", f"{percentile(latencies, 50) * 1000:.1f} ms"),
        ("Ack latency p99", f"{percentile(latencies, 99) * 1000:.1f} ms"),
        ("Ack latency mean", f"{statistics.mean(latencies) * 1000:.1f} ms"),
        ("Acks per second", f"{len(latencies) / send_seconds:.0f}"),
        ("Time until all paid (from first send)", f"{paid_seconds:.1f} s"),
        ("Booked payments per second", f"{n / paid_seconds:.1f}"),
        (f"Payments created (must be {n})", str(payments)),
        ("Inbound events failed", str(failed_events)),
        ("Setup: VAs opened through the outbox", f"{n} in {va_seconds:.1f} s"),
    ]
    if floor_seconds is not None:
        rows.append(
            (
                "Floor: account.payment.register one by one (JSON-RPC)",
                f"{floor_seconds:.1f} s ({n / floor_seconds:.1f} payments/s)",
            )
        )
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# payment_va benchmark",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC against {args.url} "
        f"(database `{args.db}`, {os.cpu_count()} CPUs), "
        f"{args.server_kind}, "
        "local Midtrans imitation (base_integration/tests/gateway_servers/midtrans.py), status-API "
        "confirmation on.",
        "",
        "| Measure | Value |",
        "|---|---|",
    ] + [f"| {label} | {value} |" for label, value in rows]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"\nWritten to {RESULTS}")
    if payments != n:
        raise SystemExit(f"Expected {n} payments, found {payments}")


if __name__ == "__main__":
    main()
