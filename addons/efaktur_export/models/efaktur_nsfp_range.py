# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""NSFP ranges: the legacy tax invoice serial numbers DJP gives a company (e-Nofa), handed
out one per invoice of the legacy e-Faktur CSV (efaktur.md §1.5).

A serial is 13 digits: ``000`` + the 2-digit tax year + an 8-digit running number
(``0002400000123``); the 16-digit NSFP adds the transaction code and the status digit in
front (``01`` + ``0`` + serial). Numbers of one range belong to one tax year.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

NON_DIGIT = re.compile(r"\D")
SERIAL_LENGTH = 13


def _serial(number):
    return f"{number:0{SERIAL_LENGTH}d}"


class EfakturNsfpRange(models.Model):
    _name = "efaktur.nsfp.range"
    _description = "e-Faktur NSFP Range"
    _order = "company_id, number_min, id"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    number_min = fields.Char(
        string="First Serial",
        required=True,
        help="First 13-digit serial of the range as given by DJP (e-Nofa), e.g. "
        "0002400000001 (000, the year 24, the running number).",
    )
    number_max = fields.Char(
        string="Last Serial",
        required=True,
        help="Last 13-digit serial of the range, same year as the first one.",
    )
    next_number = fields.Char(
        string="Next Serial",
        readonly=True,
        copy=False,
        help="Serial the next invoice gets; one past the last serial when the range is used up.",
    )
    prefix = fields.Char(
        compute="_compute_prefix",
        store=True,
        help="The first 5 digits of the serials: 000 and the 2-digit tax year (§1.5).",
    )
    year = fields.Integer(
        string="Tax Year",
        compute="_compute_prefix",
        store=True,
        index=True,
        help="Tax year of the serials; invoices of that year take their numbers here.",
    )
    available = fields.Integer(
        compute="_compute_available",
        store=True,
        help="Serials not yet given to an invoice.",
    )

    @api.depends("number_min")
    def _compute_prefix(self):
        for nsfp_range in self:
            prefix = (nsfp_range.number_min or "")[:5]
            nsfp_range.prefix = prefix
            # §1.5: serial = 000 + 2-digit year + 8-digit running number.
            nsfp_range.year = 2000 + int(prefix[3:5]) if prefix.isdigit() else 0

    @api.depends("number_max", "next_number")
    def _compute_available(self):
        for nsfp_range in self:
            high, low = nsfp_range.number_max or "", nsfp_range.next_number or ""
            # Only a well-formed range counts (the constraint refuses the others): with
            # the same 5-digit prefix the count stays below 10^8, within an integer column.
            if len(high) == len(low) == SERIAL_LENGTH and high[:5] == low[:5]:
                nsfp_range.available = max(0, int(high) - int(low) + 1)
            else:
                nsfp_range.available = 0

    @api.depends("number_min", "number_max", "available")
    def _compute_display_name(self):
        for nsfp_range in self:
            nsfp_range.display_name = self.env._(
                "%(first)s - %(last)s (%(available)s left)",
                first=nsfp_range.number_min or "",
                last=nsfp_range.number_max or "",
                available=nsfp_range.available,
            )

    # -- create / write: normalise, keep the used part fixed ------------------

    @api.model
    def _normalise_serial(self, value):
        """Digits only: ``000-24.00000123`` (as printed on a faktur) -> ``0002400000123``."""
        return NON_DIGIT.sub("", value or "") or False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            for key in ("number_min", "number_max"):
                if key in vals:
                    vals[key] = self._normalise_serial(vals[key])
            vals["next_number"] = vals.get("number_min")
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        for key in ("number_min", "number_max"):
            if key in vals:
                vals[key] = self._normalise_serial(vals[key])
        if "next_number" in vals:
            raise UserError(
                self.env._(
                    "The next serial of an NSFP range moves only when invoices are exported."
                )
            )
        for nsfp_range in self:
            used = nsfp_range._used()
            if used and vals.get("number_min", nsfp_range.number_min) != (
                nsfp_range.number_min
            ):
                raise UserError(
                    self.env._(
                        "Range %(range)s is in use: its first serial cannot change.",
                        range=nsfp_range.display_name,
                    )
                )
            if (
                used
                and "company_id" in vals
                and vals["company_id"] != (nsfp_range.company_id.id)
            ):
                raise UserError(
                    self.env._(
                        "Range %(range)s is in use: it cannot move to another company.",
                        range=nsfp_range.display_name,
                    )
                )
        if "number_min" in vals:
            # Only unused ranges get here with a new first serial: they start over.
            vals["next_number"] = vals["number_min"]
        return super().write(vals)

    def _used(self):
        self.ensure_one()
        return bool(self.next_number) and self.next_number != self.number_min

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.filtered(lambda r: r._used())
        if used:
            raise UserError(
                self.env._(
                    "NSFP range %(range)s has given serials to invoices; it cannot be deleted.",
                    range=used[0].display_name,
                )
            )

    @api.constrains("number_min", "number_max", "next_number", "company_id")
    def _check_serials(self):
        _ = self.env._
        for nsfp_range in self:
            low, high = nsfp_range.number_min or "", nsfp_range.number_max or ""
            if len(low) != SERIAL_LENGTH or len(high) != SERIAL_LENGTH:
                raise ValidationError(
                    _(
                        "An NSFP serial has 13 digits (000, the 2-digit year, 8 digits);"
                        " found '%(first)s' and '%(last)s'.",
                        first=low,
                        last=high,
                    )
                )
            if low[:5] != high[:5]:
                raise ValidationError(
                    _(
                        "The first and last serial of a range must be of the same year"
                        " (same first 5 digits): '%(first)s', '%(last)s'.",
                        first=low,
                        last=high,
                    )
                )
            if int(low) > int(high):
                raise ValidationError(
                    _(
                        "The first serial %(first)s is after the last serial %(last)s.",
                        first=low,
                        last=high,
                    )
                )
            if int(nsfp_range.next_number or low) > int(high) + 1:
                raise ValidationError(
                    _(
                        "Range %(range)s already gave serials up to %(used)s: its last serial"
                        " cannot be lower.",
                        range=nsfp_range.display_name,
                        used=_serial(int(nsfp_range.next_number) - 1),
                    )
                )
        self.flush_model(["number_min", "number_max", "company_id"])
        # Every range of the companies, whoever may read it: an overlap is an overlap.
        self.env.cr.execute(
            """SELECT a.number_min, a.number_max, b.number_min, b.number_max
                 FROM efaktur_nsfp_range a
                 JOIN efaktur_nsfp_range b
                   ON b.company_id = a.company_id AND b.id != a.id
                  AND a.number_min::bigint <= b.number_max::bigint
                  AND b.number_min::bigint <= a.number_max::bigint
                WHERE a.id = ANY(%s)
                LIMIT 1""",
            [self.ids],
        )
        row = self.env.cr.fetchone()
        if row:
            raise ValidationError(
                _(
                    "NSFP range %(first)s - %(last)s overlaps range %(other_first)s -"
                    " %(other_last)s of the same company.",
                    first=row[0],
                    last=row[1],
                    other_first=row[2],
                    other_last=row[3],
                )
            )

    # -- allocation ------------------------------------------------------------

    @api.model
    def _efaktur_available_count(self, company, year):
        """Serials left for ``year`` in the ranges of ``company`` the user may read (no lock:
        for validation messages; ``_efaktur_allocate`` counts again under the lock)."""
        ranges = self.search(
            [
                ("company_id", "=", company.id),
                ("year", "=", year),
                ("available", ">", 0),
            ]
        )
        return sum(ranges.mapped("available"))

    @api.model
    def _efaktur_allocate(self, company, count, year=None):
        """Hand out ``count`` consecutive-as-possible serials of ``company``, race-free.

        :param company: ``res.company`` record
        :param count: how many serials
        :param year: tax year (e.g. 2024): only ranges of that year; None for any range
        :return: list of ``count`` 13-digit serial strings, in increasing order
        :raises UserError: when the ranges hold fewer than ``count`` serials; the message
            says how many are missing; nothing is allocated

        Ranges are taken oldest first (lowest serial), spilling into the next. The rows are
        locked with ``SELECT ... FOR UPDATE`` in that order (one order for every caller: no
        deadlock), so a second export waits for the first to commit or roll back: two
        transactions never hand out the same serial. Under Odoo's REPEATABLE READ, the
        waiting transaction then fails with a serialization error and Odoo replays the
        request (``odoo.service.model.retrying``), which reads the new next serial, as for
        ``ir.sequence``'s no-gap numbers. The serials roll back with the transaction.

        Rights: reading the ranges is enough (billing users). Like ``ir.sequence``, moving
        the counter is done in SQL, after the ORM search has applied the access rights and
        the company rule; billing users cannot edit ranges otherwise.
        """
        if count <= 0:
            return []
        self.check_access("read")
        domain = [("company_id", "=", company.id), ("available", ">", 0)]
        if year:
            domain.append(("year", "=", year))
        ranges = self.search(domain)
        serials = []
        if ranges:
            self.flush_model()
            self.env.cr.execute(
                """SELECT id, next_number, number_max FROM efaktur_nsfp_range
                    WHERE id = ANY(%s)
                 ORDER BY number_min::bigint, id
                      FOR UPDATE""",
                [ranges.ids],
            )
            updates = []
            for range_id, next_number, number_max in self.env.cr.fetchall():
                start, stop = int(next_number), int(number_max)
                take = min(count - len(serials), stop - start + 1)
                if take <= 0:
                    continue
                serials.extend(_serial(n) for n in range(start, start + take))
                updates.append(
                    (range_id, _serial(start + take), stop - start - take + 1)
                )
                if len(serials) == count:
                    break
        if len(serials) < count:
            raise UserError(
                self.env._(
                    "Not enough NSFP serials for %(year)s in company %(company)s:"
                    " %(missing)s missing (%(needed)s needed, %(found)s available)."
                    " Add the range DJP gave you (e-Nofa) under e-Faktur > NSFP"
                    " Ranges (Legacy).",
                    year=year or self.env._("any year"),
                    company=company.name,
                    missing=count - len(serials),
                    needed=count,
                    found=len(serials),
                )
            )
        for range_id, next_number, available in updates:
            self.env.cr.execute(
                """UPDATE efaktur_nsfp_range
                      SET next_number = %s, available = %s,
                          write_uid = %s, write_date = (now() at time zone 'UTC')
                    WHERE id = %s""",
                [next_number, available, self.env.uid, range_id],
            )
        self.browse([u[0] for u in updates]).invalidate_recordset(
            ["next_number", "available", "write_uid", "write_date"]
        )
        return serials
