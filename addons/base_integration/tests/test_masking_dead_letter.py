# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dead-letter activity note stays bounded and carries no secret (D2, D23)."""

from odoo.tests import TransactionCase, tagged

from .common import IntegrationTestMixin

SECRET = "dead-letter-api-key-0123"


@tagged("post_install", "-at_install")
class TestDeadLetterNote(IntegrationTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls._create_connection(api_key=SECRET)

    def _dead_letter(self, number):
        return self.env["integration.event"].create(
            {
                "connection_id": self.connection.id,
                "company_id": self.connection.company_id.id,
                "handler": "_generic_process_event",
                "event_type": "order",
                "external_id": f"ORDER-{number}",
                "state": "failed",
                "dead_letter": True,
                "attempts": 5,
                "error": f"RetryableError: ConnectionError: url: /api/v2/order?"
                f"access_token=TOKEN{number:04d}xyz&sign=SIG{number:04d}abc "
                f"(key {SECRET})",
            }
        )

    def test_note_is_bounded_and_masked(self):
        events = self.env["integration.event"]
        for number in range(15):
            event = self._dead_letter(number)
            events |= event
            activity = self.connection._notify_dead_letter(event)
        activities = self.connection.activity_ids.filtered(
            lambda a: a.summary == "Integration events need attention"
        )
        self.assertEqual(activities, activity, "one activity per connection")
        note = str(activity.note)
        self.assertEqual(note.count("<li>"), 10, "the latest ten events")
        self.assertIn("15", note, "and how many there are")
        self.assertIn("ORDER-14", note, "the newest first")
        self.assertNotIn("ORDER-4 ", note)
        for number in range(15):
            self.assertNotIn(f"TOKEN{number:04d}xyz", note)
            self.assertNotIn(f"SIG{number:04d}abc", note)
        self.assertNotIn(SECRET, note)
        # Resolved dead letters leave the count.
        events[:10].write({"state": "done", "dead_letter": False})
        self.connection._notify_dead_letter(events[-1])
        self.assertEqual(str(activity.note).count("<li>"), 5)
