"""Admin validation for modes: templates are linted before they can reach a visitor,
a catalogue typed one item a line is checked line by line, and each help article
says what to fix in it."""

import re
import threading

import pydantic
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.models import BaseInlineFormSet

from chat.models import HelpArticle, Mode
from chat.prompting.rendering import prompt_template_problems, render_checked
from chat.selectors import modes_active, prompt_active_version
from chat.services import LastActiveModeError, mode_guard_last_active
from personas.catalogue import (
    CATALOGUE_MAX_ITEMS,
    ITEM_NAME_MAX,
    PRICE_MAX,
    Catalogue,
    CatalogueItem,
    catalogue_dump,
    catalogue_parse,
)
from personas.registry import generate_persona, kind_choices
from personas.sampling import MAX_SEED, locale_choices

TEMPLATE_FIELDS = ("system_prompt", "greeting_template")
COLOUR_FIELDS = (
    "primary_color",
    "secondary_color",
    "background_color",
    "surface_color",
    "text_color",
)
# What a template's `mode` variables read; the live preview posts them unsaved.
PAYLOAD_FIELDS = (
    "slug",
    "name",
    "company_name",
    "tagline",
    "industry_notes",
    *COLOUR_FIELDS,
)

CATALOGUE_FORMAT = "Name | low | high"
CATALOGUE_EXAMPLE = "Grain-free salmon kibble, 12 lb | 38 | 64"
# Room for a full catalogue of the longest names with two prices each.
CATALOGUE_TEXT_MAX = CATALOGUE_MAX_ITEMS * (ITEM_NAME_MAX + 40)
# A plain number: currency signs and thousands separators differ by locale, so none.
_PRICE = re.compile(r"\d{1,9}(?:\.\d{1,4})?")


class ColourInput(forms.TextInput):
    """The browser's colour picker; it always submits #rrggbb."""

    input_type = "color"


def catalogue_lines(catalogue: Catalogue) -> str:
    """A catalogue as staff edit it: one "Name | low | high" a line."""
    return "\n".join(
        f"{item.name} | {_price_text(item.low)} | {_price_text(item.high)}"
        for item in catalogue
    )


def _price_text(price: float) -> str:
    return str(int(price)) if price.is_integer() else repr(price)


def catalogue_from_lines(text: str) -> list[dict]:
    """Typed lines as the stored catalogue; the ValidationError names each bad line."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line]
    if len(lines) > CATALOGUE_MAX_ITEMS:
        raise ValidationError(
            f"A catalogue holds at most {CATALOGUE_MAX_ITEMS} items; this one has "
            f"{len(lines)}: remove {len(lines) - CATALOGUE_MAX_ITEMS}.",
            code="catalogue_too_long",
        )
    items: dict[str, tuple[int, CatalogueItem]] = {}
    errors = []
    for number, line in lines:
        try:
            item = _catalogue_item(line)
            if (first := items.get(item.name.casefold())) is not None:
                raise ValueError(
                    f"“{item.name}” is already on line {first[0]}: list each item once."
                )
        except ValueError as error:
            errors.append(ValidationError(f"Line {number}: {error}", code="catalogue"))
            continue
        items[item.name.casefold()] = (number, item)
    if errors:
        raise ValidationError(errors)
    return catalogue_dump(catalogue_parse(item for _, item in items.values()))


def _catalogue_item(line: str) -> CatalogueItem:
    """One "Name | low | high" line; a ValueError says what to fix in it."""
    parts = [part.strip() for part in line.rsplit("|", 2)]
    if len(parts) < 3:
        raise ValueError(
            f"give a low and a high price after the name, as “{CATALOGUE_FORMAT}”, "
            f"e.g. “{CATALOGUE_EXAMPLE}”."
        )
    name, low, high = parts
    try:
        return CatalogueItem(
            name=name, low=_price(low, "low"), high=_price(high, "high")
        )
    except pydantic.ValidationError as error:
        raise ValueError(_catalogue_problem(error.errors()[0])) from None


def _price(text: str, which: str) -> float:
    if not _PRICE.fullmatch(text):
        shown = f"“{text}”" if text else "missing"
        raise ValueError(
            f"the {which} price is {shown}: write a plain number such as 38 or 12.50, "
            "with no currency sign."
        )
    return float(text)


def _catalogue_problem(error: dict) -> str:
    """What to fix, for the first rule a line's item breaks."""
    field = error["loc"][0] if error["loc"] else "item"
    return {
        "string_too_short": "the name is missing: write it before the first “|”.",
        "string_too_long": f"the name is longer than {ITEM_NAME_MAX} characters: "
        "shorten it.",
        "less_than_equal": f"the {field} price is above {PRICE_MAX:,}: lower it.",
        "value_error": f"{error.get('ctx', {}).get('error')} Swap the two prices.",
    }.get(error["type"], f"{field}: {error['msg']}.")


