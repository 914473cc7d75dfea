-- Copyright 2026 Odoo Indonesia Suite
-- License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
-- A neutralized copy must never open, cancel or re-check virtual accounts at a gateway.
UPDATE integration_connection
   SET va_auto_create = FALSE
 WHERE provider IN ('midtrans', 'xendit');
UPDATE ir_cron
   SET active = FALSE
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'payment_va' AND name = 'ir_cron_payment_va_recover');
