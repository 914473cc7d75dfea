-- Copyright 2026 Odoo Indonesia Suite
-- License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
-- A neutralized copy must not sync with live shops nor push stock to them.
UPDATE marketplace_shop SET sync_enabled = false, stock_push_enabled = false;
UPDATE ir_cron SET active = false
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'marketplace_sync' AND model = 'ir.cron');
