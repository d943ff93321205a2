"""Generated colours read well wherever the page pairs them, and never vary by run."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat.generation.palettes import HUES, contrast, palette_for, palette_problems


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
    ],
)
def test_contrast_matches_wcag(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert contrast(b, a) == contrast(a, b)


@settings(max_examples=400, deadline=None)
@given(
    industry=st.text(max_size=40),
    hue=st.sampled_from(sorted(HUES)),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_palette_for_passes_aa_for_every_pairing(industry, hue, seed):
    assert palette_problems(palette_for(industry, hue, seed)) == []


def test_palette_for_is_a_function_of_its_inputs():
    assert palette_for("pet store", "teal", 3) == palette_for("pet store", "teal", 3)
    assert palette_for("pet store", "teal", 3) != palette_for("pet store", "teal", 4)


def test_palette_problems_names_the_failing_pair():
    palette = palette_for("florist", "pink")._replace(text="#eeeeee")
    assert [p.split(":")[0] for p in palette_problems(palette)] == [
        "text on surface",
        "text on background",
    ]
