# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import test_rate
from . import test_waybill
from . import test_waybill_concurrency
from . import test_label
from . import test_pickup
from . import test_tracking
from . import test_webhook_biteship
from . import test_tour
from . import test_address
from . import test_carrier_rule
from . import test_address_area
from . import test_clients_http
from . import test_i18n
from . import test_neutralize
from . import test_sicepat_receipts
from . import test_security
from . import test_webhook_token_log
from . import test_pickup_carriers
from . import test_tracking_carriers
from . import test_pickup_concurrency
from . import test_tracking_packages
from . import test_waybill_batch
from . import test_waybill_review
from . import test_waybill_batch_cursors
from . import test_tracking_review
from . import test_webhook_biteship_waybill
