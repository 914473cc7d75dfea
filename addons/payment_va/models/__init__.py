# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import (
    payment_va_bank,
    integration_connection,
    payment_va,
    payment_va_transaction,
    payment_va_review,
    account_move,
    account_move_line,
    account_payment,
    res_partner,
    res_config_settings,
)
