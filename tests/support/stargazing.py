"""A mode of the throwaway kind (tests/support/observatory.py), as staff would add it,
with its own catalogue: the tests' and the browser test's server's."""

from chat.models import Mode
from chat.services import mode_save
from tests.support.observatory import NAME

SLUG = "stargazing"
SYSTEM_PROMPT = (
    "You help {{ persona.name }} (member {{ persona.member_number }}) of "
    "{{ mode.company_name }}.{% for night in persona.nights %} "
    "{{ night.session }} on {{ night.date|long_date }}.{% endfor %}"
)
GREETING = "Good evening, {{ persona.name }}."
MODE_FIELDS = {
    "slug": SLUG,
    "name": "Stargazing",
    "company_name": "Dark Sky Observatory",
    "tagline": "Clear skies, booked ahead",
    "persona_kind": NAME,
    "faker_locale": "en_US",
    "aliases": "observatory, stargazing",
    "display_order": 9,
    "primary_color": "#1d2b53",
    "secondary_color": "#f4c542",
    "background_color": "#f3f4f8",
    "surface_color": "#ffffff",
    "text_color": "#141a2e",
}
# The mode's own vocabulary, in place of the kind's.
CATALOGUE = [{"name": "Planetarium show", "low": 8, "high": 12}]


def stargazing_save() -> Mode:
    """The mode, saved as the admin saves one."""
    return mode_save(
        mode=Mode(**MODE_FIELDS, catalogue=CATALOGUE),
        user=None,
        system_prompt=SYSTEM_PROMPT,
        greeting=GREETING,
    )
