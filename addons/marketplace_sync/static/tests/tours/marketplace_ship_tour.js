/** @odoo-module **/
// Copyright 2026 Odoo Indonesia Suite
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import { registry } from "@web/core/registry";

// Sync a shop → the paid order arrives confirmed with its delivery → arrange shipment
// from the delivery → the tracking number is there.
registry.category("web_tour.tours").add("marketplace_sync_ship_tour", {
    url: "/odoo/action-marketplace_sync.action_marketplace_shop",
    steps: () => [
        {
            content: "Open the Shopee shop",
            trigger: ".o_kanban_record:contains('Shopee Toko Test')",
            run: "click",
        },
        {
            content: "Sync orders now",
            trigger: "button[name='action_sync_now']",
            run: "click",
        },
        {
            content: "One order arrived: open the shop's orders",
            trigger: "button[name='action_open_orders'] .o_stat_value:contains('1')",
            run: "click",
        },
        {
            content: "Open the synced order",
            trigger: ".o_data_row td:contains('TOURSHIP0001')",
            run: "click",
        },
        {
            content: "It is imported",
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
            content: "Arrange shipment on the platform",
            trigger: "button[name='action_marketplace_arrange_shipment']",
            run: "click",
        },
        {
            content: "The button is gone once arranged",
            trigger: ".o_form_view:not(:has(button[name='action_marketplace_arrange_shipment']))",
        },
        {
            content: "The tracking number is shown",
            trigger: ".o-mail-Message-body:contains('SPXID')",
        },
    ],
});
