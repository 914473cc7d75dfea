# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Legacy e-Faktur desktop CSV (FK / LT / OF rows) for invoices dated 2024 or earlier.

No ORM here: ``account_move_legacy.py`` reads the invoices and hands plain dicts to these
functions. Contract: /work/shared/reference/efaktur.md §1 (1.1 layout, 1.2 FK columns,
1.3 OF columns, 1.4 totals and rounding, 1.5 NSFP).
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

# §1.1: the three header rows, column names as e-Faktur desktop 3.1+ reads them (the 20th FK
# column, KODE_DOKUMEN_PENDUKUNG, is mandatory since 3.1: ETAX-30005 without it).
FK_COLUMNS = (
    "FK",
    "KD_JENIS_TRANSAKSI",
    "FG_PENGGANTI",
    "NOMOR_FAKTUR",
    "MASA_PAJAK",
    "TAHUN_PAJAK",
    "TANGGAL_FAKTUR",
    "NPWP",
    "NAMA",
    "ALAMAT_LENGKAP",
    "JUMLAH_DPP",
    "JUMLAH_PPN",
    "JUMLAH_PPNBM",
    "ID_KETERANGAN_TAMBAHAN",
    "FG_UANG_MUKA",
    "UANG_MUKA_DPP",
    "UANG_MUKA_PPN",
    "UANG_MUKA_PPNBM",
    "REFERENSI",
    "KODE_DOKUMEN_PENDUKUNG",
)
LT_COLUMNS = (
    "LT",
    "NPWP",
    "NAMA",
    "JALAN",
    "BLOK",
    "NOMOR",
    "RT",
    "RW",
    "KECAMATAN",
    "KELURAHAN",
    "KABUPATEN",
    "PROPINSI",
    "KODE_POS",
    "NOMOR_TELEPON",
)
OF_COLUMNS = (
    "OF",
    "KODE_OBJEK",
    "NAMA",
    "HARGA_SATUAN",
    "JUMLAH_BARANG",
    "HARGA_TOTAL",
    "DISKON",
    "DPP",
    "PPN",
    "TARIF_PPNBM",
    "PPNBM",
)
NO_NPWP = "0" * 15  # §1.2 NPWP: a buyer without NPWP (PER-26/PJ/2017)

_ONE = Decimal(1)
_CENT = Decimal("0.01")


def rupiah(value):
    """Whole rupiah, half up (§1.2 JUMLAH_DPP: ``float_round(amount_untaxed, 0)``)."""
    return Decimal(value).quantize(_ONE, rounding=ROUND_HALF_UP)


def rupiah_down(value):
    """Whole rupiah, rounded down: the invoice's PPN (§1.2 JUMLAH_PPN, PER-25/PJ/2014)."""
    return Decimal(value).quantize(_ONE, rounding=ROUND_FLOOR)


def format_number(value):
    """``50000``, ``1.5``, ``333.33``: no exponent, no useless zeros (§1.6 prints integers)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value.quantize(_ONE):f}"
    return f"{value.normalize():f}"


def csv_row(values):
    """One line: every value double-quoted, comma-separated, an embedded ``"`` written as
    ``\\"`` (§1.1, as Odoo's ``_csv_row``), line breaks folded into spaces."""
    cells = []
    for value in values:
        text = " ".join(str("" if value is None else value).split())
        cells.append('"' + text.replace('"', '\\"') + '"')
    return ",".join(cells) + "\n"


def line_figures(dpp, rate, discount_pct, qty, spread=0):
    """The OF amounts of one line before the invoice-level adjustment of §1.4.

    :param dpp: the line's booked tax base in rupiah (Decimal), before ``spread``
    :param rate: the PPN rate of the line, percent (11 in 2022-2024, 10 before)
    :param discount_pct: the line's own discount, percent
    :param qty: quantity (> 0)
    :param spread: the share of invoice-level discount lines given to this line (Decimal, >= 0)
    :return: dict ``unit_price`` (2 decimals), ``gross`` (whole rupiah), ``dpp`` and
        ``ppn`` rounded once (whole rupiah, half up), and the unrounded ``dpp_exact`` and
        ``ppn_exact``

    §1.4: "compute lines unrounded, round each once"; sen are not reported. ``gross`` is the
    tax-excluded price before the line discount (§1.3 HARGA_TOTAL), from the booked DPP so
    tax-included prices and foreign currencies give the invoice's own rupiah.
    """
    discount_pct = Decimal(discount_pct)
    if discount_pct < 100:
        gross_exact = dpp * 100 / (100 - discount_pct)
    else:
        gross_exact = Decimal(0)
    dpp_exact = dpp - spread
    ppn_exact = dpp_exact * Decimal(rate) / 100
    return {
        "unit_price": (gross_exact / qty).quantize(_CENT, rounding=ROUND_HALF_UP),
        "gross": rupiah(gross_exact),
        "dpp_exact": dpp_exact,
        "ppn_exact": ppn_exact,
        "dpp": rupiah(dpp_exact),
        "ppn": rupiah(ppn_exact),
    }


