"""Offline drafts: the same request gives the same mode in any process, every mode it
makes passes the model's validation, the lint for its kind and AA contrast, and
generated text stays data.

Regenerate the golden drafts after an intended change with
UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/chat/generation -k golden
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.generation.building import mode_build
from chat.generation.drafts import IndustryRequest
from chat.generation.industries import INDUSTRIES, industry_for, plural
from chat.generation.offline import alias_key, draft_offline
from chat.generation.palettes import Palette, palette_problems
from chat.generation.requests import industry_request
from chat.prompting.rendering import prompt_template_problems
from personas.registry import kind_names

GOLDEN = Path(__file__).parent / "golden"
PROJECT_ROOT = Path(__file__).resolve().parents[3]
GOLDEN_REQUESTS = [
    "a pet store",
    "a florist",
    "an airline",
    "a bakery called Sweet Crumbs",
    "a dentist",
    "a gym",
    "a university",
    "an electricity company",
    "a kite shop",
]
SAMPLE_SCRIPT = """
import json, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
django.setup()
from chat.generation.offline import draft_offline
from chat.generation.requests import industry_request
from tests.chat.generation.test_offline import GOLDEN_REQUESTS
print(json.dumps([draft_offline(industry_request(t)).model_dump(mode="json")
                  for t in GOLDEN_REQUESTS]))
"""


def draft_of(text: str):
    return draft_offline(industry_request(text))


def palette_of(draft) -> Palette:
    return Palette(
        draft.primary_color,
        draft.secondary_color,
        draft.background_color,
        draft.surface_color,
        draft.text_color,
    )


@pytest.mark.parametrize("text", GOLDEN_REQUESTS)
def test_draft_offline_matches_golden_file(text):
    path = GOLDEN / f"{draft_of(text).slug}.json"
    draft = draft_of(text).model_dump(mode="json")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(draft, indent=2, ensure_ascii=False) + "\n")
    assert draft == json.loads(path.read_text())


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_draft_offline_ignores_hash_randomisation(hash_seed):
    result = subprocess.run(
        [sys.executable, "-c", SAMPLE_SCRIPT],
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        text=True,
    )
    expected = [draft_of(t).model_dump(mode="json") for t in GOLDEN_REQUESTS]
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("industry", INDUSTRIES, ids=lambda i: i.phrase)
def test_draft_offline_uses_the_table_kind_once_registered(industry):
    draft = draft_offline(
        IndustryRequest(text=industry.phrase, industry=industry.phrase)
    )
    expected = industry.kind if industry.kind in kind_names() else "generic"
    assert draft.persona_kind == expected


def test_draft_offline_invents_the_company_not_the_visitors():
    named = draft_of("a bakery called Sweet Crumbs")
    assert named == draft_of("a bakery")
    assert named.company_name != "Sweet Crumbs"


def test_draft_offline_aliases_cover_phrase_plural_and_synonyms():
    aliases = draft_of("pet stores").aliases
    assert {"pet store", "pet stores", "pet shop", "pet shops"} <= set(aliases)


def test_draft_offline_never_takes_another_modes_aliases():
    taken = frozenset({"Pet Shops", "pet supplies"})
    aliases = draft_offline(industry_request("a pet store"), taken=taken).aliases
    assert "pet shop" not in aliases and "pet shops" not in aliases
    assert "pet supplies" not in aliases and "pet store" in aliases
    assert not {alias_key(a) for a in aliases} & {alias_key(a) for a in taken}


# Phrasings of listed industries: filler, casing, punctuation, a company, a clause.
phrasings = st.builds(
    lambda lead, name, tail, case, pad: pad + case(lead + name + tail) + pad,
    st.sampled_from(["", "a ", "an ", "the ", "kind of a ", "like a ", "A "]),
    st.sampled_from(
        [
            form
            for i in INDUSTRIES
            for n in (i.phrase, *i.synonyms)
            for form in (n, plural(n))
        ]
    ),
    st.sampled_from(
        [
            "",
            " please",
            " now",
            "!",
            "?",
            ".",
            " that sells things",
            " in Paris",
            " called Sweet Crumbs",
            " named Contoso & Co",
            "!!!",
        ]
    ),  # fmt: skip
    st.sampled_from([str.lower, str.upper, str.title, str.capitalize, lambda s: s]),
    st.sampled_from(["", " ", "  "]),
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=phrasings)
def test_every_generated_mode_is_valid_linted_and_readable(text):
    request = industry_request(text)
    assert isinstance(request, IndustryRequest), (text, request)
    draft = draft_offline(request)
    assert draft.industry == industry_for(request.industry).phrase
    parts = mode_build(draft, request_text=text)
    parts.mode.full_clean(exclude=["id"])
    assert prompt_template_problems(parts.source, draft.persona_kind) == []
    assert prompt_template_problems(parts.greeting, draft.persona_kind) == []
    assert palette_problems(palette_of(draft)) == []