class CatalogueField(forms.CharField):
    """A mode's catalogue typed one item a line; cleans to the list a mode stores."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        kwargs.setdefault(
            "help_text",
            f"One item or service a line, as “{CATALOGUE_FORMAT}” in the mode's "
            f"currency, e.g. “{CATALOGUE_EXAMPLE}”. At most {CATALOGUE_MAX_ITEMS}. "
            "Empty: the customer kind's own.",
        )
        super().__init__(max_length=CATALOGUE_TEXT_MAX, **kwargs)

    def prepare_value(self, value: object) -> object:
        """A stored list shows as lines; typed text (a form with errors) as typed."""
        if isinstance(value, list):
            return catalogue_lines(catalogue_parse(value))
        return value

    def clean(self, value: object) -> list[dict]:
        return catalogue_from_lines(super().clean(value))

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            return self.clean(data) != catalogue_dump(catalogue_parse(initial))
        except ValidationError:
            return True


def kind_choices_blank() -> list[tuple[str, str]]:
    """The registry's kinds under a blank first choice, read each time a form shows."""
    return [*BLANK_CHOICE_DASH, *kind_choices()]


class ModeForm(forms.ModelForm):
    system_prompt = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "prompt-source"}),
        help_text="Saving a changed prompt or greeting creates a new version of both "
        "and makes it active.",
    )
    greeting_template = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The first assistant message after a switch.",
    )
    catalogue = CatalogueField()

    class Meta:
        model = Mode
        fields = (
            *PAYLOAD_FIELDS,
            "persona_kind",
            "faker_locale",
            "aliases",
            "catalogue",
            "is_active",
            "display_order",
        )
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 2}),
            **dict.fromkeys(COLOUR_FIELDS, ColourInput),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The model field's choices were read when the form class was made; a
        # view-only user's form has no such field.
        if "persona_kind" in self.fields:
            self.fields["persona_kind"].choices = kind_choices_blank
        active = prompt_active_version(self.instance) if self.instance.pk else None
        if active is not None:
            self.fields["system_prompt"].initial = active.source
            self.fields["greeting_template"].initial = active.greeting

    def clean(self) -> dict:
        cleaned = super().clean()
        self._lint_templates(cleaned)
        if self.instance.pk and cleaned.get("is_active") is False:
            try:
                mode_guard_last_active(retiring=[self.instance])
            except LastActiveModeError as error:
                self.add_error("is_active", error)
        return cleaned

    def _lint_templates(self, cleaned: dict) -> None:
        """Lint against the persona kind being saved, which may have just changed."""
        kind = cleaned.get("persona_kind")
        for field in TEMPLATE_FIELDS:
            if kind and field in cleaned:
                if problems := prompt_template_problems(cleaned[field], kind):
                    self.add_error(field, problems)


