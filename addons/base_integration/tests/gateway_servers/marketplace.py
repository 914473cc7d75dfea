# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the Shopee and TikTok Shop imitations share: an order store keyed by the
platform's order number, OAuth codes and tokens that can be expired on demand, the
seller's consent page, and lost answers (a call applied, then answered HTTP 500)."""

import secrets

from .framework import GatewayHandler, esc, html_page


class MarketplaceHandler(GatewayHandler):
    """Subclasses set ``order_key`` and ``status_field`` (the platform's field names),
    ``code_prefix``, ``consent_title``, implement ``now()`` and call ``super().reset()``
    from their ``reset()``."""

    order_key = "id"
    status_field = "status"
    code_prefix = "code-"
    consent_title = "Authorization"  # the title of the seller's consent pages

    def reset(self):
        with self.lock:
            # path part -> how many more calls are applied but answered HTTP 500
            self.lost_answers = {}

    def lose_answer(self, path_part, times=1):
        """Apply the next ``times`` calls whose path contains ``path_part``, then answer
        them HTTP 500 as if the answer was lost on the way back (a gateway timeout
        after the work was done): the client's replay meets the applied state."""
        with self.lock:
            self.lost_answers[path_part] = self.lost_answers.get(path_part, 0) + times

    def dispatch(self, request):
        response = super().dispatch(request)
        with self.lock:
            for part, left in self.lost_answers.items():
                if left and part in request.path:
                    self.lost_answers[part] = left - 1
                    return self.error_response(500, request)
        return response

    # ------------------------------------------------------------------ consent page
    @staticmethod
    def _consent_form(form_id, params):
        """The seller's *Authorize* / *Cancel* form, posting ``params`` back."""
        hidden = "".join(
            f"<input type='hidden' name='{k}' value='{esc(v)}'>"
            for k, v in params.items()
        )
        return (
            f"<form method='post' id='{form_id}'>{hidden}"
            "<button type='submit' name='decision' value='authorize' "
            "class='authorize'>Authorize</button> "
            "<button type='submit' name='decision' value='cancel'>Cancel</button>"
            "</form>"
        )

    def _consent_refused(self, error, status):
        """The answer to a posted consent whose link is not (or no longer) valid."""
        return html_page(
            self.consent_title,
            f"<main class='consent'><p class='msg error'>{esc(error)}</p></main>",
            status=status,
        )

    def _consent_cancelled(self):
        return html_page(
            self.consent_title,
            "<main class='consent'><section><p class='msg'>Authorization "
            "cancelled: the app was not authorized.</p></section></main>",
        )

    def issue_auth_code(self):
        code = self.code_prefix + secrets.token_hex(6)
        with self.lock:
            self.auth_codes[code] = "valid"
        return code

    def expire_access_tokens(self):
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0

    def put_order(self, order):
        """Add or replace an order (a detail dict as the platform's detail API returns)."""
        with self.lock:
            order.setdefault("update_time", self.now())
            order.setdefault("create_time", order["update_time"])
            self.orders[order[self.order_key]] = order
        return order

    def set_status(self, order_ref, status, update_time=None):
        with self.lock:
            order = self.orders[order_ref]
            order[self.status_field] = status
            order["update_time"] = update_time or max(
                order["update_time"] + 1, self.now()
            )
            return order
