# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the shared webhook inbox (base_integration), over real HTTP.

    python3 tests/benchmarks/bench_inbox.py [--events 1000] [--senders 16]

Starts Odoo (2 × CPUs + 1 HTTP workers, 2 cron workers) on its own database, posts N signed
generic webhooks (each delivered twice, shuffled) from concurrent senders, and measures
acknowledgement latency (p50/p99), acknowledgements per second, the events stored
(must be N: duplicates store nothing) and the time until the crons have processed every
event (each runs a server action creating one partner: must be N partners).
"""

import argparse
import hashlib
import hmac
import json
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchlib import HTTP_WORKERS, Rpc, odoo_server, percentile, wait_for, warm_up

RESULTS = Path(__file__).parent / "results" / "inbox.md"
SECRET = "bench-inbox-secret"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--db", default="bench_inbox")
    parser.add_argument("--port", type=int, default=18095)
    args = parser.parse_args()

    with odoo_server(args.db, "base_integration", port=args.port, fresh=True) as url:
        rpc = Rpc(url, args.db)
        model_id = rpc("ir.model", "search", [("model", "=", "integration.event")])[0]
        action_id = rpc(
            "ir.actions.server",
            "create",
            {
                "name": "bench effect",
                "model_id": model_id,
                "state": "code",
                "code": "env['res.partner'].create({'name': 'bench %s' % record.external_id})",
            },
        )
        connection_id = rpc(
            "integration.connection",
            "create",
            {
                "name": "Bench",
                "provider": "generic",
                "webhook_secret": SECRET,
                "generic_action_id": action_id,
            },
        )
        deliveries = [n for n in range(args.events) for _twice in range(2)]
        random.shuffle(deliveries)
        endpoint = f"{url}/integration/webhook/{connection_id}"
        local = threading.local()
        latencies, statuses = [], []
        lock = threading.Lock()

        def send(number):
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            body = json.dumps({"id": f"evt-{number}", "type": "bench"}).encode()
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            response = session.post(
                endpoint,
                data=body,
                timeout=30,
                headers={"Content-Type": "application/json", "X-Signature": signature},
            )
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status_code)

        warm_up(url, "/integration/webhook/0", args.senders)  # 404, nothing stored
        started = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            list(pool.map(send, deliveries))
        send_time = time.perf_counter() - started

        def drained():
            return (
                rpc(
                    "integration.event",
                    "search_count",
                    [("connection_id", "=", connection_id), ("state", "!=", "done")],
                )
                == 0
            )

        wait_for(drained, 900, interval=0.25, what="the inbox to drain")
        drain_time = time.perf_counter() - started
        stored = rpc(
            "integration.event", "search_count", [("connection_id", "=", connection_id)]
        )
        effects = rpc("res.partner", "search_count", [("name", "=like", "bench evt-%")])

    rows = [
        ("deliveries (each event twice)", len(deliveries)),
        ("concurrent senders", args.senders),
        ("HTTP 200 answers", statuses.count(200)),
        ("ack latency p50 (ms)", f"{percentile(latencies, 50) * 1000:.1f}"),
        ("ack latency p99 (ms)", f"{percentile(latencies, 99) * 1000:.1f}"),
        ("ack latency mean (ms)", f"{statistics.mean(latencies) * 1000:.1f}"),
        ("acknowledgements/s", f"{len(deliveries) / send_time:.0f}"),
        ("events stored (must be N)", f"{stored} / {args.events}"),
        ("effects applied (must be N)", f"{effects} / {args.events}"),
        ("time until all processed (s)", f"{drain_time:.1f}"),
        ("processing throughput (events/s)", f"{args.events / drain_time:.0f}"),
    ]
    table = "| measure | value |\n| --- | --- |\n" + "\n".join(
        f"| {name} | {value} |" for name, value in rows
    )
    print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# Webhook inbox benchmark (`tests/benchmarks/bench_inbox.py`)\n\n"
        f"Run on {time.strftime('%Y-%m-%d')}, 2 cores, Odoo with {HTTP_WORKERS} HTTP "
        "workers and "
        "2 cron workers.\n\n" + table + "\n"
    )
    if stored != args.events or effects != args.events:
        raise SystemExit("FAILED: events lost or applied twice")


if __name__ == "__main__":
    main()
