"""A generated mode's colours: a family that suits the industry, varied by a seed, and
always readable (WCAG AA, 4.5:1) the way the page pairs them (static/chat/theme.js):
text on the surface and the background, white on the primary colour, the primary
colour as ink on the surface, and dark text on the secondary colour."""

import colorsys
import hashlib
import random
from typing import NamedTuple

AA = 4.5
# What the page writes on the primary and the secondary colour.
LIGHT = "#ffffff"
DARK = "#111827"

# Each family: a hue range in degrees and a saturation range, from 0 to 1.
HUES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "red": ((350, 368), (0.55, 0.75)),
    "orange": ((18, 32), (0.65, 0.85)),
    "amber": ((36, 48), (0.65, 0.85)),
    "olive": ((62, 85), (0.35, 0.55)),
    "green": ((115, 150), (0.40, 0.60)),
    "teal": ((165, 182), (0.50, 0.70)),
    "cyan": ((185, 198), (0.55, 0.75)),
    "blue": ((205, 222), (0.55, 0.75)),
    "indigo": ((228, 248), (0.45, 0.65)),
    "purple": ((262, 285), (0.40, 0.60)),
    "magenta": ((295, 318), (0.45, 0.65)),
    "pink": ((325, 345), (0.55, 0.75)),
    "brown": ((20, 36), (0.35, 0.50)),
    "slate": ((200, 220), (0.15, 0.30)),
}
# The secondary colour sits this far round the wheel from the primary.
_ACCENT_TURNS = (30.0, 150.0, 180.0, 210.0)
_STEP = 0.01  # lightness moved per try until a pair reads


class Palette(NamedTuple):
    primary: str
    secondary: str
    background: str
    surface: str
    text: str


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette_for(industry: str, hue: str, seed: int = 0) -> Palette:
    """The same colours for the same (industry, hue family, seed), in any process."""
    rng = random.Random(_seed_of(f"{industry}/{hue}/{seed}"))
    (low, high), (sat_low, sat_high) = HUES[hue]
    h = (rng.uniform(low, high) % 360) / 360
    s = rng.uniform(sat_low, sat_high)
    background = _hex(h, rng.uniform(0.95, 0.97), min(s, 0.35))
    surface = _hex(h, rng.uniform(0.985, 1.0), min(s, 0.3))
    text = _darkest_needed(h, rng.uniform(0.16, 0.22), min(s, 0.4), surface, background)
    primary = _darkest_needed(h, rng.uniform(0.32, 0.42), s, LIGHT, surface)
    accent = (h + rng.choice(_ACCENT_TURNS) / 360) % 1
    secondary = _lightest_needed(accent, rng.uniform(0.5, 0.6), s, DARK)
    return Palette(primary, secondary, background, surface, text)


def palette_problems(palette: Palette) -> list[str]:
    """Each pairing the page uses that falls short of AA, named; empty when fine."""
    pairs = {
        "text on surface": (palette.text, palette.surface),
        "text on background": (palette.text, palette.background),
        "white on primary": (LIGHT, palette.primary),
        "primary on surface": (palette.primary, palette.surface),
        "dark on secondary": (DARK, palette.secondary),
    }
    return [
        f"{name}: {contrast(a, b):.2f}:1, below {AA}:1"
        for name, (a, b) in pairs.items()
        if contrast(a, b) < AA
    ]


def _seed_of(text: str) -> int:
    """hashlib, unlike hash(), gives the same number under any PYTHONHASHSEED."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest())


def _hex(h: float, lightness: float, s: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, lightness)), s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def _darkest_needed(h: float, lightness: float, s: float, *against: str) -> str:
    """The colour, darkened until it reads against each of `against` (black does)."""
    colour = _hex(h, lightness, s)
    while lightness > 0 and any(contrast(colour, other) < AA for other in against):
        lightness -= _STEP
        colour = _hex(h, lightness, s)
    return colour


def _lightest_needed(h: float, lightness: float, s: float, against: str) -> str:
    """The colour, lightened until `against` reads on it (white does, on dark)."""
    colour = _hex(h, lightness, s)
    while lightness < 1 and contrast(colour, against) < AA:
        lightness += _STEP
        colour = _hex(h, lightness, s)
    return colour
