/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import {registry} from "@web/core/registry";

// Starts on a posted customer invoice that has an open virtual account.
registry.category("web_tour.tours").add("payment_va_invoice_tour", {
    steps: () => [
        {
            content: "The invoice shows where to pay",
            trigger: ".o_field_widget[name='payment_va_instructions']:contains('virtual account')",
        },
        {
            content: "Open the invoice's virtual accounts",
            trigger: "button.oe_stat_button:contains('Virtual accounts')",
            run: "click",
        },
        {
            content: "Open the VA",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name='va_number']",
            run: "click",
        },
        {
            content: "The VA is open and can be checked at the gateway",
            trigger: ".o_form_view button[name='action_check_status']",
        },
        {
            content: "Status bar shows Open",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Open')",
        },
    ],
});
