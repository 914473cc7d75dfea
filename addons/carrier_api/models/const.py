# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One explicit map per carrier from its own statuses to the unified delivery state.

No silent default: :func:`map_status` returns ``None`` for a status not listed here;
the caller keeps the raw status, flags it and leaves the state unchanged.
Sources: carriers.md §1.4 (JNE keywords), §2.5 (J&T codes), §3.4 (SiCepat),
§4.2 (Anteraja codes), §5.3/§8 (Biteship statuses).
"""

import re

# Labels are translated through the selection fields that use them.
# The five carrier APIs: the connection provider and the delivery type share these codes.
CARRIERS = [
    ("jne", "JNE"),
    ("jnt", "J&T Express"),
    ("sicepat", "SiCepat"),
    ("anteraja", "Anteraja"),
    ("biteship", "Biteship"),
]
CARRIER_CODES = tuple(code for code, _label in CARRIERS)

DELIVERY_STATES = [
    ("recorded", "Recorded"),
    ("picked_up", "Picked up"),
    ("in_transit", "In transit"),
    ("out_for_delivery", "Out for delivery"),
    ("delivered", "Delivered"),
    ("failed_attempt", "Failed attempt"),
    ("returning", "Returning"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
    ("incident", "Incident"),
    ("lost", "Closed without delivery"),
]
STATE_KEYS = frozenset(key for key, _label in DELIVERY_STATES)
# Polling stops at these.
# "lost": the carrier closed the shipment without delivering or returning it
# (Biteship ``rejected``, ``disposed``): nothing more to wait for.
TERMINAL_STATES = frozenset({"delivered", "returned", "cancelled", "lost"})
# The customer is told about these (mail template "incident").
INCIDENT_STATES = frozenset({"failed_attempt", "returning", "incident", "lost"})

# The state of a shipment of several packages (one waybill each) from its packages'
# states (``aggregate_state``). Worst first: when any package is in one of these, the
# shipment is, the first listed winning (a parcel lost beats one coming back, which
# beats a missed doorstep).
AGGREGATE_WORST = ("incident", "returning", "failed_attempt")
# Otherwise the shipment is where its least advanced package is, in this order.
# "returned" comes before "delivered": a shipment partly delivered and partly returned
# is returned (the customer did not get everything), and is over either way.
AGGREGATE_PROGRESS = (
    "recorded",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "lost",
    "returned",
    "delivered",
)

# Biteship order / tracking statuses (§5.3, §8 suggested mapping).
BITESHIP = {
    "confirmed": "recorded",
    "scheduled": "recorded",
    "allocated": "recorded",
    "picking_up": "recorded",
    "picked": "picked_up",
    "dropping_off": "in_transit",
    "delivered": "delivered",
    "on_hold": "failed_attempt",
    "courier_not_found": "incident",
    # §5.3 lists rejected and disposed among the order statuses without a
    # meaning [secondary]: read as the end of the order without delivery (no later
    # status expected), so terminal, not a polled-forever "incident" (ROADMAP).
    "rejected": "lost",
    "return_in_transit": "returning",
    "returned": "returned",
    "disposed": "lost",
    "cancelled": "cancelled",
}

# J&T status codes (§2.5, [secondary]): 100 covers pickup, transit and delivery run.
JNT = {
    "101": "recorded",
    "100": "in_transit",
    "150": "incident",
    "200": "delivered",
    "401": "returning",
}

# Anteraja codes (§4.2, [secondary]): 250 delivered; 430 and 255 terminal, meaning
# [unverified] — read as cancelled / returned.
ANTERAJA = {
    "250": "delivered",
    "430": "cancelled",
    "255": "returned",
}

# JNE publishes no status list: the status is ``DELIVERED`` (pod_status) or the latest
# history text, matched on keywords (§1.4, [inference]). Order matters: first match.
JNE = (
    (re.compile(r"^DELIVERED\b"), "delivered"),
    (re.compile(r"\bRETURNED TO SHIPPER\b|\bRETURN(ED)? RECEIVED\b"), "returned"),
    (re.compile(r"\bRETURN"), "returning"),
    (re.compile(r"\bCANCEL"), "cancelled"),
    (re.compile(r"\bWITH DELIVERY COURIER\b"), "out_for_delivery"),
    (re.compile(r"\bNOT AT HOME\b|\bUNDELIVERED\b|\bBAD ADDRESS\b"), "failed_attempt"),
    (re.compile(r"\bPICKED UP\b"), "picked_up"),
    (re.compile(r"\bRECEIVED BY JNE COUNTER\b|\bSHIPMENT RECEIVED\b"), "recorded"),
    (
        re.compile(r"\bRECEIVED AT\b|\bPROCESSED\b|\bDEPARTED\b|\bARRIVED\b"),
        "in_transit",
    ),
)

# SiCepat's short status codes as its tracking answer gives them in ``track_history``
# (the codes our test server answers; not in carriers.md §3.4 [unverified], ROADMAP).
# Tried before the keyword rules below.
SICEPAT_CODES = {
    "PICKREQ": "recorded",
    "PICK": "picked_up",
    "IN": "in_transit",
    "OUT": "in_transit",
    "ANT": "out_for_delivery",
    "DELIVERED": "delivered",
    "CU": "failed_attempt",
    "RTS": "returning",
    "RTN": "returned",
    "CANCEL": "cancelled",
}

# SiCepat publishes no code list (§3.4 [unverified]): keywords of the status text.
SICEPAT = (
    (re.compile(r"\bDELIVERED\b"), "delivered"),
    (re.compile(r"\bRETUR"), "returning"),
    (re.compile(r"\bANTAR\b|\bDELIVERY\b"), "out_for_delivery"),
    (re.compile(r"\bPICK(ED)? ?UP\b"), "picked_up"),
    (re.compile(r"\bIN ?TRANSIT\b|\bOTW\b|\bMANIFESTED\b"), "in_transit"),
)

EXACT = {"biteship": BITESHIP, "jnt": JNT, "anteraja": ANTERAJA}
KEYWORDS = {"jne": JNE, "sicepat": SICEPAT}


def map_status(carrier_code, status):
    """Unified state of a carrier status, or ``None`` when the map does not know it."""
    raw = (status or "").strip()
    if not raw:
        return None
    if carrier_code in EXACT:
        return EXACT[carrier_code].get(
            raw.lower() if carrier_code == "biteship" else raw
        )
    if carrier_code == "sicepat" and raw.upper() in SICEPAT_CODES:
        return SICEPAT_CODES[raw.upper()]
    for pattern, state in KEYWORDS.get(carrier_code, ()):
        if pattern.search(raw.upper()):
            return state
    return None


def aggregate_state(states):
    """The unified delivery state of a shipment from the states of its packages.

    :param states: one entry per package still tracked, ``None`` for a package whose
        state is not known yet (no answer, or only statuses the map does not know).
    :returns: a state, or ``None`` for "leave the shipment's state as it is".

    * packages the carrier cancelled do not count, unless every package is cancelled;
    * any package in an ``AGGREGATE_WORST`` state: the worst of them;
    * otherwise the least advanced state (``AGGREGATE_PROGRESS``): delivered only when
      every package is delivered, returned when every package is over and one is
      returned;
    * a package without a known state keeps the shipment from being over: ``None``
      when the others are all delivered/returned, and when no package is known.
    """
    states = list(states)
    live = [state for state in states if state != "cancelled"]
    if not live:
        return "cancelled" if states else None
    for state in AGGREGATE_WORST:
        if state in live:
            return state
    known = [state for state in live if state in AGGREGATE_PROGRESS]
    if not known:
        return None
    least = min(known, key=AGGREGATE_PROGRESS.index)
    if len(known) < len(live) and least in TERMINAL_STATES:
        return None
    return least
