# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Coretax ``TaxInvoiceBulk`` XML: the amounts of one line and the file (no ORM here).

Contract: /work/shared/reference/efaktur.md §2.2-2.6 (root, element order, buyer identity,
the 11/12 rule) and PER-11/PJ/2025 art. 129 (whole rupiah, half up). The model code in
``account_move.py`` reads the invoices in bulk and hands plain dicts to these functions.
"""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from math import gcd

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"

# §2.3: the 17 header elements of a TaxInvoice, in order (element order matters to Coretax).
HEADER_TAGS = (
    "TaxInvoiceDate",
    "TaxInvoiceOpt",
    "TrxCode",
    "AddInfo",
    "CustomDoc",
    "CustomDocMonthYear",
    "RefDesc",
    "FacilityStamp",
    "SellerIDTKU",
    "BuyerTin",
    "BuyerDocument",
    "BuyerCountry",
    "BuyerDocumentNumber",
    "BuyerName",
    "BuyerAdress",  # sic: DJP's spelling (§2.3 #15)
    "BuyerEmail",
    "BuyerIDTKU",
)
# §2.3: the 13 GoodService elements, in order.
LINE_TAGS = (
    "Opt",
    "Code",
    "Name",
    "Unit",
    "Price",
    "Qty",
    "TotalDiscount",
    "TaxBase",
    "OtherTaxBase",
    "VATRate",
    "VAT",
    "STLGRate",
    "STLG",
)
AMOUNT_TAGS = frozenset(
    ("Price", "TotalDiscount", "TaxBase", "OtherTaxBase", "VAT", "STLG")
)

_ONE = Decimal(1)
_CENT = Decimal("0.01")
ELEVEN_TWELFTHS = Decimal(11) / Decimal(12)


def to_decimal(value):
    """A float read from the database as the Decimal it was written as (no binary noise)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value or 0.0)))


def rupiah(value):
    """Whole rupiah, half up: 1,500,000.49 -> 1,500,000; 1,900,000.50 -> 1,900,001.

    PER-11/PJ/2025 art. 129 (efaktur.md §2.6). Half up on the absolute value, as the rule
    speaks of amounts; negative values never reach the file.
    """
    return to_decimal(value).quantize(_ONE, rounding=ROUND_HALF_UP)


def cents(value):
    return to_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def line_amounts(dpp, vat_rate, other_value, stlg_rate=0, vat_zero=False):
    """The DPP / DPP Nilai Lain / PPN / PPnBM of one line, in the order the rules give.

    :param dpp: the line's tax base in rupiah, unrounded (after every discount)
    :param vat_rate: the PPN rate written in ``VATRate`` (12 in 2025)
    :param other_value: True when DPP Nilai Lain = 11/12 x DPP applies (PMK 131/2024 art. 3,
        non-luxury goods and services; efaktur.md §2.6), False for the full price
    :param stlg_rate: the PPnBM rate (luxury goods), 0 when none
    :param vat_zero: write 0 in ``VAT`` (facility codes 07/08 under the "zero" reading)
    :return: dict with Decimal ``TaxBase``, ``OtherTaxBase``, ``VAT``, ``STLG``

    Order (issue 11 / PER-11/PJ/2025 art. 129): DPP is rounded first; DPP Nilai Lain is
    computed from the rounded DPP and rounded; PPN from the rounded DPP Nilai Lain, PPnBM
    from the rounded DPP, each rounded. So anyone recomputing from the file's figures finds
    the same values.

    PPnBM is on the DPP (the selling price): PMK 131/2024's DPP Nilai Lain 11/12 is a base
    for PPN only. The two differ only for luxury goods dated January 2025, taxed at 12% of
    11/12 as a transition (efaktur.md §2.6); from February they pay PPN on the full price,
    where OtherTaxBase = TaxBase. (Odoo's module takes STLG from OtherTaxBase, §2.3 #13.)
    """
    tax_base = rupiah(dpp)
    other = rupiah(tax_base * ELEVEN_TWELFTHS) if other_value else tax_base
    vat = Decimal(0) if vat_zero else rupiah(other * to_decimal(vat_rate) / 100)
    stlg = rupiah(tax_base * to_decimal(stlg_rate) / 100) if stlg_rate else Decimal(0)
    return {"TaxBase": tax_base, "OtherTaxBase": other, "VAT": vat, "STLG": stlg}


