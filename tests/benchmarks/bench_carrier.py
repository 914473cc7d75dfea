# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carrier benchmark (issue 10, Performance): waybills, tracking sync, labels.

Runs in process against a database with carrier_api installed (default
``suite_crtrack``), every carrier call taking ``--latency`` seconds (a server-side delay
fault on the local Biteship test server):

* ``waybill``: on a scratch copy of the database (``<db>_crbench_tmp``, created with
  ``createdb -T``, dropped at the end: claims and settlements commit in side
  transactions, so the pickings must be committed), N ready pickings per path. Floor:
  ``button_validate`` of N pickings at once with a fixed-price carrier (Odoo's stock,
  ``send_to_shipper`` included); ours: the list's *Create waybill* on N pickings of a
  Biteship service, and ``button_validate`` of N such pickings (which books them). For
  the first N also the list with ``carrier_api.waybill_workers = 1`` (one call after
  the other). Pickings/s and SQL queries per picking (every cursor, side transactions
  included).
* ``labels``: on the same copy, ``--labels`` of those waybills printed from the list as
  one PDF (our 100x150 mm QWeb label) through a real Odoo server (benchlib, prefork),
  so that wkhtmltopdf fetches the barcodes from it: time and PDF size.
* ``tracking``: N open shipments with a Biteship waybill, the tracking cron's engine
  once: carrier calls, wall time, SQL queries per shipment (rolled back at the end).

    python3 tests/benchmarks/bench_carrier.py -c /tmp/crtrack.conf -d suite_crtrack \
        --parts waybill,labels,tracking --waybill-sizes 200,1000 --labels 500 \
        --sizes 1000,5000 --latency 0.05 --port 18095

Figures are printed and appended to ``results/carrier.md``.
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "addons"))
RESULTS = os.path.join(HERE, "results", "carrier.md")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default="/tmp/crtrack.conf")
    parser.add_argument("-d", "--db", default="suite_crtrack")
    parser.add_argument("--parts", default="waybill,labels,tracking")
    parser.add_argument("--sizes", default="1000,5000", help="tracking: shipments")
    parser.add_argument("--waybill-sizes", default="200,1000", help="pickings")
    parser.add_argument("--labels", type=int, default=500, help="labels in one PDF")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=0, help="tracking threads")
    parser.add_argument(
        "--waybill-workers", type=int, default=0, help="waybill threads (0: default)"
    )
    parser.add_argument("--port", type=int, default=18095, help="labels: Odoo port")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    parser.add_argument(
        "--packages",
        type=int,
        default=1,
        help="waybills per shipment; above 1 each has its ledger row (one per package)",
    )
    args = parser.parse_args()

    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    parts = set(args.parts.split(","))
    report = []
    if parts & {"waybill", "labels"}:
        report += run_waybills(args, parts)
    if "tracking" in parts:
        report += run_tracking(args)
    if report:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with open(RESULTS, "a") as out:
            if out.tell() == 0:
                out.write(
                    "# carrier_api benchmark\n\nRuns are appended; the last one is "
                    "current (README).\n"
                )
            out.write(f"\n## Run {stamp}\n\n" + "\n".join(report) + "\n")
        print("\n".join(report))


