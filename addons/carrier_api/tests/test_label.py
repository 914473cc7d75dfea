# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Labels: our own 100 x 150 mm label, many deliveries in one PDF, the carrier's
label attached under Odoo's LabelShipping-<type> name."""

import io

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from ..api.base import ShipmentResult
from .ship_common import CarrierShipCase

# 100 x 150 mm in PDF points (1 mm = 72 / 25.4 pt)
WIDTH_PT, HEIGHT_PT = 100 * 72 / 25.4, 150 * 72 / 25.4


@tagged("post_install", "-at_install")
class TestLabel(CarrierShipCase):
    def _pdf(self, pickings):
        report = self.env["ir.actions.report"].with_user(self.user)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "carrier_api.report_carrier_label", pickings.ids
        )
        self.assertEqual(kind, "pdf")
        return PdfFileReader(io.BytesIO(pdf))

    def test_own_label_has_the_waybill_and_the_label_size(self):
        picking = self._ready_picking(quantity=2)
        picking.carrier_api_cod = True
        picking.action_carrier_api_create_waybill()
        waybill = picking.carrier_tracking_ref
        reader = self._pdf(picking)
        self.assertEqual(len(reader.pages), 1)
        page = reader.pages[0]
        box = page.mediabox
        self.assertAlmostEqual(float(box.width), WIDTH_PT, delta=2)
        self.assertAlmostEqual(float(box.height), HEIGHT_PT, delta=2)
        text = " ".join(page.extract_text().split())
        self.assertIn(waybill, text)
        self.assertIn("Budi Santoso", text)
        self.assertIn("40132", text)
        # 2 x 150,000 collected
        self.assertIn("300,000", text)
        self.assertIn(picking.origin, text)

    def test_barcode_is_code128_of_the_waybill(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("carrier_api.report_carrier_label", picking.ids)[0]
            .decode()
        )
        self.assertIn(
            f"/report/barcode/?barcode_type=Code128&amp;value={picking.carrier_tracking_ref}",
            html,
        )

    def test_many_deliveries_print_as_one_pdf(self):
        first, second = self._ready_picking(), self._ready_picking()
        (first | second).action_carrier_api_create_waybill()
        action = (first | second).action_carrier_api_print_labels()
        self.assertEqual(action["report_name"], "carrier_api.report_carrier_label")
        reader = self._pdf(first | second)
        self.assertEqual(len(reader.pages), 2)
        self.assertIn(first.carrier_tracking_ref, reader.pages[0].extract_text())
        self.assertIn(second.carrier_tracking_ref, reader.pages[1].extract_text())

    def test_carrier_label_attached_at_once(self):
        picking = self._ready_picking()
        picking.action_carrier_api_create_waybill()
        client = picking.carrier_id._carrier_api_client()
        pdf = b"%PDF-1.4 carrier label"
        picking._carrier_api_attach_labels(
            client, [ShipmentResult(reference="x", waybill="WB123", label_pdf=pdf)]
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        self.assertEqual(attachment.name, "LabelShipping-biteship-WB123.pdf")
        self.assertEqual(attachment.raw, pdf)

    def test_no_label_before_the_waybill(self):
        picking = self._ready_picking()
        with self.assertRaisesRegex(Exception, "no waybill yet"):
            picking.action_carrier_api_print_labels()
