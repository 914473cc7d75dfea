# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import test_coretax_rounding, test_coretax_golden, test_coretax_validation
from . import test_i18n
from . import test_coretax_spread
from . import test_coretax_currency, test_coretax_price_qty, test_coretax_luxury
from . import test_batch
from . import test_legacy_csv
from . import test_nsfp_range
from . import test_nsfp_concurrency
from . import test_coretax_import
from . import test_tour
from . import test_export_wizard
from . import test_batch_reexport
from . import test_export_concurrency
from . import test_wizard_tour
from . import test_odoo_exported
from . import test_export_scope
from . import test_legacy_odoo_nsfp
