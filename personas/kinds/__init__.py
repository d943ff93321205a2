"""The built-in customer kinds, one module each, registered here in the order the admin
lists them: adding a kind is its module plus one line below."""

from personas.kinds import (
    appointments,
    banking,
    education,
    generic,
    healthcare,
    insurance,
    retail,
    subscription,
    travel,
    utilities,
)
from personas.registry import kind_register

KINDS = (
    banking.KIND,
    insurance.KIND,
    healthcare.KIND,
    retail.KIND,
    subscription.KIND,
    travel.KIND,
    utilities.KIND,
    appointments.KIND,
    education.KIND,
    generic.KIND,
)

for _kind in KINDS:
    kind_register(_kind)
