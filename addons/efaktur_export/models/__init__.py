# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import efaktur_problems
from . import coretax_xml
from . import account_tax
from . import res_company
from . import account_move
from . import efaktur_document
from . import res_config_settings
from . import efaktur_trx_code
from . import efaktur_batch
from . import account_move_efaktur
from . import efaktur_legacy_csv
from . import efaktur_nsfp_range
from . import account_move_legacy
from . import coretax_invoice_list
from . import account_move_faktur_number
