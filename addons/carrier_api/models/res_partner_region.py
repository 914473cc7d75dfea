# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The partner address below the province: regency/city, district, village."""

# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models

from .region import normalize_region_name


# One file per concern of res.partner (STYLE: one file per model is the rule, the
# carrier address of crship lives in res_partner.py).
class ResPartner(models.Model):
    _inherit = "res.partner"

    region_regency_id = fields.Many2one(
        "carrier_api.regency",
        string="Regency/city",
        domain="[('state_id', '=?', state_id)]",
        index="btree_not_null",
    )
    region_district_id = fields.Many2one(
        "carrier_api.district",
        string="District (kecamatan)",
        domain="[('regency_id', '=?', region_regency_id), ('state_id', '=?', state_id)]",
        index="btree_not_null",
        help="Carriers price and route by district: pick it for every Indonesian "
        "shipping address.",
    )
    region_village_id = fields.Many2one(
        "carrier_api.village",
        string="Village (kelurahan/desa)",
        domain="[('district_id', '=?', region_district_id)]",
        index="btree_not_null",
    )

    @api.onchange("state_id")
    def _onchange_state_id_region(self):
        if self.region_regency_id and self.region_regency_id.state_id != self.state_id:
            self.region_regency_id = False

    @api.onchange("region_regency_id")
    def _onchange_region_regency_id(self):
        regency = self.region_regency_id
        if regency:
            self.state_id = regency.state_id
            self.country_id = regency.state_id.country_id
            self.city = regency.name
        if self.region_district_id.regency_id != regency:
            self.region_district_id = False

    @api.onchange("region_district_id")
    def _onchange_region_district_id(self):
        district = self.region_district_id
        if district:
            if self.region_regency_id != district.regency_id:
                self.region_regency_id = district.regency_id
                self.state_id = district.state_id
                self.country_id = district.state_id.country_id
                self.city = district.regency_id.name
            zips = district._zip_list()
            if len(zips) == 1 or (zips and self.zip not in zips):
                # One postal code: it is the one. Several: the first until the
                # village (which has exactly one) is picked.
                self.zip = zips[0]
        if self.region_village_id.district_id != district:
            self.region_village_id = False

    @api.onchange("region_village_id")
    def _onchange_region_village_id(self):
        village = self.region_village_id
        if village:
            if self.region_district_id != village.district_id:
                self.region_district_id = village.district_id
                self._onchange_region_district_id()
            if village.zip:
                self.zip = village.zip

    # -- bulk matching ---------------------------------------------------------

    def _region_match(self):
        """Find the district (and the village when villages are loaded) of each
        partner from its postal code and city text, as typed by a person or an
        import. Writes what it finds; returns ``(matched, unmatched)`` where
        ``unmatched`` is a list of ``(partner, reason)``."""
        District = self.env["carrier_api.district"].sudo()
        Village = self.env["carrier_api.village"].sudo()
        matched = self.browse()
        unmatched = []
        for partner in self:
            zip_code = (partner.zip or "").strip()
            city = normalize_region_name(partner.city)
            if not zip_code.isdigit() or len(zip_code) != 5:
                unmatched.append((partner, _("no 5-digit postal code")))
                continue
            districts = District.search([("zip_codes", "ilike", zip_code)]).filtered(
                lambda d, z=zip_code: z in d._zip_list()
            )
            if not districts:
                unmatched.append((partner, _("postal code %s is unknown", zip_code)))
                continue
            if len(districts) > 1 and city:
                by_city = districts.filtered(
                    lambda d, c=city: (
                        normalize_region_name(d.regency_id.name) == c
                        or normalize_region_name(d.name) == c
                    )
                )
                districts = by_city or districts
            if len(districts) > 1:
                unmatched.append(
                    (
                        partner,
                        _(
                            "postal code %(zip)s is shared by %(count)s districts "
                            "and the city does not tell them apart",
                            zip=zip_code,
                            count=len(districts),
                        ),
                    )
                )
                continue
            if (
                city
                and normalize_region_name(districts.regency_id.name) != city
                and (normalize_region_name(districts.name) != city)
            ):
                unmatched.append(
                    (
                        partner,
                        _(
                            "postal code %(zip)s is in %(district)s, not in "
                            "the city %(city)s",
                            zip=zip_code,
                            district=districts.display_name,
                            city=partner.city,
                        ),
                    )
                )
                continue
            vals = {
                "region_district_id": districts.id,
                "region_regency_id": districts.regency_id.id,
                "state_id": districts.state_id.id,
                "country_id": districts.state_id.country_id.id,
            }
            villages = Village.search(
                [("district_id", "=", districts.id), ("zip", "=", zip_code)]
            )
            if len(villages) > 1:
                street = normalize_region_name(
                    " ".join(filter(None, [partner.street, partner.street2]))
                )
                villages = villages.filtered(
                    lambda v, s=street: f" {normalize_region_name(v.name)} " in f" {s} "
                )
            if len(villages) == 1:
                vals["region_village_id"] = villages.id
            partner.write(vals)
            matched |= partner
        return matched, unmatched

    def action_region_match(self):
        """Server action on selected partners: match and report."""
        matched, unmatched = self._region_match()
        lines = [
            _("%(partner)s: %(reason)s", partner=partner.display_name, reason=reason)
            for partner, reason in unmatched
        ]
        message = _(
            "%(matched)s address(es) matched, %(unmatched)s not.",
            matched=len(matched),
            unmatched=len(unmatched),
        )
        if lines:
            message += "\n" + "\n".join(lines[:50])
            if len(lines) > 50:
                message += "\n" + _("... and %s more.", len(lines) - 50)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if unmatched else "success",
                "sticky": bool(unmatched),
                "message": message,
            },
        }
