# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import logging
import threading
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_integration.api.exceptions import (
    IgnoreEvent,
    PermanentError,
    RetryableError,
)

from ..api import shopee, tiktok
from ..api.common import AuthenticationError, TokenExpiredError

_logger = logging.getLogger(__name__)

# Refresh when the access token has less than this left (Shopee: 4 h tokens; the old
# token
# stays valid 5 more minutes after a refresh, developer-guide/20).
TOKEN_REFRESH_MARGIN = timedelta(minutes=30)


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
    tiktok_auth_url = fields.Char(
        "Auth host override",
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
    order_ids = fields.One2many("marketplace.order", "shop_id")
    product_map_ids = fields.One2many("marketplace.product.map", "shop_id")
    order_count = fields.Integer(compute="_compute_counts")
    attention_count = fields.Integer(compute="_compute_counts")

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

    def _marketplace_default_tax(self):
        """A price-included copy of the company's sale PPN (l10n_id's exclude tax)."""
        self.ensure_one()
        Tax = self.env["account.tax"]
        company = self.company_id
        base = company.account_sale_tax_id
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
    def _marketplace_client(self, env=None):
        """The platform client for this shop, on the connection's logged session."""
        self.ensure_one()
        shop = (
            self.sudo()
            if env is None
            else env["marketplace.shop"].sudo().browse(self.id)
        )
        conn = shop.connection_id
        session = conn._get_http_session()
        if shop.provider == "shopee":
            if not (conn.api_key and conn.api_secret):
                raise UserError(
                    _("Shop %s has no partner id or partner key.", shop.name)
                )
            return shopee.ShopeeClient(
                session,
                conn._get_base_url(),
                conn.api_key,
                conn.api_secret,
                shop_id=shop.shop_ref,
                access_token=conn.access_token,
            )
        if not (conn.api_key and conn.api_secret):
            raise UserError(_("Shop %s has no app key or app secret.", shop.name))
        return tiktok.TiktokClient(
            session,
            conn._get_base_url(),
            conn.api_key,
            conn.api_secret,
            shop_cipher=shop.tiktok_shop_cipher,
            access_token=conn.access_token,
            auth_url=shop.tiktok_auth_url or None,
        )

    def _marketplace_api(self, method, *args, **kwargs):
        """Call ``client.<method>`` with a fresh token; on a token error refresh once
        (under the shop lock) and call again."""
        self.ensure_one()
        self._marketplace_ensure_token()
        client = self._marketplace_client()
        try:
            return getattr(client, method)(*args, **kwargs)
        except TokenExpiredError:
            self._marketplace_refresh_token(used_token=client.access_token)
            client = self._marketplace_client()
            return getattr(client, method)(*args, **kwargs)

    def _marketplace_test_connection(self):
        if self.provider == "shopee":
            info = self._marketplace_api("get_shop_info")
            return _("Connected to %s.", info.get("shop_name") or self.shop_ref)
        shops = self._marketplace_api("get_authorized_shops")
        return _("Connected; %s authorized shop(s).", len(shops))

    # ------------------------------------------------------------------ tokens
    def _marketplace_ensure_token(self):
        self.ensure_one()
        expires = self.sudo().token_expires_at
        if expires and expires - fields.Datetime.now() < TOKEN_REFRESH_MARGIN:
            self._marketplace_refresh_token(used_token=self.sudo().access_token)

    def _marketplace_refresh_token(self, used_token=None):
        """Rotate the token pair once, whoever asks concurrently.

        Runs in its own cursor holding ``SELECT ... FOR UPDATE`` on the connection row:
        a second worker waits, then sees that the token it used was already replaced and
        does nothing. The new pair is committed at once in that cursor (safe: it only
        holds the token row), because Shopee refresh tokens are single-use
        (developer-guide/20) and a rollback of the caller's transaction must not lose
        them.

        :param used_token: the access token the caller saw; no refresh when it changed.
        :raises AuthenticationError: the refresh token was refused (reconnect the shop).
        """
        self.ensure_one()
        conn_id = self.connection_id.id
        # The side cursor reads the database: pending ORM writes of the token fields
        # must be there first (nothing else of the caller's transaction is flushed).
        self.env["integration.connection"].flush_model(
            ["access_token", "refresh_token", "token_expires_at"]
        )
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '30s'")
                cr.execute(
                    "SELECT id FROM integration_connection WHERE id = %s FOR UPDATE",
                    [conn_id],
                )
                env = self.env(cr=cr, su=True)
                shop = env["marketplace.shop"].browse(self.id)
                conn = shop.connection_id
                if used_token is not None and conn.access_token != used_token:
                    return False  # somebody refreshed while we waited
                if not conn.refresh_token:
                    raise AuthenticationError(
                        _("Shop %s has no refresh token.", shop.name)
                    )
                client = shop._marketplace_client(env=env)
                data = client.refresh_token(conn.refresh_token)
                conn.write(shop._marketplace_token_values(data))
                conn.flush_recordset()
                cr.commit()  # see docstring: the single-use pair must survive
        except AuthenticationError as exc:
            self._marketplace_ask_reconnect(str(exc))
            raise
        finally:
            self.connection_id.invalidate_recordset()
            self.invalidate_recordset()
        _logger.info("Access token of marketplace shop %s refreshed", self.id)
        return True

    def _marketplace_token_values(self, data):
        """Connection values from a token answer (both platforms)."""
        if self.provider == "shopee":
            expires = fields.Datetime.now() + timedelta(
                seconds=int(data.get("expire_in") or 0)
            )
        else:
            # TikTok *_expire_in are Unix timestamps, not durations (reference §2.1).
            expires = _from_ts(data.get("access_token_expire_in") or 0)
        return {
            "access_token": data["access_token"],
            "refresh_token": data.get("refresh_token"),
            "token_expires_at": expires,
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
        for shop in self.search([("access_token", "!=", False)]):
            try:
                shop._marketplace_ensure_token()
            except Exception:
                _logger.exception(
                    "Token refresh failed for marketplace shop %s", shop.id
                )
            if (
                shop.auth_expires_at
                and shop.auth_expires_at - fields.Datetime.now() < timedelta(days=7)
            ):
                shop._marketplace_ask_reconnect(
                    _("The shop authorization expires on %s.", shop.auth_expires_at)
                )

    # ------------------------------------------------------------------ inbound events
    def _marketplace_handle_event(self, event):
        """Process one stored push; return the ``marketplace.order`` it touched.

        :raises IgnoreEvent: not an order event, or older than what is stored.
        """
        self.ensure_one()
        payload = event._get_payload()
        if self.provider == "shopee":
            code = int(payload.get("code") or 0)
            data = payload.get("data") or {}
            if code in (3, 4):
                return self._marketplace_handle_order_push(
                    data.get("ordersn") or data.get("order_sn"), data.get("update_time")
                )
            if code == 12:
                self._marketplace_ask_reconnect(
                    _("Shopee warns the authorization expires soon.")
                )
                return None
            if code == 2:
                self._marketplace_ask_reconnect(_("The seller deauthorized the app."))
                return None
            raise IgnoreEvent(_("Shopee push code %s is not used.", code))
        kind = int(payload.get("type") or 0)
        data = payload.get("data") or {}
        if kind == 1:  # ORDER_STATUS_CHANGE
            return self._marketplace_handle_order_push(
                data.get("order_id"), data.get("update_time")
            )
        if kind == 7:  # UPCOMING_AUTHORIZATION_EXPIRATION
            self._marketplace_ask_reconnect(
                _("TikTok warns the authorization expires soon.")
            )
            return None
        if kind == 6:  # SELLER_DEAUTHORIZATION
            self._marketplace_ask_reconnect(_("The seller deauthorized the app."))
            return None
        raise IgnoreEvent(_("TikTok webhook type %s is not used.", kind))

    @api.model
    def _marketplace_push_order_ref(self, provider, payload):
        """``(order id, update time)`` named by an order push, else ``(None, None)``."""
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            return None, None
        if provider == "shopee" and int(payload.get("code") or 0) in (3, 4):
            ref = data.get("ordersn") or data.get("order_sn")
        elif provider == "tiktok" and int(payload.get("type") or 0) == 1:
            ref = data.get("order_id")
        else:
            return None, None
        return (str(ref) if ref else None), data.get("update_time")

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
                ref, update_time = self._marketplace_push_order_ref(
                    self.provider, payload
                )
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
            fetched = self._marketplace_api("get_order_details", refs)
        except RetryableError as exc:
            # The platform cannot be asked now: every push of the batch waits for
            # its retry instead of asking again push by push.
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
        details = self._marketplace_api("get_order_details", external_ids)
        found = {
            str(d.get("order_sn") or d.get("id"))
            for d in details
            if isinstance(d, dict)
        }
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
        for shop in self.search(
            [("sync_enabled", "=", True), ("access_token", "!=", False)]
        ):
            try:
                shop._marketplace_sync_orders()
            except Exception:
                # progress of finished slices is already committed; next run resumes
                # there
                _logger.exception(
                    "Order reconciliation failed for marketplace shop %s", shop.id
                )

    def _marketplace_sync_orders(self, until=None):
        """Page orders by update time in slices, ``sync_cursor`` − overlap → ``until``.

        After each slice the cursor is saved (and committed outside tests), so a run
        that is killed resumes at the last finished slice: no gap, at most one slice
        re-read. The overlap absorbs TikTok's fuzzy update-time filter (order.md) and
        late writes.

        :returns: number of orders imported or updated.
        """
        self.ensure_one()
        until = until or fields.Datetime.now()
        start = (
            self.sync_cursor or until - timedelta(days=self.sync_initial_days)
        ) - timedelta(minutes=self.sync_overlap_minutes)
        step = timedelta(hours=self.sync_window_hours)
        count = 0
        while start < until:
            end = min(start + step, until)
            # each order is imported in its own savepoint; a failure mid-slice leaves
            # the
            # cursor at the last finished slice (orders already imported stay:
            # idempotent)
            count += self._marketplace_sync_slice(_ts(start), _ts(end))
            self.sync_cursor = end
            self._marketplace_commit_progress()
            start = end
        return count

    def _marketplace_commit_progress(self):
        if not getattr(
            threading.current_thread(), "testing", False
        ) and not self.env.context.get("marketplace_no_commit"):
            self.env.cr.commit()  # progress per slice (reference §4.3 "missed orders")

    def _marketplace_sync_slice(self, time_from, time_to):
        count = 0
        cursor = ""
        page_size = self.env.context.get("marketplace_page_size", 100)
        while True:
            if self.provider == "shopee":
                page = self._marketplace_api(
                    "get_order_list",
                    time_from,
                    time_to,
                    cursor=cursor,
                    page_size=page_size,
                )
                sns = [o["order_sn"] for o in page.get("order_list") or []]
                if sns:
                    count += len(self._marketplace_fetch_and_import(sns))
                cursor = page.get("next_cursor") if page.get("more") else ""
            else:
                page = self._marketplace_api(
                    "search_orders",
                    time_from,
                    time_to,
                    page_token=cursor,
                    page_size=page_size,
                )
                count += len(
                    self._marketplace_import_payloads(page.get("orders") or [])
                )
                cursor = page.get("next_page_token") or ""
            if not cursor:
                return count

    @api.model
    def _cron_shopee_lost_pushes(self):
        """Store Shopee pushes that were not delivered (reference §1.10), then confirm them.

        One call per app (partner id); each message is stored like a received push, so a
        push that did arrive is deduplicated by its dedupe key.
        """
        Event = self.env["integration.event"].sudo()
        apps = {}
        for shop in self.sudo().search([("provider", "=", "shopee")]):
            apps.setdefault((shop.api_key, shop.connection_id._get_base_url()), shop)
        stored = 0
        for shop in apps.values():
            for _page in range(20):  # bounded: 100 messages a page
                answer = shop._marketplace_api("get_lost_push_messages")
                messages = answer.get("push_message_list") or []
                for message in messages:
                    data = message.get("data")
                    if isinstance(data, str):
                        data = json.loads(data or "{}")
                    payload = dict(message, data=data or {})
                    target = (
                        self.sudo().search(
                            [
                                ("provider", "=", "shopee"),
                                ("shop_ref", "=", str(payload.get("shop_id") or "")),
                            ],
                            limit=1,
                        )
                        or shop
                    )
                    try:
                        description = shopee.describe_push(payload)
                    except (ValueError, KeyError, TypeError):
                        continue
                    _event_id, created = Event._store_inbound(
                        target.connection_id,
                        handler="_marketplace_process_event",
                        body=json.dumps(payload),
                        **description,
                    )
                    stored += int(created)
                if answer.get("last_message_id"):
                    shop._marketplace_api(
                        "confirm_lost_push_messages", answer["last_message_id"]
                    )
                if not answer.get("has_next_page"):
                    break
        return stored

    # ------------------------------------------------------------------ stock
    def _marketplace_queue_stock_push(self):
        for shop in self.filtered("stock_push_enabled"):
            shop.connection_id._enqueue_outbound(
                "_marketplace_push_stock_event",
                {"shop": shop.id},
                dedupe_key=f"marketplace-stock:{shop.id}",
                delay=30,
            )

    def _marketplace_push_stock(self, maps=None):
        """Push available quantities of the dirty (or given) mappings, batched per call.

        Shopee: one item per call, ≤50 models (v2.product.update_stock); TikTok: one
        product per call. Per-SKU refusals are written on the mapping, the rest is
        marked pushed.

        :returns: number of API calls made.
        """
        self.ensure_one()
        maps = (
            maps
            if maps is not None
            else self.product_map_ids.filtered(lambda m: m.stock_dirty and m.active)
        )
        maps = maps.filtered(lambda m: m.item_id and m.line_ids)
        calls = 0
        by_item = {}
        for mapping in maps:
            by_item.setdefault(mapping.item_id, []).append(mapping)
        quantities = maps._marketplace_available_qty()
        now = fields.Datetime.now()
        for item_id, item_maps in by_item.items():
            step = shopee.MAX_STOCK_BATCH if self.provider == "shopee" else 100
            for start in range(0, len(item_maps), step):
                chunk = item_maps[start : start + step]
                if self.provider == "shopee":
                    _ok, failures = self._marketplace_api(
                        "update_stock",
                        item_id,
                        [(m.model_id or 0, quantities[m.id]) for m in chunk],
                    )
                    failures = {str(k): v for k, v in failures.items()}
                    key = lambda m: str(int(m.model_id or 0))  # noqa: E731
                else:
                    failures = self._marketplace_api(
                        "update_inventory",
                        item_id,
                        [(m.model_id, quantities[m.id]) for m in chunk],
                    )
                    key = lambda m: str(m.model_id)  # noqa: E731
                calls += 1
                for mapping in chunk:
                    error = failures.get(key(mapping))
                    mapping.write(
                        {
                            "stock_dirty": False,
                            "stock_push_error": error or False,
                            "stock_pushed_qty": quantities[mapping.id]
                            if not error
                            else mapping.stock_pushed_qty,
                            "stock_pushed_at": now,
                        }
                    )
        return calls

    @api.model
    def _cron_push_stock_full(self):
        for shop in self.search([("stock_push_enabled", "=", True)]):
            try:
                shop._marketplace_push_stock(shop.product_map_ids.filtered("active"))
                shop._marketplace_commit_progress()
            except Exception:
                _logger.exception("Stock push failed for marketplace shop %s", shop.id)

    # ------------------------------------------------------------------ actions
    def action_sync_now(self):
        for shop in self:
            shop._marketplace_sync_orders()

    def action_push_stock(self):
        for shop in self:
            shop._marketplace_push_stock(shop.product_map_ids.filtered("active"))

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

        state = make_state(self.env, self)
        redirect = self.get_base_url() + "/marketplace/oauth/callback"
        client = self._marketplace_client()
        if self.provider == "shopee":
            url = client.authorization_url(f"{redirect}?state={state}")
        else:
            url = client.authorization_url(state)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def _marketplace_connect(self, code, shop_ref=None):
        """Exchange an authorization code for tokens (the OAuth callback)."""
        self.ensure_one()
        client = self._marketplace_client()
        if self.provider == "shopee":
            data = client.get_token(code, shop_ref or self.shop_ref)
            values = self._marketplace_token_values(data)
            # developer-guide/20: shop authorization lasts 365 days at most
            values["auth_expires_at"] = fields.Datetime.now() + timedelta(days=365)
        else:
            data = client.get_token(code)
            values = self._marketplace_token_values(data)
            values["auth_expires_at"] = fields.Datetime.now() + timedelta(days=365)
        self.sudo().write(values)
        if self.provider == "tiktok":
            shops = self._marketplace_api("get_authorized_shops")
            match = next(
                (s for s in shops if str(s.get("id")) == self.shop_ref), None
            ) or (shops[0] if len(shops) == 1 else None)
            if match:
                self.sudo().write(
                    {
                        "tiktok_shop_cipher": match.get("cipher"),
                        "shop_ref": str(match.get("id")),
                    }
                )
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
