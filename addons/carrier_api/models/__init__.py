# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import integration_connection
from . import delivery_carrier
from . import carrier_api_waybill
from . import res_partner
from . import stock_picking
from . import region
from . import region_loader
from . import res_partner_region
from . import carrier_rule
from . import sale_order_rule
from . import carrier_area
from . import res_partner_area
from . import carrier_tracking_event
from . import stock_picking_tracking
from . import integration_connection_webhook
from . import stock_picking_pickup