def adjust_to_totals(lines, total_dpp, total_ppn):
    """Make the OF sums equal the FK totals exactly (§1.4, ETAX-20028 otherwise).

    :param lines: list of dicts with whole-rupiah Decimal ``dpp`` and ``ppn``, each rounded
        once (``line_figures``); changed in place
    :param total_dpp: FK ``JUMLAH_DPP`` (whole rupiah)
    :param total_ppn: FK ``JUMLAH_PPN`` (whole rupiah)
    :raises ValueError: when the totals are negative (cannot happen for an invoice whose
        lines are all >= 0)

    §1.4 (Odoo's final algorithm, ODOO-PR-136231): the differences between the rounded
    totals and the sums of the rounded lines go to the first line that stays non-negative
    with both; when no single line can take them, they are spread over the lines in order,
    none going below zero.
    """
    diff_dpp = total_dpp - sum((line["dpp"] for line in lines), Decimal(0))
    diff_ppn = total_ppn - sum((line["ppn"] for line in lines), Decimal(0))
    if not diff_dpp and not diff_ppn:
        return
    for line in lines:
        if line["dpp"] + diff_dpp >= 0 and line["ppn"] + diff_ppn >= 0:
            line["dpp"] += diff_dpp
            line["ppn"] += diff_ppn
            return
    for line in lines:
        new_dpp = max(Decimal(0), line["dpp"] + diff_dpp)
        diff_dpp -= new_dpp - line["dpp"]
        line["dpp"] = new_dpp
        new_ppn = max(Decimal(0), line["ppn"] + diff_ppn)
        diff_ppn -= new_ppn - line["ppn"]
        line["ppn"] = new_ppn
    if diff_dpp or diff_ppn:
        raise ValueError("negative e-Faktur totals cannot be spread over the lines")


def of_values(line):
    """The OF row of one adjusted line (§1.3). HARGA_TOTAL - DISKON = DPP holds on every
    row: the adjustment of §1.4 lands in DISKON; only when that would make DISKON negative
    is HARGA_TOTAL raised to the DPP (as Odoo adds it to HARGA_TOTAL)."""
    gross = max(line["gross"], line["dpp"])
    return (
        "OF",
        line["code"],
        line["name"],
        format_number(line["unit_price"]),
        format_number(line["qty"]),
        format_number(gross),
        format_number(gross - line["dpp"]),
        format_number(line["dpp"]),
        format_number(line["ppn"]),
        "0",  # TARIF_PPNBM: PPnBM invoices are refused (readme/ROADMAP.md)
        "0",  # PPNBM
    )


def fk_values(invoice):
    """The FK row of one invoice (§1.2). ``invoice`` holds the keys used below."""
    date = invoice["date"]
    return (
        "FK",
        invoice["code"],
        invoice["status"],
        invoice["serial"],  # §1.2: the 13-digit serial, without code and status digit
        str(date.month),  # MASA_PAJAK: 1-12, no padding
        str(date.year),
        f"{date.day}/{date.month}/{date.year}",  # Odoo 18's %-d/%-m/%Y (§1.2, §1.6)
        invoice["npwp"],
        invoice["name"],
        invoice["address"],
        format_number(invoice["total_dpp"]),
        format_number(invoice["total_ppn"]),
        "0",  # JUMLAH_PPNBM
        "1"
        if invoice["code"] == "07"
        else "",  # ID_KETERANGAN_TAMBAHAN, as Odoo [secondary]
        "0",  # FG_UANG_MUKA: down-payment invoices are refused
        "0",
        "0",
        "0",
        invoice["reference"],
        "0",  # KODE_DOKUMEN_PENDUKUNG (ODOO-PR-85312)
    )


def build_csv(invoices):
    """The whole file as UTF-8 bytes: the three header rows, then per invoice its FK row and
    its OF rows (no LT rows: optional, §1.1).

    :param invoices: dicts for ``fk_values``, each with ``lines``, dicts for ``of_values``
        already adjusted by ``adjust_to_totals``
    """
    parts = [csv_row(FK_COLUMNS), csv_row(LT_COLUMNS), csv_row(OF_COLUMNS)]
    for invoice in invoices:
        parts.append(csv_row(fk_values(invoice)))
        parts.extend(csv_row(of_values(line)) for line in invoice["lines"])
    return "".join(parts).encode("utf-8")
