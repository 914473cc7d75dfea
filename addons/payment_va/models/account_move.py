# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

import logging
import re

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base_integration.api.exceptions import IgnoreEvent, RetryableError

from .integration_connection import VA_PROVIDERS

_logger = logging.getLogger(__name__)

REFRESH_HANDLER = "_payment_va_outbound_refresh"
# Invoices posted at once whose VAs are opened before the answer (more: the queue).
AFTER_POST_LIMIT = 5
# The database refused the invoice's row lock: another transaction holds it, or changed
# the row after this transaction's snapshot was taken.
LOCK_ERRORS = (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure)


class AccountMove(models.Model):
    _inherit = "account.move"

    payment_va_ids = fields.One2many("payment.va", "move_id", string="Virtual accounts")
    payment_va_current_id = fields.Many2one(
        "payment.va", string="Virtual account", compute="_compute_payment_va_current"
    )
    payment_va_ready = fields.Boolean(
        string="Virtual account usable",
        compute="_compute_payment_va_current",
        help="The open VA can be paid (a Xendit VA once Xendit reports it ACTIVE).",
    )
    payment_va_instructions = fields.Char(
        string="Pay to", compute="_compute_payment_va_current"
    )
    payment_va_expires_at = fields.Datetime(
        string="VA valid until", compute="_compute_payment_va_current"
    )
    payment_va_count = fields.Integer(
        string="Virtual account count", compute="_compute_payment_va_current"
    )
    payment_va_revision = fields.Integer(
        string="VA revision",
        readonly=True,
        copy=False,
        help="Technical: raised by every VA change of this invoice, so that a worker "
        "whose snapshot predates the change fails to lock the invoice instead of acting "
        "on what it no longer sees (REPEATABLE READ).",
    )

    @api.depends(
        "payment_va_ids.state",
        "payment_va_ids.va_number",
        "payment_va_ids.expires_at",
        "payment_va_ids.gateway_status",
    )
    def _compute_payment_va_current(self):
        for move in self:
            vas = move.payment_va_ids
            current = vas.filtered(lambda v: v.state == "open")[:1]
            move.payment_va_current_id = current
            move.payment_va_ready = current.is_payable
            if current and not current.is_payable:
                # Not shown before the gateway can take the transfer: a number the
                # bank does not know yet only makes the customer's transfer fail.
                gateways = dict(
                    current._fields["provider"]._description_selection(self.env)
                )
                move.payment_va_instructions = _(
                    "Waiting for %s to activate the virtual account.",
                    gateways.get(current.provider, current.provider),
                )
            else:
                move.payment_va_instructions = current.payment_instructions
            move.payment_va_expires_at = current.is_payable and current.expires_at
            move.payment_va_count = len(vas)

    # ------------------------------------------------------------------ posting
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        VA = self.env["payment.va"]
        for move in posted.filtered(lambda m: m.move_type == "out_invoice"):
            if not move._payment_va_auto_wanted():
                continue
            connection = move._payment_va_connections().filtered("va_auto_create")[:1]
            if connection and VA._payment_va_collectable(move, connection):
                # Through the outbox: posting never waits for (or fails with) the
                # gateway.
                connection._enqueue_outbound(
                    REFRESH_HANDLER,
                    {"move_id": move.id, "create": True},
                    dedupe_key=move._payment_va_refresh_key(),
                    record=move,
                )
        return posted

    def action_post(self):
        res = super().action_post()
        self._payment_va_open_after_commit()
        return res

    def _payment_va_open_after_commit(self):
        """A person posted a few invoices: open their VAs right after the posting is
        committed, before the answer goes back, so that the reloaded form shows the
        VA (the queue would open it a few seconds later, after the form was read).

        The work is the queue's own: the same outbox event, claimed with ``SKIP
        LOCKED`` (a cron that took it first wins), processed and committed in a new
        transaction. Posting itself never waits for nor fails with the gateway: a
        failure stays on the event, which the queue retries. Many invoices posted at
        once are left to the queue.
        """
        moves = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not moves or len(moves) > AFTER_POST_LIMIT:
            return
        keys = [move._payment_va_refresh_key() for move in moves]
        events = (
            self.env["integration.event"]
            .sudo()
            .search(
                [
                    ("direction", "=", "outbound"),
                    ("handler", "=", REFRESH_HANDLER),
                    ("dedupe_key", "in", keys),
                    ("state", "=", "received"),
                ]
            )
        )
        if not events:
            return
        event_ids = events.ids
        registry = self.env.registry
        uid = self.env.uid
        # The person who posted waits for this: one short attempt (the queue retries).
        context = dict(self.env.context, integration_interactive=True)

        def open_now():
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, context)
                    env["integration.event"].browse(event_ids)._run_now_in_own_cursor()
            except Exception:  # noqa: BLE001 - the queue does it anyway
                _logger.warning(
                    "Opening the VA of posted invoices at once failed; the queue "
                    "retries it.",
                    exc_info=False,
                )

        self.env.cr.postcommit.add(open_now)

    def _payment_va_auto_wanted(self):
        """Whether posting this invoice opens a VA by itself.

        The one hook for invoices that are paid another way: a glue module answers
        False for them (``payment_va_marketplace``: invoices of marketplace orders,
        which the platform pays).
        """
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.currency_id == self.env.ref("base.IDR")
            and not self.commercial_partner_id.payment_va_no_auto
        )

    def _payment_va_connections(self, modes=("invoice",)):
        """The VA connections that may open this invoice's VA, best first.

        The rules, in order: the customer's preferred gateway (``res.partner``
        ``payment_va_connection_id``, per company); then the connections of the
        invoice's company in one of ``modes``, by sequence, leaving out those whose
        invoice journals (``va_invoice_journal_ids``, if set) exclude the invoice's
        journal. The caller picks the first that suits it (on posting, the first with
        automatic creation on: one with it off never blocks the next one).
        """
        self.ensure_one()
        connections = (
            self.env["integration.connection"]
            .sudo()
            .search(
                [
                    ("provider", "in", VA_PROVIDERS),
                    ("company_id", "=", self.company_id.id),
                    ("va_mode", "in", list(modes)),
                ]
            )
            .filtered(
                lambda c: (
                    not c.va_invoice_journal_ids
                    or self.journal_id in c.va_invoice_journal_ids
                )
            )
        )
        preferred = (
            self.commercial_partner_id.sudo()
            .with_company(self.company_id)
            .payment_va_connection_id
        )
        if preferred in connections:
            connections = preferred | connections
        return connections

    def button_draft(self):
        res = super().button_draft()
        self._payment_va_schedule_refresh()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._payment_va_schedule_refresh()
        return res

    # ------------------------------------------------------------------ VA lifecycle
    def _payment_va_refresh_key(self):
        self.ensure_one()
        return f"payment_va_refresh:{self.id}"

    def _payment_va_schedule_refresh(self):
        """Queue a check of the VA after the amount due may have changed (debounced).

        Nothing is queued when no VA is open and nothing a VA could ask for is due: a
        sub-rupiah rest after a payment, or less than the bank's minimum, would only
        make a refresh that fails.
        """
        VA = self.env["payment.va"].sudo()
        vas = VA.search([("move_id", "in", self.ids), ("mode", "=", "invoice")])
        for move in vas.move_id:
            move_vas = vas.filtered(lambda v, m=move: v.move_id == m)
            connection = move_vas[:1].connection_id
            has_open = any(v.state in ("draft", "open") for v in move_vas)
            if not has_open and not VA._payment_va_collectable(move, connection):
                continue  # nothing open and nothing to collect: no gateway work
            connection._enqueue_outbound(
                REFRESH_HANDLER,
                {"move_id": move.id},
                dedupe_key=move._payment_va_refresh_key(),
                record=move,
            )

    def _payment_va_lock(self):
        """Lock the invoice for VA work (``FOR UPDATE NOWAIT``) and mark it changed.

        Every path that opens or closes an invoice's VAs goes through here first, so
        two of them never work on one invoice at once. Raising the revision makes a
        concurrent worker whose snapshot predates this work fail on its own lock,
        instead of seeing no VA and opening a second one.

        :raises psycopg2.errors.LockNotAvailable: someone else holds the invoice or
            one of its VAs.
        :raises psycopg2.errors.SerializationFailure: the invoice changed after this
            transaction's snapshot.
        """
        self.ensure_one()
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM account_move WHERE id = %s FOR UPDATE NOWAIT",
                    self.id,
                ),
                log_exceptions=False,
            )
            # Its VAs too, without waiting: a booking locks a VA, then reconciles (and
            # so writes) the invoice; waiting here for that VA would be a deadlock.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM payment_va WHERE move_id = %s ORDER BY id"
                    " FOR UPDATE NOWAIT",
                    self.id,
                ),
                log_exceptions=False,
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET payment_va_revision ="
                    " COALESCE(payment_va_revision, 0) + 1 WHERE id = %s",
                    self.id,
                )
            )
        self.invalidate_recordset(["payment_va_revision", "payment_va_ids"])

    def _payment_va_refresh(self, connection, event=None):
        """Make the open VA match the amount due: replace it when the amount changed,
        close it when nothing is due or the invoice left the posted state, open one when
        money is still due.

        The invoice is locked first; the new VA is opened before the old one is closed,
        so that if opening fails the old one stays live at the gateway and shown.

        :param event: the outbox event doing this (its idempotency key makes the new
            VA's gateway reference).
        :return: the VA now open for the invoice, if any.
        :raises RetryableError: someone else is working on this invoice's VA.
        """
        self.ensure_one()
        try:
            self._payment_va_lock()
        except LOCK_ERRORS as exc:
            raise RetryableError(
                _(
                    "Someone else is working on the virtual account of %s right now; "
                    "it will be tried again in a moment.",
                    self.name,
                )
            ) from exc
        VA = self.env["payment.va"]
        open_vas = self.payment_va_ids.filtered(lambda v: v.state in ("draft", "open"))
        due = VA._payment_va_amount_for(self) if self.state == "posted" else 0
        amount = VA._payment_va_collectable(self, connection)
        keep = open_vas.filtered(lambda v: amount and int(v.amount) == amount)[:1]
        new_va = VA.browse()
        if amount and not keep:
            new_va = VA._create_for_invoice(self, connection, event=event)
        for va in open_vas - keep:
            va._gateway_close()
            va._payment_va_mark_closed("cancelled")
            va.replaced_by_id = new_va or keep
        if keep or new_va:
            return keep or new_va
        if due:
            bank = connection.sudo()._payment_va_bank_for(self.partner_id)
            note = _(
                "Rp %(amount)s is still due on %(invoice)s, below the minimum of "
                "%(bank)s virtual accounts (Rp %(minimum)s): no virtual account.",
                amount=f"{due:,}",
                invoice=self.name,
                bank=bank.name,
                minimum=f"{bank.min_amount:,}",
            )
        else:
            note = _("Nothing is due on %s.", self.name)
        if open_vas:
            if due:
                self.message_post(subtype_xmlid="mail.mt_note", body=note)
            return open_vas[:1]
        raise IgnoreEvent(note)

    def action_payment_va_request(self):
        """Button: open (or replace) the invoice's VA now.

        The same work as the queue's, through the same outbox event (key
        ``payment_va_refresh:<invoice id>``), processed at once: one path, one lock,
        one idempotency key. See ``_payment_va_request_now``.
        """
        self.check_access("write")
        VA = self.env["payment.va"]
        for move in self:
            connection = (
                move._payment_va_connections()[:1]
                or move._payment_va_connections(modes=("customer",))[:1]
            )
            if not connection:
                raise UserError(
                    _(
                        "No Midtrans or Xendit connection is configured for %s.",
                        move.company_id.name,
                    )
                )
            current = move.payment_va_current_id
            if current and int(current.amount) == VA._payment_va_amount_for(move):
                continue
            VA._payment_va_check_invoice(move, connection)  # raise before any call
            move._payment_va_request_now(connection)
        self.invalidate_recordset()
        opened = self.filtered("payment_va_current_id")
        Connection = self.env["integration.connection"]
        if len(self) == 1 and opened:
            return Connection._integration_notification(
                _(
                    "Virtual account of %(invoice)s: %(instructions)s",
                    invoice=self.name,
                    instructions=self.payment_va_instructions or "-",
                )
            )
        return Connection._integration_notification(
            _("%(count)s invoice(s) have a virtual account.", count=len(opened))
        )

    def _payment_va_refresh_event(self, connection):
        """The outbox event that refreshes this invoice's VA on ``connection``: the one
        still waiting (queued by posting, or failed and waiting for a retry, whose
        earlier attempt the gateway may have answered) or a new one."""
        self.ensure_one()
        key = self._payment_va_refresh_key()
        event = (
            self.env["integration.event"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", connection.id),
                    ("direction", "=", "outbound"),
                    ("dedupe_key", "=", key),
                    ("state", "in", ("received", "failed")),
                ],
                order="id desc",
                limit=1,
            )
        )
        return event or connection.sudo()._enqueue_outbound(
            REFRESH_HANDLER,
            {"move_id": self.id, "create": True},
            dedupe_key=key,
            record=self,
        )

    def _payment_va_request_now(self, connection):
        """Process this invoice's refresh event now, for a person waiting for it.

        When this transaction has written nothing (a button click), the event is
        committed in its own transaction first, so the reference and idempotency key it
        gives are the same for every later attempt; then it is processed in a second
        one, which commits what the gateway answered whatever happens to this request
        afterwards (a replay after a serialization failure finds the VA instead of
        asking the gateway again). Neither can wait for a row this transaction holds,
        since it holds none. When it has written something (code posting and asking in
        one transaction), both run in this transaction: a separate one would neither see
        those writes nor get the invoice's lock.

        :raises UserError: the invoice is busy, or the gateway work failed (the event
            keeps the failure and is retried by the queue).
        """
        self.ensure_one()
        self.env.cr.execute("SELECT pg_current_xact_id_if_assigned() IS NULL")
        if not self.env.cr.fetchone()[0]:
            event = self._payment_va_refresh_event(connection)
            error = self._payment_va_process_event(event)
        else:
            with self.env.registry.cursor() as cr:
                env = self.env(cr=cr)
                event_id = (
                    self.with_env(env)
                    ._payment_va_refresh_event(connection.with_env(env))
                    .id
                )
            with self.env.registry.cursor() as cr:
                env = self.env(cr=cr)
                event = env["integration.event"].sudo().browse(event_id)
                # Committed even when it failed: the event keeps the failure (and is
                # retried by the queue), the person is told below.
                error = self.with_env(env)._payment_va_process_event(event)
            self.env.invalidate_all()
        if error:
            raise UserError(error)

    def _payment_va_process_event(self, event):
        """Lock the invoice and the event (``NOWAIT``: a person is not kept waiting)
        and run the event.

        :return: what went wrong, for a person (``None`` when the event is done).
        :raises UserError: someone else is working on the invoice's VA.
        """
        try:
            self._payment_va_lock()
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM integration_event WHERE id = %s"
                        " FOR UPDATE NOWAIT",
                        event.id,
                    ),
                    log_exceptions=False,
                )
        except LOCK_ERRORS as exc:
            raise UserError(
                _(
                    "Someone else is working on the virtual account of %s right now. "
                    "Try again in a moment.",
                    self.name,
                )
            ) from exc
        # As superuser: the invoicing user may not write queue events; the right to
        # ask was checked on the invoice.
        event = event.sudo()
        event.invalidate_recordset()
        event.action_process_now()
        if event.state not in ("failed", "ignored"):
            return None
        # "UserError: <text>" -> "<text>"; a traceback -> its last line
        lines = [line for line in (event.error or "").splitlines() if line.strip()]
        text = lines[-1] if lines else _("The virtual account could not be opened.")
        return re.sub(r"^[A-Za-z_.]*(Error|Exception|Event): ", "", text)

    def action_open_payment_vas(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Virtual accounts"),
            "res_model": "payment.va",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
        }
