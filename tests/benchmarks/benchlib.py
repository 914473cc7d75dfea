# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every benchmark needs: a real Odoo server on its own database, a JSON-RPC client,
percentiles and polling. Benchmarks are scripts, run by hand; they are not tests."""

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# Odoo's deployment guide: workers = 2 x CPUs + 1 (odoo.com/documentation, "Deploying
# Odoo", worker number calculation).
HTTP_WORKERS = 2 * (os.cpu_count() or 1) + 1
sys.path.insert(0, str(ROOT / "addons" / "base_integration" / "tests"))


class Rpc:
    """Minimal JSON-RPC client (``/jsonrpc`` ``object.execute_kw``)."""

    def __init__(self, url, db, login="admin", password="admin"):
        self.url, self.db, self.password = url.rstrip("/"), db, password
        self.session = requests.Session()
        self._ids = itertools.count(1)
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise SystemExit(f"Login failed for {login} on {db}")

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._ids),
            "params": {"service": service, "method": method, "args": args},
        }
        answer = self.session.post(
            f"{self.url}/jsonrpc", json=payload, timeout=600
        ).json()
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RuntimeError(data.get("message") or answer["error"])
        return answer.get("result")

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


def warm_up(url, path, senders=16, count=160):
    """Make every HTTP worker load the registry before measuring.

    A new Odoo worker process loads the database's registry on its first request
    (about a second); production workers are long-lived, so latency figures are taken
    in that steady state. ``path`` should be a cheap POST route of the measured kind.
    """
    left = list(range(count))
    lock = threading.Lock()

    def sender():
        session = requests.Session()
        while True:
            with lock:
                if not left:
                    return
                left.pop()
            session.post(f"{url.rstrip('/')}{path}", data=b"{}", timeout=60)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def wait_for(predicate, timeout, interval=0.5, what="condition"):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    raise SystemExit(f"Timed out after {timeout}s waiting for {what}")


def _odoo_config(port, data_dir):
    text = (ROOT / "odoo.conf").read_text()
    lines = []
    for line in text.splitlines():
        key = line.split("=")[0].strip()
        if key == "addons_path":
            line = f"addons_path = {ROOT / 'addons'}"
        elif key == "http_port":
            line = f"http_port = {port}"
        elif key == "gevent_port":
            line = f"gevent_port = {port + 3}"
        elif key == "data_dir":
            line = f"data_dir = {data_dir}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def database_exists(db):
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{db}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip() == "1"


def write_config(directory, port=18095):
    """An Odoo configuration for benchmarks in ``directory``; returns its path."""
    directory = Path(directory)
    conf = directory / "odoo.conf"
    conf.write_text(_odoo_config(port, directory / "data"))
    return conf


def ensure_database(db, modules, conf):
    """Create ``db`` with ``modules`` (no demo data) unless it exists."""
    if database_exists(db):
        return
    print(f"creating database {db} with {modules} ...", flush=True)
    subprocess.run(
        [
            "odoo",
            "-c",
            str(conf),
            "-d",
            db,
            "-i",
            modules,
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


@contextmanager
def odoo_server(
    db, modules, *, port=18095, workers=None, cron_workers=2, fresh=False, extra_args=()
):
    """Create ``db`` with ``modules`` if needed, then serve it; yields the base URL.

    Runs Odoo in multi-process mode (``--workers``) as production would: by default
    Odoo's own sizing rule of 2 × CPUs + 1 HTTP workers (5 on 2 cores), with
    ``cron_workers`` scheduler processes draining the integration queues.
    """
    workers = workers or HTTP_WORKERS
    work = Path(tempfile.mkdtemp(prefix="bench-odoo-"))
    conf = write_config(work, port)
    if fresh and database_exists(db):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "--force", db], check=True)
    ensure_database(db, modules, conf)
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            "odoo",
            "-c",
            str(conf),
            "-d",
            db,  # -d without --db-filter: no listing of databases on each request
            f"--workers={workers}",
            f"--max-cron-threads={cron_workers}",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--limit-memory-soft=4294967296",
            "--limit-memory-hard=6442450944",
            "--log-level=warn",
            *extra_args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, ODOO_NOTIFY_CRON_CHANGES="1"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(url), 120, what="the Odoo server")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _up(url):
    try:
        return requests.get(f"{url}/web/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False
