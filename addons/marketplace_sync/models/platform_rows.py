# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One row per platform record and shop, created on first sight and locked while it is
worked on: how orders and returns stay exactly-once under concurrent deliveries."""

from odoo.tools import SQL


def lock_platform_rows(model, shop, external_ids, state):
    """``{external_id: record}`` of ``model`` (orders, returns) for ``shop``.

    Missing rows are inserted in ``state`` (``INSERT ... ON CONFLICT DO NOTHING`` on the
    model's unique (shop_id, name)), then all are locked ``FOR UPDATE``. Rows are
    inserted and locked in external-id order, the same for every worker, so two workers
    importing overlapping sets wait for each other instead of deadlocking.
    """
    refs = sorted(set(external_ids))
    if not refs:
        return {}
    env = model.env
    env.flush_all()
    table = SQL.identifier(model._table)
    env.cr.execute(
        SQL(
            """INSERT INTO %s
                   (name, shop_id, provider, company_id, state, create_uid,
                    write_uid, create_date, write_date)
               SELECT ref, %s, %s, %s, %s, %s, %s, now() at time zone 'utc',
                      now() at time zone 'utc'
                 FROM unnest(%s::varchar[]) WITH ORDINALITY AS t(ref, position)
                ORDER BY position
               ON CONFLICT (shop_id, name) DO NOTHING""",
            table,
            shop.id,
            shop.provider,
            shop.company_id.id,
            state,
            env.uid,
            env.uid,
            refs,
        )
    )
    env.cr.execute(
        SQL(
            "SELECT id, name FROM %s WHERE shop_id = %s AND name = ANY(%s)"
            " ORDER BY name FOR UPDATE",
            table,
            shop.id,
            refs,
        )
    )
    rows = {name: record_id for record_id, name in env.cr.fetchall()}
    model.browse(list(rows.values())).invalidate_recordset()
    return {name: model.browse(record_id) for name, record_id in rows.items()}
