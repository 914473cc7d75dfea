# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from . import integration_connection, integration_event, integration_log
from . import integration_oauth_state
from . import res_config_settings
