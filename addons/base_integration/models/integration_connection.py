# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import logging
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tools import SQL

from ..api import masking
from ..api.exceptions import (
    AuthenticationError,
    CircuitOpenError,
    IgnoreEvent,
    IntegrationError,
    PermanentError,
)
from ..api.http import DEFAULT_TOTAL_TIMEOUT, CircuitBreaker, IntegrationSession
from .integration_event import CONCURRENCY_ERRORS, _is_testing

_logger = logging.getLogger(__name__)

# Seconds a person may wait for gateway work run right after their click
# (``integration_interactive`` in the context): one attempt, then the queue's retries.
INTERACTIVE_TOTAL_TIMEOUT = 10.0

CREDENTIAL_FIELDS = (
    "api_key",
    "api_secret",
    "webhook_secret",
    "access_token",
    "refresh_token",
)
# Circuit breaker defaults (system parameters base_integration.circuit_*).
CIRCUIT_THRESHOLD = 5
CIRCUIT_WINDOW = 300
CIRCUIT_COOLDOWN = 60
# Rows deleted per statement (and per commit) by the purge cron.
PURGE_BATCH = 5000
# Dead-letter events listed in the activity note; the others are only counted.
DEAD_LETTER_NOTE_EVENTS = 10
# Key of the per-transaction ``requests.Session`` store in ``cr.postcommit.data``.
_TRANSPORTS = "base_integration.http_transports"
# Longest gateway text quoted in a message shown to a person.
USER_DETAIL_CHARS = 300
# Domains of the dashboard's counts: the lists they open use the very same ones, so a
# count and its list always agree (each event is counted once: queued or failed).
WAITING_DOMAIN = [("state", "in", ("received", "processing"))]
FAILED_DOMAIN = [("state", "=", "failed")]
DEAD_LETTER_DOMAIN = [("state", "=", "failed"), ("dead_letter", "=", True)]
# Hosts a gateway cannot reach: a webhook URL on them never receives anything.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1")


def _default_responsible(env):
    """The user who creates the connection; OdooBot (a script, the demo setup) is
    replaced by the administrator, since nobody reads OdooBot's activities."""
    user = env.user
    if user._is_superuser() or user.share:
        return env.ref("base.user_admin", raise_if_not_found=False) or user
    return user


