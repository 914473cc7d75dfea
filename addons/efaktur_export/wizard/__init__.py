# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import efaktur_export_wizard
from . import efaktur_export_wizard_legacy
from . import efaktur_coretax_import_wizard
from . import efaktur_export_problem
