# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The faktur number Coretax gave an invoice, read back from its invoice list (issue 11
item 5; efaktur.md §2.7).

Not Odoo's ``l10n_id_tax_number`` (``l10n_id_efaktur``): that field is the legacy 16-digit
NSFP popped from e-Faktur ranges, with a constraint refusing anything but 16 digits, and
``l10n_id_efaktur_coretax`` hides it. Coretax numbers have 17 digits (PER-11/PJ/2025 art. 37).
"""

import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from . import coretax_invoice_list as cil

FAKTUR_STATUSES = [
    ("approved", "Approved"),
    ("amended", "Amended (replaced)"),
    ("cancelled", "Cancelled"),
    ("rejected", "Rejected"),
    ("other", "Other"),
]
_TOKEN_SPLIT = re.compile(r"[\s,;|]+")


class AccountMove(models.Model):
    # A file of its own: the numbers coming back are the importer's concern (issue 11
    # item 5), the export engine's and the batches' files stay apart (several authors).
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    efaktur_number = fields.Char(
        string="Faktur Number",
        size=17,
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="The 17-digit tax invoice number Coretax gave this invoice (transaction code, "
        "status code, serial), imported from Coretax's list of output invoices.",
    )
    efaktur_number_date = fields.Date(
        string="Faktur Date", readonly=True, copy=False, tracking=True
    )
    efaktur_number_status = fields.Selection(
        FAKTUR_STATUSES,
        string="Faktur Status",
        readonly=True,
        copy=False,
        tracking=True,
    )
    efaktur_number_status_text = fields.Char(
        string="Coretax Status",
        readonly=True,
        copy=False,
        help="The status exactly as Coretax's list wrote it.",
    )
    efaktur_number_replaced = fields.Char(
        string="Replaced Faktur Number",
        readonly=True,
        copy=False,
        help="The earlier number of this invoice, replaced in Coretax (status AMENDED).",
    )

    _sql_constraints = [
        (
            "efaktur_number_company_uniq",
            "UNIQUE(company_id, efaktur_number)",
            "A faktur number belongs to one invoice only.",
        ),
    ]

    # ------------------------------------------------------------------
    # Reading the file
    # ------------------------------------------------------------------

    @api.model
    def _efaktur_parse_coretax_list(self, content, filename=""):
        """Rows of a Coretax invoice list (see ``coretax_invoice_list.parse``).

        :raises UserError: the file cannot be read; nothing is written in that case
        """
        try:
            return cil.parse(content, filename)
        except cil.CoretaxListError as error:
            raise UserError(self._efaktur_coretax_list_error(error)) from error

    def _efaktur_coretax_list_error(self, error):
        _ = self.env._
        if error.code == "missing_columns":
            labels = self._efaktur_coretax_column_labels()
            return _(
                "The file has no column %(columns)s. Export the list of output invoices "
                "(Pajak Keluaran) from Coretax and import it without removing columns.",
                columns=", ".join(labels[field] for field in error.params["columns"]),
            )
        messages = {
            "empty": _("The file is empty: it has no invoice row."),
            "unreadable": _(
                "The file is neither an Excel file (.xlsx) nor a CSV text file."
            ),
            "legacy_xls": _(
                "Old Excel files (.xls) cannot be read: save the file as .xlsx or .csv."
            ),
            "bad_xlsx": _("The Excel file is damaged and cannot be opened."),
            "no_header": _(
                "No header row with a 'Referensi' column was found: is this Coretax's "
                "list of output invoices (Pajak Keluaran)?"
            ),
            "duplicate_column": _(
                "The column '%(column)s' appears twice in the header row.",
                column=error.params.get("column", ""),
            ),
        }
        return messages.get(error.code, _("The file cannot be read."))

    def _efaktur_coretax_column_labels(self):
        return {
            "reference": "'Referensi'",
            "number": "'Nomor Faktur Pajak'",
            "status": "'Status Faktur'",
            "date": "'Tanggal Faktur Pajak'",
        }

    def _efaktur_coretax_row_problem(self, code, params):
        _ = self.env._
        messages = {
            "no_reference": _("No reference (Referensi) on this row."),
            "no_status": _("No status (Status Faktur) on this row."),
            "number_in_excel": _(
                "The faktur number is stored as a number in Excel, which keeps only 15 "
                "digits: format the column as text and export again."
            ),
            "number_length": _(
                "The faktur number must have 17 digits (found %(digits)s); Excel may have "
                "dropped a leading zero.",
                digits=params.get("digits", 0),
            ),
            "number_code": _(
                "The faktur number does not start with a transaction code (found "
                "'%(code)s').",
                code=params.get("code", ""),
            ),
            "approved_without_number": _(
                "The faktur is APPROVED but the row has no faktur number."
            ),
            "bad_date": _(
                "The faktur date '%(value)s' is not a date.",
                value=params.get("value", ""),
            ),
        }
        return messages.get(code, _("This row cannot be read."))

    # ------------------------------------------------------------------
    # Recording the rows
    # ------------------------------------------------------------------

    @api.model
    def _efaktur_coretax_match(self, rows):
        """``{row number: (move or None, problem or None)}``.

        The reference is our ``RefDesc``, i.e. the invoice number (``account_move.py``):
        first the whole reference, then any invoice number found inside it (a reference
        edited in Coretax, or the legacy REFERENSI with a NIK appended, efaktur.md §1.2).
        Only posted customer invoices of the user's companies."""
        tokens_by_row = {}
        wanted = set()
        for row in rows:
            reference = row["reference"]
            if not reference:
                continue
            tokens = {
                token
                for token in _TOKEN_SPLIT.split(reference)
                if len(token) >= 4 and any(ch.isdigit() for ch in token)
            }
            tokens_by_row[row["row"]] = tokens
            wanted |= tokens | {reference}
        by_name = defaultdict(lambda: self.browse())
        if wanted:
            for move in self.search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "in", self.env.companies.ids),
                    ("name", "in", list(wanted)),
                ]
            ):
                by_name[move.name] |= move
        _ = self.env._
        result = {}
        for row in rows:
            if not row["reference"]:
                continue
            moves = by_name.get(row["reference"]) or self.browse()
            if not moves:
                for token in tokens_by_row.get(row["row"], ()):
                    moves |= by_name.get(token, self.browse())
            if len(moves) == 1:
                result[row["row"]] = (moves, None)
            elif moves:
                result[row["row"]] = (
                    None,
                    _(
                        "The reference matches several invoices (%(invoices)s).",
                        invoices=", ".join(
                            f"{m.name} ({m.company_id.name})" for m in moves
                        ),
                    ),
                )
            else:
                result[row["row"]] = (
                    None,
                    _("No posted customer invoice has this reference."),
                )
        return result

    @api.model
    def _efaktur_record_coretax_rows(self, rows, filename=""):
        """Record the faktur numbers of Coretax's invoice list on the invoices.

        Rows are handled in file order against the invoice's number as it stands (so two
        rows of one replacement work in any order); everything is written at the end, one
        write per invoice. Importing the same file again changes nothing.

        Coretax's replacement (efaktur.md §2.8): the old faktur turns AMENDED and the
        replacement is APPROVED with a new number [secondary: teknobie.id "Faktur pajak lama
        akan otomatis berstatus amended, sedangkan faktur pajak pengganti akan memiliki
        status approved"]. So a different APPROVED number replaces the invoice's number only
        when Coretax marks that number AMENDED (in this file or before); otherwise it is a
        conflict, listed and not written.

        :param rows: dicts from ``coretax_invoice_list.parse``
        :param filename: named in the chatter
        :return: one dict per row, in file order: ``row``, ``reference``, ``number``,
            ``status_text``, ``move_id`` (or ``False``), ``outcome`` (recorded / replaced /
            unchanged / flagged / problem) and ``message``
        """
        _ = self.env._
        matches = self._efaktur_coretax_match(rows)
        moves = self.browse({move.id for move, _problem in matches.values() if move})
        state = {
            move.id: {
                "number": move.efaktur_number or "",
                "status": move.efaktur_number_status or "",
                "status_text": move.efaktur_number_status_text or "",
                "date": move.efaktur_number_date or None,
                "replaced": move.efaktur_number_replaced or "",
            }
            for move in moves
        }
        initial = {move_id: dict(values) for move_id, values in state.items()}
        # Who holds each number: the invoices already numbered (any invoice of these
        # companies, also those the user does not see: the number is the company's), then
        # the ones this file numbers, as its rows are applied.
        owners = {}
        numbers = {row["number"] for row in rows if row["number"]}
        if numbers and moves:
            # sudo: only reads which invoice holds a number, to refuse a second holder.
            for holder in (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [
                        ("efaktur_number", "in", list(numbers)),
                        ("company_id", "in", moves.company_id.ids),
                    ]
                )
            ):
                owners[(holder.company_id.id, holder.efaktur_number)] = holder.sudo(
                    False
                )
        amended = defaultdict(set)  # numbers Coretax marks AMENDED, per invoice
        for row in rows:
            move = matches.get(row["row"], (None, None))[0]
            if move and not row["problem"] and row["status"] == "amended":
                amended[move.id].add(row["number"])
        seen = {}
        results = []
        replacements = []
        for row in rows:
            result = {
                "row": row["row"],
                "reference": row["reference"],
                "number": row["number"] or row["number_text"],
                "status_text": row["status_text"],
                "move_id": False,
                "outcome": "problem",
                "message": "",
            }
            results.append(result)
            key = (row["reference"], row["number_text"], row["status_text"].upper())
            if key in seen:
                result["message"] = _(
                    "Same row as row %(row)s: ignored.", row=seen[key]
                )
                continue
            seen[key] = row["row"]
            if row["problem"]:
                result["message"] = self._efaktur_coretax_row_problem(*row["problem"])
                continue
            move, problem = matches[row["row"]]
            if problem:
                result["message"] = problem
                continue
            result["move_id"] = move.id
            outcome, message = self._efaktur_coretax_apply(
                move, row, state[move.id], amended[move.id], owners
            )
            result["outcome"], result["message"] = outcome, message
            if outcome == "replaced":
                replacements.append((move, state[move.id]["replaced"], row))
        for move in moves:
            now, before = state[move.id], initial[move.id]
            if now == before:
                continue
            # no accounting field: skip Odoo's dynamic-line sync
            move.with_context(skip_invoice_sync=True).write(
                {
                    "efaktur_number": now["number"] or False,
                    "efaktur_number_status": now["status"] or False,
                    "efaktur_number_status_text": now["status_text"] or False,
                    "efaktur_number_date": now["date"] or False,
                    "efaktur_number_replaced": now["replaced"] or False,
                }
            )
        for move, old, row in replacements:
            move.message_post(
                body=_(
                    "Faktur number %(old)s was replaced in Coretax by %(new)s "
                    "(row %(row)s of %(file)s).",
                    old=old,
                    new=row["number"],
                    row=row["row"],
                    file=filename or _("the imported file"),
                )
            )
        return results

    def _efaktur_coretax_apply(self, move, row, current, amended, owners):
        """Apply one row to ``current`` (the invoice's number, status, date, replaced
        number, updated in place) when ``_efaktur_coretax_decide`` says so; refuse a number
        another invoice holds. Returns ``(outcome, message)``."""
        _ = self.env._
        action, outcome, message = self._efaktur_coretax_decide(row, current, amended)
        if action != "take":
            return outcome, message
        number, have = row["number"], current["number"]
        company = move.company_id.id
        holder = number and owners.get((company, number))
        if holder and holder != move:
            return "problem", _(
                "Faktur number %(number)s is already on invoice %(invoice)s.",
                number=number,
                invoice=holder.name,
            )
        if number and number != have:
            if have:
                owners.pop((company, have), None)
                current["replaced"] = have
            current["number"] = number
            owners[(company, number)] = move
        current["status"] = row["status"]
        current["status_text"] = row["status_text"]
        if row["date"]:
            current["date"] = row["date"]
        return outcome, message

    def _efaktur_coretax_decide(self, row, current, amended):
        """What one row does to an invoice whose number is ``current``: ``("take", outcome,
        message)`` to record the row, ``("keep", outcome, message)`` to leave it.

        :param amended: the numbers Coretax marks AMENDED for this invoice in the file"""
        _ = self.env._
        number, status = row["number"], row["status"]
        have = current["number"]
        if (
            number == have
            and status == current["status"]
            and row["status_text"] == current["status_text"]
            and (not row["date"] or row["date"] == current["date"])
        ):
            return "keep", "unchanged", _("Already recorded.")
        if number and have and number == current["replaced"]:
            if status == "approved":
                return (
                    "keep",
                    "problem",
                    _(
                        "Number %(number)s was replaced by %(have)s: this row is older than "
                        "the replacement. Nothing changed.",
                        number=number,
                        have=have,
                    ),
                )
            return (
                "keep",
                "unchanged",
                _(
                    "Number %(number)s was replaced by %(have)s.",
                    number=number,
                    have=have,
                ),
            )
        conflict = (
            "keep",
            "problem",
            _(
                "Conflict: the invoice has faktur number %(have)s (%(status)s), the file "
                "says %(number)s (%(file_status)s). Nothing changed; check the invoice in "
                "Coretax.",
                have=have,
                status=current["status_text"] or current["status"],
                number=number or _("no number"),
                file_status=row["status_text"],
            ),
        )
        same_or_first = not have or number == have
        if status == "other":
            # An unknown status never overrides a known one: it is shown, not trusted.
            if have and current["status"] not in ("", "other"):
                return (
                    "keep",
                    "flagged",
                    _(
                        "Unknown status '%(status)s': not recorded, the invoice keeps "
                        "%(have)s (%(have_status)s).",
                        status=row["status_text"],
                        have=have,
                        have_status=current["status_text"] or current["status"],
                    ),
                )
            if not same_or_first and number:
                return conflict
            return (
                "take",
                "flagged",
                _(
                    "Unknown status '%(status)s': kept as text; check it in Coretax.",
                    status=row["status_text"],
                ),
            )
        if same_or_first:
            return "take", "recorded", _("Recorded.")
        if status == "approved" and (have in amended or current["status"] == "amended"):
            return (
                "take",
                "replaced",
                _("Replaces faktur number %(old)s (AMENDED).", old=have),
            )
        # Amended, cancelled, rejected: they describe the number the invoice has, or give
        # it its first one; about another number they are a conflict.
        return conflict
