/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// The export wizard's dialogs in the browser, as a billing user (tests/test_wizard_tour.py):
// the problems dialog and its link to the invoice, the re-export of a changed batch and the
// reset to draft of an exported invoice, both asking first.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("efaktur_export_problems_tour", {
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
            content: "The problems dialog lists the NPWP of the faulty buyer",
            trigger:
                ".modal .o_field_widget[name='problem_ids'] .o_data_row td[name='message']:contains('16 digits')",
        },
        {
            content: "Open the faulty invoice from its line",
            trigger:
                ".modal .o_field_widget[name='problem_ids'] .o_data_row:has(td[name='message']:contains('16 digits')) button[name='action_open_invoice']",
            run: "click",
        },
        {
            content: "The invoice's form is shown",
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('PT Salah Tour')",
        },
    ],
});

registry.category("web_tour.tours").add("efaktur_export_reexport_tour", {
    steps: () => [
        {
            content: "The batch says which invoice changed since its export",
            trigger: ".o_form_view .alert-warning .o_field_widget[name='changed_invoice_ids']",
        },
        {
            content: "Re-export",
            trigger: ".o_form_view .o_form_statusbar button[name='action_reexport']",
            run: "click",
        },
        {
            content: "It asks first",
            trigger: ".modal .modal-body:contains('changed since it was exported')",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The new batch is shown, linked to the old one",
            trigger: ".o_form_view .o_field_widget[name='reexport_of_id']",
        },
    ],
});

registry.category("web_tour.tours").add("efaktur_export_reset_tour", {
    steps: () => [
        {
            content: "Reset the exported invoice to draft",
            trigger: ".o_form_view .o_form_statusbar button[name='button_draft']",
            run: "click",
        },
        {
            content: "It asks first",
            trigger: ".modal .modal-body:contains('exported to e-Faktur')",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The invoice is a draft",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
    ],
});
