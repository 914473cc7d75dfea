# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Databases before 18.0.1.0.1: the open "tracking number outdated" activities were of
Odoo's generic Exception type, told apart by their summary only. They get the bridge's
own type (found by type since), so the next change of the waybill rewrites them
instead of scheduling a second one."""

from odoo import SUPERUSER_ID, api
from odoo.osv import expression
from odoo.tools.sql import escape_psql
from odoo.tools.translate import code_translations

MODULE = "carrier_api_marketplace"
# the summary the old code wrote, in the language of whoever triggered it
OLD_SUMMARY = "Update the tracking number on %s"


def _summary_patterns(env):
    """``=like`` patterns of the old summary in every installed language, the
    platform's name (``%s``) matching anything."""
    texts = {OLD_SUMMARY}
    for lang, _name in env["res.lang"].get_installed():
        texts.add(
            code_translations.get_python_translations(MODULE, lang).get(
                OLD_SUMMARY, OLD_SUMMARY
            )
        )
    return sorted(escape_psql(text).replace(r"\%s", "%") for text in texts)


def retype_stale_tracking_activities(env):
    """Give the open activities the old code scheduled for an outdated platform
    tracking number the bridge's type.

    :return: the activities retyped
    """
    old_type = env.ref("mail.mail_activity_data_warning", raise_if_not_found=False)
    new_type = env.ref(f"{MODULE}.mail_activity_type_stale_tracking")
    if not old_type:
        return env["mail.activity"]
    activities = env["mail.activity"].search(
        expression.AND(
            [
                [
                    ("res_model", "=", "stock.picking"),
                    ("activity_type_id", "=", old_type.id),
                ],
                expression.OR(
                    [[("summary", "=like", p)] for p in _summary_patterns(env)]
                ),
            ]
        )
    )
    activities.write({"activity_type_id": new_type.id})
    return activities


def migrate(cr, version):
    if not version:
        return
    retype_stale_tracking_activities(api.Environment(cr, SUPERUSER_ID, {}))
