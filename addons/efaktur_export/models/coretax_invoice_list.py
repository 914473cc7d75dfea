# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Coretax's list of output invoices ("Pajak Keluaran"), as exported to Excel or saved as CSV:
read it into plain rows (no ORM here).

Contract: /work/shared/reference/efaktur.md §2.7. Coretax gives no faktur number in our XML;
it assigns a 17-digit number on approval (PER-11/PJ/2025 art. 37: 2-digit transaction code +
2-digit status code + 13-digit serial). Its invoice list carries our ``RefDesc`` in the column
``Referensi``, next to ``Nomor Faktur Pajak``, ``Tanggal Faktur Pajak`` and ``Status Faktur``
(the names ERPNext's importer reads [secondary]). Columns are found by their header, never by
position, case- and space-insensitively.

:func:`parse` returns one dict per data row; row-level problems are data (``problem``), file
problems raise :class:`CoretaxListError`. Both carry a code and parameters, not a sentence:
the model translates them.
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta

# Header names per field, normalised (lower case, words separated by one space). The first
# alias of a field wins when a file has two of them (e.g. "Status Faktur" over "Status").
# Indonesian names: Coretax's list and ERPNext's importer (efaktur.md §2.7); "Tanggal
# Faktur" / "Referensi" also head DJP's import template (§2.9). English names: Coretax's
# English interface [inference].
COLUMN_ALIASES = {
    "reference": (
        "referensi",
        "reference",
        "refdesc",
        "ref desc",
        "nomor referensi",
        "no referensi",
    ),
    "number": (
        "nomor faktur pajak",
        "no faktur pajak",
        "nomor seri faktur pajak",
        "nsfp",
        "nomor faktur",
        "no faktur",
        "tax invoice number",
    ),
    "date": (
        "tanggal faktur pajak",
        "tgl faktur pajak",
        "tanggal faktur",
        "tgl faktur",
        "tax invoice date",
    ),
    "status": (
        "status faktur",
        "status faktur pajak",
        "tax invoice status",
        "status",
    ),
}
REQUIRED_COLUMNS = ("reference", "number", "status")

# Coretax's status texts (efaktur.md §2.1, §2.7, §2.8; ERPNext reads APPROVED / AMENDED /
# REJECTED). Indonesian labels [inference]. Anything else is kept as text, as "other".
STATUSES = {
    "approved": "approved",
    "disetujui": "approved",
    "amended": "amended",
    "diganti": "amended",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "dibatalkan": "cancelled",
    "batal": "cancelled",
    "rejected": "rejected",
    "ditolak": "rejected",
}

NUMBER_LENGTH = 17  # PER-11/PJ/2025 art. 37
TRX_CODES = frozenset(f"{code:02d}" for code in range(1, 11))  # §2.5
HEADER_SEARCH_ROWS = 30  # a title block may sit above the header row
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")
EXCEL_EPOCH = date(1899, 12, 30)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NUMBER_SEPARATORS = re.compile(r"[\s.\-/]")


class CoretaxListError(ValueError):
    """The file cannot be read as a Coretax invoice list. ``code`` is one of ``empty``,
    ``unreadable``, ``legacy_xls``, ``bad_xlsx``, ``no_header``, ``missing_columns``
    (``columns``: the missing fields), ``duplicate_column`` (``column``); ``params`` holds the
    values for the message."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


def normalise_header(value):
    """``"  Nomor  Faktur_Pajak "`` -> ``"nomor faktur pajak"``."""
    return " ".join(_NON_WORD.sub(" ", str(value or "").lower()).split())


def parse(content, filename=""):
    """Rows of a Coretax invoice list.

    :param content: the file's bytes (.xlsx, or .csv with comma or semicolon, UTF-8 with or
        without BOM; cp1252 accepted as Excel's "CSV" on Windows writes it)
    :param filename: only used to tell a legacy ``.xls`` apart
    :return: list of dicts, one per non-blank data row, in file order: ``row`` (the row
        number in the file, 1-based, as a spreadsheet shows it), ``reference``, ``number``
        (17 digits, or ``""``), ``number_text`` (as in the file), ``date`` (``date`` or
        ``None``), ``status`` (approved / amended / cancelled / rejected / other, or ``""``),
        ``status_text``, ``problem`` (``None`` or ``(code, params)``, see :func:`_check_row`)
    :raises CoretaxListError: the file is empty, not a spreadsheet, or has no header row
        with the reference, number and status columns
    """
    if not content or not content.strip():
        raise CoretaxListError("empty")
    if content[:4] == b"PK\x03\x04":
        table = _xlsx_rows(content)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or (
        filename or ""
    ).lower().endswith(".xls"):
        raise CoretaxListError("legacy_xls")
    else:
        table = _csv_rows(content)
    header_index, columns = _find_header(table)
    rows = []
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        if not any(_text(cell) for cell in cells):
            continue
        rows.append(_read_row(index + 1, cells, columns))
    if not rows:
        raise CoretaxListError("empty")
    return rows


# -- reading the table --------------------------------------------------------------------


def _xlsx_rows(content):
    # openpyxl ships with Odoo (its own xlsx import uses it); imported here so that a CSV
    # never needs it.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise CoretaxListError("bad_xlsx") from error
    try:
        # The first sheet holding a header row: Coretax's export has one sheet, a user's
        # copy may have a notes sheet first.
        tables = [
            [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()
    for table in tables:
        try:
            _find_header(table)
        except CoretaxListError:
            continue
        return table
    return tables[0] if tables else []


def _csv_rows(content):
    if b"\x00" in content:
        raise CoretaxListError("unreadable")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CoretaxListError("unreadable")
    lines = text.splitlines()
    sample = "\n".join(lines[:HEADER_SEARCH_ROWS])
    # Excel saves "CSV" with ";" where the decimal separator is a comma (Indonesian
    # settings); pick the delimiter that splits the header row best.
    delimiter = max((",", ";", "\t"), key=sample.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _find_header(table):
    """Index of the header row and ``{field: column index}``."""
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        names = [normalise_header(cell) for cell in cells]
        if not any(name in COLUMN_ALIASES["reference"] for name in names):
            continue
        columns = {}
        for field, aliases in COLUMN_ALIASES.items():
            best = None
            for position, name in enumerate(names):
                if name not in aliases:
                    continue
                rank = aliases.index(name)
                if best and best[0] == rank:
                    raise CoretaxListError(
                        "duplicate_column", column=str(cells[position])
                    )
                if not best or rank < best[0]:
                    best = (rank, position)
            if best:
                columns[field] = best[1]
        missing = [field for field in REQUIRED_COLUMNS if field not in columns]
        if missing:
            raise CoretaxListError("missing_columns", columns=missing)
        return index, columns
    raise CoretaxListError("no_header")


# -- one row ------------------------------------------------------------------------------


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _cell(cells, position):
    return cells[position] if position is not None and position < len(cells) else None


def _read_row(row_number, cells, columns):
    number_cell = _cell(cells, columns["number"])
    status_text = _text(_cell(cells, columns["status"]))
    date_cell = _cell(cells, columns.get("date"))
    parsed_date = _parse_date(date_cell)
    row = {
        "row": row_number,
        "reference": _text(_cell(cells, columns["reference"])),
        "number_text": _text(number_cell),
        "number": "",
        "date": parsed_date if parsed_date is not False else None,
        "status_text": status_text,
        "status": _status(status_text),
        "problem": None,
    }
    row["problem"] = _check_row(row, number_cell, date_cell, parsed_date)
    return row


def _status(text):
    if not text:
        return ""
    return STATUSES.get(normalise_header(text), "other")


def _check_row(row, number_cell, date_cell, parsed_date):
    """Fill ``row["number"]`` and return the row's problem, if any, as ``(code, params)``:
    ``no_reference``, ``no_status``, ``number_in_excel`` (a numeric cell: Excel keeps 15
    significant digits, the 17-digit number is lost), ``number_length`` (``digits``),
    ``number_code`` (``code``: the first two digits are no transaction code),
    ``approved_without_number``, ``bad_date`` (``value``)."""
    if not row["reference"]:
        return ("no_reference", {})
    if not row["status"]:
        return ("no_status", {})
    if isinstance(number_cell, int | float) and not isinstance(number_cell, bool):
        return ("number_in_excel", {})
    if row["number_text"]:
        digits = _NUMBER_SEPARATORS.sub("", row["number_text"])
        if not digits.isdigit() or len(digits) != NUMBER_LENGTH:
            return (
                "number_length",
                {"digits": len(re.sub(r"\D", "", row["number_text"]))},
            )
        if digits[:2] not in TRX_CODES:
            return ("number_code", {"code": digits[:2]})
        row["number"] = digits
    elif row["status"] == "approved":
        return ("approved_without_number", {})
    if parsed_date is False:
        return ("bad_date", {"value": _text(date_cell)})
    return None


def _parse_date(value):
    """``date``, ``None`` when empty, ``False`` when not understood. Coretax and Indonesian
    Excel write day first; ISO dates are accepted too."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel date serial that reached us without its date format.
        if 20000 < value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        return False
    text = _text(value)
    if not text:
        return None
    # "2025-06-10 00:00:00", "10/06/2025 14:03": the day is what counts.
    text = text.split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return False
