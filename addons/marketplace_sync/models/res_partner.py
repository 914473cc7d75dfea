# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    marketplace_key = fields.Char(
        string="Marketplace buyer key",
        copy=False,
        index="btree_not_null",
        readonly=True,
        help="Who this partner is for the marketplace intake: a platform buyer, or a "
        "buyer's delivery address; found again instead of created with every order.",
    )

    def init(self):
        # One partner per key and company, enforced by the database: two workers
        # importing orders of the same buyer at once cannot both create it (the
        # second insert waits for the first and then fails; its event is retried).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS res_partner_marketplace_key_uniq
                ON res_partner (company_id, marketplace_key)
             WHERE marketplace_key IS NOT NULL
            """
        )