def run_waybills(args, parts):
    """Floor and ours on a scratch copy; returns the report lines."""
    import shutil

    import odoo

    config = odoo.tools.config
    scratch = f"{args.db}_crbench_tmp"
    host = ["-h", config["db_host"] or "127.0.0.1"]
    subprocess.run(["dropdb", *host, "--if-exists", scratch], check=True)
    subprocess.run(["createdb", *host, "-T", args.db, scratch], check=True)
    # Attachments (web assets) live in the filestore: the copy needs its own.
    shutil.rmtree(config.filestore(scratch), ignore_errors=True)
    if os.path.isdir(config.filestore(args.db)):
        shutil.copytree(config.filestore(args.db), config.filestore(scratch))
    lines = []
    try:
        registry = odoo.modules.registry.Registry(scratch)
        sizes = (
            [int(s) for s in args.waybill_sizes.split(",")]
            if "waybill" in parts
            else []
        )
        rows, label_ids = measure_waybills(registry, args, sizes)
        if rows:
            lines += waybill_report(rows, args)
        if "labels" in parts:
            if len(label_ids) < args.labels:  # fewer waybills than labels asked
                label_ids = measure_waybills(
                    registry, args, [args.labels], only_ours=True
                )[1]
            registry.delete(scratch)
            odoo.sql_db.close_db(scratch)
            lines += measure_labels(args, scratch, label_ids[: args.labels])
    finally:
        odoo.modules.registry.Registry.delete(scratch)
        odoo.sql_db.close_db(scratch)
        if not args.keep:
            subprocess.run(["dropdb", *host, "--force", "--if-exists", scratch])
            shutil.rmtree(config.filestore(scratch), ignore_errors=True)
    return lines


def measure_waybills(registry, args, sizes, only_ours=False):
    import odoo
    from odoo import api

    from odoo.addons.base_integration.tests.gateway_servers import Fault, GatewayServer
    from odoo.addons.base_integration.tests.gateway_servers.biteship import BiteshipApi

    api_server = BiteshipApi()
    gateway = GatewayServer(api_server).start()
    rows, label_ids = [], []
    try:
        with registry.cursor() as cr:
            fixture = waybill_fixture(
                api.Environment(cr, odoo.SUPERUSER_ID, {}), api_server, args
            )
        uid = fixture["uid"]

        def timed(name, size, carrier, action, latency=True, workers=None):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                if workers is not None:
                    env["ir.config_parameter"].set_param(
                        "carrier_api.waybill_workers", str(workers)
                    )
                ids = make_pickings(env, fixture, fixture[carrier], size)
            posts = len(gateway.requests_to("/v1/orders", "POST"))
            if latency:
                gateway.faults.add("*", Fault(delay=args.latency), times=10**9)
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, {})
                pickings = env["stock.picking"].browse(ids)
                before = odoo.sql_db.sql_counter
                t0 = time.monotonic()
                result = getattr(pickings, action)()
                env.flush_all()
                cr.commit()
                wall = time.monotonic() - t0
                queries = odoo.sql_db.sql_counter - before
                gateway.faults.clear()
                env.invalidate_all()
                done = len(pickings.filtered(lambda p: p.state == "done"))
                waybills = len(pickings.filtered("carrier_tracking_ref"))
                if workers is not None:
                    env["ir.config_parameter"].sudo().set_param(
                        "carrier_api.waybill_workers", str(args.waybill_workers)
                    )
                    cr.commit()
            row = {
                "name": name,
                "n": size,
                "wall": wall,
                "rate": size / wall,
                "queries": queries,
                "per": queries / size,
                "done": done,
                "waybills": waybills,
                "posts": len(gateway.requests_to("/v1/orders", "POST")) - posts,
                # a wizard (res_model) or a warning (tag) instead of True
                "answer": (result.get("tag") or result.get("res_model"))
                if isinstance(result, dict)
                else result,
            }
            print(row, flush=True)
            return row, ids

        for size in sizes:
            if not only_ours:
                floor, _ids = timed(
                    "floor: button_validate, fixed price",
                    size,
                    "fixed",
                    "button_validate",
                    latency=False,
                )
                rows.append(floor)
            ours, label_ids = timed(
                "ours: list Create waybill",
                size,
                "ours",
                "action_carrier_api_create_waybill",
            )
            rows.append(ours)
            if only_ours:
                break
            rows.append(
                timed(
                    "ours: button_validate (books them)",
                    size,
                    "ours",
                    "button_validate",
                )[0]
            )
            if size == sizes[0]:
                rows.append(
                    timed(
                        "ours: list Create waybill, 1 worker (calls in series)",
                        size,
                        "ours",
                        "action_carrier_api_create_waybill",
                        workers=1,
                    )[0]
                )
    finally:
        gateway.stop()
    return rows, label_ids


