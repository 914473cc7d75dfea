/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

// A ready delivery → Create waybill → the waybill is shown → Print label.
registry.category("web_tour.tours").add("carrier_api_waybill_tour", {
    steps: () => [
        {
            content: "Open the Additional Info tab (the waybill group)",
            trigger: ".o_notebook a[name='extra']",
            run: "click",
        },
        {
            content: "The delivery is ready and has no waybill yet",
            trigger: ".o_field_widget[name='carrier_api_state'] :contains('No waybill'), .o_field_widget[name='carrier_api_state']:contains('No waybill')",
        },
        {
            content: "Create the waybill",
            trigger: "button[name='action_carrier_api_create_waybill']",
            run: "click",
        },
        {
            content: "The waybill is created",
            trigger: ".o_field_widget[name='carrier_api_state']:contains('Waybill created')",
        },
        {
            content: "The chatter gives the waybill number",
            trigger: ".o-mail-Message-body:contains('WYB-JNE')",
        },
        {
            content: "The button is gone",
            trigger: ".o_form_view:not(:has(button[name='action_carrier_api_create_waybill']))",
        },
        {
            content: "Print the label",
            trigger: "button[name='action_carrier_api_print_labels']",
            run: "click",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});

// The waybill's shipment moved on at the carrier (the test server's control route) →
// Refresh tracking → the delivery says Delivered and its timeline shows every step.
registry.category("web_tour.tours").add("carrier_api_tracking_tour", {
    steps: () => [
        {
            content: "The delivery has its waybill",
            trigger: ".o_form_view:has(button[name='action_carrier_api_print_labels'])",
        },
        {
            content: "Refresh tracking",
            trigger: "button[name='action_carrier_api_refresh_tracking']",
            run: "click",
        },
        {
            content: "Open the Additional Info tab (the tracking group)",
            trigger: ".o_notebook a[name='extra']",
            run: "click",
        },
        {
            content: "The carrier says delivered",
            trigger: ".o_field_widget[name='carrier_api_delivery_state']:contains('Delivered')",
        },
        {
            content: "Open the tracking history",
            trigger: ".o_notebook a[name='carrier_api_timeline']",
            run: "click",
        },
        {
            content: "The timeline's newest line is the delivery, marked as such",
            trigger: ".o_field_widget[name='carrier_api_tracking_event_ids'] .o_data_row:first-child.text-success:contains('delivered'):contains('Item has been delivered.')",
        },
        {
            content: "The first line is the order recorded at the carrier",
            trigger: ".o_field_widget[name='carrier_api_tracking_event_ids'] .o_data_row:last-child:contains('confirmed')",
        },
        {
            content: "Picked up on the way",
            trigger: ".o_field_widget[name='carrier_api_tracking_event_ids'] .o_data_row:contains('Item has been picked')",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
