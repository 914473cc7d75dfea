# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Databases installed before 18.0.0.1.1: mark the invoices of Odoo's own e-Faktur
documents (done by the install hook since), and number batches without gaps."""

from odoo import SUPERUSER_ID, api

from odoo.addons.efaktur_export.hooks import mark_odoo_exported


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    mark_odoo_exported(env)
    # data/efaktur_batch_sequence.xml is noupdate: its new implementation is set here.
    sequence = env.ref("efaktur_export.seq_efaktur_export_batch", False)
    if sequence:
        sequence.implementation = "no_gap"
