/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// A billing user's e-Faktur round trip (tests/test_tour.py): the invoices to export →
// export wizard → batch → Import Faktur Numbers with Coretax's list, written from the
// batch's invoice numbers → the invoice shows its faktur number. Only buttons are clicked
// by their name attribute: the export wizard's fields are changing (efwizard).
import { registry } from "@web/core/registry";

// The faktur number Coretax would give the n-th invoice of the batch (17 digits: code 04,
// status 00, serial 25 + 11 digits; PER-11/PJ/2025 art. 37). test_tour.py expects these.
function fakturNumber(index) {
    return "040025" + String(index + 1).padStart(11, "0");
}

let references = [];

registry.category("web_tour.tours").add("efaktur_export_round_trip_tour", {
    steps: () => [
        {
            content: "The invoices waiting to be exported are listed",
            trigger: ".o_list_view .o_data_row:nth-child(2)",
        },
        {
            content: "Select them all",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus .dropdown-toggle:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Download e-Faktur opens the export wizard",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Download e-Faktur')",
            run: "click",
        },
        {
            content: "Export",
            trigger: ".modal button[name='action_export']",
            run: "click",
        },
        {
            content: "The batch is shown",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('EFB/')",
        },
        {
            content: "Its invoices",
            trigger: ".o_notebook_headers a[name='invoices']",
            run: "click",
        },
        {
            content: "Note the invoice numbers of the batch (Coretax's Referensi)",
            trigger: ".o_field_widget[name='invoice_ids'] .o_data_row:nth-child(2) td[name='name']",
            run: () => {
                references = [
                    ...document.querySelectorAll(
                        ".o_field_widget[name='invoice_ids'] .o_data_row td[name='name']"
                    ),
                ].map((cell) => cell.textContent.trim());
            },
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_menu_sections .dropdown-toggle:contains('Customers')",
            run: "click",
        },
        {
            content: "Import Faktur Numbers",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Import Faktur Numbers')",
            run: "click",
        },
        {
            content: "Upload Coretax's list of output invoices (CSV, as Excel saves it)",
            trigger: ".modal .o_field_widget[name='file'] input[type='file']:not(:visible)",
            run: () => {
                const lines = ["Referensi;Nomor Faktur Pajak;Tanggal Faktur Pajak;Status Faktur"];
                references.forEach((reference, index) => {
                    lines.push(`${reference};${fakturNumber(index)};10/06/2025;APPROVED`);
                });
                const file = new File(["\ufeff" + lines.join("\r\n")], "pajak_keluaran.csv", {
                    type: "text/csv",
                });
                const input = document.querySelector(
                    ".modal .o_field_widget[name='file'] input[type='file']"
                );
                const transfer = new DataTransfer();
                transfer.items.add(file);
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is attached",
            trigger: ".modal .o_field_widget[name='file'] input.o_input",
        },
        {
            content: "Import",
            trigger: ".modal button[name='action_import']",
            run: "click",
        },
        {
            content: "Every row is recorded",
            trigger: ".modal .o_field_widget[name='recorded_count']:contains('2')",
        },
        {
            content: "Show the invoices",
            trigger: ".modal button[name='action_open_invoices']",
            run: "click",
        },
        {
            content: "The invoices of the import are listed",
            trigger: ".o_last_breadcrumb_item:contains('Invoices')",
        },
        {
            content: "Open the first invoice",
            trigger: ".o_list_view .o_data_row:first-child td[name='name']",
            run: "click",
        },
        {
            content: "Its faktur number",
            trigger: ".o_form_view .o_notebook_headers a[name='other_info']",
            run: "click",
        },
        {
            content: "The invoice shows the number Coretax gave it",
            trigger: ".o_field_widget[name='efaktur_number']:contains('0400250000000000')",
        },
    ],
});
