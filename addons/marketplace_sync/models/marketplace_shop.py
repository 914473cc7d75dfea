# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
import json
import logging
import time
from datetime import datetime, timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.base_integration.api.exceptions import (
    IgnoreEvent,
    IntegrationError,
    PermanentError,
    RetryableError,
)
from odoo.addons.base_integration.models.integration_event import Idle

from ..api import shopee, tiktok
from ..api.common import AuthenticationError, TokenExpiredError

_logger = logging.getLogger(__name__)

CLIENTS = {"shopee": shopee.ShopeeClient, "tiktok": tiktok.TiktokClient}
# Where a transaction keeps its clients (``cr.postcommit.data``: cleared by commit and
# by rollback, so a client lives as long as its job).
CLIENT_STORE = "marketplace_sync.clients"
TOKEN_FIELDS = ("access_token", "refresh_token", "token_expires_at")
# Refresh when the access token has less than this left (Shopee: 4 h tokens; the old
# token stays valid 5 more minutes after a refresh, developer-guide/20).
TOKEN_REFRESH_MARGIN = timedelta(minutes=30)
# Ask to reconnect this long before the shop authorization ends (Shopee push code 12
# warns 7 days ahead, reference §4.3).
AUTHORIZATION_WARNING = timedelta(days=7)
# Seconds a refresh waits for another worker's refresh of the same shop.
TOKEN_LOCK_TIMEOUT = 15
MAX_SYNC_PAGES = 1000  # per slice: 100,000 orders
# Seconds Sync orders now runs slices while the person waits; the rest is queued.
SYNC_NOW_SECONDS = 10
MAX_LOST_PUSH_PAGES = 20  # per run: 2,000 messages


def _ts(dt):
    return (
        int(dt.timestamp())
        if dt.tzinfo
        else int((dt - datetime(1970, 1, 1)).total_seconds())
    )


def _from_ts(value):
    return datetime.utcfromtimestamp(int(value))


