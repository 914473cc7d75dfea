# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carrier tracking benchmark: a tracking sync of N open shipments (issue 10, Performance).

Runs in process against a database with carrier_api installed (default
``suite_crtrack``): creates N open shipments (delivery pickings with a Biteship waybill,
booked on the local Biteship test server), makes every carrier call take
``--latency`` seconds (a server-side delay), runs the tracking cron's engine once and
reports carrier calls, wall time and SQL queries per shipment for each N given. Everything
is rolled back at the end.

    python3 tests/benchmarks/bench_carrier.py -c /tmp/crtrack.conf -d suite_crtrack \
        --sizes 1000,5000 --latency 0.05

Not measured yet (see the report): waybill throughput against the fixed-price floor and
500 labels as one PDF.
"""

import argparse
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "addons"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="/tmp/crtrack.conf")
    parser.add_argument("-d", "--db", default="suite_crtrack")
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=0, help="0: the default")
    parser.add_argument(
        "--packages",
        type=int,
        default=1,
        help="waybills per shipment; above 1 each has its ledger row (one per package)",
    )
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
    from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

    registry = odoo.modules.registry.Registry(args.db)
    api_server = BiteshipApi()
    gateway = GatewayServer(api_server).start()
    rows = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                pickings = setup(env, api_server, size, args)
                api_server_requests = len(gateway.requests)
                gateway.faults.add("*", Fault(delay=args.latency), times=10**9)
                env.flush_all()
                env.invalidate_all()
                before = cr.sql_log_count
                t0 = time.monotonic()
                summary = env["stock.picking"]._carrier_api_track_due(limit=size)
                env.flush_all()
                wall = time.monotonic() - t0
                queries = cr.sql_log_count - before
                gateway.faults.clear()
                states = env["stock.picking"].read_group(
                    [("id", "in", pickings.ids)],
                    ["carrier_api_delivery_state"],
                    ["carrier_api_delivery_state"],
                )
                rows.append(
                    {
                        "n": size,
                        "calls": summary["calls"],
                        "http": len(gateway.requests) - api_server_requests,
                        "wall": wall,
                        "queries": queries,
                        "per": queries / size,
                        "states": {
                            s["carrier_api_delivery_state"]: s[
                                "carrier_api_delivery_state_count"
                            ]
                            for s in states
                        },
                    }
                )
                print(rows[-1], flush=True)
                cr.rollback()
            api_server.reset()
            gateway.requests.clear()
    finally:
        gateway.stop()
    print()
    print(f"Tracking sync, {args.latency * 1000:.0f} ms per carrier call:")
    print(
        "| N | carrier calls | wall time | shipments/s | SQL queries | per shipment |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['n']} | {row['calls']} | {row['wall']:.1f} s | "
            f"{row['n'] / row['wall']:.0f} | {row['queries']} | {row['per']:.2f} |"
        )


def setup(env, api_server, size, args):
    if args.workers:
        env["ir.config_parameter"].set_param(
            "carrier_api.tracking_workers", str(args.workers)
        )
    connection = env["integration.connection"].create(
        {
            "name": "Bench Biteship",
            "provider": "biteship",
            "api_key": api_server.api_key,
            "base_url": api_server.base_url,
        }
    )
    product = env["product.product"].create({"name": "Bench ship", "type": "service"})
    carrier = env["delivery.carrier"].create(
        {
            "name": "Bench Biteship JNE REG",
            "delivery_type": "biteship",
            "product_id": product.id,
            "carrier_api_connection_id": connection.id,
            "carrier_api_courier_code": "jne",
            "carrier_api_service_code": "reg",
        }
    )
    # Nothing else of this database is due in this run.
    env.cr.execute(
        "UPDATE stock_picking SET carrier_api_next_poll = now() + interval '1 day' "
        "WHERE carrier_tracking_ref IS NOT NULL"
    )
    partner = env["res.partner"].create({"name": "Bench customer"})
    picking_type = env.ref("stock.picking_type_out")
    run = uuid.uuid4().hex[:6]
    vals = []
    packages = max(1, args.packages)
    for i in range(size):
        waybills = []
        for part in range(packages):
            waybill = f"BENCH{run}{i:06d}" + (f"P{part + 1}" if packages > 1 else "")
            waybills.append(waybill)
            api_server.book(
                f"B-{run}-{i}-{part}",
                waybill,
                tracking_id=f"t{run}{i}-{part}",
                order_id=f"o{run}{i}-{part}",
                courier="jne",
                service="reg",
                origin_contact_name="Toko",
                destination_contact_name="Budi",
            )
            if (i + part) % 3:
                api_server.advance(waybill)
        vals.append(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "carrier_id": carrier.id,
                "carrier_tracking_ref": ",".join(waybills),
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": env.ref("stock.stock_location_customers").id,
                "move_ids": [],
            }
        )
    pickings = env["stock.picking"].browse()
    for start in range(0, size, 500):
        pickings |= env["stock.picking"].create(vals[start : start + 500])
    if packages > 1:
        # one ledger row per package, as the waybill flow leaves them
        env["carrier.api.waybill"].create(
            [
                {
                    "picking_id": picking.id,
                    "carrier_id": carrier.id,
                    "reference": f"B-{run}-{picking.id}-{part + 1}",
                    "part": part + 1,
                    "state": "sent",
                    "waybill": waybill,
                }
                for picking in pickings
                for part, waybill in enumerate(picking.carrier_tracking_ref.split(","))
            ]
        )
    return pickings


if __name__ == "__main__":
    main()
