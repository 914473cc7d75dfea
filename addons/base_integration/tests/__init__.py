# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import common
from . import (
    test_http_circuit,
    test_http_log_housekeeping,
    test_http_log_locks,
    test_http_session,
    test_http_transport,
    test_masking,
    test_masking_dead_letter,
    test_parallel_workers,
    test_processing,
    test_queue_semantics,
    test_queue_workers,
    test_security,
    test_ui,
    test_ux_dashboard,
    test_webhook,
)
from . import test_i18n
from . import test_perimeter_routes, test_perimeter_routing