class HelpArticleForm(forms.ModelForm):
    """One of a mode's help articles, each rule broken named in words staff can act
    on (the keywords' rules are the model's, so services keep them too)."""

    class Meta:
        model = HelpArticle
        fields = ("title", "keywords", "body", "display_order")
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "title": "The task, as an instruction: “File a claim”. The offline "
            "assistant answers “To file a claim: …”.",
        }
        error_messages = {
            "title": {
                "required": "Give the article a title, e.g. “File a claim”.",
                "max_length": "Keep the title to %(limit_value)d characters or "
                "fewer; it has %(show_value)d.",
            },
            "body": {
                "required": "Write the steps: two to four plain sentences.",
                "max_length": "Keep the steps to %(limit_value)d characters or "
                "fewer; they have %(show_value)d.",
            },
            "keywords": {
                "required": "Give at least one keyword a visitor might use, e.g. "
                "“claim, accident”.",
                "max_length": "Keep the keywords to %(limit_value)d characters or "
                "fewer in all; they have %(show_value)d.",
            },
        }

    def clean_title(self) -> str:
        """A title the mode has already, in any case, is refused by name (rather than
        by the database's unique constraint)."""
        title = " ".join(self.cleaned_data["title"].split())
        others = HelpArticle.objects.filter(
            mode_id=self.instance.mode_id, title__iexact=title
        ).exclude(pk=self.instance.pk)
        if self.instance.mode_id and others.exists():
            raise ValidationError(
                f"This mode already has an article titled “{title}”: give this one "
                "another title, or edit that one.",
                code="title_taken",
            )
        return title

    def clean_keywords(self) -> str:
        """Stored as typed, tidied: "claim,  accident" reads "claim, accident"."""
        parts = (" ".join(k.split()) for k in self.cleaned_data["keywords"].split(","))
        if not (tidied := ", ".join(part for part in parts if part)):
            message = self.fields["keywords"].error_messages["required"]
            raise ValidationError(message, code="required")
        return tidied


class HelpArticleFormSet(BaseInlineFormSet):
    """A mode's articles edited together: two with one title are refused by name."""

    def clean(self) -> None:
        titles: dict[str, int] = {}
        for number, form in enumerate(self.forms, 1):
            title = getattr(form, "cleaned_data", {}).get("title")
            if not title or self._should_delete_form(form):
                continue
            if (first := titles.setdefault(title.casefold(), number)) != number:
                form.add_error(
                    "title",
                    ValidationError(
                        f"Article {first} is titled “{title}” too: give each "
                        "article its own title.",
                        code="title_twice",
                    ),
                )
        if not any(form.errors for form in self.forms):
            super().clean()


class PromptPreviewForm(forms.Form):
    """What the live preview posts: the unsaved change form plus a customer seed."""

    system_prompt = forms.CharField(required=False, strip=False)
    greeting_template = forms.CharField(required=False, strip=False)
    persona_kind = forms.ChoiceField(choices=kind_choices)
    faker_locale = forms.ChoiceField(choices=locale_choices)
    seed = forms.IntegerField(min_value=0, max_value=MAX_SEED)
    catalogue = CatalogueField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Half-typed values are fine here: the preview only shows them.
        for name in PAYLOAD_FIELDS:
            self.fields[name] = forms.CharField(required=False)

    def mode(self) -> Mode:
        """An unsaved mode carrying the posted values, for the templates' `mode`."""
        names = (*PAYLOAD_FIELDS, "persona_kind", "faker_locale", "catalogue")
        return Mode(**{name: self.cleaned_data[name] for name in names})

    def preview(self, cancelled: threading.Event | None = None) -> dict:
        """The posted templates rendered for the posted customer, or their problems.

        Pure (no database), so it may run in any thread; `cancelled` stops it.
        """
        mode = self.mode()
        persona = generate_persona(
            mode.persona_kind,
            self.cleaned_data["seed"],
            locale=mode.faker_locale,
            catalogue=mode.catalogue,
        )
        result: dict = {"persona": persona}
        for field in TEMPLATE_FIELDS:
            text, problems = render_checked(
                self.cleaned_data[field],
                mode=mode,
                persona=persona,
                cancelled=cancelled,
            )
            result[field] = {"text": text, "problems": problems}
        return result


class ModeMergeForm(forms.Form):
    """The admin's merge page: the active mode the selected ones fold into."""

    target = forms.ModelChoiceField(
        queryset=Mode.objects.none(),
        label="Merge into",
        error_messages={
            "invalid_choice": "Choose an active mode that is not being merged: a mode "
            "cannot be merged into itself or into a retired mode."
        },
    )

    def __init__(self, *args, sources: QuerySet[Mode], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = modes_active().exclude(pk__in=sources)
