# Copyright 2026 Odoo Indonesia Suite
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one interface every carrier client implements (no ORM).

The Odoo side (``delivery.carrier`` providers, the waybill and tracking flows) speaks
only these value objects and methods, so that a carrier whose API differs (JNE's form
posts, J&T's md5 digest, Biteship's JSON) changes one client and nothing above it.
Errors are ``base_integration``'s typed errors: ``RetryableError`` (try again later),
``PermanentError`` (the request itself is wrong; show the message), plus the two below.
"""

from dataclasses import dataclass, field
from datetime import datetime

from odoo.addons.base_integration.api.exceptions import PermanentError

# What a client can do; the Odoo side never calls a method whose capability is absent
# (e.g. it never polls a carrier without a tracking API).
CAP_RATES = "rates"
CAP_WAYBILL = "waybill"
CAP_FIND = "find"  # look an order up by our reference (idempotent retries)
CAP_TRACK = "track"
CAP_TRACK_MANY = "track_many"  # several waybills in one call
CAP_CANCEL = "cancel"
CAP_LABEL = "label"  # the API returns a label (PDF or a URL to one)
CAP_PICKUP = "pickup"  # a separate pickup call for booked waybills (request_pickup)
# The courier is sent by the booking itself (Biteship origin_collection_method, SiCepat
# requestpickuppackage, J&T servicetype 1): no pickup call exists or is needed.
CAP_PICKUP_WITH_ORDER = "pickup_with_order"
CAP_COD = "cod"
CAP_WEBHOOK = "webhook"
CAP_AREAS = "areas"  # the API lists its own area/destination codes (list_areas)


class DuplicateReferenceError(PermanentError):
    """The carrier already holds an order with this reference (J&T "Orderid tidak boleh
    sama"): the caller answers it with ``find_shipment``, never with a second order."""


class UnknownShipmentError(PermanentError):
    """The carrier does not know this waybill or reference (yet)."""


@dataclass
class Address:
    name: str
    phone: str  # already normalised to 62...
    street: str
    street2: str = ""
    village: str = ""
    district: str = ""  # kecamatan
    city: str = ""  # kabupaten / kota
    province: str = ""
    postal_code: str = ""
    area_code: str = ""  # the carrier's own code for the district (JNE tariff code...)
    email: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Parcel:
    weight_kg: float
    length_cm: float = 0.0
    width_cm: float = 0.0
    height_cm: float = 0.0
    value: int = 0  # declared value, whole rupiah
    description: str = ""
    quantity: int = 1
    reference: str = ""  # package name, for child tracking numbers


@dataclass
class RateQuote:
    service_code: str
    price: int  # whole rupiah
    etd_min_days: int | None = None
    etd_max_days: int | None = None
    cod_available: bool = False
    raw: dict = field(default_factory=dict)


@dataclass
class ShipmentRequest:
    reference: str  # stable external order id of the picking: the idempotency key
    service_code: str
    sender: Address
    recipient: Address
    parcels: list  # of Parcel
    cod_amount: int = 0
    insured_value: int = 0
    declared_value: int = 0
    note: str = ""
    pickup_start: datetime | None = None
    pickup_end: datetime | None = None
    # A waybill the partner supplies (SiCepat's allocated receipt numbers, §3.3);
    # empty: the client takes one itself or the carrier issues it.
    waybill: str = ""


@dataclass
class ShipmentResult:
    reference: str
    waybill: str
    child_waybills: list = field(default_factory=list)  # one per parcel, when given
    label_url: str = ""
    label_pdf: bytes | None = None
    price: int | None = None
    carrier_order_id: str = ""  # the carrier's own id, when it differs from the waybill
    raw: dict = field(default_factory=dict)


@dataclass
class TrackingEvent:
    at: datetime | None  # naive UTC
    status: str  # the carrier's own status code or text, untouched
    description: str = ""
    location: str = ""


@dataclass
class TrackingResult:
    waybill: str
    known: bool  # False: the carrier does not know the number (yet)
    status: str = ""  # the carrier's latest status, untouched
    events: list = field(default_factory=list)  # of TrackingEvent, oldest first
    delivered_at: datetime | None = None
    receiver: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class Area:
    """One entry of a carrier's own area/destination list."""

    code: str  # what the carrier keys on (JNE tariff code, Biteship area id...)
    name: str
    district: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class PickupResult:
    pickup_id: str  # the carrier's pickup number(s), comma-separated
    waybills: list = field(default_factory=list)  # the waybills the carrier accepted
    # waybill -> the carrier's refusal (a client calling once per waybill reports
    # each one instead of raising after an earlier waybill was accepted)
    refused: dict = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)  # waybill -> its pickup number
    raw: dict = field(default_factory=dict)


class CarrierClient:
    """Base of the five clients. ``session`` is the connection's ``IntegrationSession``.

    Subclasses set ``code`` and ``capabilities`` and implement what those allow; the
    defaults raise ``PermanentError`` so that a missing capability is a clear message.
    """

    code = ""
    capabilities = frozenset()
    # Field lengths the carrier accepts (name, street, ...), applied by the caller with
    # word-boundary truncation and a warning.
    field_limits = {}

    def __init__(self, session, base_url, **credentials):
        self.session = session
        self.base_url = (base_url or "").rstrip("/")
        self.credentials = credentials

    def _unsupported(self, what):
        raise PermanentError(
            f"{self.code}: {what} is not offered by this carrier's API."
        )

    def test(self):
        """A cheap authenticated call; returns a short message."""
        self._unsupported("a connection test")

    def quote(self, origin, destination, parcels, service_codes=None, cod=False):
        """Prices for the parcels from origin to destination (``Address``).
        Returns a list of ``RateQuote``."""
        self._unsupported("rates")

    def create_shipment(self, request):
        """Book the order; returns ``ShipmentResult``. Raises
        ``DuplicateReferenceError`` when the reference is already booked."""
        self._unsupported("waybills")

    def find_shipment(self, reference):
        """The order booked under our reference, or ``None``."""
        self._unsupported("order look-up")

    def track(self, waybills):
        """A list of ``TrackingResult``, one per waybill, in the same order."""
        self._unsupported("tracking")

    def cancel(self, waybill, reason=""):
        """Cancel; raises ``PermanentError`` with the carrier's refusal."""
        self._unsupported("cancellation")

    def fetch_label(self, shipment):
        """PDF bytes of the carrier's label for a ``ShipmentResult``, or ``None``."""
        return None

    def request_pickup(self, waybills, sender, start, end, shipments=None):
        """Ask for a courier pickup of the waybills in the window (naive UTC).

        :param shipments: ``{waybill: ShipmentRequest}`` of the booked orders, for
            carriers whose pickup call repeats the order's details (JNE).
        :returns: ``PickupResult``; once a waybill is accepted the client does not
            raise for a later one but lists it in ``refused``.
        """
        self._unsupported("pickup requests")

    def list_areas(self, query=""):
        """The carrier's own area codes (a list of ``Area``); ``query`` narrows the
        list where the API searches by text (Biteship needs one)."""
        self._unsupported("an area list")
