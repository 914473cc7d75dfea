# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carrier accounts as ``base_integration`` connections: credentials (administrators
only), hosts per environment, the client factory ``_carrier_client()``."""

import logging
from urllib.parse import quote

from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.base_integration.api.exceptions import IntegrationError

from ..api import CLIENTS
from ..api import biteship as biteship_api
from ..api import jne as jne_api
from .const import CARRIER_CODES, CARRIERS

_logger = logging.getLogger(__name__)

CARRIER_PROVIDERS = CARRIER_CODES
# Credential fields added here, on top of base_integration's api_key/api_secret:
# administrators (Settings) only, masked out of logs and errors like those.
CARRIER_SECRET_FIELDS = (
    "jne_username",
    "jnt_username",
    "jnt_tariff_key",
    "jnt_track_password",
    "jnt_print_key",
)
# Names of fields/headers that carry these secrets in the carriers' requests
# (carriers.md §8): masked by name in the HTTP log.
CARRIER_SECRET_NAMES = (
    "api_key",
    "username",
    "data_sign",
    "data_digest",
    "auth_key",
    "access-key-id",
    "secret-access-key",
)


class IntegrationConnection(models.Model):
    _inherit = "integration.connection"

    provider = fields.Selection(
        selection_add=CARRIERS,
        ondelete={code: "cascade" for code in CARRIER_PROVIDERS},
    )
    # --- JNE (carriers.md §1.1, §1.3): username + api_key in every form post.
    jne_username = fields.Char(
        string="JNE username", groups="base.group_system", copy=False
    )
    jne_branch_code = fields.Char(
        string="JNE branch code",
        help="OLSHOP_BRANCH, e.g. CGK000 (given by JNE with the credentials).",
    )
    jne_customer_number = fields.Char(
        string="JNE customer number", help="OLSHOP_CUST: your JNE customer number."
    )
    # --- J&T (carriers.md §2.1): credentials per operation.
    jnt_username = fields.Char(
        string="J&T order username", groups="base.group_system", copy=False
    )
    jnt_tariff_customer = fields.Char(
        string="J&T tariff customer name",
        help="cusName of the tariff inquiry (carriers.md §2.4).",
    )
    jnt_tariff_key = fields.Char(
        string="J&T tariff key", groups="base.group_system", copy=False
    )
    jnt_ecompany_id = fields.Char(
        string="J&T e-company id",
        help="eccompanyid: user name of the tracking API and id of the label API.",
    )
    jnt_track_password = fields.Char(
        string="J&T tracking password", groups="base.group_system", copy=False
    )
    jnt_print_key = fields.Char(
        string="J&T label key", groups="base.group_system", copy=False
    )
    # --- SiCepat (carriers.md §3.3): the partner supplies the receipt number (AWB).
    sicepat_merchant_code = fields.Char(
        string="SiCepat merchant code", help="pickup_merchant_code of pickup requests."
    )
    sicepat_account_code = fields.Char(string="SiCepat account code")
    sicepat_receipt_next = fields.Char(
        string="Next SiCepat receipt number",
        copy=False,
        help="The next number of the receipt (waybill) range SiCepat allocated to you; "
        "each booking takes one.",
    )
    sicepat_receipt_last = fields.Char(
        string="Last SiCepat receipt number",
        copy=False,
        help="The last number of the allocated range.",
    )
    # --- Anteraja (carriers.md §4.1, §4.2).
    anteraja_booking_prefix = fields.Char(
        string="Anteraja booking prefix",
        help="Prefix of booking_id issued by Anteraja (PREFIX-TRXID).",
    )
    # --- Biteship (carriers.md §5.2).
    biteship_couriers = fields.Char(
        string="Biteship couriers",
        default=biteship_api.DEFAULT_COURIERS,
        help="Comma-separated courier codes quoted through Biteship.",
    )
    # Hosts, ports and paths that only third-party code shows (carriers.md §1.1,
    # §2.1, §3.1, §4.1 [secondary]) can be replaced one by one; like the base URL,
    # only administrators may change where requests go.
    carrier_api_endpoints = fields.Text(
        string="Endpoint overrides",
        help="One per line, name = URL or path, e.g. 'track = "
        "/tracing/api/list/cnoteretails/cnote/{awb}' (JNE) or 'order = "
        "https://.../order/create' (J&T). Names: JNE tariff, create, track, "
        "destinations, pickup (and pickup_field.<FIELD> = <name> or '-', "
        "pickup_value.<FIELD> = <value> for its form); J&T order, cancel, tariff, "
        "track, print; SiCepat tariff, "
        "track, find, destinations, pickup, cancel; Anteraja rates, order, tracking, "
        "cancel. Only administrators (Settings) can change it.",
    )

    # Set with the "Tracking paused" activity (stock_picking_tracking.py), cleared
    # when it is closed: read by every tracking run of the account at no cost (the
    # row is read anyway), so that only a paused account looks for its activity.
    carrier_api_tracking_paused = fields.Boolean(
        string="Tracking paused",
        readonly=True,
        copy=False,
        help="The tracking of this account's shipments is paused on a configuration "
        "problem (a missing or refused key). The next successful poll, or a "
        "successful connection test, resumes it.",
    )

    # ------------------------------------------------------------------ routing guard
    def _carrier_api_routing_fields(self):
        return ("carrier_api_endpoints",)

    def _check_routing_defaults(self):
        super()._check_routing_defaults()
        if self._is_routing_admin():
            return
        names = [
            name
            for name in self._carrier_api_routing_fields()
            if any(record[name] for record in self)
        ]
        if names:
            raise self._routing_error(names)

    def _check_routing_access(self, vals):
        super()._check_routing_access(vals)
        names = [n for n in self._carrier_api_routing_fields() if n in vals]
        if not names or self._is_routing_admin():
            return
        current = self.read(names)
        if any(
            (vals[n] or False) != (row[n] or False) for row in current for n in names
        ):
            raise self._routing_error(names)

    @api.constrains("carrier_api_endpoints")
    def _check_carrier_api_endpoints(self):
        for connection in self:
            connection._carrier_api_endpoint_map()

    # ------------------------------------------------------------------ base hooks
    def _get_default_base_url(self):
        self.ensure_one()
        production = self.environment == "production"
        if self.provider == "jne":
            return jne_api.PRODUCTION_URL if production else jne_api.TEST_URL
        if self.provider == "biteship":
            return biteship_api.PRODUCTION_URL  # one host; the key decides (§5.1)
        client_class = CLIENTS.get(self.provider)
        if client_class is not None:
            urls = getattr(client_class, "DEFAULT_URLS", {})
            return urls.get("production" if production else "test")
        return super()._get_default_base_url()

    def _get_webhook_path(self):
        if self.provider == "biteship":
            return f"/carrier_api/biteship/webhook/{self.id}"
        return super()._get_webhook_path()

    @api.depends("provider")
    @api.depends_context("uid")
    def _compute_webhook_url(self):
        """Biteship signs nothing (carriers.md §5.5): the URL given to its dashboard
        carries our token, so only administrators (who may read the token) see the URL
        with it; others are told to ask one."""
        res = super()._compute_webhook_url()
        is_admin = self.env.user.has_group("base.group_system")
        for connection in self.filtered(
            lambda c: c.provider == "biteship" and c.webhook_url
        ):
            token = connection.sudo().webhook_secret
            if is_admin and token:
                connection.webhook_url += f"?token={quote(token, safe='')}"
                continue
            hint = (
                _("Set a webhook secret first: Biteship's URL carries it as ?token=.")
                if is_admin
                else _(
                    "Biteship's URL ends with ?token= and the webhook secret, which "
                    "only administrators can see: ask one to register it."
                )
            )
            connection.webhook_url_warning = " ".join(
                filter(None, [connection.webhook_url_warning, hint])
            )
        return res

    def _get_secret_values(self):
        values = super()._get_secret_values()
        record = self.sudo()
        return values + [record[name] for name in CARRIER_SECRET_FIELDS if record[name]]

    def _get_secret_names(self):
        names = tuple(super()._get_secret_names())
        if self.provider in CARRIER_PROVIDERS:
            names += CARRIER_SECRET_NAMES
        return names

    def _test_connection(self):
        if self.provider not in CARRIER_PROVIDERS:
            return super()._test_connection()
        client = self._carrier_client(max_attempts=1)
        try:
            message = client.test()
        except IntegrationError as exc:
            raise UserError(
                _(
                    "%(carrier)s refused the connection test: %(detail)s",
                    carrier=self._carrier_api_provider_label(),
                    detail=self._mask_text(str(exc)),
                )
            ) from None
        if self.carrier_api_tracking_paused:
            self._carrier_api_tracking_resume(_("The connection test passed"))
        return message or _("The carrier accepted the credentials.")

    # ------------------------------------------------------------------ tracking pause
    def _carrier_api_tracking_activities(self):
        self.ensure_one()
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        summary = _("Tracking paused: carrier account to fix")
        return self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type and a.summary == summary
        )

    def _carrier_api_tracking_pause(self, message, count):
        """Tell the account's responsible user that ``count`` shipments could not be
        tracked for ``message`` (a missing or refused key): one activity per
        account however many shipments and runs, its note the latest problem.

        In a savepoint, and a concurrent change of this row (a connection test
        meanwhile) is only logged: the shipments' back-off is already written, and
        the next run asks again.
        """
        self.ensure_one()
        connection = self.sudo()
        note = _(
            "%(count)s shipments could not be tracked: %(error)s They are tried "
            "again later.",
            count=count,
            error=message,
        )
        try:
            with self.env.cr.savepoint():
                existing = connection._carrier_api_tracking_activities()
                if existing:
                    existing[:1].note = note
                else:
                    connection.activity_schedule(
                        "mail.mail_activity_data_warning",
                        summary=_("Tracking paused: carrier account to fix"),
                        note=note,
                        user_id=(
                            connection.responsible_user_id
                            or self.env.ref("base.user_admin")
                        ).id,
                    )
                if not connection.carrier_api_tracking_paused:
                    connection.carrier_api_tracking_paused = True
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            self.env.transaction.clear()
            _logger.info("Tracking pause of %s not recorded (row busy)", self.name)

    def _carrier_api_tracking_resume(self, reason):
        """The account works again (``reason``: a poll succeeded, the connection
        test passed): its paused shipments are polled at once (the tracking cron is
        woken) and the "Tracking paused" activity is closed with a note.

        Shipments another poll holds right now are left to that poll (its answer
        clears them); a concurrent change of the rows is logged and the pause kept
        (the next success resumes it).

        :returns: the shipments resumed.
        """
        self.ensure_one()
        _ = self.env._
        connection = self.sudo()
        Picking = self.env["stock.picking"].sudo()
        try:
            with self.env.cr.savepoint():
                paused = Picking.search(
                    [
                        ("carrier_api_tracking_paused", "=", True),
                        ("carrier_id.carrier_api_connection_id", "=", self.id),
                    ]
                )
                resumed = paused._carrier_api_track_lock("skip")
                resumed.write(
                    {
                        "carrier_api_tracking_paused": False,
                        "carrier_api_poll_failures": 0,
                        "carrier_api_next_poll": fields.Datetime.now(),
                    }
                )
                connection._carrier_api_tracking_activities().action_feedback(
                    feedback=_(
                        "%(reason)s: tracking resumed (%(count)s paused shipments "
                        "polled again).",
                        reason=reason,
                        count=len(resumed),
                    )
                )
                connection.carrier_api_tracking_paused = False
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            self.env.transaction.clear()
            _logger.info("Tracking of %s not resumed yet (rows busy)", self.name)
            return Picking
        if resumed:
            cron = self.env.ref(
                "carrier_api.ir_cron_carrier_api_track", raise_if_not_found=False
            )
            if cron:
                cron.sudo()._trigger()
        return resumed

    # ------------------------------------------------------------------ helpers
    def _carrier_api_provider_label(self):
        return dict(self._fields["provider"].selection).get(
            self.provider, self.provider
        )

    def _carrier_api_endpoint_map(self):
        """``carrier_api_endpoints`` as ``{name: url or path}``.

        :raises ValidationError: a line is not ``name = value``.
        """
        self.ensure_one()
        result = {}
        for number, line in enumerate(
            (self.carrier_api_endpoints or "").splitlines(), 1
        ):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise ValidationError(
                    _(
                        "Endpoint override line %(line)s must read 'name = URL or "
                        "path'.",
                        line=number,
                    )
                )
            result[name.strip().lower()] = value.strip()
        return result

    def _carrier_api_credentials(self):
        """Keyword arguments of the client class for this provider (read as
        superuser: the client needs the keys, the user never sees them)."""
        self.ensure_one()
        record = self.sudo()
        endpoints = self._carrier_api_endpoint_map()
        if self.provider == "jne":
            return {
                "username": record.jne_username,
                "api_key": record.api_key,
                "branch": record.jne_branch_code or "",
                "customer": record.jne_customer_number or "",
                "paths": endpoints,
            }
        if self.provider == "jnt":
            return {
                "username": record.jnt_username,
                "api_key": record.api_key,
                "key": record.api_secret,
                "tariff_customer": record.jnt_tariff_customer or "",
                "tariff_key": record.jnt_tariff_key or "",
                "ecompany_id": record.jnt_ecompany_id or "",
                "track_password": record.jnt_track_password or "",
                "print_key": record.jnt_print_key or "",
                "environment": self.environment,
                "custom_base": bool(self.base_url),
                "urls": endpoints,
            }
        if self.provider == "sicepat":
            return {
                "api_key": record.api_key,
                "auth_key": record.api_secret,
                "merchant_code": record.sicepat_merchant_code or "",
                "account_code": record.sicepat_account_code or "",
                "environment": self.environment,
                "custom_base": bool(self.base_url),
                "urls": endpoints,
                "receipt_numbers": self._sicepat_next_receipt_number,
            }
        if self.provider == "anteraja":
            return {
                "access_key_id": record.api_key,
                "secret_access_key": record.api_secret,
                "booking_prefix": record.anteraja_booking_prefix or "",
                "paths": endpoints,
            }
        if self.provider == "biteship":
            return {
                "api_key": record.api_key,
                "couriers": record.biteship_couriers or "",
            }
        return {}

    def _carrier_client(self, **session_kwargs):
        """The ready carrier client of this connection (the only place one is built).

        :param session_kwargs: passed to ``_get_http_session`` (timeout,
            max_attempts...).
        :raises UserError: not a carrier connection, or a credential is missing.
        """
        self.ensure_one()
        client_class = CLIENTS.get(self.provider)
        if client_class is None:
            raise UserError(
                _("Connection %(name)s is not a carrier account.", name=self.name)
            )
        session = self._get_http_session(**session_kwargs)
        try:
            return client_class(
                session, self._get_base_url(), **self._carrier_api_credentials()
            )
        except IntegrationError as exc:
            raise UserError(
                _(
                    "Connection %(name)s cannot be used yet: %(detail)s",
                    name=self.name,
                    detail=self._mask_text(str(exc)),
                )
            ) from None

    def _sicepat_next_receipt_number(self):
        """Take the next receipt number of the allocated range (carriers.md §3.3: the
        partner supplies it).

        The number is taken and committed in a transaction of its own, before the
        booking is sent: SiCepat may accept a booking whose request is rolled back
        afterwards (a later package failing, the validation failing), so a number once
        handed out is never given back, and two bookings never share one. A rolled-back
        booking leaves a gap in the range; its ledger row (``carrier.api.waybill``)
        already says whether SiCepat holds it. The side transaction waits at most a few
        seconds for the connection row (another booking taking its number) and never for
        a lock of the caller, which does not lock the connection.

        :raises UserError: no range, the range is used up, or the counter stays busy.
        """
        self.ensure_one()
        _ = self.env._
        # Only the range itself: other pending writes of the caller stay in its own
        # transaction and lock nothing the side transaction needs.
        self.flush_recordset(["sicepat_receipt_next", "sicepat_receipt_last"])
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                cr.execute(
                    "SELECT sicepat_receipt_next, sicepat_receipt_last "
                    "FROM integration_connection WHERE id = %s FOR NO KEY UPDATE",
                    [self.id],
                )
                current, last = cr.fetchone() or (None, None)
                if not current or not current.isdigit():
                    raise UserError(
                        _(
                            "Set the next SiCepat receipt number of connection %(name)s "
                            "(the range SiCepat allocated).",
                            name=self.name,
                        )
                    )
                if last and last.isdigit() and int(current) > int(last):
                    raise UserError(
                        _(
                            "The SiCepat receipt range of connection %(name)s is used "
                            "up: ask SiCepat for a new range.",
                            name=self.name,
                        )
                    )
                following = str(int(current) + 1).zfill(len(current))
                cr.execute(
                    "UPDATE integration_connection SET sicepat_receipt_next = %s "
                    "WHERE id = %s",
                    [following, self.id],
                )
        except errors.LockNotAvailable:
            raise UserError(
                _(
                    "The SiCepat receipt counter of connection %(name)s is busy with "
                    "another booking: try again in a moment.",
                    name=self.name,
                )
            ) from None
        self.invalidate_recordset(["sicepat_receipt_next"])
        return current
