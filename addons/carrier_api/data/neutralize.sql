-- A copied database must not book, cancel or track parcels with the live carrier
-- accounts (base_integration's neutralize already clears api_key / api_secret and the
-- webhook secret, and Odoo's deactivates the crons): clear the carrier credentials and the
-- SiCepat receipt range, which a copy would otherwise consume.
UPDATE integration_connection
   SET jne_username = NULL,
       jnt_username = NULL,
       jnt_tariff_key = NULL,
       jnt_track_password = NULL,
       jnt_print_key = NULL,
       sicepat_receipt_next = NULL,
       sicepat_receipt_last = NULL;
