# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The list of problems that blocks an e-Faktur export.

Every check of every invoice runs before anything is written; the export raises one
:class:`EfakturProblemsError` carrying all of them (issue 11, "Validation before export: all
problems at once"; STYLE.md "Raise before side effects").
"""

from odoo.exceptions import UserError


class EfakturProblemsError(UserError):
    """Raised by ``account.move._efaktur_coretax_files`` when an invoice cannot be exported.

    ``problems`` is a list of ``(move, message)`` pairs, ``move`` an ``account.move`` record of
    one invoice (or an empty recordset for a problem of the company), ``message`` a translated
    sentence naming the invoice. The exception's text lists them all, one per line.
    """

    def __init__(self, problems, title=None):
        self.problems = list(problems)
        lines = [title or "e-Faktur cannot be exported:"]
        lines += [f"- {message}" for _move, message in self.problems]
        super().__init__("\n".join(lines))
