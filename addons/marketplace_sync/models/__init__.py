# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import integration_connection
from . import marketplace_shop
from . import marketplace_order
from . import marketplace_product_map
from . import marketplace_settlement
from . import marketplace_settlement_line
from . import sale_order
from . import stock_picking
from . import stock_move
from . import marketplace_return
from . import res_partner
from . import res_config_settings