def price_and_discount(gross, qty, tax_base):
    """``Price`` (in sen) and ``TotalDiscount`` of one line, such that
    Price x Qty - TotalDiscount = TaxBase (efaktur.md §2.3 #8) with TotalDiscount >= 0.

    :param gross: the line's amount before its discount, tax excluded, in rupiah (unrounded)
    :param qty: the quantity (> 0), as a Decimal
    :param tax_base: the line's rounded DPP (whole rupiah)
    :return: ``(price, total_discount)``, Decimals

    Price is the unit price rounded to the sen. When Price x Qty is not a whole number of
    sen (fractional quantities: 666.67 x 1.5 = 1,000.005), TotalDiscount, printed in sen,
    could not close the equation; Price then moves to the nearest value, by steps of
    ``step`` sen, for which Price x Qty is whole sen (666.68), raised further only as far as
    a discount >= 0 needs. A step of at most one rupiah always exists for quantities with
    two decimals (Odoo's default unit precision): 0.33 needs whole rupiah. Quantities with
    more decimals may need a larger step; Price is not moved by more than a rupiah, so there
    TotalDiscount is rounded to the sen and the equation holds within half a sen.
    """
    qty = to_decimal(qty)
    price = cents(gross / qty)
    places = max(0, -qty.normalize().as_tuple().exponent)
    scale = 10**places
    step = scale // gcd(int(qty * scale), scale)  # in sen
    if step <= 100:
        unit = _CENT * step
        price = (price / unit).quantize(_ONE, rounding=ROUND_HALF_UP) * unit
        floor = (tax_base / qty / unit).quantize(_ONE, rounding=ROUND_CEILING) * unit
        price = max(price, floor)
        return price, price * qty - tax_base
    if price * qty < tax_base:
        price = (tax_base / qty).quantize(_CENT, rounding=ROUND_CEILING)
    return price, cents(price * qty - tax_base)


def format_amount(value):
    """Amounts with two decimals and a dot (``100000.00``), as Odoo's own files and tests
    (efaktur.md §2.3 "Numbers"); values are whole rupiah except Price and TotalDiscount."""
    return f"{cents(value):.2f}"


def format_number(value):
    """Quantities and rates without useless decimals: ``20``, ``1.5``, ``12``."""
    text = f"{to_decimal(value).normalize():f}"
    return text


def build_bulk(tin, invoices):
    """Serialise one ``TaxInvoiceBulk`` (≤ 1,000 invoices) to UTF-8 bytes.

    :param tin: the seller's 16-digit NPWP
    :param invoices: iterable of dicts holding every key of ``HEADER_TAGS`` (strings) and
        ``lines``, a list of dicts holding every key of ``LINE_TAGS`` (strings or Decimals)
    Empty values are written as ``<Tag/>`` (§2.2: keep every element).
    """
    root = etree.Element(
        "TaxInvoiceBulk",
        {f"{{{XSI}}}noNamespaceSchemaLocation": "TaxInvoice.xsd"},
        nsmap={"xsi": XSI},
    )
    etree.SubElement(root, "TIN").text = tin
    listing = etree.SubElement(root, "ListOfTaxInvoice")
    sub = etree.SubElement
    for invoice in invoices:
        node = sub(listing, "TaxInvoice")
        for tag in HEADER_TAGS:
            sub(node, tag).text = invoice[tag] or None
        goods = sub(node, "ListOfGoodService")
        for line in invoice["lines"]:
            item = sub(goods, "GoodService")
            for tag in LINE_TAGS:
                value = line[tag]
                if tag in AMOUNT_TAGS:
                    value = format_amount(value)
                elif not isinstance(value, str):
                    value = format_number(value)
                sub(item, tag).text = value or None
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
