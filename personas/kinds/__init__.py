"""The built-in customer kinds, one module each, registered here in the order the admin
lists them: adding a kind is its module plus one line below."""

from personas.kinds.appointments import APPOINTMENTS
from personas.kinds.education import EDUCATION
from personas.kinds.utilities import UTILITIES
from personas.registry import kind_register

KINDS = (
    UTILITIES,
    APPOINTMENTS,
    EDUCATION,
)

for _kind in KINDS:
    kind_register(_kind)
