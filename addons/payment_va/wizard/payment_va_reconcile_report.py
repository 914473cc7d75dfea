# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Gateway payments (confirmed ledger) against Odoo payments, per period."""

from datetime import datetime, time

import pytz

from odoo import _, fields, models

from ..models.integration_connection import WIB


class PaymentVaReconcileReport(models.TransientModel):
    _name = "payment.va.reconcile.report"
    _description = "Virtual Account Reconciliation"

    connection_id = fields.Many2one(
        "integration.connection",
        required=True,
        domain="[('provider', 'in', ('midtrans', 'xendit'))]",
    )
    # Today in WIB, the time zone payments are dated in (not the server's UTC day).
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: self._today_local().replace(day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: self._today_local()
    )
    line_ids = fields.One2many(
        "payment.va.reconcile.line", "report_id", string="Lines", readonly=True
    )
    difference_count = fields.Integer(string="Differences", compute="_compute_totals")
    gateway_total = fields.Float(string="Gateway total", compute="_compute_totals")
    odoo_total = fields.Float(string="Odoo total", compute="_compute_totals")

    def _compute_totals(self):
        for report in self:
            report.difference_count = len(
                report.line_ids.filtered(lambda line: line.status != "match")
            )
            report.gateway_total = sum(report.line_ids.mapped("gateway_amount"))
            report.odoo_total = sum(report.line_ids.mapped("odoo_amount"))

    def _compare(self):
        """:return: list of line values, one per gateway payment or unmatched Odoo
        payment."""
        self.ensure_one()
        # Payments are dated in WIB (``_payment_va_payment_values``), the gateway's
        # ``paid_at`` is UTC: the period's bounds are WIB days, converted to UTC.
        start = self._to_utc(datetime.combine(self.date_from, time.min))
        end = self._to_utc(datetime.combine(self.date_to, time.max))
        transactions = self.env["payment.va.transaction"].search(
            [
                ("connection_id", "=", self.connection_id.id),
                ("paid_at", ">=", start),
                ("paid_at", "<=", end),
            ]
        )
        payments = self.env["account.payment"].search(
            [
                ("payment_va_id.connection_id", "=", self.connection_id.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                ("state", "not in", ("draft", "canceled", "rejected")),
            ]
        )
        lines = []
        seen = self.env["account.payment"]
        for tx in transactions:
            payment = (
                tx.payment_id
                if tx.payment_id.state not in ("draft", "canceled", "rejected")
                else self.env["account.payment"]
            )
            seen |= payment
            if tx.state == "review":
                status = "review"
            elif tx.state == "reversed":
                status = "match" if not payment else "reversed_booked"
            elif not payment:
                status = "missing_in_odoo"
            elif payment.currency_id.compare_amounts(payment.amount, tx.amount):
                status = "amount_diff"
            else:
                status = "match"
            lines.append(
                {
                    "transaction_id": tx.id,
                    "payment_id": payment.id,
                    "external_id": tx.external_id,
                    "reference": tx.reference,
                    "date": tx.paid_at and self._to_local(tx.paid_at).date(),
                    "gateway_amount": 0.0 if tx.state == "reversed" else tx.amount,
                    "odoo_amount": payment.amount if payment else 0.0,
                    "status": status,
                }
            )
        for payment in payments - seen:
            lines.append(
                {
                    "payment_id": payment.id,
                    "external_id": payment.memo,
                    "date": payment.date,
                    "gateway_amount": 0.0,
                    "odoo_amount": payment.amount,
                    "status": "missing_at_gateway",
                }
            )
        return lines

    @staticmethod
    def _today_local():
        return datetime.now(WIB).date()

    @staticmethod
    def _to_utc(local):
        """Naive WIB datetime -> naive UTC (what Odoo stores)."""
        return WIB.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    @staticmethod
    def _to_local(utc):
        """Naive UTC datetime -> naive WIB."""
        return pytz.utc.localize(utc).astimezone(WIB).replace(tzinfo=None)

    def action_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        self.write(
            {"line_ids": [fields.Command.create(vals) for vals in self._compare()]}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Virtual account reconciliation"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }


class PaymentVaReconcileLine(models.TransientModel):
    _name = "payment.va.reconcile.line"
    _description = "Virtual Account Reconciliation Line"
    _order = "status desc, date, id"

    report_id = fields.Many2one(
        "payment.va.reconcile.report",
        required=True,
        ondelete="cascade",
    )
    transaction_id = fields.Many2one("payment.va.transaction", string="Gateway payment")
    payment_id = fields.Many2one("account.payment", string="Odoo payment")
    external_id = fields.Char(string="Gateway ID")
    reference = fields.Char()
    date = fields.Date()
    gateway_amount = fields.Float(string="Gateway amount")
    odoo_amount = fields.Float(string="Odoo amount")
    status = fields.Selection(
        [
            ("match", "Matches"),
            ("missing_in_odoo", "Not booked in Odoo"),
            ("missing_at_gateway", "Not found at the gateway"),
            ("amount_diff", "Amounts differ"),
            ("review", "To review"),
            ("reversed_booked", "Reversed at the gateway, still booked"),
        ],
        string="Result",
        required=True,
    )
