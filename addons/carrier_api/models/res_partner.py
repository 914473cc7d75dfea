# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A partner as the carrier clients' ``Address``, with every problem listed at once."""

import phonenumbers

from odoo import _, models

from ..api import CLIENTS
from ..api.base import Address


def normalise_phone(text):
    """``0812-3456-789``, ``+62 812 3456 789``, ``812...`` -> ``628123456789``; None
    when the text is not a possible Indonesian (or international) number."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    ).lstrip("+")


def truncate_words(text, limit):
    """``(text, cut)``: at most ``limit`` characters, never cutting a word in the
    middle (a single word longer than the limit is the only one cut)."""
    text = " ".join((text or "").split())
    if not limit or len(text) <= limit:
        return text, False
    head = text[: limit + 1]
    cut = head.rfind(" ")
    if cut <= 0:
        return text[:limit], True
    return head[:cut].rstrip(" ,."), True


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _carrier_api_address(self, carrier, role="recipient"):
        """This partner as an ``Address`` for ``carrier`` (a ``delivery.carrier``).

        :param role: "sender", "recipient" or "rate" (a rate needs no phone).
        :returns: ``(Address, problems, warnings)``: problems block the call, every
            one is listed (missing phone, missing address parts...); warnings say
            what was shortened to the carrier's field lengths.
        """
        self.ensure_one()
        problems, warnings = [], []
        who = self.display_name or _("(no name)")
        client_class = CLIENTS.get(carrier.carrier_api_code or carrier.delivery_type)
        limits = dict(getattr(client_class, "field_limits", {}) or {})
        phone = normalise_phone(self.phone or self.mobile)
        if role != "rate":
            if not (self.phone or self.mobile):
                problems.append(_("%s has no phone number.", who))
            elif not phone:
                problems.append(
                    _(
                        "The phone number %(phone)s of %(who)s is not a valid number.",
                        phone=self.phone or self.mobile,
                        who=who,
                    )
                )
            if not (self.street or "").strip():
                problems.append(_("%s has no street address.", who))
        if not (self.city or "").strip():
            problems.append(_("%s has no city.", who))
        if not (self.zip or "").strip():
            problems.append(_("%s has no postal code.", who))
        if self.country_id and self.country_id.code != "ID":
            problems.append(
                _("%s is outside Indonesia: the carrier ships domestically.", who)
            )

        def fit(label, value, key):
            # ``label`` is called only when the text is cut: translating eagerly
            # costs more than the rest of the address in a batch of waybills.
            text, cut = truncate_words(value, limits.get(key))
            if cut:
                warnings.append(
                    _(
                        "%(what)s of %(who)s shortened to %(limit)s characters for "
                        "%(carrier)s: %(text)s",
                        what=label(),
                        who=who,
                        limit=limits[key],
                        carrier=carrier.name,
                        text=text,
                    )
                )
            return text

        name = self.name or (self.parent_id.name if self.parent_id else "") or ""
        if self.parent_id and self.name and self.parent_id.name:
            name = f"{self.name} ({self.parent_id.name})"
        address = Address(
            name=fit(lambda: self.env._("The name"), name, "name"),
            phone=phone or "",
            street=fit(lambda: self.env._("The street"), self.street or "", "street"),
            street2=fit(
                lambda: self.env._("The second street line"),
                self.street2 or "",
                "street",
            ),
            city=fit(lambda: self.env._("The city"), self.city or "", "city"),
            province=self.state_id.name or "",
            postal_code=(self.zip or "").strip(),
            email=self.email or "",
        )
        return address, problems, warnings
