/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

// A parked order (unknown SKU, mapping fixed since) is opened from the Marketplace menu
// and imported with Retry.
registry.category("web_tour.tours").add("marketplace_sync_retry_tour", {
    url: "/odoo/action-marketplace_sync.action_marketplace_order",
    steps: () => [
        {
            content: "Open the parked order",
            trigger: ".o_data_row td:contains('TOUR0000001')",
            run: "click",
        },
        {
            content: "The message says what is wrong",
            trigger: ".alert-danger:contains('Unknown SKU')",
        },
        {
            content: "Retry",
            trigger: "button[name='action_retry']",
            run: "click",
        },
        {
            content: "Imported",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Imported')",
        },
    ],
});
