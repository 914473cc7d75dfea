# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Benchmark of the Coretax XML export (efaktur_export) against Odoo's own module.

    python3 tests/benchmarks/bench_efaktur.py [--sizes 1000,10000]

Creates (once) a database ``bench_efaktur`` from ``suite_template`` with an Indonesian
company and 10,000 posted invoices of 3 lines each for a mix of buyers (PT with NPWP, PT
branches with their own TKU, individuals with NIK). Then, for each N, a fresh process
exports the first N invoices with ``_efaktur_coretax_files()`` (files of 1,000) and another
exports them with Odoo's ``l10n_id_efaktur_coretax`` code path (``prepare_efaktur_vals`` +
its QWeb template, also per 1,000 invoices). The ``wizard`` row exports the same N through
the export wizard's Python path (``efaktur.export.wizard._efaktur_export()`` with the invoices
selected): row locks, the engine, one attachment per file and the zip, the batch and its
number, the invoices' export state written; rolled back afterwards. Measured: invoices per
second and the peak resident memory of the process during the export (sampled every 20 ms).
Figures are written to ``results/efaktur.md`` next to this file. Buyers and taxes are chosen
so that Odoo's module does not crash (one tax per line, a ``vat`` on every buyer).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
RESULTS = HERE.parent / "results" / "efaktur.md"
TOTAL = 10000
ORM_INVOICES = 1000  # made through the ORM; the rest are SQL copies
EXPORTERS = ("ours", "ours_stream", "wizard", "odoo")


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def odoo_env(db):
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", os.environ["BENCH_CONF"], "-d", db, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = odoo.modules.registry.Registry(db)
    return odoo, registry


def conf_file():
    work = Path("/tmp/bench-efaktur")
    work.mkdir(exist_ok=True)
    text = (ROOT / "odoo.conf").read_text()
    lines = []
    for line in text.splitlines():
        key = line.split("=")[0].strip()
        if key == "addons_path":
            line = f"addons_path = {ROOT / 'addons'}"
        elif key == "data_dir":
            line = f"data_dir = {work / 'data'}"
        lines.append(line)
    conf = work / "odoo.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def setup(db):
    """Create the company and the invoices (skipped when they exist)."""
    odoo, registry = odoo_env(db)
    from odoo import Command

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"no_vat_validation": True})
        company = env["res.company"].search([("name", "=", "Bench Seller")], limit=1)
        if company:
            count = env["account.move"].search_count(
                [("company_id", "=", company.id), ("state", "=", "posted")]
            )
            if count < TOTAL and count >= ORM_INVOICES:
                replicate(cr, company.id, ORM_INVOICES, TOTAL)
                cr.commit()
            return
        started = time.monotonic()
        company = env["res.company"].create(
            {
                "name": "Bench Seller",
                "country_id": env.ref("base.id").id,
                "currency_id": env.ref("base.IDR").id,
                "vat": "0123456789012000",
            }
        )
        env.user.company_ids |= company
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        env["account.chart.template"].try_loading("id", company, install_demo=False)
        chart = env["account.chart.template"].with_company(company)
        tax = chart.ref("tax_ST1")  # 11%: 12% of DPP Nilai Lain 11/12
        country = env.ref("base.id").id
        buyers = []
        for i in range(20):
            pt = env["res.partner"].create(
                {
                    "name": f"PT Pembeli {i:02d}",
                    "is_company": True,
                    "vat": f"09876543210{i:05d}",
                    "street": f"Jl. Sudirman No. {i}",
                    "city": "Jakarta",
                    "zip": "10220",
                    "country_id": country,
                    "l10n_id_kode_transaksi": "04",
                }
            )
            buyers.append(pt)
            if i < 5:
                buyers.append(
                    env["res.partner"].create(
                        {
                            "name": f"Cabang {i}",
                            "parent_id": pt.id,
                            "type": "invoice",
                            "l10n_id_tku": f"{i + 1:06d}",
                            "street": f"Jl. Cabang {i}",
                            "city": "Surabaya",
                            "country_id": country,
                        }
                    )
                )
        for i in range(20):
            nik = f"32730101019{i:05d}"
            buyers.append(
                env["res.partner"].create(
                    {
                        "name": f"Pembeli Perorangan {i:02d}",
                        "vat": nik,  # Odoo's module needs a vat even here
                        "l10n_id_buyer_document_type": "NIK",
                        "l10n_id_buyer_document_number": nik,
                        "street": f"Jl. Braga No. {i}",
                        "city": "Bandung",
                        "country_id": country,
                        "l10n_id_kode_transaksi": "04",
                    }
                )
            )
        products = [
            env["product.product"].create(
                {"name": name, "type": kind, "list_price": price}
            )
            for name, kind, price in (
                ("Kertas A4", "consu", 55000),
                ("Tinta", "consu", 125000),
                ("Jasa instalasi", "service", 8945),
            )
        ]
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        batch = 250
        for start in range(0, ORM_INVOICES, batch):
            vals = []
            for i in range(start, min(start + batch, ORM_INVOICES)):
                day = 1 + i % 28
                vals.append(
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "journal_id": journal.id,
                        "partner_id": buyers[i % len(buyers)].id,
                        "invoice_date": f"2025-06-{day:02d}",
                        "date": f"2025-06-{day:02d}",
                        "l10n_id_kode_transaksi": "04",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "name": product.name,
                                    "quantity": 1 + (i + k) % 7,
                                    "price_unit": product.list_price,
                                    "discount": 10 if (i + k) % 5 == 0 else 0,
                                    "tax_ids": [Command.set(tax.ids)],
                                }
                            )
                            for k, product in enumerate(products)
                        ],
                    }
                )
            env["account.move"].create(vals).action_post()
            cr.commit()
            env.invalidate_all()
            print(f"  {start + batch} invoices", flush=True)
        replicate(cr, company.id, ORM_INVOICES, TOTAL)
        cr.commit()
        print(f"setup: {time.monotonic() - started:.0f} s", flush=True)


