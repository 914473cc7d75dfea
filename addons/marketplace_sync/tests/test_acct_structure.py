# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``marketplace.order`` is one class, and the settlement import lives on
``marketplace.settlement`` (review D24, pylint-odoo R8180)."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestOrderModelStructure(TransactionCase):
    def test_one_marketplace_order_class(self):
        own = [
            cls
            for cls in type(self.env["marketplace.order"]).__mro__
            if cls.__module__.startswith("odoo.addons.marketplace_sync.")
        ]
        self.assertEqual(len(own), 1, own)

    def test_settlement_import_on_the_settlement(self):
        Settlement = type(self.env["marketplace.settlement"])
        for method in ("_import_for", "_cron_import", "_reconcile_payout"):
            self.assertTrue(callable(getattr(Settlement, method, None)), method)
        Order = type(self.env["marketplace.order"])
        for method in (
            "_marketplace_import_settlement",
            "_marketplace_fetch_payout",
            "_marketplace_settlement_fees",
        ):
            self.assertFalse(hasattr(Order, method), method)
