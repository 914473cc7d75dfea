# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class EfakturExportBatch(models.Model):
    _inherit = "efaktur.export.batch"

    def _efaktur_attach(self, filename, content, mimetype):
        """EXTENDS: the legacy CSV is stored as text/csv, not as the XML type the batch
        gives every file."""
        if filename.endswith(".csv"):
            mimetype = "text/csv"
        return super()._efaktur_attach(filename, content, mimetype)
