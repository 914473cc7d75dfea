/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// The README's "Try it" path (tests/test_demo_tour.py drives the control panel, on
// another origin, from Python between these tours).
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

const tours = registry.category("web_tour.tours");

// 1. Starts on Odoo's OAuth callback, where the test server's consent page sent the
//    browser after "Authorize": the code is exchanged, the shop form opens.
tours.add("demo_connect_shop_tour", {
    steps: () => [
        {
            content: "Back on the shop",
            trigger: ".o_form_view .o_field_widget[name='provider']",
        },
        {
            content: "The chatter says the shop is connected",
            trigger: ".o-mail-Message-body:contains('Shop connected to the platform.')",
        },
    ],
});

// 2. Starts on the order that the panel created and pushed: confirmed, then shipped.
tours.add("demo_order_ship_tour", {
    steps: () => [
        {
            content: "The order is imported",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Imported')",
        },
        {
            content: "Open its sale order",
            trigger: ".o_field_widget[name='sale_order_id'] a",
            run: "click",
        },
        {
            content: "The sale order is confirmed",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
        {
            content: "Open the delivery",
            trigger: "button[name='action_view_delivery']",
            run: "click",
        },
        {
            content: "Arrange the shipment on the platform",
            trigger: "button[name='action_marketplace_arrange_shipment']",
            run: "click",
        },
        {
            content: "The button is gone once arranged",
            trigger: ".o_form_view:not(:has(button[name='action_marketplace_arrange_shipment']))",
        },
        {
            content: "The platform's tracking number is in the chatter",
            trigger: ".o-mail-Message-body:contains('JX')",
        },
    ],
});

// 3. Starts on the failed events, with the gateway back: retry the one that failed.
tours.add("demo_retry_failed_event_tour", {
    steps: () => [
        {
            content: "Open the failed event",
            trigger: ".o_data_row:contains('HTTP 503') td.o_data_cell[name='external_id']",
            run: "click",
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

// Indonesian: on each screen, the visible text is kept (an ir.config_parameter) for
// the test, which looks for the suite's English terms in it.
function keepText(screen) {
    return {
        content: `Keep the visible text of ${screen}`,
        trigger: ".o_action_manager .o_view_controller",
        run: async () => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            await rpc("/web/dataset/call_kw/ir.config_parameter/set_param", {
                model: "ir.config_parameter",
                method: "set_param",
                args: [`demo_tour.text.${screen}`, document.body.innerText],
                kwargs: {},
            });
        },
    };
}

// A form with every notebook page shown in turn (their text kept together).
function keepFormText(screen) {
    return {
        content: `Keep the visible text of ${screen}, every page of it`,
        trigger: ".o_form_view .o_form_sheet",
        run: async () => {
            const wait = () => new Promise((resolve) => setTimeout(resolve, 400));
            await wait();
            let text = document.body.innerText;
            for (const tab of document.querySelectorAll(".o_notebook_headers .nav-link")) {
                tab.click();
                await wait();
                text += "\n" + document.querySelector(".o_form_sheet").innerText;
            }
            await rpc("/web/dataset/call_kw/ir.config_parameter/set_param", {
                model: "ir.config_parameter",
                method: "set_param",
                args: [`demo_tour.text.${screen}`, text],
                kwargs: {},
            });
        },
    };
}

function openFirst(screen, url, record) {
    return [
        { content: `Open ${screen}`, trigger: "body", run: `goToUrl ${url}` },
        { content: `Open the first of ${screen}`, trigger: record, run: "click" },
        keepFormText(`${screen} form`),
    ];
}

function open(screen, url) {
    return [
        {
            content: `Open ${screen}`,
            trigger: "body",
            run: `goToUrl ${url}`,
        },
        keepText(screen),
    ];
}

tours.add("demo_indonesian_screens_tour", {
    steps: () => [
        ...open("shops", "/odoo/action-marketplace_sync.action_marketplace_shop"),
        ...open("orders", "/odoo/action-marketplace_sync.action_marketplace_order"),
        ...open("returns", "/odoo/action-marketplace_sync.action_marketplace_return"),
        ...open("dashboard", "/odoo/action-base_integration.integration_dashboard_action"),
        ...open("failed events", "/odoo/action-base_integration.integration_event_action_failed"),
        ...open("virtual accounts", "/odoo/action-payment_va.payment_va_action"),
        // Phase two, when installed (the suite's CI installs every addon).
        ...open("shipments", "/odoo/action-carrier_api.action_carrier_api_tracking_shipments"),
        ...open("carrier rules", "/odoo/action-carrier_api.action_carrier_api_rule"),
        ...open("e-Faktur to export", "/odoo/action-efaktur_export.efaktur_to_export_action"),
        ...open("e-Faktur batches", "/odoo/action-efaktur_export.efaktur_export_batch_action"),
        ...open("NSFP ranges", "/odoo/action-efaktur_export.efaktur_nsfp_range_action"),
        ...open(
            "faktur numbers waiting",
            "/odoo/action-efaktur_export.efaktur_waiting_number_action"
        ),
        ...openFirst(
            "shops",
            "/odoo/action-marketplace_sync.action_marketplace_shop",
            ".o_kanban_record:first"
        ),
        ...openFirst(
            "orders",
            "/odoo/action-marketplace_sync.action_marketplace_order",
            ".o_data_row:first td.o_data_cell:first"
        ),
        ...openFirst(
            "events",
            "/odoo/action-base_integration.integration_event_action_failed",
            ".o_data_row:first td.o_data_cell:first"
        ),
        ...openFirst(
            "connections",
            "/odoo/action-base_integration.integration_connection_action",
            ".o_data_row:first td.o_data_cell:first, .o_kanban_record:first"
        ),
        {
            content: "Done",
            trigger: "body",
        },
    ],
});
