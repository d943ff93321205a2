"""The built-in customer kinds, one module each, registered here in the order the admin
lists them: adding a kind is its module plus one line below."""

from personas.kinds import retail, subscription, travel
from personas.registry import kind_register

KINDS = (
    retail.KIND,
    subscription.KIND,
    travel.KIND,
)

for _kind in KINDS:
    kind_register(_kind)
