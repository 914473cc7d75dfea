# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The export wizard sends invoices dated 2024 or earlier to the legacy e-Faktur CSV."""

from odoo import models

from ..models.efaktur_problems import EfakturProblemsError


class EfakturExportWizard(models.TransientModel):
    _inherit = "efaktur.export.wizard"

    def _efaktur_build_files(self, moves):
        """EXTENDS: invoices dated 2024 or earlier go to one legacy CSV (giving an NSFP to
        those without one), the others to the Coretax files of ``super()``.

        The problems of both kinds are collected before raising one
        ``EfakturProblemsError``; serials are given only when there is no problem at all.
        """
        legacy, others = moves._efaktur_legacy_split()
        if not legacy:
            return super()._efaktur_build_files(moves)
        problems = []
        if len(moves.company_id) > 1:
            problems.append(
                (
                    moves.browse(),
                    self.env._(
                        "The invoices belong to several companies: export one company at a"
                        " time."
                    ),
                )
            )
        files = []
        if others:
            try:
                # No side effect in the Coretax build: safe to run before the serials.
                files = list(super()._efaktur_build_files(others))
            except EfakturProblemsError as error:
                problems.extend(error.problems)
        problems.extend(legacy._efaktur_legacy_problems())
        if problems:
            # Both checks may report the same company-level problem once each.
            unique = list(
                dict.fromkeys((move.id, message) for move, message in problems)
            )
            raise EfakturProblemsError(
                [(moves.browse(move_id), message) for move_id, message in unique],
                title=self.env._("e-Faktur cannot be exported:"),
            )
        legacy_file = legacy._efaktur_legacy_csv_file()
        if legacy_file:
            files.append(legacy_file)
        return files
