-- A copied database must not call gateways nor accept their notifications.
UPDATE integration_connection
   SET api_key = NULL,
       api_secret = NULL,
       webhook_secret = NULL,
       access_token = NULL,
       refresh_token = NULL,
       token_expires_at = NULL,
       environment = 'test';
UPDATE integration_event
   SET state = 'ignored', error = 'Neutralized database', next_attempt_at = NULL
 WHERE direction = 'outbound' AND state IN ('received', 'failed');
