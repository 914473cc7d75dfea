# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class EfakturDocument(models.Model):
    _inherit = "l10n_id_efaktur_coretax.document"

    def _generate_efaktur_invoice(self):
        """OVERRIDE: Odoo's document (and its "Regenerate" button) gets our XML instead of
        the QWeb template's (efaktur.md §2.10 for what that template gets wrong). Raises
        ``EfakturProblemsError`` listing every problem."""
        self.ensure_one()
        files = self.invoice_ids._efaktur_coretax_files(
            max_per_file=len(self.invoice_ids) or 1
        )
        return files[0][1]
