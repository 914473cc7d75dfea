# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Every addon of the suite ships a complete Indonesian translation: each addon's tests
check it with :class:`TranslationCompleteMixin`."""

import os
import re

import polib

from odoo.modules.module import get_module_path
from odoo.tools.translate import TranslationModuleReader

# %s, %d, %(name)s: the placeholders a translation must keep.
_PLACEHOLDER = re.compile(r"%(?:\([a-z_0-9]+\))?[sdfr]")


class TranslationCompleteMixin:
    """For ``TransactionCase``: ``assertTranslationsComplete("my_addon")``."""

    def assertTranslationsComplete(self, module, lang="id"):
        """Every term Odoo would export for ``module`` (code, fields, views, data) has a
        translation in ``i18n/<lang>.po`` that keeps the term's placeholders."""
        reader = TranslationModuleReader(self.env.cr, [module], lang="en_US")
        terms = {row[4] for row in reader if row[4] and row[4].strip()}
        path = os.path.join(get_module_path(module), "i18n", f"{lang}.po")
        translated = {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(path)
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }
        missing = sorted(term for term in terms if term not in translated)
        self.assertFalse(
            missing,
            f"{len(missing)} terms of {module} have no translation in {path}, "
            f"e.g. {missing[:10]}",
        )
        broken = sorted(
            term
            for term in terms
            if sorted(_PLACEHOLDER.findall(term))
            != sorted(_PLACEHOLDER.findall(translated[term]))
        )
        self.assertFalse(
            broken,
            f"Translations in {path} lose or add placeholders: {broken[:10]}",
        )