class MarketplaceShop(models.Model):
    """One shop at Shopee or TikTok Shop (a TikTok shop also serves its Tokopedia
    storefront). Credentials and plumbing live on the delegated
    ``integration.connection``: ``api_key`` = Shopee partner_id / TikTok app_key,
    ``api_secret`` = Shopee partner_key / TikTok app_secret, ``webhook_secret`` = Shopee
    live-push partner key when it differs from the partner key (reference §1.10
    [secondary]).
    """

    _name = "marketplace.shop"
    _description = "Marketplace Shop"
    _inherits = {"integration.connection": "connection_id"}
    # Beside the connection's base URL and environment: where tokens are fetched, and
    # the URL Shopee signs its pushes with.
    _SHOP_ROUTING_FIELDS = ("tiktok_auth_url", "shopee_push_url")
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    _order = "sequence, id"

    connection_id = fields.Many2one(
        "integration.connection",
        required=True,
        ondelete="cascade",
        auto_join=True,
        index=True,
    )
    shop_ref = fields.Char(
        "Platform shop ID",
        required=True,
        copy=False,
        help="Shopee shop_id or TikTok shop id (as in pushes).",
    )
    shopee_push_url = fields.Char(
        "Push callback URL",
        groups="base.group_system",
        tracking=True,
        help="As registered at Shopee (it is part of the push "
        "signature). Empty: the URL the request arrived at.",
    )
    tiktok_shop_cipher = fields.Char("Shop cipher", copy=False)
    tiktok_finance_version = fields.Char(
        "Finance API version",
        default="202501",
        help="202309 is documented for US/UK only; SEA shops use 202501 [secondary].",
    )
    tiktok_handover_method = fields.Selection(
        [("PICKUP", "Carrier picks up"), ("DROP_OFF", "Seller drops off")],
        string="TikTok handover",
        default="PICKUP",
        help="Ship Package handover_method for platform-shipped packages "
        "(fulfillment.md); seller-shipped packages are always DROP_OFF.",
    )
    # Receives the app secret and the refresh token: administrators only (review D1).
    tiktok_auth_url = fields.Char(
        "Auth host override",
        groups="base.group_system",
        tracking=True,
        help="TikTok token host; empty = https://auth.tiktok-shops.com",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    team_id = fields.Many2one("crm.team", string="Sales team", check_company=True)
    partner_mode = fields.Selection(
        [
            ("shop", "One customer for the marketplace"),
            ("buyer", "One customer per buyer"),
        ],
        string="Customers",
        default="shop",
        required=True,
        help="Marketplaces mask buyer data: a single marketplace customer is the safe "
        "default.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Marketplace customer",
        check_company=True,
        help="Invoicing partner of every order (and parent of per-buyer customers).",
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="PPN (price included)",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="Marketplace prices include PPN: use a tax computed as price-included so "
        "Odoo's totals equal the platform's.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping product",
        required=True,
        default=lambda self: self.env.ref(
            "marketplace_sync.product_marketplace_shipping", raise_if_not_found=False
        ),
    )
    discount_product_id = fields.Many2one(
        "product.product",
        string="Seller discount product",
        required=True,
        default=lambda self: self.env.ref(
            "marketplace_sync.product_marketplace_discount", raise_if_not_found=False
        ),
    )
    receivable_account_id = fields.Many2one(
        "account.account",
        string="Marketplace transit account",
        required=True,
        check_company=True,
        domain="[('reconcile', '=', True), ('deprecated', '=', False), "
        "('account_type', 'not in', ('asset_receivable', 'liability_payable'))]",
        # Odoo's own clearing account for money on its way to the bank (Outstanding
        # Receipts of the company's chart), until a dedicated one is chosen
        default=lambda self: self.env["account.chart.template"].ref(
            "account_journal_payment_debit_account_id", raise_if_not_found=False
        ),
        help="What the marketplace holds for the shop until it pays out: settlements "
        "debit their payout here, and the payout's bank statement line clears it. "
        "Reconcilable; a dedicated account per marketplace keeps the matching simple.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Other fees",
        check_company=True,
        help="Fees no bucket explains (taxes withheld, adjustments), and every bucket "
        "without its own account.",
    )
    commission_account_id = fields.Many2one(
        "account.account",
        string="Commission",
        check_company=True,
        help="Platform commission. Empty: Other fees.",
    )
    service_fee_account_id = fields.Many2one(
        "account.account",
        string="Service fees",
        check_company=True,
        help="Service programmes and per-order fees. Empty: Other fees.",
    )
    transaction_fee_account_id = fields.Many2one(
        "account.account",
        string="Transaction fees",
        check_company=True,
        help="Payment processing. Empty: Other fees.",
    )
    campaign_fee_account_id = fields.Many2one(
        "account.account",
        string="Campaign and affiliate fees",
        check_company=True,
        help="Campaign, promotion and affiliate commissions. Empty: Other fees.",
    )
    shipping_fee_account_id = fields.Many2one(
        "account.account",
        string="Shipping difference",
        check_company=True,
        help="Shipping the platform paid the carrier out of the payout, net of its "
        "rebates (plus what the invoice billed beyond what the buyer paid); a rebate "
        "larger than the cost is credited here. Use it as income account of the "
        "marketplace shipping product too to see the net difference. Empty: Other "
        "fees.",
    )
    settlement_journal_id = fields.Many2one(
        "account.journal",
        string="Payout journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'general'))]",
    )
    invoice_moment = fields.Selection(
        [
            ("none", "Manually"),
            ("confirm", "When confirmed"),
            ("completed", "When completed"),
        ],
        string="Invoice when",
        default="completed",
        required=True,
    )
    sync_enabled = fields.Boolean("Reconcile orders", default=True)
    sync_cursor = fields.Datetime(
        "Orders synced until",
        copy=False,
        help="End of the last reconciled slice; the next run starts here minus the "
        "overlap.",
    )
    sync_window_hours = fields.Integer("Slice (hours)", default=24)
    sync_overlap_minutes = fields.Integer("Overlap (minutes)", default=15)
    sync_initial_days = fields.Integer("First sync looks back (days)", default=3)
    stock_push_enabled = fields.Boolean("Push stock", default=False)
    stock_safety_buffer = fields.Integer("Safety buffer", default=0)
    auth_expires_at = fields.Datetime("Authorization expires", copy=False)
    order_ids = fields.One2many("marketplace.order", "shop_id", string="Orders")
    product_map_ids = fields.One2many(
        "marketplace.product.map", "shop_id", string="Product mappings"
    )
    order_count = fields.Integer(string="Order count", compute="_compute_counts")
    attention_count = fields.Integer(
        string="Orders needing attention", compute="_compute_counts"
    )

    _sql_constraints = [
        (
            "shop_ref_uniq",
            "unique(shop_ref, connection_id)",
            "This shop is already connected.",
        ),
    ]

    @api.constrains("sync_window_hours")
    def _check_sync_window(self):
        for shop in self:
            # get_order_list: "diff in 15days" at most (v2.order.get_order_list page)
            if not 1 <= shop.sync_window_hours <= 15 * 24:
                raise ValidationError(
                    _("The sync slice must be between 1 hour and 15 days.")
                )

    @api.constrains("provider")
    def _check_provider(self):
        for shop in self:
            if shop.provider not in ("shopee", "tiktok"):
                raise ValidationError(
                    _("A marketplace shop is a Shopee or TikTok connection.")
                )

    def _compute_counts(self):
        groups = self.env["marketplace.order"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id", "state"], ["__count"]
        )
        for shop in self:
            shop.order_count = sum(c for s, _st, c in groups if s == shop)
            shop.attention_count = sum(
                c for s, st, c in groups if s == shop and st == "attention"
            )

    @api.model_create_multi
    def create(self, vals_list):
        shops = super().create(vals_list)
        shops._check_shop_routing_defaults()
        for shop in shops:
            if not shop.partner_id:
                shop.partner_id = self.env["res.partner"].create(
                    {
                        "name": shop.name,
                        "is_company": True,
                        "company_id": shop.company_id.id,
                    }
                )
            if not shop.tax_id:
                shop.tax_id = shop._marketplace_default_tax()
        return shops

    def _check_shop_routing_defaults(self):
        """The shop's own routing fields (beside the connection's base URL and
        environment) stay empty on a shop created by anyone but a Settings
        administrator. Checked on the rows: a ``default_tiktok_auth_url`` in the
        context reaches them without being in the values, and without the field's
        ``groups`` being checked.

        :raises AccessError: naming the fields.
        """
        if self.env.su or self.env.user.has_group("base.group_system"):
            return
        changed = [
            self._fields[name].string
            for name in self._SHOP_ROUTING_FIELDS
            if any(shop.sudo()[name] for shop in self)
        ]
        if changed:
            raise AccessError(
                _(
                    "Only administrators (Settings) can change where a connection "
                    "sends its requests: %(fields)s.",
                    fields=", ".join(sorted(changed)),
                )
            )

    def _marketplace_default_tax(self):
        """A price-included copy of the company's sale PPN (l10n_id's exclude tax)."""
        self.ensure_one()
        # The shop's own configuration, made for whoever sets the shop up (a sales
        # manager has no right to create taxes): a copy of the company's sale PPN.
        Tax = self.env["account.tax"].sudo()
        company = self.company_id
        base = company.account_sale_tax_id.sudo()
        existing = Tax.search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("price_include", "=", True),
                ("amount_type", "=", "percent"),
                ("amount", "=", base.amount if base else 11.0),
            ],
            limit=1,
        )
        if existing:
            return existing
        if base:
            return base.copy(
                {
                    "name": _("%s (included)", base.name),
                    "price_include_override": "tax_included",
                }
            )
        return Tax.create(
            {
                "name": "PPN 11% (included)",
                "amount": 11.0,
                "type_tax_use": "sale",
                "company_id": company.id,
                "price_include_override": "tax_included",
            }
        )

    # ------------------------------------------------------------------ clients
    def _marketplace_client_class(self):
        self.ensure_one()
        return CLIENTS[self.provider]

    def _marketplace_client(self, env=None):
        """A new platform client for this shop, on a new logged session of its
        connection (``env``: another cursor's environment, e.g. a side cursor)."""
        self.ensure_one()
        shop = (
            self.sudo()
            if env is None
            else env["marketplace.shop"].sudo().browse(self.id)
        )
        conn = shop.connection_id
        if not (conn.api_key and conn.api_secret):
            raise UserError(_("Shop %s has no API key or API secret.", shop.name))
        client = shop._marketplace_client_class()(
            conn._get_http_session(),
            conn._get_base_url(),
            conn.api_key,
            conn.api_secret,
            shop_ref=shop.shop_ref,
            shop_cipher=shop.tiktok_shop_cipher,
            access_token=conn.access_token,
            auth_url=shop.tiktok_auth_url or None,
        )
        expires = conn.token_expires_at
        client.token_expires_at = _ts(expires) if expires else None
        return client

    def _marketplace_job_client(self):
        """The shop's client for the current transaction (the job: a queued event, a
        cron unit, a click), built once and dropped at commit or rollback.

        It carries what a refresh returns (token and expiry), which this
        transaction's REPEATABLE READ snapshot cannot see: later calls of the same
        job use the new token at once. Keyed by the settings this transaction sees, so
        a changed setting builds a new client.
        """
        self.ensure_one()
        shop = self.sudo()
        conn = shop.connection_id
        key = (
            shop.id,
            shop.provider,
            conn.base_url,
            conn.environment,
            conn.api_key,
            conn.api_secret,
            shop.shop_ref,
            shop.tiktok_shop_cipher,
            shop.tiktok_auth_url,
            conn.access_token,
        )
        # postcommit.data is cleared by both a commit and a rollback.
        store = self.env.cr.postcommit.data.setdefault(CLIENT_STORE, {})
        client = store.get(key)
        if client is None:
            client = store[key] = self._marketplace_client()
        return client

    def _marketplace_api(self, method, *args, **kwargs):
        """Call ``client.<method>`` with a fresh token; on a token error refresh once
        and call again with the new token.

        :raises TokenExpiredError: the platform refused the new token too (retryable:
            the queue tries the event again later).
        """
        self.ensure_one()
        client = self._marketplace_job_client()
        self._marketplace_ensure_token(client)
        try:
            return getattr(client, method)(*args, **kwargs)
        except TokenExpiredError:
            self._marketplace_refresh_token(used_token=client.access_token)
            # the job client now carries the new token (in tests, where the side
            # cursor shares this transaction, a new client reads it)
            client = self._marketplace_job_client()
            return getattr(client, method)(*args, **kwargs)

    def _marketplace_test_connection(self):
        self._marketplace_check_connected()
        info = self._marketplace_api("get_shop_info")
        return _("Connected to %s.", info.get("name") or self.shop_ref)

    # ------------------------------------------------------------------ tokens
    def _marketplace_ensure_token(self, client=None):
        """Refresh the token when it expires within ``TOKEN_REFRESH_MARGIN``."""
        self.ensure_one()
        client = client or self._marketplace_job_client()
        expires = client.token_expires_at
        if expires and expires - time.time() < TOKEN_REFRESH_MARGIN.total_seconds():
            self._marketplace_refresh_token(used_token=client.access_token)

    def _marketplace_refresh_token(self, used_token=None):
        """Rotate the token pair once, whoever asks concurrently, and hand the new
        access token to this transaction's client at once.

        The refresh is :meth:`_marketplace_rotate_token`. Its result goes to the job
        client, since this transaction's snapshot cannot read the committed pair.

        :param used_token: the access token the caller used; when the stored one
            differs, another worker refreshed already and its token is used (no second
            refresh call: Shopee refresh tokens are single-use).
        :returns: the access token to use.
        :raises AuthenticationError: the refresh token was refused (reconnect the shop).
        :raises RetryableError: another worker holds the refresh for too long.
        """
        self.ensure_one()
        client = self._marketplace_job_client()
        # The side cursor reads the database. In tests it shares this transaction, so
        # pending ORM writes of the token fields must be there first. (In production
        # this transaction has none: it must never hold the connection row, which the
        # side cursor locks.)
        self.env["integration.connection"].flush_model(list(TOKEN_FIELDS))
        try:
            access_token, expires_at = self._marketplace_rotate_token(used_token)
        except AuthenticationError as exc:
            if isinstance(exc, TokenExpiredError):
                raise
            self._marketplace_ask_reconnect(self.connection_id._mask_text(str(exc)))
            raise
        finally:
            self.connection_id.invalidate_recordset(list(TOKEN_FIELDS))
            self.invalidate_recordset(list(TOKEN_FIELDS))
        client.access_token = access_token
        client.token_expires_at = _ts(expires_at) if expires_at else None
        return access_token

    def _marketplace_rotate_token(self, used_token):
        """The refresh itself, in a side cursor of its own.

        * The connection row is locked ``FOR NO KEY UPDATE``: a second refresher waits
          for the first, while the HTTP log (written in its own cursor, whose foreign
          key takes ``FOR KEY SHARE`` on that row) does not.
        * The new pair is committed as the side cursor's block ends, right after the
          platform answered and before anything else can fail: Shopee refresh tokens
          are single-use (developer-guide/20), a rollback of the caller must not lose
          them.
        * A second refresher that waited meets a SerializationFailure (REPEATABLE READ:
          the row changed after its snapshot): the pair was refreshed, it reads it in a
          fresh transaction and uses it.

        :returns: ``(access_token, expires_at)`` as committed.
        """
        conn_id = self.connection_id.id
        registry = self.env.registry
        try:
            with registry.cursor() as cr:
                cr.execute(SQL("SET LOCAL lock_timeout = %s", f"{TOKEN_LOCK_TIMEOUT}s"))
                # As integration.connection._lock_row, reading the pair at once; a
                # collision is an expected answer here, not a query to log.
                cr.execute(
                    """
                    SELECT access_token, refresh_token, token_expires_at
                      FROM integration_connection
                     WHERE id = %s
                       FOR NO KEY UPDATE
                    """,
                    [conn_id],
                    log_exceptions=False,
                )
                access_token, refresh_token, expires_at = cr.fetchone()
                if used_token is not None and access_token != used_token:
                    return access_token, expires_at  # refreshed by someone else
                env = self.env(cr=cr, su=True)
                shop = env["marketplace.shop"].browse(self.id)
                if not refresh_token:
                    raise AuthenticationError(
                        _("Shop %s has no refresh token.", shop.name)
                    )
                pair = shop._marketplace_client(env=env).refresh_token(refresh_token)
                values = shop._marketplace_token_values(pair)
                env["integration.connection"].browse(conn_id).write(values)
                env.flush_all()
                # leaving the block commits the pair
        except psycopg2.errors.SerializationFailure:
            with registry.cursor() as cr:
                cr.execute(
                    "SELECT access_token, token_expires_at FROM integration_connection"
                    " WHERE id = %s",
                    [conn_id],
                )
                access_token, expires_at = cr.fetchone()
            if used_token is not None and access_token == used_token:
                raise RetryableError(
                    _("The token of shop %s is being refreshed; try again.", self.name)
                ) from None
            return access_token, expires_at
        except psycopg2.errors.LockNotAvailable:
            raise RetryableError(
                _("The token of shop %s is being refreshed; try again.", self.name)
            ) from None
        _logger.info("Access token of marketplace shop %s refreshed", self.id)
        return values["access_token"], values["token_expires_at"]

    def _marketplace_token_values(self, pair):
        """Connection values from a client's token pair."""
        return {
            "access_token": pair["access_token"],
            "refresh_token": pair.get("refresh_token"),
            "token_expires_at": _from_ts(pair.get("expires_at") or 0),
        }

    def _marketplace_ask_reconnect(self, reason):
        summary = _("Reconnect the marketplace shop")
        for shop in self:
            if not shop.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                shop.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=summary,
                    note=reason,
                    user_id=shop.responsible_user_id.id or self.env.uid,
                )

    @api.model
    def _cron_refresh_tokens(self):
        """Queue a token check per shop whose token expires before the next runs, or
        whose authorization ends within a week (outbox: one event per shop, retried
        with backoff on its own)."""
        now = fields.Datetime.now()
        for shop in self.search(
            [
                ("access_token", "!=", False),
                "|",
                ("token_expires_at", "<=", now + TOKEN_REFRESH_MARGIN * 2),
                ("auth_expires_at", "<=", now + AUTHORIZATION_WARNING),
            ]
        ):
            shop.connection_id._enqueue_outbound(
                "_marketplace_refresh_token_event",
                {"shop": shop.id},
                dedupe_key=f"marketplace-token:{shop.id}",
                record=shop,
            )

    def _marketplace_check_token(self):
        """Refresh the token if it expires soon; warn before the authorization ends.

        A refresh token the platform refuses is answered by the activity asking to
        reconnect the shop, not by an error: a dead letter per run would add nothing,
        and raising would roll the activity back.
        """
        self.ensure_one()
        try:
            self._marketplace_ensure_token()
        except AuthenticationError as exc:
            if exc.retryable:
                raise
            _logger.info(
                "Marketplace shop %s must be reconnected: %s",
                self.id,
                self.connection_id._mask_text(str(exc)),
            )
        if (
            self.auth_expires_at
            and self.auth_expires_at - fields.Datetime.now() < AUTHORIZATION_WARNING
        ):
            self._marketplace_ask_reconnect(
                _("The shop authorization expires on %s.", self.auth_expires_at)
            )
        return self

    # ------------------------------------------------------------------ inbound events
    def _marketplace_handle_event(self, event):
        """Process one stored push; return the ``marketplace.order`` it touched.

        :raises IgnoreEvent: not an order event, or older than what is stored.
        :raises PermanentError: the stored push cannot be read (it will not get better).
        """
        self.ensure_one()
        try:
            push = self._marketplace_client_class().read_push(event._get_payload())
        except ValueError as exc:  # MalformedPayload
            raise PermanentError(_("The push cannot be read: %s", exc)) from exc
        if push["kind"] == "order":
            return self._marketplace_handle_order_push(push["ref"], push["update_time"])
        if push["kind"] == "authorization_expiring":
            self._marketplace_ask_reconnect(
                _("The platform warns the authorization expires soon.")
            )
            return None
        if push["kind"] == "deauthorized":
            self._marketplace_ask_reconnect(_("The seller deauthorized the app."))
            return None
        raise IgnoreEvent(_("Push type %s is not used.", push.get("code")))

    def _marketplace_push_order_ref(self, payload):
        """``(order id, update time)`` named by an order push, else ``(None, None)``."""
        push = self._marketplace_client_class().read_push(payload)
        if push["kind"] != "order":
            return None, None
        return push["ref"], push["update_time"]

    def _marketplace_handle_events(self, events):
        """Bulk path of the inbox: order pushes of this shop, fetched from the platform
        by 50 and imported together (``_marketplace_import_many``).

        Only fresh order pushes are handled here; any other event, a push older than
        the stored order, or an order the platform does not return is left out of the
        answer for ``_marketplace_handle_event``.

        :return: ``{event_id: marketplace.order}``
        """
        self.ensure_one()
        wanted = {}
        for event in events:
            try:
                payload = event._get_payload()
                ref, update_time = self._marketplace_push_order_ref(payload)
                if ref:
                    wanted[event.id] = (ref, int(update_time or 0))
            except (PermanentError, ValueError, TypeError):
                continue
        if not wanted:
            return {}
        stored = {
            order.name: order.platform_update_time or 0
            for order in self.env["marketplace.order"].search(
                [
                    ("shop_id", "=", self.id),
                    ("name", "in", [ref for ref, _time in wanted.values()]),
                ]
            )
        }
        wanted = {
            event_id: ref
            for event_id, (ref, update_time) in wanted.items()
            if not (update_time and update_time < stored.get(ref, 0))
        }
        refs = sorted(set(wanted.values()))
        if not refs:
            return {}
        try:
            fetched = self._marketplace_api("get_orders", refs)
        except IntegrationError as exc:
            if not exc.retryable:
                raise
            # The platform cannot be asked now (down, or a token it still refuses):
            # every push of the batch waits for its retry instead of asking again
            # push by push.
            return dict.fromkeys(wanted, exc)
        details = [detail for detail in fetched if isinstance(detail, dict)]
        orders = {
            order.name: order for order in self._marketplace_import_payloads(details)
        }
        return {
            event_id: orders[ref] for event_id, ref in wanted.items() if ref in orders
        }

    def _marketplace_handle_order_push(self, external_id, update_time):
        if not external_id:
            raise IgnoreEvent(_("The push names no order."))
        existing = self.env["marketplace.order"].search(
            [("shop_id", "=", self.id), ("name", "=", str(external_id))], limit=1
        )
        if (
            existing
            and update_time
            and existing.platform_update_time
            and int(update_time) < existing.platform_update_time
        ):
            raise IgnoreEvent(_("Older than the stored platform update time."))
        orders = self._marketplace_fetch_and_import([str(external_id)])
        return orders[:1]

    def _marketplace_fetch_and_import(self, external_ids):
        """Fetch full orders from the platform and import each (savepoint per order)."""
        self.ensure_one()
        details = self._marketplace_api("get_orders", external_ids)
        order_ref = self._marketplace_client_class().order_ref
        found = {order_ref(d) for d in details if isinstance(d, dict)}
        missing = set(external_ids) - found
        if missing:
            raise IgnoreEvent(
                _("The platform does not know order(s) %s.", ", ".join(missing))
            )
        return self._marketplace_import_payloads(details)

    def _marketplace_import_payloads(self, payloads):
        return self.env["marketplace.order"]._marketplace_import_many(self, payloads)

    # ------------------------------------------------------------------ reconciliation
    @api.model
    def _cron_sync_orders(self):
        """Queue the reconciliation of every shop (outbox, one event per shop)."""
        self.search(
            [("sync_enabled", "=", True), ("access_token", "!=", False)]
        )._marketplace_queue_sync()

    def _marketplace_queue_sync(self, notify_uid=None, imported=0):
        """Queue the reconciliation of these shops (one outbox event per shop).

        :param notify_uid: the user who asked (*Sync orders now*): the slices run
            even when the shop's scheduled reconciliation is off, and the user is
            notified when the last one is done.
        :param imported: orders imported by the earlier slices of that run.
        """
        for shop in self:
            payload = {"shop": shop.id}
            if notify_uid:
                payload.update(notify_uid=notify_uid, imported=imported)
            shop.connection_id._enqueue_outbound(
                "_marketplace_sync_orders_event",
                payload,
                dedupe_key=f"marketplace-sync:{shop.id}",
                record=shop,
            )

    def _marketplace_sync_step(self, notify_uid=None, imported=0):
        """One slice of reconciliation (the outbox handler's unit of work): the queue
        commits it with the saved cursor, and the next slice is queued while the shop
        is behind. A killed worker loses at most that slice, read again next time.

        :returns: the shop, or ``Idle(shop)`` when the slice imported nothing (a poll
            that found nothing is not a success for the dashboard).
        """
        self.ensure_one()
        until = fields.Datetime.now()
        count = self._marketplace_sync_orders(until=until, max_slices=1)
        if self.sync_cursor and self.sync_cursor < until:
            self._marketplace_queue_sync(
                notify_uid=notify_uid, imported=imported + count
            )
        elif notify_uid:
            self._marketplace_notify_sync_done(notify_uid, imported + count)
        return self if count else Idle(self)

    def _marketplace_notify_sync_done(self, uid, count):
        """Tell the user who pressed *Sync orders now* that it is done: a message on
        the shop, and a notification in their browser (sent when the queue commits)."""
        self.ensure_one()
        message = _(
            "Order sync of %(shop)s is done: %(count)s order(s) imported or updated.",
            shop=self.name,
            count=count,
        )
        self.message_post(body=message)
        user = self.env["res.users"].sudo().browse(uid).exists()
        # A person waiting in Sync orders now is told by the action's answer.
        if user and not self.env.context.get("marketplace_sync_interactive"):
            user.partner_id._bus_send(
                "simple_notification",
                {"type": "success", "message": message, "sticky": False},
            )

    def _marketplace_sync_orders(self, until=None, max_slices=None):
        """Page orders by update time in slices, ``sync_cursor`` − overlap → ``until``.

        After each slice the cursor is saved: the queue commits one slice per event
        (``_marketplace_sync_step``), so a run that is killed resumes at the last
        finished slice: no gap, at most one slice re-read. The overlap absorbs
        TikTok's fuzzy update-time filter (order.md) and late writes.

        :param max_slices: stop after that many slices (None: up to ``until``).
        :returns: number of orders imported or updated.
        """
        self.ensure_one()
        until = until or fields.Datetime.now()
        start = (
            self.sync_cursor or until - timedelta(days=self.sync_initial_days)
        ) - timedelta(minutes=self.sync_overlap_minutes)
        step = timedelta(hours=self.sync_window_hours)
        count = slices = 0
        while start < until and (max_slices is None or slices < max_slices):
            end = min(start + step, until)
            # each order is imported in its own savepoint; orders already imported
            # stay (idempotent)
            count += self._marketplace_sync_slice(_ts(start), _ts(end))
            self.sync_cursor = end
            slices += 1
            start = end
        return count

    def _marketplace_sync_slice(self, time_from, time_to):
        count = 0
        cursor = ""
        page_size = self.env.context.get("marketplace_page_size", 100)
        for _page in range(MAX_SYNC_PAGES):
            page = self._marketplace_api(
                "list_orders", time_from, time_to, cursor=cursor, page_size=page_size
            )
            count += len(self._marketplace_import_payloads(page["orders"]))
            cursor = page["next_cursor"]
            if not cursor:
                break
        return count

    @api.model
    def _cron_shopee_lost_pushes(self):
        """Store Shopee pushes that were not delivered (reference §1.10), then confirm them.

        One call per app (partner id), each app on its own (a failing app does not stop
        the others); each message is stored like a received push, so a push that did
        arrive is deduplicated by its dedupe key.

        :returns: number of events stored.
        """
        apps = {}
        for shop in self.sudo().search([("provider", "=", "shopee")]):
            apps.setdefault((shop.api_key, shop.connection_id._get_base_url()), shop)
        stored = 0
        for shop in apps.values():
            try:
                with self.env.cr.savepoint():
                    stored += shop._marketplace_catch_up_lost_pushes()
            except Exception as exc:  # noqa: BLE001 - next run goes on; the log says why
                _logger.warning(
                    "Lost pushes of marketplace shop %s failed: %s",
                    shop.id,
                    shop.connection_id._mask_text(str(exc)),
                )
        return stored

    def _marketplace_catch_up_lost_pushes(self):
        """Page through the app's lost pushes: each page is stored and committed
        before it is confirmed at Shopee, which forgets what was confirmed."""
        self.ensure_one()
        stored = 0
        for _page in range(MAX_LOST_PUSH_PAGES):  # 100 messages a page
            answer = self._marketplace_api("get_lost_push_messages")
            stored += self._marketplace_store_lost_pushes(
                answer.get("push_message_list") or []
            )
            if answer.get("last_message_id"):
                self._marketplace_api(
                    "confirm_lost_push_messages", answer["last_message_id"]
                )
            if not answer.get("has_next_page"):
                break
        return stored

    def _marketplace_store_lost_pushes(self, messages):
        """Store messages as inbound events in a side cursor, committed when this
        returns (a rollback of the caller must not lose what Shopee is about to
        forget). A message that cannot be read is stored as a dead letter, for a
        person to see.

        :returns: number of new events.
        """
        self.ensure_one()
        if not messages:
            return 0
        stored = 0
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            Event = env["integration.event"]
            Shop = env["marketplace.shop"]
            here = Shop.browse(self.id)
            for message in messages:
                payload, problem = _read_lost_push(message)
                target = here
                if payload is not None:
                    target = (
                        Shop.search(
                            [
                                ("provider", "=", "shopee"),
                                ("shop_ref", "=", str(payload.get("shop_id") or "")),
                            ],
                            limit=1,
                        )
                        or here
                    )
                    try:
                        description = shopee.describe_push(payload)
                    except (ValueError, KeyError, TypeError) as exc:
                        problem = str(exc)
                body = json.dumps(payload if payload is not None else message)
                if problem:
                    description = {
                        "event_type": "shopee_lost_push",
                        "external_id": False,
                        "dedupe_key": "shopee:lost:"
                        + hashlib.sha256(body.encode()).hexdigest(),
                        "state": "failed",
                        "error": _("Unreadable lost push: %s", problem),
                    }
                _event_id, created = Event._store_inbound(
                    target.connection_id,
                    handler="_marketplace_process_event",
                    body=body,
                    **description,
                )
                stored += int(created)
            env.flush_all()
        return stored

    # ------------------------------------------------------------------ stock
    def _marketplace_queue_stock_push(self, full=False):
        for shop in self.filtered("stock_push_enabled"):
            shop.connection_id._enqueue_outbound(
                "_marketplace_push_stock_event",
                {"shop": shop.id, "full": full},
                dedupe_key=f"marketplace-stock{'-full' if full else ''}:{shop.id}",
                delay=0 if full else 30,
                record=shop,
            )

    def _marketplace_push_stock(self, maps=None):
        """Push the available quantities of the dirty (or given) mappings (see
        ``marketplace.product.map._marketplace_push_stock``).

        :returns: number of API calls made.
        """
        self.ensure_one()
        if maps is None:
            maps = self.product_map_ids.filtered(lambda m: m.stock_dirty and m.active)
        return maps.filtered(lambda m: m.shop_id == self)._marketplace_push_stock()

    @api.model
    def _cron_push_stock_full(self):
        """Queue a full stock push per shop (outbox, one event per shop)."""
        self.search([("stock_push_enabled", "=", True)])._marketplace_queue_stock_push(
            full=True
        )

    # ------------------------------------------------------------------ actions
    def _marketplace_check_connected(self):
        """Raise, for a person, when one of these shops cannot call its platform yet."""
        for shop in self:
            connection = shop.connection_id
            if not connection._integration_is_connected():
                raise UserError(connection._integration_not_connected_message())

    def action_sync_now(self):
        """Reconcile the orders now: the slices run at once, through the queue's
        outbox events, while the person waits up to ``SYNC_NOW_SECONDS``; what is
        left goes on in the background, and the person is notified when it is done.

        :returns: a notification with the outcome, then a reload of the form.
        """
        self._marketplace_check_connected()
        deadline = time.monotonic() + SYNC_NOW_SECONDS
        Connection = self.env["integration.connection"]
        messages, kind = [], "success"
        for shop in self:
            shop._marketplace_queue_sync(notify_uid=self.env.uid)
            outcome, error = shop._marketplace_sync_now_until(deadline)
            if outcome == "done":
                count = self.env["marketplace.order"].search_count(
                    [("shop_id", "=", shop.id), ("write_date", ">=", self.env.cr.now())]
                )
                messages.append(
                    _(
                        "Order sync of %(shop)s is done: %(count)s order(s) imported "
                        "or updated.",
                        shop=shop.name,
                        count=count,
                    )
                )
            elif outcome == "failed":
                kind = "danger"
                messages.append(
                    _(
                        "Order sync of %(shop)s failed: %(error)s. It is retried in "
                        "the background; the failed event under Integrations says "
                        "more.",
                        shop=shop.name,
                        error=shop.connection_id._mask_text(error or "-")[-300:],
                    )
                )
            elif outcome == "ignored":
                kind = "warning" if kind == "success" else kind
                messages.append(
                    _(
                        "Order sync of %(shop)s did not run: %(why)s",
                        shop=shop.name,
                        why=error or "-",
                    )
                )
            else:
                kind = "info" if kind == "success" else kind
                messages.append(
                    _(
                        "Order sync of %(shop)s goes on in the background: new and "
                        "changed orders keep arriving, and you get a notification "
                        "when it is done.",
                        shop=shop.name,
                    )
                )
        return Connection._integration_notification(" ".join(messages), kind=kind)

    def _marketplace_sync_now_until(self, deadline):
        """Run this shop's queued sync slices in this request until none is left or
        ``deadline`` (``time.monotonic()``) passes, as the queue runs them (claim,
        savepoint, outcome recorded; failures are kept on the event, not raised).

        :returns: ``(outcome, error)``: ``done``, ``failed``, ``ignored`` or
            ``background`` (time is up, or a worker holds the event).
        """
        self.ensure_one()
        Event = (
            self.env["integration.event"]
            .sudo()
            .with_context(marketplace_sync_interactive=True)
        )
        domain = [
            ("connection_id", "=", self.connection_id.id),
            ("direction", "=", "outbound"),
            ("dedupe_key", "=", f"marketplace-sync:{self.id}"),
            ("state", "=", "received"),
        ]
        while time.monotonic() < deadline:
            self.env.flush_all()
            event = Event.search(domain, order="id", limit=1)
            if not event:
                running = [*domain[:-1], ("state", "=", "processing")]
                if Event.search_count(running):  # a worker has it
                    return "background", None
                return "done", None
            if not event._lock_if_due():
                return "background", None
            event._mark_claimed()
            event._process_claimed()
            if event.state in ("failed", "ignored"):
                lines = [line for line in (event.error or "").splitlines() if line]
                return event.state, lines[-1] if lines else None
        return "background", None

    def action_push_stock(self):
        """Queue a full stock push of every active mapping (outbox, one event per
        shop); the quantities are read when the push runs."""
        self._marketplace_check_connected()
        counts = []
        for shop in self:
            if not shop.stock_push_enabled:
                raise UserError(
                    _(
                        "Stock push is off for shop %s: switch on Push stock on the "
                        "Synchronisation tab first.",
                        shop.name,
                    )
                )
            maps = shop.product_map_ids.filtered("active")
            if not maps:
                raise UserError(
                    _(
                        "No product of shop %s is mapped yet: map its SKUs under "
                        "Marketplace > Product mappings (Find unmapped SKUs lists "
                        "those of waiting orders).",
                        shop.name,
                    )
                )
            counts.append(
                _("%(count)s SKUs queued for %(shop)s", count=len(maps), shop=shop.name)
            )
        self._marketplace_queue_stock_push(full=True)
        return self.env["integration.connection"]._integration_notification(
            _(
                "%(counts)s: the platform shows the new quantities within a minute.",
                counts="; ".join(counts),
            )
        )

    def action_test_connection(self):
        self.ensure_one()
        return self.connection_id.action_test_connection()

    def action_open_orders(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketplace_sync.action_marketplace_order"
        )
        action["domain"] = [("shop_id", "in", self.ids)]
        return action

    def action_find_unmapped(self):
        """Create empty mappings for every SKU of parked orders that has none."""
        created = self.env["marketplace.product.map"]._marketplace_find_unmapped(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketplace_sync.action_marketplace_product_map"
        )
        action["domain"] = [("shop_id", "in", self.ids), ("line_ids", "=", False)]
        action["context"] = {"created": len(created)}
        return action

    def action_connect(self):
        """Open the platform's authorization page (OAuth, state signed with pyjwt)."""
        self.ensure_one()
        from ..controllers.main import make_state  # noqa: PLC0415 (avoid import cycle)

        record = self.sudo()
        if not (record.api_key and record.api_secret):
            raise UserError(self.connection_id._integration_not_connected_message())
        state = make_state(self.env, self)
        redirect = self.get_base_url() + "/marketplace/oauth/callback"
        with self.connection_id._integration_user_errors(
            _("opening the authorization")
        ):
            url = self._marketplace_client().authorization_url(redirect, state)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def _marketplace_connect(self, code, shop_ref=None):
        """Exchange an authorization code for tokens (the OAuth callback)."""
        self.ensure_one()
        client = self._marketplace_client()
        values = self._marketplace_token_values(
            client.get_token(code, shop_ref or self.shop_ref)
        )
        # developer-guide/20: shop authorization lasts 365 days at most (TikTok: at
        # most a year as well)
        values["auth_expires_at"] = fields.Datetime.now() + timedelta(days=365)
        # The new token goes to this client directly: the connection row written
        # below stays locked by this transaction until it ends.
        client.access_token = values["access_token"]
        shop = client.get_authorized_shop(shop_ref or self.shop_ref)
        if shop:
            values["shop_ref"] = shop["shop_ref"]
            if shop.get("cipher"):
                values["tiktok_shop_cipher"] = shop["cipher"]
        self.sudo().write(values)
        self.activity_ids.filtered(
            lambda a: a.summary == _("Reconnect the marketplace shop")
        ).action_feedback(feedback=_("Shop reconnected."))
        self.message_post(body=_("Shop connected to the platform."))

    # ------------------------------------------------------------------ accounting
    @api.constrains("receivable_account_id")
    def _check_receivable_account(self):
        """The transit account is cleared by bank statement lines: it must reconcile."""
        for shop in self.filtered("receivable_account_id"):
            if not shop.receivable_account_id.reconcile:
                raise ValidationError(
                    _(
                        "The marketplace transit account of %(shop)s must allow "
                        "reconciliation (%(account)s does not): the payout's bank "
                        "line clears it.",
                        shop=shop.name,
                        account=shop.receivable_account_id.display_name,
                    )
                )


def _read_lost_push(message):
    """``(payload, problem)`` of a lost-push message: ``data`` arrives as a JSON
    string (v2.push.get_lost_push_message)."""
    if not isinstance(message, dict):
        return None, "not an object"
    data = message.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data or "{}")
        except ValueError as exc:
            return None, f"data is not JSON: {exc}"
    if data is not None and not isinstance(data, dict):
        return None, "data is not an object"
    return dict(message, data=data or {}), None