class IntegrationConnection(models.Model):
    """A configured account at an external service.

    Each integration addon adds its ``provider`` value and provider-prefixed fields, and
    overrides the hooks below guarded by ``if self.provider != "<code>": return super()``.
    """

    _name = "integration.connection"
    _description = "Integration Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    provider = fields.Selection(
        selection=[("generic", "Generic signed webhook")],
        string="Service",
        required=True,
        default="generic",
        tracking=True,
        help="The external service this connection talks to.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    # Where requests go, and so where the credentials are sent: readable by every user
    # of the connection, changed by Settings administrators only (see _ROUTING_FIELDS).
    environment = fields.Selection(
        [("test", "Test / sandbox"), ("production", "Production")],
        required=True,
        default="test",
        tracking=True,
        help="Test: the provider's sandbox, no real money or orders. Production: the "
        "live service.",
    )
    base_url = fields.Char(
        string="Base URL override",
        tracking=True,
        help="Leave empty to use the provider's URL for the environment. Set it for a "
        "sandbox or a local test server. Only administrators (Settings) can change it.",
    )
    active = fields.Boolean(default=True, tracking=True)
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: _default_responsible(self.env),
        domain="[('share', '=', False)]",
        help="Receives an activity when work for this connection keeps failing. "
        "Defaults to the user who creates the connection.",
    )
    # Credentials: administrators only, never logged (see api/masking.py).
    api_key = fields.Char(
        string="API key",
        groups="base.group_system",
        copy=False,
        help="The key or client ID the provider gave you.",
    )
    api_secret = fields.Char(
        string="API secret",
        groups="base.group_system",
        copy=False,
        help="The secret (server key, secret key, partner key) the provider gave you.",
    )
    webhook_secret = fields.Char(
        string="Webhook secret",
        groups="base.group_system",
        copy=False,
        help="Secret or token used to verify notifications sent by the provider.",
    )
    access_token = fields.Char(
        string="Access token",
        groups="base.group_system",
        copy=False,
        help="Obtained when the account is authorized (e.g. Connect shop).",
    )
    refresh_token = fields.Char(
        string="Refresh token",
        groups="base.group_system",
        copy=False,
        help="Used to renew the access token before it expires.",
    )
    token_expires_at = fields.Datetime(
        string="Access token expires", copy=False, readonly=True
    )
    http_timeout = fields.Integer(
        string="HTTP timeout (s)", default=30, help="Read timeout of one outbound call."
    )
    event_max_attempts = fields.Integer(
        string="Attempts before dead letter",
        default=5,
        help="How many times a failing event is tried before a person is asked to act.",
    )
    generic_action_id = fields.Many2one(
        "ir.actions.server",
        string="Action on event",
        domain="[('model_id.model', '=', 'integration.event')]",
        help="Generic webhooks: server action run for each received event (the event "
        "is `record`).",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="Register this address at the provider: it sends its notifications here.",
    )
    webhook_url_warning = fields.Char(
        string="Webhook URL warning", compute="_compute_webhook_url"
    )
    demo_panel_url = fields.Char(
        string="Demo control panel",
        compute="_compute_demo_panel_url",
        help="This connection points at the bundled test servers: their control panel "
        "plays the buyer, the marketplace and the bank (scripts/setup_demo.py sets it).",
    )
    event_ids = fields.One2many("integration.event", "connection_id", string="Events")
    tested_at = fields.Datetime(
        string="Last successful test",
        readonly=True,
        copy=False,
        help="When Test connection last succeeded.",
    )
    # Dashboard figures, computed from events and the HTTP log (no writes on this row
    # from busy workers, so no update contention).
    last_success_at = fields.Datetime(
        string="Last success",
        compute="_compute_dashboard",
        help="Last time a call or an event did real work (an order imported, a "
        "payment booked, stock pushed); polls that found nothing do not count.",
    )
    last_failure_at = fields.Datetime(
        string="Last failure", compute="_compute_dashboard"
    )
    last_error = fields.Text(string="Last error", compute="_compute_dashboard")
    failed_event_count = fields.Integer(
        string="Failed events",
        compute="_compute_dashboard",
        help="Events that failed and wait for a retry, or failed for good.",
    )
    http_error_count_24h = fields.Integer(
        string="HTTP errors (24 h)", compute="_compute_dashboard"
    )
    waiting_event_count = fields.Integer(
        string="Queued events",
        compute="_compute_dashboard",
        help="Events received or queued, not processed yet.",
    )
    dead_letter_count = fields.Integer(
        string="Dead letters", compute="_compute_dashboard"
    )
    health_state = fields.Selection(
        [
            ("not_connected", "Not connected"),
            ("new", "Not used yet"),
            ("ok", "Working"),
            ("warning", "Retrying"),
            ("error", "Needs attention"),
        ],
        string="Health",
        compute="_compute_dashboard",
        help="Not connected: credentials or authorization missing. Working: the last "
        "real work succeeded. Retrying: the last attempt failed and is retried. Needs "
        "attention: events failed for good.",
    )

    _sql_constraints = [
        (
            "event_max_attempts_positive",
            "CHECK(event_max_attempts > 0)",
            "At least one attempt is needed.",
        ),
    ]

    # Fields that decide where requests (with their credentials) are sent (review D1),
    # and the provider, which decides what the credentials are sent as and to whom.
    _ROUTING_FIELDS = ("environment", "base_url", "provider")

    # ------------------------------------------------------------------ routing guard
    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        connections._check_routing_defaults()
        return connections

    def write(self, vals):
        self._check_routing_access(vals)
        return super().write(vals)

    def _is_routing_admin(self):
        return self.env.su or self.env.user.has_group("base.group_system")

    def _routing_error(self, names):
        return AccessError(
            _(
                "Only administrators (Settings) can change where a connection "
                "sends its requests: %(fields)s.",
                fields=", ".join(sorted(self._fields[name].string for name in names)),
            )
        )

    def _check_routing_defaults(self):
        """A connection created by anyone but a Settings administrator keeps the
        static defaults of the routing fields (the provider's own test host).

        Checked on the created rows, not on the values: defaults can also come from
        the context (``default_base_url``), which a value check would not see.
        The provider is chosen at creation; the record rules decide which providers
        a user may create.

        :raises AccessError: naming the fields.
        """
        if self._is_routing_admin():
            return
        changed = set()
        for name in self._ROUTING_FIELDS:
            field = self._fields[name]
            if name == "provider":
                continue
            default = field.default(self) if callable(field.default) else False
            if any((record[name] or False) != (default or False) for record in self):
                changed.add(name)
        if changed:
            raise self._routing_error(changed)

    def _check_routing_access(self, vals):
        """Refuse a change of a routing field by anyone but a Settings administrator.

        The fields stay readable (forms, the test ribbon, the clients), so a ``groups``
        on them would not do; Odoo's ``payment.provider`` is likewise writable by
        ``base.group_system`` only. Rewriting the provider would move a connection,
        with its credentials, out of its addon's record rules and send its keys to
        another gateway.

        :raises AccessError: naming the fields.
        """
        names = [name for name in self._ROUTING_FIELDS if name in vals]
        if not names or self._is_routing_admin():
            return
        current = self.read(names)
        changed = {
            name
            for name in names
            if any((vals[name] or False) != (row[name] or False) for row in current)
        }
        if changed:
            raise self._routing_error(changed)

    # ------------------------------------------------------------------ computes
    @api.depends("provider")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        warning = self._webhook_base_url_warning(base)
        for connection in self:
            path = connection.id and connection._get_webhook_path()
            connection.webhook_url = f"{base}{path}" if path else False
            connection.webhook_url_warning = warning if path else False

    def _compute_demo_panel_url(self):
        # Set by scripts/setup_demo.py only: a production database never shows the link.
        panel = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("base_integration.demo_panel_url", "")
            .rstrip("/")
        )
        for connection in self:
            # sudo: the base URL decides where requests go, administrators only.
            base = connection.sudo().base_url or ""
            connection.demo_panel_url = (
                f"{panel}/" if panel and base.startswith(panel) else False
            )

    @api.model
    def _webhook_base_url_warning(self, base):
        """What is wrong with ``web.base.url`` for webhooks, or False."""
        parts = urlsplit(base or "")
        if not parts.hostname or parts.hostname in LOCAL_HOSTS:
            return _(
                "The web address of this database (system parameter web.base.url) is "
                "%(url)s: the provider cannot reach it. Open Odoo once through its "
                "public address as an administrator, or set web.base.url, before "
                "registering this URL.",
                url=base or "-",
            )
        if parts.scheme != "https":
            return _(
                "The web address of this database (web.base.url) uses plain http: "
                "most providers only send notifications to https addresses. Serve "
                "Odoo over https and update web.base.url.",
            )
        return False

    def _get_webhook_path(self):
        """Path of the route that receives this connection's notifications."""
        self.ensure_one()
        if self.provider == "generic":
            return f"/integration/webhook/{self.id}"
        return False

    def _compute_dashboard(self):
        """Health and counts of the dashboard.

        Counts use the domains of the lists they open (``WAITING_DOMAIN``,
        ``FAILED_DOMAIN``), so each event is counted once. A success is *productive*
        work only: an event whose handler did something (``integration.event.
        productive``) or an HTTP call made for a person's or a document's work
        (``integration.log.productive``); a poll that found nothing is neither.
        """
        ids = [cid for cid in self.ids if isinstance(cid, int)]
        stats = {cid: {} for cid in ids}
        if ids:
            self.env["integration.event"].flush_model()
            self.env["integration.log"].flush_model()
            self.env.cr.execute(
                """
                SELECT connection_id,
                       max(processed_at) FILTER (WHERE state = 'done' AND productive),
                       max(write_date) FILTER (WHERE state = 'failed'),
                       count(*) FILTER (WHERE state = 'failed'),
                       count(*) FILTER (WHERE state IN ('received', 'processing')),
                       count(*) FILTER (WHERE dead_letter AND state = 'failed')
                  FROM integration_event
                 WHERE connection_id = ANY(%s)
                 GROUP BY connection_id
                """,
                [ids],
            )
            for cid, ok_at, ko_at, failed, waiting, dead in self.env.cr.fetchall():
                stats[cid].update(
                    event_success=ok_at,
                    event_failure=ko_at,
                    failed=failed,
                    waiting=waiting,
                    dead=dead,
                )
            self.env.cr.execute(
                """
                SELECT connection_id,
                       max(create_date) FILTER (WHERE status_code BETWEEN 200 AND 399
                                                  AND productive),
                       max(create_date) FILTER (WHERE status_code IS NULL
                                                   OR status_code NOT BETWEEN 200 AND 399),
                       count(*) FILTER (WHERE (status_code IS NULL
                                               OR status_code NOT BETWEEN 200 AND 399)
                                         AND create_date > now() at time zone 'utc'
                                                           - interval '24 hours')
                  FROM integration_log
                 WHERE connection_id = ANY(%s)
                 GROUP BY connection_id
                """,
                [ids],
            )
            for cid, ok_at, ko_at, ko_24h in self.env.cr.fetchall():
                stats[cid].update(
                    http_success=ok_at, http_failure=ko_at, http_failed_24h=ko_24h
                )
            # The error of each connection's latest failed event, in one query.
            self.env.cr.execute(
                """
                SELECT DISTINCT ON (connection_id) connection_id, error
                  FROM integration_event
                 WHERE connection_id = ANY(%s) AND state = 'failed'
                 ORDER BY connection_id, write_date DESC, id DESC
                """,
                [ids],
            )
            for cid, error in self.env.cr.fetchall():
                stats[cid]["last_error"] = error
        for connection in self:
            data = stats.get(connection.id, {})
            success = max(
                filter(None, [data.get("event_success"), data.get("http_success")]),
                default=False,
            )
            failure = max(
                filter(None, [data.get("event_failure"), data.get("http_failure")]),
                default=False,
            )
            connection.last_success_at = success
            connection.last_failure_at = failure
            connection.failed_event_count = data.get("failed", 0)
            connection.http_error_count_24h = data.get("http_failed_24h", 0)
            connection.waiting_event_count = data.get("waiting", 0)
            connection.dead_letter_count = data.get("dead", 0)
            connection.last_error = (failure and data.get("last_error")) or False
            if connection.dead_letter_count:
                connection.health_state = "error"
            elif not connection._integration_is_connected():
                connection.health_state = "not_connected"
            elif failure and (not success or failure > success):
                connection.health_state = "warning"
            elif success:
                connection.health_state = "ok"
            else:
                connection.health_state = "new"

    def _integration_is_connected(self):
        """Whether this connection has what it needs to call its provider (keys,
        authorization); override per provider. A generic webhook only receives."""
        self.ensure_one()
        if self.provider == "generic":
            return bool(self.sudo().webhook_secret)
        return True

    # ------------------------------------------------------------------ hooks
    def _get_default_base_url(self):
        """URL of the provider for ``self.environment``; override per provider."""
        self.ensure_one()
        return False

    def _get_base_url(self):
        self.ensure_one()
        url = self.base_url or self._get_default_base_url()
        if not url:
            raise UserError(_("Connection %(name)s has no base URL.", name=self.name))
        return url.rstrip("/")

    def _get_secret_values(self):
        self.ensure_one()
        record = self.sudo()
        return [record[name] for name in CREDENTIAL_FIELDS if record[name]]

    def _get_secret_names(self):
        """Extra header/query/JSON names that hold secrets for this provider."""
        return ()

    def _mask_text(self, text):
        """``text`` (an error message, a traceback) without this connection's secrets:
        secret query parameters of quoted URLs by name, and every literal secret value.
        Use it for anything that reaches a field, an activity, a UserError or the log."""
        self.ensure_one()
        return masking.mask_message(
            text, self._get_secret_values(), self._get_secret_names()
        )

    def _get_http_session(self, **kwargs):
        """The outbound session for this connection: timeouts, a total time budget,
        retries, masked log and errors, the connection's circuit breaker.

        Sessions of one connection in one transaction share one ``requests.Session``
        (see :meth:`_get_http_transport`), so a job's calls reuse their TCP and TLS
        connections; callers need not close anything.
        """
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        kwargs.setdefault("timeout", (5, self.http_timeout or 30))
        kwargs.setdefault(
            "total_timeout",
            float(
                params.get_param(
                    "base_integration.http_total_timeout", DEFAULT_TOTAL_TIMEOUT
                )
            ),
        )
        if self.env.context.get("integration_interactive"):
            # A person is waiting for the answer (work done right after their click):
            # one attempt within a short budget; the queue retries what fails, with
            # its own back-off, so the click never waits for the whole retry budget.
            kwargs.setdefault("max_attempts", 1)
            kwargs["total_timeout"] = min(
                kwargs["total_timeout"], INTERACTIVE_TOTAL_TIMEOUT
            )
        kwargs.setdefault("secret_values", self._get_secret_values())
        kwargs.setdefault("secret_names", self._get_secret_names())
        kwargs.setdefault("log", self.env["integration.log"]._make_logger(self))
        if "circuit" not in kwargs:
            kwargs["circuit"] = self._get_circuit_breaker()
        if "session" not in kwargs:
            kwargs["session"] = self._get_http_transport()
        return IntegrationSession(**kwargs)

    def _get_http_transport(self):
        """The ``requests.Session`` of this connection for the current transaction.

        Built on first use and closed when the transaction ends (commit or rollback):
        one pool of TCP connections per connection and job (a cron commits after each
        event, an HTTP request at its end), never left open.
        """
        self.ensure_one()
        cr = self.env.cr
        # postcommit.data is cleared by both a commit and a rollback, and exactly one
        # of the two callbacks registered below runs: the store lives as long as the
        # transaction.
        store = cr.postcommit.data.get(_TRANSPORTS)
        if store is None:
            store = cr.postcommit.data[_TRANSPORTS] = {}

            def close_all():
                for transport in store.values():
                    transport.close()
                store.clear()

            cr.postcommit.add(close_all)
            cr.postrollback.add(close_all)
        transport = store.get(self.id)
        if transport is None:
            transport = store[self.id] = requests.Session()
        return transport

    def _get_circuit_breaker(self):
        """This connection's breaker in this process, or None when switched off
        (``base_integration.circuit_threshold`` = 0)."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        threshold = int(
            params.get_param("base_integration.circuit_threshold", CIRCUIT_THRESHOLD)
        )
        if threshold <= 0 or not isinstance(self.id, int):
            return None
        return CircuitBreaker.get(
            (self.env.cr.dbname, self.id),
            threshold=threshold,
            window=float(
                params.get_param("base_integration.circuit_window", CIRCUIT_WINDOW)
            ),
            cooldown=float(
                params.get_param("base_integration.circuit_cooldown", CIRCUIT_COOLDOWN)
            ),
        )

    def _lock_row(self, nowait=False):
        """Lock these connection rows ``FOR NO KEY UPDATE`` (in id order) until the end
        of the transaction, e.g. around a token refresh.

        Never lock them ``FOR UPDATE``: the HTTP log writes its entries in a side
        cursor, and its insert takes ``FOR KEY SHARE`` on the connection row (foreign
        key), which ``FOR UPDATE`` blocks: a caller logging while holding that lock
        would wait for itself (the log gives up after a second and writes the entry in
        the caller's transaction, where a rollback loses it). ``FOR NO KEY UPDATE``
        still excludes every other writer and locker of the row.

        :param nowait: raise ``psycopg2.errors.LockNotAvailable`` at once when another
            transaction holds the row.
        """
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM integration_connection WHERE id IN %s"
                " ORDER BY id FOR NO KEY UPDATE%s",
                tuple(self.ids),
                SQL(" NOWAIT") if nowait else SQL(""),
            ),
            # LockNotAvailable is an answer for a NOWAIT caller, not a bad query.
            log_exceptions=not nowait,
        )

    def _test_connection(self):
        """Call a cheap authenticated endpoint; override per provider. Returns a message."""
        raise UserError(
            _(
                "This kind of connection has no connection test: send a signed test "
                "notification to its webhook URL and look for it under Events."
            )
        )

    # ------------------------------------------------------------------ outbox
    def _enqueue_outbound(
        self, handler, payload, *, dedupe_key=None, record=None, delay=0
    ):
        """Queue outbound work; see ``integration.event._enqueue``."""
        self.ensure_one()
        return self.env["integration.event"]._enqueue(
            self, handler, payload, dedupe_key=dedupe_key, record=record, delay=delay
        )

    # ------------------------------------------------------------------ generic provider
    def _generic_process_event(self, event):
        """Run the configured server action on a generic webhook event."""
        self.ensure_one()
        if not self.generic_action_id:
            raise IgnoreEvent(_("No action is configured on connection %s.", self.name))
        self.generic_action_id.with_context(
            active_model="integration.event", active_id=event.id, active_ids=event.ids
        ).run()
        return None

    # ------------------------------------------------------------------ dead letters
    def _notify_dead_letter(self, event):
        """Ask a person to act, once per connection while the previous ask is open.

        The note is rewritten from the events each time: how many dead letters wait,
        and the latest ``DEAD_LETTER_NOTE_EVENTS`` of them (``event`` first), errors
        masked and cut. It stays the same size however many events fail.
        """
        self.ensure_one()
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        summary = _("Integration events need attention")
        existing = self.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type and a.summary == summary
        )
        note = self._dead_letter_note(event)
        if existing:
            existing[:1].note = note
            return existing[:1]
        return self.activity_schedule(
            activity_type_id=activity_type.id,
            summary=summary,
            note=note,
            user_id=(self.responsible_user_id or self.env.ref("base.user_admin")).id,
        )

    def _dead_letter_note(self, event):
        Event = self.env["integration.event"].sudo()
        domain = [
            ("connection_id", "=", self.id),
            ("state", "=", "failed"),
            ("dead_letter", "=", True),
        ]
        total = Event.search_count(domain)
        latest = Event.search(
            domain + [("id", "!=", event.id)], limit=DEAD_LETTER_NOTE_EVENTS - 1
        )
        lines = [
            escape(
                _(
                    "Event %(event)s (%(type)s) failed %(attempts)s times: %(error)s",
                    event=dead.display_name,
                    type=dead.event_type or "-",
                    attempts=dead.attempts,
                    error=self._mask_text(dead.error or "")[:300],
                )
            )
            for dead in event.sudo() | latest
        ]
        header = escape(
            _(
                "%(count)s event(s) failed for good and wait for a retry or to be "
                "ignored. The latest:",
                count=max(total, len(lines)),
            )
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            header,
            Markup().join(Markup("<li>%s</li>") % line for line in lines),
        )

    # ------------------------------------------------------------------ actions
    def _integration_user_error(self, exc, doing):
        """A gateway failure met by a person's action, as a UserError saying what
        happened and what to do; the gateway's own text masked and cut.

        :param exc: an ``IntegrationError``, a ``requests`` exception, or another
            exception (then only its class is named, never a traceback).
        :param doing: what was being done, e.g. "syncing orders" (translated).
        """
        self.ensure_one()
        values = {
            "name": self.display_name,
            "doing": doing,
            "detail": self._mask_text(str(exc) or type(exc).__name__)[
                :USER_DETAIL_CHARS
            ],
        }
        if isinstance(exc, CircuitOpenError):
            message = _(
                "%(name)s: calls are paused for a minute after repeated failures, so "
                "nothing was sent while %(doing)s. Try again in a minute; the HTTP log "
                "shows the failures.",
                **values,
            )
        elif isinstance(exc, AuthenticationError):
            message = _(
                "%(name)s refused the credentials while %(doing)s (%(detail)s). "
                "%(hint)s",
                hint=self._integration_auth_hint(),
                **values,
            )
        elif isinstance(exc, PermanentError):
            message = _(
                "%(name)s refused the request while %(doing)s: %(detail)s. Correct "
                "what the message names, then try again.",
                **values,
            )
        elif isinstance(exc, (IntegrationError, requests.RequestException)):
            message = _(
                "%(name)s could not be reached while %(doing)s (%(detail)s). Nothing "
                "was changed; try again in a few minutes. If it keeps failing, check "
                "the connection's address and the HTTP log.",
                **values,
            )
        else:
            message = _(
                "%(name)s: %(doing)s failed unexpectedly (%(detail)s). Nothing was "
                "changed; the server log has the details.",
                name=values["name"],
                doing=doing,
                detail=type(exc).__name__,
            )
        return UserError(message)

    def _integration_auth_hint(self):
        """What to do when the provider refuses the credentials; override per
        provider."""
        return _(
            "An administrator checks the keys on the connection's Credentials tab, "
            "then presses Test connection."
        )

    @contextmanager
    def _integration_user_errors(self, doing, readable=()):
        """Turn a gateway failure inside the block into a UserError a person can act
        on (see :meth:`_integration_user_error`). Odoo's own user-facing errors pass
        unchanged; anything else is logged (masked) and reported without its text.

        :param readable: exception classes whose text is written for people (like
            ``IgnoreEvent``, always included): shown as they are, masked.
        """
        try:
            yield
        except (UserError, AccessError, RedirectWarning):
            raise
        except (IgnoreEvent, *readable) as exc:
            raise UserError(self._mask_text(str(exc))[:1000]) from None
        except (IntegrationError, requests.RequestException) as exc:
            raise self._integration_user_error(exc, doing) from None
        except Exception as exc:
            if isinstance(exc, CONCURRENCY_ERRORS):
                raise  # Odoo retries the request
            _logger.warning(
                "Action on connection %s failed while %s: %s",
                self.id,
                doing,
                self._mask_text(f"{type(exc).__name__}: {exc}")[:USER_DETAIL_CHARS],
            )
            raise self._integration_user_error(exc, doing) from None

    @api.model
    def _integration_notification(self, message, *, kind="success", reload=True):
        """The client action of a button that worked: a notification, then the view
        reloaded (Odoo 18's ``soft_reload``) so that the form shows the new state."""
        params = {"type": kind, "message": message, "sticky": False}
        if reload:
            params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    def action_test_connection(self):
        self.ensure_one()
        if not self._integration_is_connected():
            raise UserError(self._integration_not_connected_message())
        with self._integration_user_errors(_("testing the connection")):
            message = self._test_connection()
        # A person's click, not a busy worker: writing this row here contends with
        # nothing (the settings checklist reads it).
        self.sudo().tested_at = fields.Datetime.now()
        return self._integration_notification(message or _("Connection works."))

    def _integration_not_connected_message(self):
        """Why this connection cannot call its provider yet, and what to do."""
        self.ensure_one()
        return _(
            "%(name)s is not set up: an administrator enters the keys on its "
            "Credentials tab.",
            name=self.display_name,
        )

    def _action_open_events(self, domain_extra, name):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_integration.integration_event_action"
        )
        action["domain"] = [("connection_id", "=", self.id), *domain_extra]
        action["context"] = {"default_connection_id": self.id}
        action["name"] = name
        return action

    def action_open_waiting_events(self):
        return self._action_open_events(WAITING_DOMAIN, _("Queued events"))

    def action_open_failed_events(self):
        return self._action_open_events(FAILED_DOMAIN, _("Failed events"))

    def action_open_dead_letters(self):
        return self._action_open_events(DEAD_LETTER_DOMAIN, _("Dead letters"))

    def action_open_events(self):
        return self._action_open_events([], _("Events"))

    def action_open_http_errors(self):
        action = self.action_open_logs()
        action["domain"] = [
            ("connection_id", "=", self.id),
            # as counted: no answer (a connection error is stored as 0) or not 2xx/3xx
            "|",
            "|",
            ("status_code", "=", False),
            ("status_code", "<", 200),
            ("status_code", ">", 399),
            ("create_date", ">", fields.Datetime.now() - timedelta(hours=24)),
        ]
        action["name"] = _("HTTP errors (24 h)")
        return action

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_integration.integration_log_action"
        )
        action["domain"] = [("connection_id", "=", self.id)]
        return action

    @api.model
    def _cron_purge(self):
        """Forget old HTTP logs and finished events (keep failures for inspection).

        Deletes in batches of ``base_integration.purge_batch_size`` rows, committed one
        by one outside tests: a backlog of millions of rows neither holds one huge
        transaction nor loads every id. Nothing else points at these rows (foreign keys
        to them cascade or are set null by the database).
        """
        params = self.env["ir.config_parameter"].sudo()
        days = int(params.get_param("base_integration.retention_days", 30))
        batch = max(
            1, int(params.get_param("base_integration.purge_batch_size", PURGE_BATCH))
        )
        limit = fields.Datetime.now() - timedelta(days=days)
        self.env.flush_all()
        deleted = self._purge_rows(
            "integration_log", SQL("create_date < %s", limit), batch
        )
        deleted += self._purge_rows(
            "integration_event",
            SQL("state IN ('done', 'ignored') AND write_date < %s", limit),
            batch,
        )
        self.env["integration.log"].invalidate_model()
        self.env["integration.event"].invalidate_model()
        return deleted

    def _purge_rows(self, table, condition, batch):
        commit = not _is_testing(self.env)
        deleted = 0
        while True:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %(table)s WHERE id IN"
                    " (SELECT id FROM %(table)s WHERE %(condition)s LIMIT %(batch)s)",
                    table=SQL.identifier(table),
                    condition=condition,
                    batch=batch,
                )
            )
            count = self.env.cr.rowcount
            deleted += count
            if commit:
                # Safe: a purge cron run holds nothing but these deletions.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if count < batch:
                return deleted