def replicate(cr, company_id, orm_count, total):
    """Copy the ORM-made posted invoices (moves, lines, line taxes) by SQL up to ``total``.

    Creating and posting 10,000 invoices through the ORM takes most of an hour on a shared
    2-core machine; the export only reads rows, so copies of real posted invoices (new ids,
    new unique names) measure the same work.
    """

    def columns(table):
        cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND column_name NOT IN ('id') ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cr.fetchall()]

    cr.execute(
        "SELECT id FROM account_move WHERE company_id = %s AND state = 'posted' ORDER BY id",
        [company_id],
    )
    source = [row[0] for row in cr.fetchall()][:orm_count]
    move_cols = columns("account_move")
    line_cols = columns("account_move_line")
    copies = (total - len(source) + len(source) - 1) // len(source)
    for k in range(1, copies + 1):
        wanted = min(len(source), total - len(source) * k)
        if wanted <= 0:
            break
        ids = source[:wanted]
        cr.execute(
            "CREATE TEMP TABLE bench_map ON COMMIT DROP AS SELECT id AS old_id,"
            " nextval('account_move_id_seq') AS new_id FROM account_move WHERE id = ANY(%s)",
            [ids],
        )
        select = ", ".join(
            f"'COPY{k}/' || m.name" if c == "name" else f"m.{c}" for c in move_cols
        )
        cr.execute(
            f"INSERT INTO account_move (id, {', '.join(move_cols)})"  # noqa: S608
            f" SELECT bm.new_id, {select} FROM account_move m"
            " JOIN bench_map bm ON bm.old_id = m.id"
        )
        cr.execute(
            "CREATE TEMP TABLE bench_lmap ON COMMIT DROP AS SELECT l.id AS old_id,"
            " nextval('account_move_line_id_seq') AS new_id, bm.new_id AS move_id"
            " FROM account_move_line l JOIN bench_map bm ON bm.old_id = l.move_id"
        )
        select = ", ".join(
            "bl.move_id"
            if c == "move_id"
            else (f"'COPY{k}/' || l.move_name" if c == "move_name" else f"l.{c}")
            for c in line_cols
        )
        cr.execute(
            f"INSERT INTO account_move_line (id, {', '.join(line_cols)})"  # noqa: S608
            f" SELECT bl.new_id, {select} FROM account_move_line l"
            " JOIN bench_lmap bl ON bl.old_id = l.id"
        )
        cr.execute(
            "INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id)"
            " SELECT bl.new_id, r.account_tax_id FROM account_move_line_account_tax_rel r"
            " JOIN bench_lmap bl ON bl.old_id = r.account_move_line_id"
        )
        cr.execute("DROP TABLE bench_map; DROP TABLE bench_lmap")
        print(f"  copy {k}: {wanted} invoices", flush=True)


def odoo_own_export(env, invoices):
    """What Odoo's ``l10n_id_efaktur_coretax.document._generate_efaktur_invoice`` does (its
    body, without our override of that method), per 1,000 invoices."""
    from lxml import etree

    from odoo.tools import cleanup_xml_node

    files = []
    company = invoices.company_id
    for start in range(0, len(invoices), 1000):
        chunk = invoices[start : start + 1000]
        data = chunk.prepare_efaktur_vals()
        xml = env["ir.qweb"]._render(
            "l10n_id_efaktur_coretax.efaktur_coretax_template",
            {"data": data, "TIN": company.vat},
        )
        files.append(
            etree.tostring(
                cleanup_xml_node(
                    xml, remove_blank_text=False, remove_blank_nodes=False
                ),
                xml_declaration=True,
                encoding="UTF-8",
            )
        )
    return files


