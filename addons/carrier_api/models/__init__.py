# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import delivery_carrier
from . import carrier_api_waybill
from . import res_partner
from . import stock_picking
from . import carrier_tracking_event
from . import stock_picking_tracking
from . import integration_connection_webhook
