# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import test_normalize
from . import test_intake
from . import test_sync
from . import test_fulfilment
from . import test_stock
from . import test_oauth
from . import test_settlement
from . import test_tour
from . import test_returns
from . import test_i18n
from . import test_masking_shopee
from . import test_perimeter_rbac, test_perimeter_routes
from . import test_plumb_tokens, test_plumb_shipment, test_plumb_lost_push
from . import test_acct_settlement
from . import test_acct_settlement_cron
from . import test_acct_cancel
from . import test_acct_cancel_answer
from . import test_acct_discounts
from . import test_acct_structure
from . import test_acct_buyers
from . import test_ux_actions