def measure(db, which, size):
    odoo, registry = odoo_env(db)
    from odoo import Command

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([("name", "=", "Bench Seller")], limit=1)
        env = env(context={"allowed_company_ids": company.ids})
        ids = (
            env["account.move"]
            .search(
                [("company_id", "=", company.id), ("state", "=", "posted")],
                order="id",
                limit=size,
            )
            .ids
        )
        env.invalidate_all()
        invoices = env["account.move"].browse(ids)
        size_total = 0
        base = rss_mb()
        peak = [base]
        running = [True]

        def sampler():
            while running[0]:
                peak[0] = max(peak[0], rss_mb())
                time.sleep(0.02)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        started = time.perf_counter()
        if which == "ours":
            files = [xml for _name, xml in invoices._efaktur_coretax_files()]
        elif which == "wizard":
            # What the Export button does, without the form: a new batch with its files.
            wizard = env["efaktur.export.wizard"].create(
                {"invoice_ids": [Command.set(invoices.ids)]}
            )
            batch = wizard._efaktur_export()
            xml_files = batch.attachment_ids.filtered(lambda a: a.name.endswith(".xml"))
            files = [b""] * len(xml_files)
            size_total = sum(xml_files.mapped("file_size"))
        elif which == "ours_stream":
            # one file at a time, dropped once "stored": memory of one file
            count = size_total = 0
            for _name, xml in invoices._efaktur_coretax_iter_files():
                count += 1
                size_total += len(xml)
                del xml
            files = [b"x" * 0] * count
        else:
            files = odoo_own_export(env, invoices)
        elapsed = time.perf_counter() - started
        running[0] = False
        thread.join()
        peak[0] = max(peak[0], rss_mb())
        print(
            json.dumps(
                {
                    "which": which,
                    "n": size,
                    "seconds": elapsed,
                    "per_s": size / elapsed,
                    "files": len(files),
                    "bytes": sum(len(f) for f in files) or size_total,
                    "rss_before_mb": base,
                    "rss_peak_mb": peak[0],
                }
            ),
            flush=True,
        )
        cr.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="bench_efaktur")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--measure", choices=EXPORTERS)
    parser.add_argument("--size", type=int)
    parser.add_argument("--setup-only", action="store_true")
    args = parser.parse_args()
    if "BENCH_CONF" not in os.environ:
        os.environ["BENCH_CONF"] = str(conf_file())
    if args.measure:
        measure(args.db, args.measure, args.size)
        return
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-T", "suite_template", args.db], check=True
        )
        subprocess.run(
            [
                "odoo",
                "-c",
                os.environ["BENCH_CONF"],
                "-d",
                args.db,
                "-u",
                "efaktur_export",
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
        )
    setup(args.db)
    if args.setup_only:
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for which in EXPORTERS:
            out = subprocess.run(
                [
                    sys.executable,
                    str(HERE),
                    "--db",
                    args.db,
                    "--measure",
                    which,
                    "--size",
                    str(size),
                ],
                capture_output=True,
                text=True,
                env=os.environ,
            )
            result = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if not result:
                print(out.stdout[-2000:], out.stderr[-4000:])
                raise SystemExit(f"measure {which} {size} failed")
            row = json.loads(result[-1])
            print(row, flush=True)
            rows.append(row)
    lines = [
        "# e-Faktur Coretax export benchmark",
        "",
        f"`python3 {HERE.relative_to(ROOT)}` on {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Posted invoices of 3 lines, "
        "45 buyers (PT, PT branches, NIK individuals); files of 1,000 invoices. Peak RSS of the "
        "exporting process (Odoo registry loaded before the export). `ours` returns the list of "
        "files (`_efaktur_coretax_files`); `ours_stream` validates all, then yields one file at "
        "a time (`_efaktur_coretax_iter_files`, two reads); `wizard` exports through "
        "`efaktur.export.wizard._efaktur_export()` (locks, attachments, zip, batch, invoice "
        "writes; rolled back).",
        "",
        "| Exporter | N | seconds | invoices/s | files | peak RSS MB (before) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['which']} | {row['n']} | {row['seconds']:.1f} | {row['per_s']:.0f} | "
            f"{row['files']} | {row['rss_peak_mb']:.0f} ({row['rss_before_mb']:.0f}) |"
        )
    by = {(r["which"], r["n"]): r for r in rows}
    for size in {r["n"] for r in rows}:
        if ("ours", size) in by and ("odoo", size) in by:
            ratio = by[("ours", size)]["per_s"] / by[("odoo", size)]["per_s"]
            lines.append(f"\nN = {size}: ours is {ratio:.1f}x Odoo's own export.")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
