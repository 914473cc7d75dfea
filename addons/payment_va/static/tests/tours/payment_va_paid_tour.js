/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

// The life of a VA invoice in three tours, run by tests/test_tour.py; between the
// second and the third the Python test has the Midtrans test server pay the VA and
// drains the inbox.

// 1. Starts on a draft customer invoice: post it, ask for its VA, see where to pay.
registry.category("web_tour.tours").add("payment_va_invoice_post_tour", {
    steps: () => [
        {
            content: "The invoice is a draft",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Confirm the invoice",
            trigger: ".o_form_view .o_form_statusbar button[name='action_post']:contains('Confirm')",
            run: "click",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Posted')",
        },
        {
            content: "Ask for the virtual account now (instead of waiting for the outbox)",
            trigger: ".o_form_view .o_form_statusbar button[name='action_payment_va_request']",
            run: "click",
        },
        {
            content: "The invoice shows where to pay",
            trigger: ".o_field_widget[name='payment_va_instructions']:contains('BNI virtual account')",
        },
        {
            content: "The request button is gone once a VA is open",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_payment_va_request']))",
        },
    ],
});

// 2. The customer's portal page (opened with the access token, not logged in).
registry.category("web_tour.tours").add("payment_va_portal_tour", {
    steps: () => [
        {
            content: "The portal shows the bank",
            trigger: "#payment_va_portal .o_payment_va_invoice .o_payment_va_bank:contains('BNI')",
        },
        {
            content: "The portal shows the VA number",
            trigger: "#payment_va_portal .o_payment_va_invoice .o_payment_va_number:not(:empty)",
        },
        {
            content: "The portal shows the amount to transfer",
            trigger: "#payment_va_portal .o_payment_va_invoice .o_payment_va_amount:not(:empty)",
        },
    ],
});

// 3. Starts on the same invoice after the gateway's payment was booked.
registry.category("web_tour.tours").add("payment_va_invoice_paid_tour", {
    steps: () => [
        {
            content: "The invoice is paid",
            trigger:
                ".o_form_view .ribbon:contains('Paid'), .o_form_view .ribbon:contains('In Payment')",
        },
        {
            content: "No VA is offered any more",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='payment_va_instructions']))",
        },
        {
            content: "Open the invoice's virtual accounts",
            trigger: "button.oe_stat_button:contains('Virtual accounts')",
            run: "click",
        },
        {
            content: "The VA is paid",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name='state']:contains('Paid')",
        },
    ],
});
