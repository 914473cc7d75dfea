# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Wake the cron workers after a webhook is stored, cheaply.

``ir.cron._trigger()`` creates the trigger through the ORM and, after commit, opens a
new connection to the ``postgres`` database to send the NOTIFY the cron workers listen
to (Odoo never pools connections to ``postgres``). On a webhook answered in a few
milliseconds that connection is the largest cost, so each process keeps one connection
for these notifications and reuses it.
"""

import logging
import os
import threading

import psycopg2

from odoo.sql_db import connection_info_for

_logger = logging.getLogger(__name__)

NOTIFY_FUNCTION = os.getenv("ODOO_NOTIFY_FUNCTION", "pg_notify")
_lock = threading.Lock()
_state = {"cnx": None, "pid": None}


def _connection():
    cnx = _state["cnx"]
    if cnx is None or cnx.closed or _state["pid"] != os.getpid():
        _dbname, info = connection_info_for("postgres")
        cnx = psycopg2.connect(**info)
        cnx.autocommit = True
        _state.update(cnx=cnx, pid=os.getpid())
    return cnx


def notify_cron_workers(dbname):
    """Send the ``cron_trigger`` notification for ``dbname`` (after commit)."""
    with _lock:
        for attempt in (1, 2):
            try:
                with _connection().cursor() as cr:
                    cr.execute(
                        f"SELECT {NOTIFY_FUNCTION}('cron_trigger', %s)",  # noqa: S608
                        [dbname],
                    )
                return
            except psycopg2.Error:
                _state["cnx"] = None
                if attempt == 2:
                    _logger.warning("Could not wake the cron workers", exc_info=True)


def wake_cron(env, xmlid):
    """Ask for ``xmlid`` to run now: a trigger row now, a notification after commit."""
    cron_id = env["ir.model.data"]._xmlid_to_res_id(xmlid)
    env.cr.execute(
        "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, create_date,"
        " write_uid, write_date) VALUES (%s, now() at time zone 'UTC', %s,"
        " now() at time zone 'UTC', %s, now() at time zone 'UTC')",
        [cron_id, env.uid, env.uid],
    )
    dbname = env.cr.dbname
    env.cr.postcommit.add(lambda: notify_cron_workers(dbname))
