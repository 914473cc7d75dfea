# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_integration.api.exceptions import IgnoreEvent


class AccountMove(models.Model):
    _inherit = "account.move"

    payment_va_ids = fields.One2many("payment.va", "move_id", string="Virtual accounts")
    payment_va_current_id = fields.Many2one(
        "payment.va", string="Virtual account", compute="_compute_payment_va_current"
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

    @api.depends(
        "payment_va_ids.state", "payment_va_ids.va_number", "payment_va_ids.expires_at"
    )
    def _compute_payment_va_current(self):
        for move in self:
            vas = move.payment_va_ids
            current = vas.filtered(lambda v: v.state == "open")[:1]
            move.payment_va_current_id = current
            move.payment_va_instructions = current.payment_instructions
            move.payment_va_expires_at = current.expires_at
            move.payment_va_count = len(vas)

    # ------------------------------------------------------------------ posting
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        for move in posted.filtered(lambda m: m.move_type == "out_invoice"):
            connection = (
                self.env["integration.connection"]
                .sudo()
                ._payment_va_find(move.company_id, mode="invoice")
            )
            if (
                connection
                and connection.va_auto_create
                and not move.commercial_partner_id.payment_va_no_auto
                and move.currency_id == self.env.ref("base.IDR")
            ):
                # Through the outbox: posting never waits for (or fails with) the
                # gateway.
                connection._enqueue_outbound(
                    "_payment_va_outbound_refresh",
                    {"move_id": move.id, "create": True},
                    dedupe_key=f"payment_va_refresh:{move.id}",
                    record=move,
                )
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._payment_va_schedule_refresh()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._payment_va_schedule_refresh()
        return res

    # ------------------------------------------------------------------ VA lifecycle
    def _payment_va_schedule_refresh(self):
        """Queue a check of the VA after the amount due may have changed (debounced)."""
        vas = (
            self.env["payment.va"]
            .sudo()
            .search([("move_id", "in", self.ids), ("mode", "=", "invoice")])
        )
        for move in vas.move_id:
            move_vas = vas.filtered(lambda v, m=move: v.move_id == m)
            has_open = any(v.state in ("draft", "open") for v in move_vas)
            if not has_open and (
                move.state != "posted" or move.currency_id.is_zero(move.amount_residual)
            ):
                continue  # nothing open and nothing due: no gateway work to queue
            move_vas[:1].connection_id._enqueue_outbound(
                "_payment_va_outbound_refresh",
                {"move_id": move.id},
                dedupe_key=f"payment_va_refresh:{move.id}",
                record=move,
            )

    def _payment_va_refresh(self, connection):
        """Make the open VA match the amount due: replace it when the amount changed,
        close it when nothing is due or the invoice left the posted state, open one when
        the invoice had a VA (or asks for one) and money is still due.

        :return: the VA now open for the invoice, if any.
        """
        self.ensure_one()
        VA = self.env["payment.va"]
        open_vas = self.payment_va_ids.filtered(lambda v: v.state in ("draft", "open"))
        due = VA._payment_va_amount_for(self) if self.state == "posted" else 0
        if open_vas and due and all(int(v.amount) == due for v in open_vas):
            return open_vas[:1]
        for va in open_vas:
            va._gateway_close()
            va._payment_va_mark_closed("cancelled")
        if due <= 0:
            if not open_vas:
                raise IgnoreEvent(_("Nothing is due on %s.", self.name))
            return open_vas[:1]
        new_va = VA._create_for_invoice(self, connection)
        open_vas.write({"replaced_by_id": new_va.id})
        return new_va

    def action_payment_va_request(self):
        """Button: open (or replace) the invoice's VA now, in the user's transaction."""
        Connection = self.env["integration.connection"].sudo()
        for move in self:
            connection = Connection._payment_va_find(
                move.company_id, mode="invoice"
            ) or Connection._payment_va_find(move.company_id)
            if not connection:
                raise UserError(
                    _(
                        "No Midtrans or Xendit connection is configured for %s.",
                        move.company_id.name,
                    )
                )
            current = move.payment_va_current_id
            if current and int(current.amount) == self.env[
                "payment.va"
            ]._payment_va_amount_for(move):
                continue
            try:
                move._payment_va_refresh(connection)
            except IgnoreEvent as exc:
                raise UserError(str(exc)) from exc
        return True

    def action_open_payment_vas(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Virtual accounts"),
            "res_model": "payment.va",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
        }