def waybill_fixture(env, api_server, args):
    from odoo import Command

    indonesia = env.ref("base.id")
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    warehouse.partner_id = env["res.partner"].create(
        {
            "name": "Gudang Bench",
            "street": "Jl. Kebayoran Lama No. 1",
            "city": "Jakarta Selatan",
            "zip": "12240",
            "country_id": indonesia.id,
            "phone": "021 555 1234",
        }
    )
    warehouse.out_type_id.print_label = True  # Odoo sends at validation
    if "stock_move_sms_validation" in env.company._fields:
        # stock_sms would text every customer at validation through IAP (no
        # network here: a DNS time-out each), in the floor and ours alike
        env.company.stock_move_sms_validation = False
        env.company.has_received_warning_stock_sms = True
    connection = env["integration.connection"].create(
        {
            "name": "Bench Biteship waybills",
            "provider": "biteship",
            "api_key": api_server.api_key,
            "base_url": api_server.base_url,
        }
    )
    service = env["product.product"].create(
        {"name": "Bench shipping", "type": "service", "taxes_id": [Command.clear()]}
    )
    ours = env["delivery.carrier"].create(
        {
            "name": "Bench Biteship JNE REG",
            "delivery_type": "biteship",
            "product_id": service.id,
            "carrier_api_connection_id": connection.id,
            "carrier_api_courier_code": "jne",
            "carrier_api_service_code": "reg",
        }
    )
    fixed = env["delivery.carrier"].create(
        {
            "name": "Bench fixed price",
            "delivery_type": "fixed",
            "fixed_price": 15000,
            "product_id": service.id,
        }
    )
    product = env["product.product"].create(
        {
            "name": "Bench kaos",
            "is_storable": True,
            "weight": 0.5,
            "list_price": 150000,
            "taxes_id": [Command.clear()],
        }
    )
    env["stock.quant"]._update_available_quantity(
        product, warehouse.lot_stock_id, 10**7
    )
    customer = env["res.partner"].create(
        {
            "name": "Budi Bench",
            "street": "Jl. Dago No. 10",
            "city": "Bandung",
            "zip": "40132",
            "country_id": indonesia.id,
            "phone": "0812-3456-7890",
        }
    )
    if args.waybill_workers:
        env["ir.config_parameter"].set_param(
            "carrier_api.waybill_workers", str(args.waybill_workers)
        )
    env.cr.commit()
    return {
        "uid": env.ref("base.user_admin").id,
        "warehouse": warehouse,
        "ours": ours.id,
        "fixed": fixed.id,
        "product": product.id,
        "customer": customer.id,
    }


def make_pickings(env, fixture, carrier_id, size):
    """``size`` ready deliveries of one unit, committed; returns their ids."""
    from odoo import Command

    warehouse = fixture["warehouse"].with_env(env)
    picking_type = warehouse.out_type_id
    source = warehouse.lot_stock_id.id
    customers = env.ref("stock.stock_location_customers").id
    product = env["product.product"].browse(fixture["product"])
    ids = []
    for start in range(0, size, 200):
        pickings = env["stock.picking"].create(
            [
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": fixture["customer"],
                    "carrier_id": carrier_id,
                    "location_id": source,
                    "location_dest_id": customers,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "product_uom": product.uom_id.id,
                                "location_id": source,
                                "location_dest_id": customers,
                            }
                        )
                    ],
                }
                for _i in range(start, min(size, start + 200))
            ]
        )
        pickings.action_confirm()
        pickings.action_assign()
        assert set(pickings.mapped("state")) == {"assigned"}, pickings.mapped("state")
        ids += pickings.ids
        env.cr.commit()
    return ids


