"""`manage.py persona`: print a persona or its schema, and explain bad input."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from personas import generate_persona, kind_get, kind_names


def persona_command(*args: str) -> object:
    out = StringIO()
    call_command("persona", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("kind", kind_names())
def test_persona_prints_the_persona(kind):
    printed = persona_command(kind, "--seed", "42", "--as-of", "2026-01-31")
    assert printed == generate_persona(kind, 42, as_of=date(2026, 1, 31))


def test_persona_uses_the_locale():
    printed = persona_command("banking", "--seed", "3", "--locale", "de_DE")
    assert printed == generate_persona("banking", 3, locale="de_DE")
    assert printed != generate_persona("banking", 3)


def test_persona_output_is_indented():
    out = StringIO()
    call_command("persona", "generic", "--as-of", "2026-01-31", stdout=out)
    assert out.getvalue().startswith('{\n  "name": ')


@pytest.mark.parametrize("kind", kind_names())
def test_persona_schema_prints_json_schema(kind):
    assert (
        persona_command(kind, "--schema") == kind_get(kind).schema.model_json_schema()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mortgage"], "Unknown persona kind 'mortgage'; use one of: banking, "),
        (["banking", "--as-of", "31/01/2026"], "write it as YYYY-MM-DD"),
        (["banking", "--as-of", "2026-02-30"], "'2026-02-30' is not a date"),
        (["banking", "--locale", "en"], "'en' is not supported; use one of: en_US, "),
    ],
)
def test_persona_bad_input_says_what_to_fix(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("persona", *args, stdout=StringIO())
