# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Each carrier's own code for a district (JNE tariff code, J&T area code, SiCepat
destination code, Biteship area id), synced from the carrier's list where its API has
one (``list_areas``, CAP_AREAS). Anteraja keys on the Kemendagri district code itself
and Biteship accepts postal codes, so neither needs a row (carriers.md §7)."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..api.base import CAP_AREAS
from .region import normalize_region_name

# Carriers whose area code is the district's Kemendagri code, or for which the postal
# code is enough: no synced row is needed.
KEMENDAGRI_CARRIERS = {"anteraja"}
POSTAL_CODE_CARRIERS = {"biteship"}


class CarrierApiArea(models.Model):
    _name = "carrier_api.area"
    _description = "Carrier area code of a district"
    _order = "carrier_code, district_id"
    _rec_name = "code"

    carrier_code = fields.Char(
        string="Carrier", required=True, index=True, help="jne, jnt, sicepat..."
    )
    district_id = fields.Many2one(
        "carrier_api.district",
        string="District (kecamatan)",
        required=True,
        ondelete="cascade",
        index=True,
    )
    code = fields.Char(string="Area code", required=True)
    area_name = fields.Char(string="Carrier's name of the area")
    synced_at = fields.Datetime(string="Synced on")

    _sql_constraints = [
        (
            "district_carrier_unique",
            "unique(district_id, carrier_code)",
            "A district has one area code per carrier.",
        ),
    ]

    @api.model
    def _area_code(self, carrier_code, district):
        """The code ``carrier_code`` uses for ``district`` ("" when none)."""
        if not district:
            return ""
        if carrier_code in KEMENDAGRI_CARRIERS:
            return district.code
        area = self.sudo().search(
            [("carrier_code", "=", carrier_code), ("district_id", "=", district.id)],
            limit=1,
        )
        return area.code or ""

    @api.model
    def _match_districts(self, areas):
        """``{district_id: area}`` for the areas that name exactly one district,
        plus the list of the areas that did not."""
        districts = self.env["carrier_api.district"].sudo().search([])
        by_name = defaultdict(list)
        by_zip = defaultdict(list)
        for district in districts:
            by_name[normalize_region_name(district.name)].append(district)
            for zip_code in district._zip_list():
                by_zip[zip_code].append(district)
        matched, unmatched = {}, []
        for area in areas:
            parts = [p for p in (area.name or "").split(",") if p.strip()]
            name = normalize_region_name(area.district or (parts[0] if parts else ""))
            city = normalize_region_name(
                area.city or (parts[1] if len(parts) > 1 else "")
            )
            candidates = by_name.get(name, [])
            if area.postal_code:
                in_zip = by_zip.get(area.postal_code, [])
                candidates = [d for d in candidates if d in in_zip] or (
                    in_zip if len(in_zip) == 1 else candidates
                )
            if city and len(candidates) > 1:
                candidates = [
                    d
                    for d in candidates
                    if city in normalize_region_name(d.regency_id.name)
                ]
            if len(candidates) == 1:
                matched[candidates[0].id] = area
            else:
                unmatched.append(area)
        return matched, unmatched

    @api.model
    def _sync_from_client(self, carrier_code, client):
        """Store the client's area list; returns ``(stored, unmatched areas)``."""
        if CAP_AREAS not in client.capabilities:
            raise UserError(
                _("The %s API gives no area list: nothing to sync.", carrier_code)
            )
        areas = client.list_areas()
        matched, unmatched = self._match_districts(areas)
        existing = {
            area.district_id.id: area
            for area in self.sudo().search([("carrier_code", "=", carrier_code)])
        }
        now = fields.Datetime.now()
        to_create = []
        for district_id, area in matched.items():
            vals = {"code": area.code, "area_name": area.name, "synced_at": now}
            record = existing.get(district_id)
            if record:
                if record.code != area.code or record.area_name != area.name:
                    record.write(vals)
            else:
                to_create.append(
                    dict(vals, carrier_code=carrier_code, district_id=district_id)
                )
        self.sudo().create(to_create)
        return len(matched), unmatched

    @api.model
    def action_sync_areas(self, carriers):
        """Server action on services: sync the area codes of the first service's
        carrier (one list per carrier serves every service of it)."""
        if not self.env.user.has_group("carrier_api.group_carrier_manager"):
            raise UserError(_("Only carrier managers can sync the carrier areas."))
        carrier = carriers[:1]
        if not carrier.carrier_api_code:
            raise UserError(_("Pick a service of one of the carriers."))
        code = carrier.carrier_api_code
        if code in KEMENDAGRI_CARRIERS | POSTAL_CODE_CARRIERS:
            message = _(
                "%s needs no area list: it uses the district's Kemendagri code or "
                "the postal code.",
                carrier.name,
            )
        else:
            stored, unmatched = self._sync_from_client(
                code, carrier._carrier_api_client()
            )
            message = _(
                "%(stored)s districts have a %(carrier)s area code; %(unmatched)s "
                "areas of the carrier matched no district.",
                stored=stored,
                carrier=carrier.name,
                unmatched=len(unmatched),
            )
            if unmatched:
                message += " " + ", ".join(a.name for a in unmatched[:20])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "message": message, "sticky": True},
        }
