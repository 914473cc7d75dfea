/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Dashboard -> failures of a connection -> the failed event -> Retry now -> Done.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("base_integration_retry_tour", {
    steps: () => [
        {
            content: "The connection has its card on the dashboard",
            trigger: ".o_kanban_record:contains('Tour connection')",
        },
        {
            content: "Open its failures",
            trigger: ".o_kanban_record:contains('Tour connection') a[name='action_open_failed_events']",
            run: "click",
        },
        {
            content: "Open the failed event",
            trigger: ".o_data_row:contains('tour-evt-1') td.o_data_cell[name='external_id']",
            run: "click",
        },
        {
            content: "The form says it failed for good",
            trigger: ".alert-danger:contains('failed for good')",
        },
        {
            content: "Retry it now",
            trigger: "button[name='action_process_now']",
            run: "click",
        },
        {
            content: "It is done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
    ],
});
