# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The e-Faktur engine on ``account.move``: validation and the Coretax XML files.

Reads every invoice of a chunk with a handful of SQL queries and ``read`` calls (no
per-record ORM loop), checks everything, and hands plain dicts to ``coretax_xml``.
"""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from odoo import fields, models

from odoo.addons.l10n_id_efaktur_coretax.models.account_move import COUNTRY_CODE_MAP

from . import coretax_xml as cx
from .account_tax import PPN_ROLES
from .efaktur_problems import EfakturProblemsError

MAX_PER_FILE = 1000  # one Coretax XML holds at most 1,000 invoices (efaktur.md §0)
TRX_CODES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")  # §2.5
CORETAX_START = date(2025, 1, 1)  # Coretax XML for invoices dated 2025 on (§0)
# PMK 131/2024: luxury goods were taxed on DPP Nilai Lain 11/12 in January 2025 only, as a
# transition; on the full price from 1 February 2025 (efaktur.md §2.6).
LUXURY_FULL_PRICE_FROM = date(2025, 2, 1)
NON_DIGIT = re.compile(r"\D")
DOCUMENT_NAMES = {
    "TIN": "TIN",
    "NIK": "National ID",  # §2.4: DJP's value; Odoo's module writes "NIK"
    "Passport": "Passport",
    "Other": "Other ID",
}


def _digits(value):
    return NON_DIGIT.sub("", value or "")


def normalise_npwp(value):
    """16-digit NPWP from what users type: dots and dashes dropped, a legacy 15-digit NPWP
    prefixed with ``0`` (NPWP16 = ``0`` + NPWP15, efaktur.md §2.4). ``None`` when the
    result is not 16 digits."""
    digits = _digits(value)
    if len(digits) == 15:
        digits = "0" + digits
    return digits if len(digits) == 16 else None


def _one_line(text):
    return " ".join((text or "").split())


class AccountMove(models.Model):
    _inherit = "account.move"

    efaktur_custom_doc_date = fields.Date(
        string="Supporting Document Period",
        copy=False,
        help="Period of the supporting document of codes 07/08 (CustomDocMonthYear, MMYYYY).",
    )

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    def _efaktur_coretax_files(self, max_per_file=MAX_PER_FILE):
        """Turn the invoices of ``self`` into Coretax ``TaxInvoiceBulk`` XML files.

        :param max_per_file: invoices per file (DJP's limit is 1,000)
        :return: list of ``(filename, xml_bytes)``, one ``TaxInvoiceBulk`` per
            ``max_per_file`` invoices; invoices ordered by invoice date, number, id (stable)
        :raises EfakturProblemsError: when any invoice has any problem; its ``problems``
            lists ``(move, message)`` for every problem of every invoice. Nothing is written
            (this method writes nothing in any case: callers store the files).
        """
        files, problems = self._efaktur_run(max_per_file=max_per_file, build=True)
        if problems:
            raise EfakturProblemsError(
                problems, title=self.env._("e-Faktur cannot be exported:")
            )
        return files

    def _efaktur_coretax_iter_files(self, max_per_file=MAX_PER_FILE):
        """Same files as ``_efaktur_coretax_files``, for large exports: validates every
        invoice first (raising ``EfakturProblemsError`` before yielding anything), then
        yields ``(filename, xml_bytes)`` one file at a time, so memory holds one file. Reads
        the invoices twice; the caller stores each file before asking for the next."""
        moves = self.exists()
        chunks = moves._efaktur_ordered_chunks(max_per_file)
        # Validated one file's worth at a time, so that memory holds one chunk's figures
        # however many invoices there are; company problems repeat per chunk: once here.
        problems, seen = [], set()
        for chunk in chunks:
            for move, message in self.browse(chunk)._efaktur_problems():
                key = (getattr(move, "id", move), message)
                if key not in seen:
                    seen.add(key)
                    problems.append((move, message))
            self.env.invalidate_all()
        if problems:
            raise EfakturProblemsError(
                problems, title=self.env._("e-Faktur cannot be exported:")
            )
        seller = self._efaktur_seller(moves.company_id, problems)
        for index, chunk in enumerate(chunks, start=1):
            invoices = self._efaktur_chunk(chunk, seller, problems)
            if problems:  # changed since the check: refuse rather than write half
                raise EfakturProblemsError(
                    [
                        (self.browse(move) if isinstance(move, int) else move, message)
                        for move, message in problems
                    ],
                    title=self.env._("e-Faktur cannot be exported:"),
                )
            content = cx.build_bulk(seller["tin"], invoices)
            del invoices
            self.env.invalidate_all()
            yield (self._efaktur_filename(seller, index, len(chunks)), content)

    def _efaktur_ordered_chunks(self, max_per_file):
        """Invoice ids in the file order (invoice date, number, id), cut in chunks."""
        self.env.cr.execute(
            """SELECT id FROM account_move WHERE id = ANY(%s)
               ORDER BY invoice_date, name, id""",
            [self.ids],
        )
        ordered = [row[0] for row in self.env.cr.fetchall()]
        return [
            ordered[start : start + max_per_file]
            for start in range(0, len(ordered), max_per_file)
        ]

    def _efaktur_problems(self):
        """Every problem that blocks the Coretax export of ``self``, as ``(move, message)``
        pairs, without raising and without building the files."""
        return self._efaktur_run(build=False)[1]

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    def _efaktur_run(self, max_per_file=MAX_PER_FILE, build=True):
        moves = self.exists()
        problems = []
        if not moves:
            return [], problems
        moves.check_access("read")
        _ = self.env._
        self.env.flush_all()
        companies = moves.company_id
        if len(companies) > 1:
            problems.append(
                (
                    self.browse(),
                    _(
                        "The invoices belong to several companies: export one company at a time."
                    ),
                )
            )
            return [], problems
        seller = self._efaktur_seller(companies, problems)
        chunks = moves._efaktur_ordered_chunks(max_per_file)
        files = []
        for index, chunk in enumerate(chunks, start=1):
            invoices = self._efaktur_chunk(chunk, seller, problems)
            if build and not problems:
                files.append(
                    (
                        self._efaktur_filename(seller, index, len(chunks)),
                        cx.build_bulk(seller["tin"], invoices),
                    )
                )
            del invoices
        by_id = {move.id: move for move in moves}
        problems = [
            (
                by_id.get(move_id, self.browse())
                if isinstance(move_id, int)
                else move_id,
                msg,
            )
            for move_id, msg in problems
        ]
        return ([] if problems else files), problems

    def _efaktur_filename(self, seller, index, count):
        stamp = fields.Datetime.now().strftime("%Y%m%d_%H%M%S")
        return f"efaktur_coretax_{seller['tin'] or 'seller'}_{stamp}_{index:02d}of{count:02d}.xml"

    def _efaktur_seller(self, company, problems):
        _ = self.env._
        company_move = self.browse()
        tin = normalise_npwp(company.vat)
        if not tin:
            problems.append(
                (
                    company_move,
                    _(
                        "Company %(company)s: the NPWP must have 16 digits (found '%(vat)s').",
                        company=company.name,
                        vat=company.vat or "",
                    ),
                )
            )
        tku = _digits(company.partner_id.l10n_id_tku)
        if len(tku) != 6:
            problems.append(
                (
                    company_move,
                    _(
                        "Company %(company)s: the TKU (place of business) must have 6 digits.",
                        company=company.name,
                    ),
                )
            )
        if company.currency_id.name != "IDR":
            problems.append(
                (
                    company_move,
                    _(
                        "Company %(company)s does not keep its books in rupiah.",
                        company=company.name,
                    ),
                )
            )
        return {
            "company": company,
            "tin": tin or "",
            "idtku": (tin or "") + tku,
            "tolerance": cx.to_decimal(company.efaktur_tax_tolerance),
            "facility_vat_zero": company.efaktur_facility_vat == "zero",
            "foreign_idtku": company.efaktur_foreign_idtku or "zeros",
            "default_unit": company.efaktur_default_uom_code_id.code or "UM.0018",
            "default_opt": company.efaktur_default_opt or "A",
        }

    # -- bulk reading ------------------------------------------------------

    def _efaktur_read_chunk(self, ids):
        """Everything the file needs for the invoices ``ids``, in a few queries."""
        cr = self.env.cr
        cr.execute(
            """SELECT m.id, m.name, m.move_type, m.state, m.invoice_date, m.partner_id,
                      m.commercial_partner_id, m.l10n_id_kode_transaksi,
                      m.l10n_id_coretax_add_info_07, m.l10n_id_coretax_add_info_08,
                      m.l10n_id_coretax_facility_info_07, m.l10n_id_coretax_facility_info_08,
                      m.l10n_id_coretax_custom_doc, m.efaktur_custom_doc_date,
                      m.currency_id, m.invoice_currency_rate,
                      c.name AS currency_name, c.rounding AS currency_rounding
                 FROM account_move m
            LEFT JOIN res_currency c ON c.id = m.currency_id
                WHERE m.id = ANY(%s)""",
            [ids],
        )
        heads = {row["id"]: row for row in cr.dictfetchall()}
        cr.execute(
            """SELECT l.id, l.move_id, l.name, l.product_id, l.product_uom_id, l.quantity,
                      l.price_unit, l.discount, l.balance, l.display_type, l.tax_line_id,
                      COALESCE(ARRAY_AGG(r.account_tax_id)
                               FILTER (WHERE r.account_tax_id IS NOT NULL), '{}') AS tax_ids
                 FROM account_move_line l
            LEFT JOIN account_move_line_account_tax_rel r ON r.account_move_line_id = l.id
                WHERE l.move_id = ANY(%s)
                  AND (l.display_type = 'product' OR l.tax_line_id IS NOT NULL)
             GROUP BY l.id
             ORDER BY l.move_id, l.sequence, l.id""",
            [ids],
        )
        lines = defaultdict(list)
        booked = defaultdict(lambda: defaultdict(Decimal))
        tax_ids, product_ids, uom_ids = set(), set(), set()
        for row in cr.dictfetchall():
            if row["tax_line_id"]:
                # Booked tax in company currency: a customer invoice credits it.
                booked[row["move_id"]][row["tax_line_id"]] -= cx.to_decimal(
                    row["balance"]
                )
                tax_ids.add(row["tax_line_id"])
                continue
            lines[row["move_id"]].append(row)
            tax_ids.update(row["tax_ids"])
            if row["product_id"]:
                product_ids.add(row["product_id"])
            if row["product_uom_id"]:
                uom_ids.add(row["product_uom_id"])
        down_payments = set()
        line_ids = [row["id"] for rows in lines.values() for row in rows]
        if line_ids and "is_downpayment" in self.env.get("sale.order.line", {}):
            # Coretax's XML import does not take down-payment / settlement invoices; they are
            # made in the Coretax form (efaktur.md §2.8, ODOO-PR-276775).
            cr.execute(
                """SELECT rel.invoice_line_id FROM sale_order_line_invoice_rel rel
                     JOIN sale_order_line sol ON sol.id = rel.order_line_id
                    WHERE sol.is_downpayment AND rel.invoice_line_id = ANY(%s)""",
                [line_ids],
            )
            down_payments = {row[0] for row in cr.fetchall()}
        taxes = {
            tax["id"]: tax
            for tax in self.env["account.tax"]
            .browse(tax_ids)
            .with_context(active_test=False)
            .read(["amount", "efaktur_role", "name"])
        }
        products = {}
        code_ids = set()
        for product in (
            self.env["product.product"]
            .browse(product_ids)
            .with_context(active_test=False)
            .read(["type", "l10n_id_product_code", "name", "display_name"])
        ):
            products[product["id"]] = product
            if product["l10n_id_product_code"]:
                code_ids.add(product["l10n_id_product_code"][0])
        codes = {
            code["id"]: code["code"]
            for code in self.env["l10n_id_efaktur_coretax.product.code"]
            .browse(code_ids)
            .read(["code"])
        }
        uoms = {}
        for uom in (
            self.env["uom.uom"].browse(uom_ids).read(["l10n_id_uom_code", "name"])
        ):
            uoms[uom["id"]] = uom
        uom_code_ids = {
            u["l10n_id_uom_code"][0] for u in uoms.values() if u["l10n_id_uom_code"]
        }
        uom_codes = {
            code["id"]: code["code"]
            for code in self.env["l10n_id_efaktur_coretax.uom.code"]
            .browse(uom_code_ids)
            .read(["code"])
        }
        partner_ids = {h["partner_id"] for h in heads.values() if h["partner_id"]}
        partner_ids |= {
            h["commercial_partner_id"]
            for h in heads.values()
            if h["commercial_partner_id"]
        }
        partners = {
            p["id"]: p
            for p in self.env["res.partner"]
            .browse(partner_ids)
            .with_context(active_test=False)
            .read(
                [
                    "name",
                    "vat",
                    "l10n_id_buyer_document_type",
                    "l10n_id_buyer_document_number",
                    "l10n_id_nik",
                    "l10n_id_tku",
                    "country_id",
                    "email",
                    "street",
                    "street2",
                    "city",
                    "state_id",
                    "zip",
                ]
            )
        }
        country_ids = {p["country_id"][0] for p in partners.values() if p["country_id"]}
        countries = {
            c["id"]: c["code"]
            for c in self.env["res.country"].browse(country_ids).read(["code"])
        }
        return {
            "heads": heads,
            "lines": lines,
            "booked": booked,
            "taxes": taxes,
            "products": products,
            "product_codes": codes,
            "uoms": uoms,
            "uom_codes": uom_codes,
            "partners": partners,
            "countries": countries,
            "down_payments": down_payments,
        }

    # -- one chunk -----------------------------------------------------------

    def _efaktur_chunk(self, ids, seller, problems):
        data = self._efaktur_read_chunk(ids)
        invoices = []
        for move_id in ids:
            head = data["heads"][move_id]
            found = []
            vals = self._efaktur_invoice_vals(head, data, seller, found)
            problems.extend((move_id, message) for message in found)
            if not found:
                invoices.append(vals)
        return invoices

    def _efaktur_invoice_vals(self, head, data, seller, found):
        """The header and lines of one TaxInvoice; appends every problem to ``found``."""
        _ = self.env._
        name = head["name"] or _("(draft)")

        def problem(message, **params):
            found.append(_("Invoice %(invoice)s: ", invoice=name) + message % params)

        if head["state"] != "posted":
            problem(_("it is not posted."))
        if head["move_type"] == "out_refund":
            # The buyer makes the return (nota retur) in Coretax (efaktur.md §2.8).
            problem(_("it is a credit note; returns are made by the buyer in Coretax."))
        elif head["move_type"] != "out_invoice":
            problem(_("it is not a customer invoice."))
        invoice_date = head["invoice_date"]
        if not invoice_date:
            problem(_("it has no invoice date."))
        elif invoice_date < CORETAX_START:
            problem(_("it is dated before 2025; use the legacy e-Faktur CSV."))
        code = head["l10n_id_kode_transaksi"]
        if code not in TRX_CODES:
            problem(_("the transaction code must be one of 01 to 10."))
        add_info = facility = ""
        if code in ("07", "08"):
            add_info = head[f"l10n_id_coretax_add_info_{code}"] or ""
            facility = head[f"l10n_id_coretax_facility_info_{code}"] or ""
            if not (add_info and facility):
                problem(
                    _(
                        "code %(code)s needs the additional information and the facility stamp."
                    ),
                    code=code,
                )
        custom_doc_date = head["efaktur_custom_doc_date"]
        header = {
            "TaxInvoiceDate": invoice_date.strftime("%Y-%m-%d") if invoice_date else "",
            "TaxInvoiceOpt": "Normal",  # replacements are made in Coretax (§2.3 #2, §2.8)
            "TrxCode": code or "",
            "AddInfo": add_info,
            "CustomDoc": _one_line(head["l10n_id_coretax_custom_doc"])
            if code in ("07", "08")
            else "",
            "CustomDocMonthYear": custom_doc_date.strftime("%m%Y")
            if custom_doc_date and code in ("07", "08")
            else "",
            "RefDesc": head["name"] or "",  # matched back on import (§2.7)
            "FacilityStamp": facility,
            "SellerIDTKU": seller["idtku"],
        }
        header.update(self._efaktur_buyer_vals(head, data, seller, problem))
        header["lines"] = self._efaktur_line_vals(head, data, seller, problem)
        return header

    def _efaktur_buyer_vals(self, head, data, seller, problem):
        """Buyer identity (efaktur.md §2.4)."""
        _ = self.env._
        partners = data["partners"]
        buyer = partners.get(head["commercial_partner_id"])
        contact = partners.get(head["partner_id"]) or buyer
        if not buyer:
            problem(_("it has no customer."))
            return dict.fromkeys(cx.HEADER_TAGS[9:], "")
        doc_type = buyer["l10n_id_buyer_document_type"] or "TIN"
        country = buyer["country_id"] and data["countries"].get(buyer["country_id"][0])
        country3 = COUNTRY_CODE_MAP.get(country) if country else None
        vals = {
            "BuyerDocument": DOCUMENT_NAMES.get(doc_type, "Other ID"),
            "BuyerName": _one_line(buyer["name"]),  # the legal entity, not the contact
            "BuyerEmail": (contact["email"] or buyer["email"] or "").strip(),
        }
        if doc_type == "TIN":
            npwp = normalise_npwp(buyer["vat"])
            if not npwp:
                problem(
                    _("the NPWP of %(buyer)s must have 16 digits (found '%(vat)s')."),
                    buyer=buyer["name"],
                    vat=buyer["vat"] or "",
                )
            elif not npwp.strip("0"):
                # A placeholder, not a taxpayer: a buyer without NPWP is identified by NIK
                # or passport (efaktur.md §2.4, §4 "placeholder NPWP sent as real").
                problem(
                    _(
                        "the NPWP of %(buyer)s is all zeros; identify the buyer by NIK instead."
                    ),
                    buyer=buyer["name"],
                )
                npwp = None
            # A branch contact carries its own TKU; it sits under the legal entity's NPWP.
            tku = _digits(buyer["l10n_id_tku"]) or "000000"
            if contact["id"] != buyer["id"]:
                branch = _digits(contact["l10n_id_tku"])
                if branch and branch != "000000":
                    tku = branch
            idtku = tku if len(tku) == 22 else (npwp or "") + tku
            if npwp and (len(idtku) != 22 or not idtku.startswith(npwp)):
                problem(
                    _(
                        "the NITKU of %(buyer)s must be its NPWP followed by a 6-digit TKU."
                    ),
                    buyer=buyer["name"],
                )
            vals.update(
                BuyerTin=npwp or "",
                BuyerDocumentNumber="",
                BuyerIDTKU=idtku,
                BuyerCountry=country3 or "IDN",
            )
        elif doc_type == "NIK":
            nik = _digits(
                buyer["l10n_id_buyer_document_number"] or buyer["l10n_id_nik"]
            )
            if len(nik) != 16 or not nik.strip("0"):
                problem(
                    _("the NIK of %(buyer)s must have 16 digits."),
                    buyer=buyer["name"],
                )
            vals.update(
                BuyerTin="0" * 16,
                BuyerDocumentNumber=nik,
                # NIK + 000000: the reading of ERPNext's fix (PR #121) and Kring Pajak's
                # "22 digits" (efaktur.md §2.4, open point §6).
                BuyerIDTKU=nik + "000000",
                BuyerCountry=country3 or "IDN",
            )
        else:
            number = (buyer["l10n_id_buyer_document_number"] or "").strip()
            if not number:
                problem(
                    _("the document number of %(buyer)s is missing."),
                    buyer=buyer["name"],
                )
            if not country3:
                problem(_("the country of %(buyer)s is missing."), buyer=buyer["name"])
            if seller["foreign_idtku"] == "document":
                idtku = number + "000000"
            else:
                idtku = "0" * 22
            vals.update(
                BuyerTin="0" * 16,
                BuyerDocumentNumber=number,
                BuyerIDTKU=idtku,
                BuyerCountry=country3 or "",
            )
        address = self._efaktur_address(contact) or self._efaktur_address(buyer)
        if not address:
            problem(_("the address of %(buyer)s is missing."), buyer=buyer["name"])
        vals["BuyerAdress"] = address
        return vals

    @staticmethod
    def _efaktur_address(partner):
        """One line: street, street2, city, state and post code (§2.3 #15)."""
        state = partner["state_id"] and partner["state_id"][1]
        if state and " (" in state:
            state = state.rsplit(" (", 1)[0]  # "Jawa Barat (ID)" -> "Jawa Barat"
        parts = [partner["street"], partner["street2"], partner["city"], state]
        text = ", ".join(_one_line(p) for p in parts if p and _one_line(p))
        if partner["zip"]:
            text = f"{text} {partner['zip'].strip()}".strip()
        return text

    def _efaktur_line_vals(self, head, data, seller, problem):
        """GoodService dicts of one invoice, with the booked-tax check (§2.3, §2.6)."""
        _ = self.env._
        code = head["l10n_id_kode_transaksi"]
        taxes = data["taxes"]
        items = []
        negatives = []
        rate = self._efaktur_rupiah_per_unit(head)
        # Lines bearing a PPN / PPnBM tax: each is a rounding of that tax in the invoice
        # currency (``_efaktur_currency_slack``).
        ppn_lines = luxury_lines = 0
        for row in data["lines"].get(head["id"], ()):
            label = _one_line(row["name"])
            qty = cx.to_decimal(row["quantity"])
            dpp = -cx.to_decimal(row["balance"])  # rupiah at the invoice's rate
            if not qty and not dpp:
                continue
            if row["id"] in data["down_payments"]:
                problem(
                    _("line '%(line)s' is a down payment; make it in Coretax."),
                    line=label or _("a line"),
                )
                continue
            line_taxes = [taxes[t] for t in row["tax_ids"] if t in taxes]
            ppn = [t for t in line_taxes if t["efaktur_role"] in PPN_ROLES]
            luxury = [t for t in line_taxes if t["efaktur_role"] == "luxury"]
            what = label or _("a line")
            if len(ppn) != 1:
                problem(
                    _("line '%(line)s' needs exactly one PPN tax (found %(count)s).")
                    if ppn
                    else _("line '%(line)s' has no PPN tax."),
                    line=what,
                    count=len(ppn),
                )
                continue
            if len(luxury) > 1:
                problem(_("line '%(line)s' has several PPnBM taxes."), line=what)
                continue
            role = ppn[0]["efaktur_role"]
            # PPnBM goods pay PPN on the full price (PMK 131/2024 art. 2), except in
            # January 2025, when they were taxed on 11/12 as a transition (efaktur.md §2.6).
            january_2025 = bool(
                head["invoice_date"] and head["invoice_date"] < LUXURY_FULL_PRICE_FROM
            )
            if (
                luxury
                and role not in ("full", "zero")
                and not (role == "other_value" and january_2025)
            ):
                problem(
                    _(
                        "line '%(line)s': luxury goods pay PPN on the full price from"
                        " February 2025, not 11/12."
                    ),
                    line=what,
                )
            ppn_lines += 1
            luxury_lines += bool(luxury)
            item = {
                "row": row,
                "label": label,
                "qty": qty,
                "dpp": dpp,
                "ppn": ppn[0],
                "luxury": luxury[0] if luxury else None,
                "role": role,
                "key": (ppn[0]["id"], luxury[0]["id"] if luxury else None),
                "spread": Decimal(0),
                "rate": rate,
                "currency_id": head["currency_id"],
            }
            if dpp < 0:
                negatives.append(item)
            else:
                items.append(item)
            self._efaktur_check_code(code, role, what, problem)
        self._efaktur_spread_discounts(items, negatives, problem)
        if not items:
            problem(_("it has no line to report."))
            return []
        result = []
        vat_total = stlg_total = Decimal(0)
        booked_ppn = booked_stlg = Decimal(0)
        for tax_id, amount in data["booked"].get(head["id"], {}).items():
            role = taxes.get(tax_id, {}).get("efaktur_role")
            if role in PPN_ROLES:
                booked_ppn += amount
            elif role == "luxury":
                booked_stlg += amount
        for item in items:
            vals = self._efaktur_one_line(item, data, seller, problem)
            if vals:
                result.append(vals)
                vat_total += vals["VAT"]
                stlg_total += vals["STLG"]
        self._efaktur_check_booked(
            code,
            seller,
            (booked_ppn, vat_total, self._efaktur_currency_slack(head, ppn_lines)),
            (booked_stlg, stlg_total, self._efaktur_currency_slack(head, luxury_lines)),
            head["currency_name"],
            problem,
        )
        return result

    @staticmethod
    def _efaktur_foreign(head):
        return bool(head["currency_name"]) and head["currency_name"] != "IDR"

    def _efaktur_rupiah_per_unit(self, head):
        """Rupiah for one unit of the invoice's currency, at the invoice's own rate (the one
        its lines were booked at); 1 for a rupiah invoice."""
        rate = cx.to_decimal(head["invoice_currency_rate"])
        if not self._efaktur_foreign(head) or rate <= 0:
            return Decimal(1)
        return 1 / rate

    def _efaktur_currency_slack(self, head, roundings):
        """How far, in rupiah, the tax Odoo booked on a foreign-currency invoice may be from
        the file's without any error: Odoo rounds each line's tax (round per line), or each
        tax (round globally), in the invoice currency and converts that; the file computes
        PPN from the rupiah DPP (efaktur.md §2.6). Each of at most ``roundings`` roundings
        moves the booked figure by up to half the currency's rounding, i.e. 0.005 USD =
        80 rupiah at 16,000 IDR/USD. 0 for a rupiah invoice."""
        if not self._efaktur_foreign(head) or not roundings:
            return Decimal(0)
        half_unit = cx.to_decimal(head["currency_rounding"] or 0.01) / 2
        return cx.cents(roundings * half_unit * self._efaktur_rupiah_per_unit(head))

    def _efaktur_spread_discounts(self, items, negatives, problem):
        _ = self.env._
        # An invoice-level discount (a negative line) is spread over the lines bearing the
        # same taxes, pro rata to their DPP, as extra TotalDiscount: Coretax refuses negative
        # lines (efaktur.md §2.8; OnlinePajak advice §1.4).
        for neg in negatives:
            peers = [i for i in items if i["key"] == neg["key"]]
            # What is left of each line after the discounts spread before this one: a
            # second discount line is shared on that, so that no line goes below zero.
            base = sum((i["dpp"] - i["spread"] for i in peers), Decimal(0))
            if base + neg["dpp"] < 0 or not base:
                problem(
                    _(
                        "the discount '%(line)s' is larger than the lines with the same taxes;"
                        " it cannot be spread."
                    ),
                    line=neg["label"] or _("discount"),
                )
                continue
            left = -neg["dpp"]
            for index, peer in enumerate(peers):
                share = (
                    left
                    if index == len(peers) - 1
                    else (-neg["dpp"] * (peer["dpp"] - peer["spread"]) / base).quantize(
                        Decimal("0.000001")
                    )
                )
                peer["spread"] += share
                left -= share

    def _efaktur_check_booked(self, code, seller, ppn, stlg, currency, problem):
        """The file's PPN / PPnBM must be within the tolerance of what the invoice booked;
        codes 07/08 book no PPN although the file states the amount not collected.

        :param ppn: ``(booked, file, slack)`` in rupiah, ``slack`` being what the rounding
            of the tax in a foreign currency may add to the company's tolerance
            (``_efaktur_currency_slack``); 0 for a rupiah invoice
        :param stlg: the same for PPnBM
        :param currency: the invoice currency's name, for the message
        """
        _ = self.env._
        facility = code in ("07", "08")
        messages = {
            "ppn": _(
                "the PPN booked (%(booked)s) differs from the PPN of the e-Faktur lines"
                " (%(computed)s) by more than %(tolerance)s rupiah."
            ),
            "stlg": _(
                "the PPnBM booked (%(booked)s) differs from the PPnBM of the e-Faktur lines"
                " (%(computed)s) by more than %(tolerance)s rupiah."
            ),
            "ppn_foreign": _(
                "the PPN booked (%(booked)s) differs from the PPN of the e-Faktur lines"
                " (%(computed)s) by more than %(tolerance)s rupiah (the tolerance plus the"
                " rounding of the tax in %(currency)s)."
            ),
            "stlg_foreign": _(
                "the PPnBM booked (%(booked)s) differs from the PPnBM of the e-Faktur lines"
                " (%(computed)s) by more than %(tolerance)s rupiah (the tolerance plus the"
                " rounding of the tax in %(currency)s)."
            ),
        }
        for key, (booked, computed, slack) in (("ppn", ppn), ("stlg", stlg)):
            expected = Decimal(0) if facility else computed
            tolerance = seller["tolerance"] + slack
            if abs(booked - expected) <= tolerance:
                continue
            problem(
                messages[f"{key}_foreign" if slack else key],
                booked=f"{booked:.2f}",
                computed=f"{expected:.2f}",
                tolerance=f"{tolerance:.2f}" if slack else f"{tolerance:g}",
                currency=currency or "",
            )

    def _efaktur_check_code(self, code, role, what, problem):
        """The transaction code must agree with the line's PPN (§2.5, §2.6)."""
        _ = self.env._
        if code == "04" and role != "other_value":
            problem(
                _(
                    "code 04 needs the PPN tax on DPP Nilai Lain 11/12 (line '%(line)s')."
                ),
                line=what,
            )
        elif code == "01" and role != "full":
            problem(
                _(
                    "code 01 needs a full-rate PPN tax (line '%(line)s'); use code 04 for 11/12."
                ),
                line=what,
            )
        elif code in ("07", "08") and role != "zero":
            problem(
                _("code %(code)s needs a 0%% PPN tax (line '%(line)s')."),
                code=code,
                line=what,
            )
        elif code in TRX_CODES and code not in ("07", "08") and role == "zero":
            problem(
                _("a 0%% PPN tax needs code 07 or 08 (line '%(line)s')."),
                line=what,
            )

    def _efaktur_one_line(self, item, data, seller, problem):
        _ = self.env._
        row = item["row"]
        qty = item["qty"]
        if qty <= 0:
            problem(_("line '%(line)s' has no positive quantity."), line=item["label"])
            return None
        product = data["products"].get(row["product_id"]) if row["product_id"] else None
        uom = data["uoms"].get(row["product_uom_id"]) if row["product_uom_id"] else None
        unit = (
            uom
            and uom["l10n_id_uom_code"]
            and data["uom_codes"].get(uom["l10n_id_uom_code"][0])
        )
        if product:
            opt = "B" if product["type"] == "service" else "A"
            code = product["l10n_id_product_code"] and data["product_codes"].get(
                product["l10n_id_product_code"][0]
            )
            if not code:
                problem(
                    _("product %(product)s has no e-Faktur product code."),
                    product=product["display_name"],
                )
            if not unit:
                problem(
                    _("unit %(uom)s has no e-Faktur unit code."),
                    uom=uom["name"] if uom else _("(none)"),
                )
        else:
            # Product-less line: its label, the generic code and the company's default unit.
            opt = seller["default_opt"]
            code = "000000"
            unit = unit or seller["default_unit"]
        name = item["label"] or (product and product["name"]) or ""
        if not name:
            problem(_("a line has no label."))
        # Gross before the line discount, tax excluded, in rupiah (§2.3: Price is the unit
        # price excluding VAT and before discount). From the booked DPP, so tax-included
        # prices and foreign currencies come out at the invoice's own figures.
        discount = cx.to_decimal(row["discount"])
        dpp_line = item["dpp"]
        if discount < 100:
            gross = dpp_line * 100 / (100 - discount)
        else:
            gross = self._efaktur_free_line_gross(item)  # 100 % discount: DPP is 0
        dpp = dpp_line - item["spread"]
        ppn = item["ppn"]
        role = item["role"]
        stlg_rate = (
            cx.to_decimal(item["luxury"]["amount"]) if item["luxury"] else Decimal(0)
        )
        if role == "other_rate":
            vat_rate = cx.to_decimal(ppn["amount"])
        else:
            vat_rate = Decimal(12)  # PMK 131/2024: the 2025 PPN rate
        amounts = cx.line_amounts(
            dpp,
            vat_rate,
            other_value=role == "other_value"
            or (role == "zero" and not item["luxury"]),
            stlg_rate=stlg_rate,
            vat_zero=role == "zero" and seller["facility_vat_zero"],
        )
        price, total_discount = cx.price_and_discount(gross, qty, amounts["TaxBase"])
        return {
            "Opt": opt,
            "Code": code or "",
            "Name": name,
            "Unit": unit or "",
            "Price": price,
            "Qty": qty,
            "TotalDiscount": total_discount,
            "VATRate": vat_rate,
            "STLGRate": stlg_rate,
            **amounts,
        }

    def _efaktur_free_line_gross(self, item):
        """Gross of a 100 % discount line, whose booked DPP is 0: its price x quantity with
        any price-included tax taken out (Odoo's own tax computation), converted to rupiah
        at the invoice's rate, like the booked DPP of the other lines. One ORM call per
        such line (they are rare); the other lines are read in bulk."""
        row = item["row"]
        taxes = (
            self.env["account.tax"]
            .browse(row["tax_ids"])
            .with_context(active_test=False)
        )
        currency = self.env["res.currency"].browse(item["currency_id"])
        product = self.env["product.product"].browse(row["product_id"] or [])
        excluded = taxes.compute_all(
            row["price_unit"],
            currency=currency or None,
            quantity=float(item["qty"]),
            product=product or None,
        )["total_excluded"]
        return cx.to_decimal(excluded) * item["rate"]

    # ------------------------------------------------------------------
    # The one "Download e-Faktur" path
    # ------------------------------------------------------------------

    def download_efaktur(self):
        """OVERRIDE l10n_id_efaktur(_coretax): the "Download e-Faktur" action of the invoice
        list opens our export wizard with the selected invoices. Odoo's checks (NPWP asked
        from NIK buyers, PKP required...) are replaced by ``_efaktur_problems``, run by the
        wizard."""
        return self.env["efaktur.export.wizard"]._efaktur_action_from_invoices(self)
