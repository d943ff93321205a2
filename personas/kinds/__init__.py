"""The built-in customer kinds, one module each, registered here in the order the admin
lists them: adding a kind is its module plus one line below."""

from personas.kinds import banking, generic, healthcare, insurance
from personas.registry import kind_register

KINDS = (
    banking.KIND,
    insurance.KIND,
    healthcare.KIND,
    generic.KIND,
)

for _kind in KINDS:
    kind_register(_kind)
