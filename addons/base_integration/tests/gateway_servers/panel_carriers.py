# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The control panel's carrier box: move a shipment through its statuses.

Every carrier imitation (JNE, J&T, SiCepat, Anteraja, Biteship) keeps a shipment book
(:mod:`.carrier_common`); Odoo learns a new status when it polls the carrier's tracking
API (*Refresh tracking* on the delivery, or the tracking cron). Here a person plays the
courier: one step on, straight to delivered, a failed delivery attempt, a return. For
Biteship, which also calls the merchant's webhook on every status change (carriers.md
§5.5), the panel then posts the ``order.status`` webhook to the URL registered in
Biteship's dashboard (its ``?token=`` is our per-connection secret).

The shipments are read from the handlers' own state (what their tracking APIs answer),
so the box needs nothing from the servers beyond :class:`.carrier_common.CarrierHandler`;
the panel's ``--state`` file keeps the books across a restart like any handler state.

Plain Python: no Odoo import.
"""

from datetime import datetime

from . import anteraja, biteship, jne, jnt, sicepat
from . import carrier_common as cc
from .framework import esc
from .panel import PanelError, Section, _odoo_answer, register_section

# What the person sees for each generic step.
STEP_LABELS = {
    cc.RECORDED: "recorded (waiting for pickup)",
    cc.PICKED_UP: "picked up",
    cc.IN_TRANSIT: "in transit",
    cc.OUT_FOR_DELIVERY: "out for delivery",
    cc.DELIVERED: "delivered",
    cc.FAILED_ATTEMPT: "failed delivery attempt",
    cc.RETURNING: "returning to the shipper",
    cc.RETURNED: "returned to the shipper",
    cc.CANCELLED: "cancelled",
}
# From where a courier can fail a delivery or send the parcel back: once it is on its
# way (a parcel not picked up yet is cancelled instead, in Odoo).
ON_ITS_WAY = frozenset(
    {cc.PICKED_UP, cc.IN_TRANSIT, cc.OUT_FOR_DELIVERY, cc.FAILED_ATTEMPT}
)


@register_section
class CarrierSection(Section):
    """The shipments each carrier server holds, with the courier's moves."""

    key = "carriers"
    title = "Carrier shipments"
    sequence = 60

    # action -> button label (the order of the buttons)
    MOVES = (
        ("advance", "one step on"),
        ("deliver", "delivered"),
        ("fail", "failed attempt"),
        ("return", "returned"),
    )

    def carriers(self):
        return [
            h for h in self.panel.server.handlers if isinstance(h, cc.CarrierHandler)
        ]

    def available(self):
        return bool(self.carriers())

    def _carrier(self, name):
        handler = next((h for h in self.carriers() if h.name == name), None)
        if handler is None:
            raise PanelError(f"Unknown carrier {name}.")
        return handler

    @staticmethod
    def _shipment(handler, waybill):
        # ``get`` also applies the servers' own clock (CARRIER_STEP_SECONDS).
        shipment = handler.get(waybill)
        if shipment is None:
            raise PanelError(f"Waybill {waybill} is not known to {handler.name}.")
        return shipment

    # ------------------------------------------------------------------ state
    @staticmethod
    def _status_text(handler, step):
        """The carrier's own word for a step: what its tracking API answers."""
        words = {
            "biteship": lambda: biteship.STATUS[step],
            "jne": lambda: jne.HISTORY[step].split(" [")[0],
            "jnt": lambda: f"{jnt.STATUS[step][0]} {jnt.STATUS[step][1]}",
            "sicepat": lambda: sicepat.STATUS[step][0],
            "anteraja": lambda: "{} {}".format(*anteraja.CODES[step]),
        }
        try:
            return words[handler.name]()
        except KeyError:  # a carrier or step without a word of its own
            return ""

    def state(self):
        rows = []
        for handler in self.carriers():
            with handler.lock:
                waybills = list(handler.shipments)
            for waybill in waybills:
                shipment = handler.get(waybill)
                if shipment is None:
                    continue
                with handler.lock:
                    history = list(shipment["history"])
                    reference = shipment.get("reference") or ""
                step = history[-1][0]
                rows.append(
                    {
                        "carrier": handler.name,
                        "waybill": waybill,
                        "reference": reference,
                        "step": step,
                        "status": self._status_text(handler, step),
                        "terminal": step in cc.TERMINAL,
                        "history": [[s, at.isoformat()] for s, at in history],
                    }
                )
        rows.sort(key=lambda r: r["history"][-1][1], reverse=True)
        return {
            "shipments": rows,
            "biteship_webhook_url": self.panel.setting("biteship_webhook_url"),
        }

    # ------------------------------------------------------------------ actions
    def _move(self, data, steps_for):
        """Apply the steps ``steps_for(current step)`` returns (a list, or a refusal
        text) to the shipment named by ``carrier`` and ``waybill``; Biteship then
        notifies Odoo."""
        handler = self._carrier(str(data.get("carrier") or ""))
        waybill = str(data.get("waybill") or "")
        with handler.lock:  # the steps and their check, atomically
            shipment = self._shipment(handler, waybill)
            current = shipment.step
            if current in cc.TERMINAL:
                raise PanelError(
                    f"Waybill {waybill} is already {STEP_LABELS[current]}: "
                    "nothing moves it any more."
                )
            steps = steps_for(current)
            if isinstance(steps, str):
                raise PanelError(f"Waybill {waybill}: {steps}")
            for step in steps:
                handler.advance(waybill, step)
        label = STEP_LABELS[steps[-1]]
        message = f"{handler.name} {waybill}: {label}."
        result = {"carrier": handler.name, "waybill": waybill, "step": steps[-1]}
        if handler.name == "biteship":
            status, answer = self._notify(handler, shipment)
            result["odoo_status"] = status
            message += " " + answer
        else:
            message += " Odoo sees it on Refresh tracking (or its tracking cron)."
        return message, result

    def action_advance(self, data):
        return self._move(data, lambda current: [cc.NEXT_STEP[current]])

    def action_deliver(self, data):
        """The rest of the way, each step on the timeline, up to delivered."""

        def steps(current):
            if current == cc.RETURNING:
                return "it is on its way back to the shipper."
            path, step = [], current
            while step != cc.DELIVERED:
                step = cc.NEXT_STEP[step]
                path.append(step)
            return path

        return self._move(data, steps)

    def action_fail(self, data):
        def steps(current):
            if current not in ON_ITS_WAY - {cc.FAILED_ATTEMPT}:
                return (
                    f"a delivery attempt needs a parcel on its way (it is "
                    f"{STEP_LABELS[current]})."
                )
            return [cc.FAILED_ATTEMPT]

        return self._move(data, steps)

    def action_return(self, data):
        def steps(current):
            if current == cc.RETURNING:
                return [cc.RETURNED]
            if current not in ON_ITS_WAY:
                return (
                    f"only a parcel on its way can be returned (it is "
                    f"{STEP_LABELS[current]})."
                )
            return [cc.RETURNING, cc.RETURNED]

        return self._move(data, steps)

    def action_webhook(self, data):
        """Send Biteship's webhook for the shipment's current status again."""
        handler = self._carrier(str(data.get("carrier") or ""))
        if handler.name != "biteship":
            raise PanelError(f"{handler.name} sends no webhooks: Odoo polls it.")
        waybill = str(data.get("waybill") or "")
        shipment = self._shipment(handler, waybill)
        status, answer = self._notify(handler, shipment, required=True)
        return (
            f"biteship {waybill}: webhook sent. {answer}",
            {"carrier": "biteship", "waybill": waybill, "odoo_status": status},
        )

    def action_save(self, data):
        url = (data.get("biteship_webhook_url") or "").strip() or None
        if url and not url.startswith(("http://", "https://")):
            raise PanelError("The Biteship webhook URL must be an http(s) URL.")
        self.panel.set_setting("biteship_webhook_url", url)
        return "Saved the Biteship webhook URL." if url else "No Biteship webhook."

    # ------------------------------------------------------------------ biteship
    @staticmethod
    def webhook_body(handler, shipment):
        """The ``order.status`` webhook of the shipment's current status, with the
        fields receivers read (carriers.md §5.5 [secondary])."""
        with handler.lock:
            step, at = shipment["history"][-1]
            return {
                "event": "order.status",
                "order_id": shipment["order_id"],
                "courier_tracking_id": shipment["tracking_id"],
                "courier_waybill_id": shipment["waybill"],
                "courier_company": shipment["courier"],
                "courier_type": shipment["service"],
                "courier_link": f"https://track.biteship.test/{shipment['tracking_id']}",
                "status": biteship.STATUS[step],
                "updated_at": at.astimezone(cc.WIB).isoformat(),
            }

    def _notify(self, handler, shipment, required=False):
        """Post the webhook: ``(HTTP status or None, text)``. Biteship keeps the
        status whatever Odoo answers (Odoo reads it again when it polls)."""
        url = self.panel.setting("biteship_webhook_url")
        if not url:
            if required:
                raise PanelError(
                    "Set the Biteship webhook URL first (below: the Biteship "
                    "connection's webhook route with its ?token=)."
                )
            return None, (
                "No Biteship webhook URL is set: Odoo sees it on Refresh tracking."
            )
        try:
            response = handler.send_callback(url, self.webhook_body(handler, shipment))
        except OSError as exc:  # requests' errors are OSErrors
            return None, (
                f"The webhook could not reach Odoo ({type(exc).__name__}); Odoo "
                "sees the status on Refresh tracking."
            )
        return response.status_code, "Webhook sent. " + _odoo_answer(response)

    # ------------------------------------------------------------------ html
    def render(self):
        state = self.state()
        url = state["biteship_webhook_url"] or ""
        setting = self.form(
            "save",
            "Biteship webhook URL (as set in Biteship's dashboard) "
            f"<input name='biteship_webhook_url' size='70' value='{esc(url)}'> ",
            "Save",
        )
        rows = "".join(self.render_shipment(s) for s in state["shipments"])
        table = (
            "<table><tr><th>Carrier</th><th>Waybill</th><th>Reference</th>"
            "<th>Status</th><th>History (WIB)</th><th>Move to</th></tr>"
            f"{rows}</table>"
            if rows
            else "<p class='muted'>No shipment yet: press <i>Create waybill</i> on a "
            "ready delivery in Odoo.</p>"
        )
        return (
            "<p class='muted'>Play the courier. Odoo reads the new status when it "
            "polls the carrier (<i>Refresh tracking</i> on the delivery, or the "
            "tracking cron); Biteship also calls Odoo's webhook.</p>"
            f"{table}{setting}"
        )

    def render_shipment(self, row):
        fields = {"carrier": row["carrier"], "waybill": row["waybill"]}
        buttons = ""
        if not row["terminal"]:
            buttons = "".join(
                self.form(action, self.hidden(**fields), label, "inline")
                for action, label in self.MOVES
            )
        if row["carrier"] == "biteship":
            buttons += self.form(
                "webhook", self.hidden(**fields), "send webhook", "inline"
            )
        history = "<br>".join(
            f"{esc(STEP_LABELS.get(step, step))} "
            f"<span class='muted'>{esc(at[:19].replace('T', ' '))}</span>"
            for step, at in self._wib(row["history"])
        )
        status = esc(STEP_LABELS.get(row["step"], row["step"]))
        if row["status"]:
            status += f" <span class='muted'>({esc(row['status'])})</span>"
        return (
            f"<tr data-waybill='{esc(row['waybill'])}'><td>{esc(row['carrier'])}</td>"
            f"<td>{esc(row['waybill'])}</td><td>{esc(row['reference'])}</td>"
            f"<td class='status' data-step='{esc(row['step'])}'>{status}</td>"
            f"<td>{history}</td><td>{buttons}</td></tr>"
        )

    @staticmethod
    def _wib(history):
        return [
            (step, datetime.fromisoformat(at).astimezone(cc.WIB).isoformat())
            for step, at in history
        ]
