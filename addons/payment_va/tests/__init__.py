# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import test_api, test_midtrans, test_tour, test_xendit
from . import test_portal
from . import test_i18n
from . import test_perimeter_rbac, test_perimeter_routes
from . import (
    test_book_confirm,
    test_book_reversal,
    test_book_review,
    test_book_rounding,
)
from . import test_va_concurrency, test_va_lifecycle
from . import test_ux_actions
