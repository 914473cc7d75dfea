# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Install hook: a company that already used Odoo's e-Faktur keeps its data (issue 11
item 1)."""

from odoo.tools import SQL

from .models.account_move_efaktur import ODOO_DOCUMENT_FIELDS


def post_init_hook(env):
    mark_odoo_exported(env)


def mark_odoo_exported(env):
    """Mark as "Exported by Odoo's e-Faktur" the invoices that have one of Odoo's e-Faktur
    documents (Coretax XML or legacy CSV) and none of our exports: without it they would
    show as To Export and be sent to Coretax a second time. One UPDATE (an install on a
    database with years of invoices); the fields' write keeps it in sync afterwards.

    :return: the number of invoices marked
    """
    Move = env["account.move"]
    columns = [name for name in ODOO_DOCUMENT_FIELDS if name in Move._fields]
    if not columns:
        return 0
    env.flush_all()
    condition = SQL(" OR ").join(
        SQL("%s IS NOT NULL", SQL.identifier(column)) for column in columns
    )
    env.cr.execute(
        SQL(
            """UPDATE account_move
                  SET efaktur_state = 'exported_odoo'
                WHERE efaktur_state = 'to_export'
                  AND efaktur_batch_id IS NULL
                  AND (%s)""",
            condition,
        )
    )
    count = env.cr.rowcount
    Move.invalidate_model(["efaktur_state"])
    return count
