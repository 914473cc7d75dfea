# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.tests import TransactionCase, tagged

from odoo.addons.base_integration.tests.i18n import TranslationCompleteMixin


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase, TranslationCompleteMixin):
    def test_indonesian_translation_is_complete(self):
        self.assertTranslationsComplete("carrier_api_marketplace")
