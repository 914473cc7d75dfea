# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The legacy e-Faktur CSV of invoices dated 2024 or earlier, and the NSFP each keeps.

Reads the invoices with the engine's bulk reader (``_efaktur_read_chunk`` in
``account_move.py``), checks everything, hands plain dicts to ``efaktur_legacy_csv``.
Contract: /work/shared/reference/efaktur.md §1.
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.tools.sql import index_exists

from . import efaktur_legacy_csv as lc
from .account_move import CORETAX_START, _digits, _one_line
from .account_tax import PPN_ROLES
from .coretax_xml import to_decimal
from .efaktur_problems import EfakturProblemsError

# §1.2 KD_JENIS_TRANSAKSI: 01-09 in e-Faktur desktop; 10 exists only in Coretax (§2.5).
LEGACY_CODES = ("01", "02", "03", "04", "05", "06", "07", "08", "09")


class AccountMove(models.Model):
    # A file of its own: the legacy CSV and its NSFP are a separate flow from the Coretax
    # engine in account_move.py (two authors, one merge).
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    efaktur_nsfp_serial = fields.Char(
        string="NSFP Serial",
        readonly=True,
        copy=False,
        help="13-digit serial of the legacy tax invoice number (NSFP), given from the "
        "company's NSFP ranges at the first legacy e-Faktur export and kept afterwards.",
    )
    efaktur_nsfp_status = fields.Selection(
        [("0", "Normal"), ("1", "Replacement")],
        string="NSFP Status",
        readonly=True,
        copy=False,
    )
    efaktur_nsfp = fields.Char(
        string="NSFP",
        compute="_compute_efaktur_nsfp",
        help="The 16-digit legacy tax invoice number: transaction code, status digit "
        "(0 normal, 1 replacement) and the 13-digit serial (efaktur.md §1.5).",
    )

    def init(self):
        res = super().init()
        # A serial is given once per company; a replacement invoice repeats the serial of
        # the invoice it replaces with status 1 (§1.5), so only normal ones are unique.
        # The range lock already prevents duplicates; this index is the last line.
        if not index_exists(self.env.cr, "account_move_efaktur_nsfp_unique"):
            self.env.cr.execute(
                """CREATE UNIQUE INDEX account_move_efaktur_nsfp_unique
                       ON account_move (company_id, efaktur_nsfp_serial)
                    WHERE efaktur_nsfp_serial IS NOT NULL AND efaktur_nsfp_status = '0'"""
            )
        return res

    @api.depends("efaktur_nsfp_serial", "efaktur_nsfp_status", "l10n_id_kode_transaksi")
    def _compute_efaktur_nsfp(self):
        for move in self:
            if move.efaktur_nsfp_serial:
                move.efaktur_nsfp = (
                    f"{move.l10n_id_kode_transaksi or '00'}"
                    f"{move.efaktur_nsfp_status or '0'}{move.efaktur_nsfp_serial}"
                )
            else:
                move.efaktur_nsfp = False

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    def _efaktur_legacy_split(self):
        """``(legacy, others)``: invoices dated 2024 or earlier go to the legacy CSV, the
        others (and undated ones, which the Coretax checks refuse) to the Coretax XML."""
        legacy = self.filtered(
            lambda m: m.invoice_date and m.invoice_date < CORETAX_START
        )
        return legacy, self - legacy

    def _efaktur_legacy_problems(self):
        """Every problem that blocks the legacy CSV of ``self``, as ``(move, message)``
        pairs (``move`` empty for a problem of the company), without raising or writing."""
        return self._efaktur_legacy_prepare()[1]

    def _efaktur_legacy_csv_file(self):
        """The legacy e-Faktur CSV of ``self``: gives an NSFP to each invoice without one,
        then builds the file.

        :return: ``(filename, csv_bytes)``, invoices ordered by date, number, id
        :raises EfakturProblemsError: listing every problem of every invoice, before any
            serial is given
        :raises UserError: when another export took the last serials meanwhile (nothing
            is allocated; the transaction is to be rolled back, as any UserError does)
        """
        invoices, problems = self._efaktur_legacy_prepare()
        if problems:
            raise EfakturProblemsError(
                problems, title=self.env._("e-Faktur cannot be exported:")
            )
        if not invoices:
            return None
        self._efaktur_legacy_assign(invoices)
        stamp = fields.Datetime.now().strftime("%Y%m%d_%H%M%S")
        return f"efaktur_legacy_{stamp}.csv", lc.build_csv(invoices)

    # ------------------------------------------------------------------
    # NSFP
    # ------------------------------------------------------------------

    def _efaktur_legacy_assign(self, invoices):
        """Give serials to the invoices that need one (race-free, see
        ``efaktur.nsfp.range._efaktur_allocate``) and store them on the invoices."""
        Range = self.env["efaktur.nsfp.range"]
        need = [invoice for invoice in invoices if invoice["needs_serial"]]
        if need:
            # Invoices first, then ranges (the wizard's order too: no deadlock). An invoice
            # that another transaction numbered meanwhile keeps that serial: never two.
            self.env.cr.execute(
                """SELECT id, efaktur_nsfp_serial FROM account_move
                    WHERE id = ANY(%s) ORDER BY id FOR UPDATE""",
                [[invoice["move_id"] for invoice in need]],
            )
            numbered = {row[0]: row[1] for row in self.env.cr.fetchall() if row[1]}
            for invoice in need:
                if invoice["move_id"] in numbered:
                    invoice.update(
                        serial=numbered[invoice["move_id"]], needs_serial=False
                    )
        by_year = {}
        for invoice in invoices:
            if invoice["needs_serial"]:
                by_year.setdefault(invoice["date"].year, []).append(invoice)
        company = self.company_id[:1]
        for year, group in sorted(by_year.items()):
            serials = Range._efaktur_allocate(company, len(group), year=year)
            for invoice, serial in zip(group, serials, strict=True):
                invoice["serial"] = serial
        for invoice in invoices:
            if invoice["needs_serial"] or invoice["store_serial"]:
                # no accounting field: skip Odoo's dynamic-line sync
                self.browse(invoice["move_id"]).with_context(
                    skip_invoice_sync=True
                ).write(
                    {
                        "efaktur_nsfp_serial": invoice["serial"],
                        "efaktur_nsfp_status": invoice["status"],
                    }
                )

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    def _efaktur_legacy_prepare(self):
        """``(invoices, problems)``: the dicts of ``efaktur_legacy_csv.build_csv`` (serial
        still missing where ``needs_serial``) and every problem found."""
        _ = self.env._
        moves = self.exists()
        problems = []
        if not moves:
            return [], problems
        moves.check_access("read")
        self.env.flush_all()
        if len(moves.company_id) > 1:
            problems.append(
                (
                    self.browse(),
                    _(
                        "The invoices belong to several companies: export one company at a time."
                    ),
                )
            )
            return [], problems
        company = moves.company_id
        if company.currency_id.name != "IDR":
            problems.append(
                (
                    self.browse(),
                    _(
                        "Company %(company)s does not keep its books in rupiah.",
                        company=company.name,
                    ),
                )
            )
        ids = moves._efaktur_ordered_chunks(len(moves))[0]
        data = self._efaktur_read_chunk(ids)
        self._efaktur_legacy_read_extra(data, moves)
        tolerance = to_decimal(company.efaktur_tax_tolerance)
        invoices = []
        for move_id in ids:
            found = []
            vals = self._efaktur_legacy_invoice_vals(
                data["heads"][move_id], data, tolerance, found
            )
            problems.extend((self.browse(move_id), message) for message in found)
            if not found:
                invoices.append(vals)
        self._efaktur_legacy_check_ranges(company, data, ids, problems)
        self._efaktur_legacy_check_odoo_serials(company, invoices, problems)
        return ([] if problems else invoices), problems

    def _efaktur_legacy_check_odoo_serials(self, company, invoices, problems):
        """A normal NSFP taken over from Odoo's ``l10n_id_tax_number`` must not be a
        serial another invoice of the company already holds (one of our ranges given
        out where Odoo's ranges overlap ours): a clear problem, not the unique index."""
        taken = {
            invoice["serial"]: invoice["move_id"]
            for invoice in invoices
            if invoice["store_serial"] and invoice["status"] == "0"
        }
        if not taken:
            return
        self.env.cr.execute(
            """SELECT efaktur_nsfp_serial, name FROM account_move
                WHERE company_id = %s AND efaktur_nsfp_status = '0'
                  AND efaktur_nsfp_serial = ANY(%s) AND NOT id = ANY(%s)""",
            [company.id, list(taken), list(taken.values())],
        )
        for serial, other in self.env.cr.fetchall():
            move = self.browse(taken[serial])
            problems.append(
                (
                    move,
                    self.env._(
                        "Invoice %(invoice)s: the NSFP serial %(serial)s that Odoo's "
                        "e-Faktur gave it is already the serial of invoice %(other)s.",
                        invoice=move.name,
                        serial=serial,
                        other=other,
                    ),
                )
            )

    def _efaktur_legacy_odoo_numbers(self):
        """The fields of Odoo's own NSFP (``l10n_id_tax_number`` of l10n_id_efaktur, given
        from Odoo's e-Faktur ranges when an invoice was posted) when that module is
        installed, else nothing."""
        return ["l10n_id_tax_number"] if "l10n_id_tax_number" in self._fields else []

    @staticmethod
    def _efaktur_legacy_split_odoo_number(number):
        """``(code, status, serial)`` of a 16-digit NSFP (§1.5: transaction code 2, status
        1, serial 13), or ``None`` when it is not one (Odoo's constraint keeps digits only
        and 16 of them, but data may predate it)."""
        number = number or ""
        if len(number) != 16 or not number.isdigit() or number[2] not in "01":
            return None
        return number[:2], number[2], number[3:]

    def _efaktur_legacy_read_extra(self, data, moves):
        """What the Coretax reader does not read: NSFP fields (ours, and Odoo's when
        l10n_id_efaktur is installed), replaced invoices, the products' internal
        references (§1.3 KODE_OBJEK)."""
        odoo_numbers = self._efaktur_legacy_odoo_numbers()
        extra = {
            row["id"]: row
            for row in moves.read(
                [
                    "efaktur_nsfp_serial",
                    "efaktur_nsfp_status",
                    "l10n_id_replace_invoice_id",
                    *odoo_numbers,
                ]
            )
        }
        replaced_ids = {
            row["l10n_id_replace_invoice_id"][0]
            for row in extra.values()
            if row["l10n_id_replace_invoice_id"]
        }
        data["replaced"] = {
            row["id"]: row
            for row in self.browse(replaced_ids).read(
                ["name", "efaktur_nsfp_serial", *odoo_numbers]
            )
        }
        data["extra"] = extra
        data["default_codes"] = {
            row["id"]: row["default_code"] or ""
            for row in self.env["product.product"]
            .browse(list(data["products"]))
            .with_context(active_test=False)
            .read(["default_code"])
        }

    def _efaktur_legacy_check_ranges(self, company, data, ids, problems):
        """Enough serials for each tax year (no lock here; the allocation counts again)."""
        needed = {}
        for move_id in ids:
            head = data["heads"][move_id]
            extra = data["extra"][move_id]
            # Invoices keeping Odoo's NSFP take no serial of our ranges either.
            if (
                head["invoice_date"]
                and not extra["efaktur_nsfp_serial"]
                and not self._efaktur_legacy_split_odoo_number(
                    extra.get("l10n_id_tax_number")
                )
                and not extra["l10n_id_replace_invoice_id"]
            ):
                year = head["invoice_date"].year
                needed[year] = needed.get(year, 0) + 1
        Range = self.env["efaktur.nsfp.range"]
        for year, count in sorted(needed.items()):
            available = Range._efaktur_available_count(company, year)
            if available < count:
                problems.append(
                    (
                        self.browse(),
                        self.env._(
                            "Not enough NSFP serials for %(year)s in company %(company)s:"
                            " %(missing)s missing (%(needed)s needed, %(found)s available)."
                            " Add the range DJP gave you (e-Nofa) under e-Faktur > NSFP"
                            " Ranges (Legacy).",
                            year=year,
                            company=company.name,
                            missing=count - available,
                            needed=count,
                            found=available,
                        ),
                    )
                )

    def _efaktur_legacy_invoice_vals(self, head, data, tolerance, found):
        """The FK values and OF lines of one invoice; appends every problem to ``found``."""
        _ = self.env._
        name = head["name"] or _("(draft)")

        def problem(message, **params):
            found.append(_("Invoice %(invoice)s: ", invoice=name) + message % params)

        if head["state"] != "posted":
            problem(_("it is not posted."))
        if head["move_type"] == "out_refund":
            problem(
                _("it is a credit note; the legacy e-Faktur CSV holds invoices only.")
            )
        elif head["move_type"] != "out_invoice":
            problem(_("it is not a customer invoice."))
        invoice_date = head["invoice_date"]
        if not invoice_date or invoice_date >= CORETAX_START:
            problem(_("it is dated 2025 or later; it goes to the Coretax XML."))
        code = head["l10n_id_kode_transaksi"]
        if code not in LEGACY_CODES:
            problem(
                _("the transaction code must be one of 01 to 09 for e-Faktur desktop.")
            )
        extra = data["extra"][head["id"]]
        serial = extra["efaktur_nsfp_serial"] or ""
        status = extra["efaktur_nsfp_status"] or "0"
        store_serial = False
        odoo_number = self._efaktur_legacy_split_odoo_number(
            extra.get("l10n_id_tax_number")
        )
        if not serial and extra.get("l10n_id_tax_number") and not odoo_number:
            problem(
                _(
                    "its tax number %(number)s (given by Odoo's e-Faktur) is not a "
                    "16-digit NSFP."
                ),
                number=extra["l10n_id_tax_number"],
            )
        elif not serial and odoo_number:
            # The NSFP Odoo's e-Faktur gave this invoice (possibly already reported to
            # DJP): kept, never a second one from our ranges; stored in our fields at this
            # export. Its code must be the invoice's, as the CSV writes both (§1.2, §1.5).
            if odoo_number[0] != code:
                problem(
                    _(
                        "its tax number %(number)s (given by Odoo's e-Faktur) is for "
                        "transaction code %(number_code)s, the invoice has code "
                        "%(code)s: make them agree."
                    ),
                    number=extra["l10n_id_tax_number"],
                    number_code=odoo_number[0],
                    code=code or "",
                )
            status, serial, store_serial = odoo_number[1], odoo_number[2], True
        reference = head["name"] or ""
        replaced_id = extra["l10n_id_replace_invoice_id"]
        if replaced_id:
            replaced = data["replaced"][replaced_id[0]]
            # §1.5: a replacement keeps the serial of the invoice it replaces, status 1;
            # §1.2 REFERENSI: "<old> replaced by <new>". The replaced invoice's serial may
            # still be only Odoo's.
            replaced_odoo = self._efaktur_legacy_split_odoo_number(
                replaced.get("l10n_id_tax_number")
            )
            if not replaced["efaktur_nsfp_serial"] and replaced_odoo:
                replaced = dict(replaced, efaktur_nsfp_serial=replaced_odoo[2])
            reference = f"{replaced['name']} replaced by {head['name']}"
            if not replaced["efaktur_nsfp_serial"]:
                problem(
                    _(
                        "it replaces %(replaced)s, which has no NSFP: export that invoice"
                        " first."
                    ),
                    replaced=replaced["name"],
                )
            elif not serial:
                serial, status, store_serial = (
                    replaced["efaktur_nsfp_serial"],
                    "1",
                    True,
                )
        buyer = self._efaktur_legacy_buyer(head, data, problem)
        if buyer.get("suffix"):
            reference = f"{reference} {buyer['suffix']}"
        lines, total_dpp, total_ppn = self._efaktur_legacy_lines(
            head, data, tolerance, problem
        )
        if not found:
            lc.adjust_to_totals(lines, total_dpp, total_ppn)
        return {
            "move_id": head["id"],
            "code": code or "",
            "status": status,
            "serial": serial,
            "needs_serial": not serial,
            "store_serial": store_serial,
            "date": invoice_date,
            "npwp": buyer.get("npwp", ""),
            "name": buyer.get("name", ""),
            "address": buyer.get("address", ""),
            "total_dpp": total_dpp,
            "total_ppn": total_ppn,
            "reference": reference,
            "lines": lines,
        }

    def _efaktur_legacy_buyer(self, head, data, problem):
        """NPWP, NAMA, the identity added to REFERENSI and ALAMAT_LENGKAP (§1.2).

        NPWP: 15 digits; a 16-digit NPWP made from a 15-digit one (``0`` + NPWP15, §2.4)
        goes back to 15 digits, another 16-digit NPWP is written as it is (e-Faktur 4.0).
        Without NPWP, PER-26/PJ/2017: ``000000000000000`` and the NIK (or passport number)
        in REFERENSI, the name as ``<NIK>#NIK#NAMA#<name>`` (as Odoo, §1.2 NAMA).
        """
        _ = self.env._
        partners = data["partners"]
        buyer = partners.get(head["commercial_partner_id"])
        contact = partners.get(head["partner_id"]) or buyer
        if not buyer:
            problem(_("it has no customer."))
            return {}
        legal_name = _one_line(buyer["name"])
        vals = {"name": legal_name, "suffix": ""}
        npwp = _digits(buyer["vat"])
        doc_type = buyer["l10n_id_buyer_document_type"] or "TIN"
        if npwp.strip("0"):
            if len(npwp) == 16 and npwp.startswith("0"):
                npwp = npwp[1:]
            if len(npwp) not in (15, 16):
                problem(
                    _("the NPWP of %(buyer)s must have 15 digits (found '%(vat)s')."),
                    buyer=buyer["name"],
                    vat=buyer["vat"] or "",
                )
            vals["npwp"] = npwp
        elif doc_type in ("Passport", "Other"):
            number = _one_line(buyer["l10n_id_buyer_document_number"])
            if not number:
                problem(
                    _(
                        "%(buyer)s has no NPWP and no passport number: with NPWP"
                        " 000000000000000 the passport number goes in REFERENSI"
                        " (PER-26/PJ/2017)."
                    ),
                    buyer=buyer["name"],
                )
            vals.update(npwp=lc.NO_NPWP, suffix=number)
        else:
            nik = ""
            if doc_type == "NIK":
                nik = _digits(buyer["l10n_id_buyer_document_number"])
            nik = nik or _digits(buyer["l10n_id_nik"])
            if len(nik) != 16 or not nik.strip("0"):
                problem(
                    _(
                        "%(buyer)s has no NPWP and no 16-digit NIK: with NPWP"
                        " 000000000000000 the NIK goes in REFERENSI (PER-26/PJ/2017)."
                    ),
                    buyer=buyer["name"],
                )
            vals.update(
                npwp=lc.NO_NPWP, name=f"{nik}#NIK#NAMA#{legal_name}", suffix=nik
            )
        address = self._efaktur_address(contact) or self._efaktur_address(buyer)
        if not address:
            problem(_("the address of %(buyer)s is missing."), buyer=buyer["name"])
        vals["address"] = address
        return vals

    def _efaktur_legacy_lines(self, head, data, tolerance, problem):
        """OF lines and the FK totals ``(lines, JUMLAH_DPP, JUMLAH_PPN)`` of one invoice,
        the lines rounded once but not yet adjusted to the totals.

        §1.2: JUMLAH_DPP is the tax base rounded to the rupiah, JUMLAH_PPN the PPN booked
        on the invoice rounded down; §1.4: each line rounded once, then the difference put
        on the lines (``adjust_to_totals``) so that the OF sums equal these totals exactly.
        """
        _ = self.env._
        taxes = data["taxes"]
        items, negatives = [], []
        for row in data["lines"].get(head["id"], ()):
            label = _one_line(row["name"])
            what = label or _("a line")
            qty = to_decimal(row["quantity"])
            dpp = -to_decimal(row["balance"])  # rupiah at the invoice's rate
            if not qty and not dpp:
                continue
            if row["id"] in data["down_payments"]:
                problem(
                    _(
                        "line '%(line)s' is a down payment; the legacy export does not"
                        " write down-payment invoices."
                    ),
                    line=what,
                )
                continue
            line_taxes = [taxes[t] for t in row["tax_ids"] if t in taxes]
            if any(t["efaktur_role"] == "luxury" for t in line_taxes):
                problem(
                    _(
                        "line '%(line)s' bears PPnBM, which the legacy export does not write."
                    ),
                    line=what,
                )
                continue
            ppn = [t for t in line_taxes if t["efaktur_role"] in PPN_ROLES]
            if len(ppn) != 1:
                problem(
                    _("line '%(line)s' needs exactly one PPN tax (found %(count)s).")
                    if ppn
                    else _("line '%(line)s' has no PPN tax."),
                    line=what,
                    count=len(ppn),
                )
                continue
            # In 2024 and before, PPN is the tax's own rate on the full DPP (11% since
            # April 2022): no 11/12 rule here, whatever role the tax has for Coretax.
            rate = (
                Decimal(0)
                if ppn[0]["efaktur_role"] == "zero"
                else to_decimal(ppn[0]["amount"])
            )
            item = {
                "row": row,
                "label": label,
                "qty": qty,
                "dpp": dpp,
                "rate": rate,
                "key": (ppn[0]["id"], None),
                "spread": Decimal(0),
            }
            (negatives if dpp < 0 else items).append(item)
        # Invoice-level discount lines are shared pro rata over the lines with the same tax
        # (§1.4, OnlinePajak's advice), as for Coretax.
        self._efaktur_spread_discounts(items, negatives, problem)
        if not items:
            problem(_("it has no line to report."))
            return [], Decimal(0), Decimal(0)
        lines = []
        for item in items:
            row = item["row"]
            if item["qty"] <= 0:
                problem(
                    _("line '%(line)s' has no positive quantity."),
                    line=item["label"] or _("a line"),
                )
                continue
            figures = lc.line_figures(
                item["dpp"],
                item["rate"],
                to_decimal(row["discount"]),
                item["qty"],
                item["spread"],
            )
            product = (
                data["products"].get(row["product_id"]) if row["product_id"] else None
            )
            name = (product and product["name"]) or item["label"]
            if not name:
                problem(_("a line has no label."))
            figures.update(
                code=data["default_codes"].get(row["product_id"], "")
                if product
                else "",
                name=_one_line(name),
                qty=item["qty"],
            )
            lines.append(figures)
        booked = Decimal(0)
        for tax_id, amount in data["booked"].get(head["id"], {}).items():
            if taxes.get(tax_id, {}).get("efaktur_role") in PPN_ROLES:
                booked += amount
        computed = sum((line["ppn_exact"] for line in lines), Decimal(0))
        if abs(booked - computed) > tolerance:
            problem(
                _(
                    "the PPN booked (%(booked)s) differs from the PPN of the e-Faktur lines"
                    " (%(computed)s) by more than %(tolerance)s rupiah."
                ),
                booked=f"{booked:.2f}",
                computed=f"{computed:.2f}",
                tolerance=f"{tolerance:g}",
            )
        total_dpp = lc.rupiah(sum((line["dpp_exact"] for line in lines), Decimal(0)))
        total_ppn = lc.rupiah_down(booked)
        if total_ppn < 0 or total_dpp < 0:
            problem(_("its totals are negative."))
        return lines, total_dpp, total_ppn