def waybill_report(rows, args):
    lines = [
        f"Waybills, {args.latency * 1000:.0f} ms per carrier call (Biteship test "
        "server), committed, one transaction per run; SQL queries of every cursor:",
        "",
        "| N | path | wall time | pickings/s | × floor | SQL queries per picking "
        "| done / waybills / carrier POSTs |",
        "|---|---|---|---|---|---|---|",
    ]
    floors = {r["n"]: r["rate"] for r in rows if r["name"].startswith("floor")}
    for row in rows:
        ratio = row["rate"] / floors[row["n"]] if floors.get(row["n"]) else None
        lines.append(
            f"| {row['n']} | {row['name']} | {row['wall']:.1f} s | "
            f"{row['rate']:.1f} | {f'{ratio:.2f}' if ratio else '-'} | "
            f"{row['per']:.0f} | {row['done']} / {row['waybills']} / {row['posts']} |"
        )
    return lines + [""]


def measure_labels(args, db, ids):
    """``ids`` printed as one PDF from the list, through a real Odoo server."""
    import requests

    import odoo

    from benchlib import odoo_server

    registry = odoo.modules.registry.Registry(db)
    url = f"http://127.0.0.1:{args.port}"
    with registry.cursor() as cr:
        cr.execute(
            "INSERT INTO ir_config_parameter (key, value) VALUES ('report.url', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [url],
        )
    odoo.modules.registry.Registry.delete(db)
    odoo.sql_db.close_db(db)
    data_dir = odoo.tools.config["data_dir"]
    with odoo_server(
        db, "carrier_api", port=args.port, extra_args=(f"--data-dir={data_dir}",)
    ) as base:
        session = requests.Session()
        answer = session.post(
            f"{base}/web/session/authenticate",
            json={"params": {"db": db, "login": "admin", "password": "admin"}},
            timeout=60,
        ).json()
        if not answer.get("result"):
            raise SystemExit(f"login failed: {answer}")
        # warm up: one label (the worker loads the registry and the assets)
        session.get(
            f"{base}/report/pdf/carrier_api.report_carrier_label/{ids[0]}", timeout=600
        )
        t0 = time.monotonic()
        response = session.get(
            f"{base}/report/pdf/carrier_api.report_carrier_label/"
            + ",".join(map(str, ids)),
            timeout=1200,
        )
        wall = time.monotonic() - t0
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        raise SystemExit(f"label PDF failed: HTTP {response.status_code}")
    pages = response.content.count(b"/Type /Page") - response.content.count(
        b"/Type /Pages"
    )
    # the barcode is an image fetched by wkhtmltopdf: one per page when it worked
    images = _pdf_images(response.content)
    print({"labels": len(ids), "wall": wall, "bytes": len(response.content)})
    return [
        f"Labels: {len(ids)} of our 100x150 mm labels as one PDF from the list "
        "(`/report/pdf/carrier_api.report_carrier_label/<ids>`, prefork server, "
        "barcodes fetched by wkhtmltopdf):",
        "",
        "| labels | pages | barcode images | wall time | PDF size |",
        "|---|---|---|---|---|",
        f"| {len(ids)} | {pages} | {images} | {wall:.1f} s | "
        f"{len(response.content) / 1e6:.1f} MB |",
        "",
    ]


def _pdf_images(pdf):
    """Image objects on the pages of ``pdf`` (the barcodes, when they loaded)."""
    import io

    from odoo.tools.pdf import PdfFileReader

    count = 0
    for page in PdfFileReader(io.BytesIO(pdf)).pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        xobjects = (
            xobjects.get_object() if hasattr(xobjects, "get_object") else xobjects
        )
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


def run_tracking(args):
    import odoo
    from odoo import SUPERUSER_ID, api

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
    lines = [
        f"Tracking sync, {args.latency * 1000:.0f} ms per carrier call "
        "(in process, rolled back):",
        "",
        "| N | carrier calls | wall time | shipments/s | SQL queries | per shipment |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['n']} | {row['calls']} | {row['wall']:.1f} s | "
            f"{row['n'] / row['wall']:.0f} | {row['queries']} | {row['per']:.2f} |"
        )
    return lines + [""]


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
