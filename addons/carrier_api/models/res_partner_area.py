# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier address gets the district, the village and the carrier's area code,
re-checked each time a rate or a waybill is asked for."""

# pylint: disable=consider-merging-classes-inherited

from odoo import _, models

from .carrier_area import POSTAL_CODE_CARRIERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _carrier_api_address(self, carrier, role="recipient"):
        address, problems, warnings = super()._carrier_api_address(carrier, role=role)
        district = self.region_district_id
        code = carrier.carrier_api_code or carrier.delivery_type
        if district:
            address.district = district.name
            address.city = address.city or district.regency_id.name
            address.province = address.province or district.state_id.name
        if self.region_village_id:
            address.village = self.region_village_id.name
        if code in POSTAL_CODE_CARRIERS or (
            self.country_id and self.country_id.code != "ID"
        ):
            return address, problems, warnings
        who = self.display_name or _("(no name)")
        if not district:
            problems.append(
                _(
                    "%(who)s has no district (kecamatan): %(carrier)s needs it. Pick "
                    "it on the address or match it from the postal code.",
                    who=who,
                    carrier=carrier.name,
                )
            )
            return address, problems, warnings
        area_code = self.env["carrier_api.area"]._area_code(code, district)
        if area_code:
            address.area_code = area_code
        else:
            problems.append(
                _(
                    "No %(carrier)s area for district %(district)s: run Sync areas.",
                    carrier=carrier.name,
                    district=district.display_name,
                )
            )
        return address, problems, warnings
