"""Admin validation for modes: templates are linted before they can reach a visitor,
a catalogue typed one item a line and dashboard tabs one tab a line are checked line
by line, and each help article says what to fix in it."""

import re
import threading
from collections.abc import Sequence

import pydantic
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.models import BaseInlineFormSet

from chat.dashboard.tabs import (
    TAB_PANELS_MAX,
    TAB_TITLE_MAX,
    TABS_MAX,
    dashboard_payload,
    panel_names_text,
    tabs_dump,
    tabs_parse,
    tabs_problems,
)
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
from personas.figures import Tab
from personas.registry import Kind, generate_persona, kind_choices, kind_get, kind_names
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


TABS_FORMAT = "Title: panel, panel, panel"
# Room for the most tabs of the most panels, each name as long as a refused one shows.
TABS_TEXT_MAX = TABS_MAX * (TAB_TITLE_MAX + TAB_PANELS_MAX * 62)


def tabs_lines(tabs: Sequence[Tab]) -> str:
    """Tabs as staff edit them: one "Title: panel, panel" a line."""
    return "\n".join(f"{tab.title}: {', '.join(tab.panels)}" for tab in tabs)


def tabs_read(text: str) -> list[tuple[int, Tab]]:
    """Each typed line's number and its tab; the ValidationError names each line
    that is not a tab's title and panels."""
    numbered, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        # Panel names hold no colon, so a title may: split at the last.
        title, colon, panels = line.strip().rpartition(":")
        if colon:
            names = tuple(name.strip() for name in panels.split(",") if name.strip())
            numbered.append((number, Tab(title.strip(), names)))
        elif panels:
            errors.append(
                ValidationError(
                    f"Line {number}: write the tab's title, a “:” and its panels, "
                    f"as “{TABS_FORMAT}”.",
                    code="dashboard_tabs",
                )
            )
    if errors:
        raise ValidationError(errors)
    return numbered


def tabs_from_lines(text: str, kind: Kind) -> list[dict]:
    """Typed lines as the stored tabs for this kind; the ValidationError names each
    bad line. The kind's own defaults are stored as none, so the mode follows them."""
    numbered = tabs_read(text)
    tabs = tuple(tab for _, tab in numbered)
    if problems := tabs_problems(kind, tabs):
        raise ValidationError(
            [
                ValidationError(
                    problem.message
                    if problem.tab is None
                    else f"Line {numbered[problem.tab][0]}: {problem.message}",
                    code="dashboard_tabs",
                )
                for problem in problems
            ]
        )
    return [] if tabs == kind.tabs else tabs_dump(tabs)


class TabsField(forms.CharField):
    """A mode's dashboard tabs typed one tab a line; the form checks them against
    the persona kind being saved (ModeForm.clean_dashboard_tabs)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        kwargs.setdefault("help_text", tabs_help(None))
        super().__init__(max_length=TABS_TEXT_MAX, **kwargs)

    def prepare_value(self, value: object) -> object:
        """Stored tabs show as lines; typed text (a form with errors) as typed."""
        if isinstance(value, list):
            return tabs_lines(tabs_parse(value))
        return value

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            typed = tuple(tab for _, tab in tabs_read(data or ""))
        except ValidationError:
            return True
        return typed != tabs_parse(initial or [])


def tabs_help(kind: Kind | None, *, defaults_shown: bool = False) -> str:
    """The tab editor's help: the format, the limits and the kind's panel names."""
    text = (
        f"One tab a line, as “{TABS_FORMAT}”; at most {TABS_MAX} tabs of "
        f"{TAB_PANELS_MAX} panels. "
    )
    if kind is None:
        return text + (
            "The panels are the customer kind's datasets and metrics, listed here "
            "once the mode is saved with a kind. Empty: the kind's default tabs."
        )
    text += (
        f"{kind.label}'s panels (datasets, then metrics): {panel_names_text(kind)}. "
    )
    if not kind.tabs:
        return text + f"Empty: no dashboard, since {kind.label} has no default tabs."
    if defaults_shown:
        return text + (
            f"Shown: {kind.label}'s default tabs. Saved unchanged (or emptied), the "
            "mode keeps following the kind's defaults; edit them to give it its own."
        )
    return text + f"Empty: {kind.label}'s default tabs."


def _kind_or_none(name: object) -> Kind | None:
    return kind_get(name) if name in kind_names() else None


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
    dashboard_tabs = TabsField()

    class Meta:
        model = Mode
        # dashboard_tabs after persona_kind: its check reads the cleaned kind.
        fields = (
            *PAYLOAD_FIELDS,
            "persona_kind",
            "faker_locale",
            "aliases",
            "catalogue",
            "dashboard_tabs",
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
        if "dashboard_tabs" in self.fields:
            self._tabs_show()

    def _tabs_show(self) -> None:
        """The tab editor: the mode's tabs, or its kind's defaults when it has none
        of its own, with the panel names of the kind posted or saved."""
        saved = _kind_or_none(self.instance.persona_kind)
        defaults_shown = bool(saved and saved.tabs and not self.instance.dashboard_tabs)
        if defaults_shown:
            self.initial["dashboard_tabs"] = tabs_dump(saved.tabs)
        posted = _kind_or_none(self.data.get(self.add_prefix("persona_kind")))
        self.fields["dashboard_tabs"].help_text = tabs_help(
            posted or saved, defaults_shown=defaults_shown and not self.is_bound
        )

    def clean_dashboard_tabs(self) -> list[dict]:
        """Checked against the persona kind being saved, which may have just changed.
        Defaults shown and saved unchanged stay the defaults, of whichever kind."""
        kind = self.cleaned_data.get("persona_kind")
        unchanged = "dashboard_tabs" not in self.changed_data
        if not kind or (unchanged and not self.instance.dashboard_tabs):
            return []
        return tabs_from_lines(self.cleaned_data["dashboard_tabs"], kind_get(kind))

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
    dashboard_tabs = TabsField()

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
        result["dashboard"] = self._dashboard_preview(mode, persona)
        return result

    def _dashboard_preview(self, mode: Mode, persona: dict) -> dict:
        """The posted tabs computed for the posted customer, or their problems."""
        kind = kind_get(mode.persona_kind)
        try:
            mode.dashboard_tabs = tabs_from_lines(
                self.cleaned_data["dashboard_tabs"], kind
            )
        except ValidationError as error:
            return {"text": "", "problems": error.messages}
        try:
            dashboard = dashboard_payload(mode, persona)
        except (KeyError, TypeError, ValueError):
            # The typed tabs name another kind's figures (the kind was just changed).
            return {"text": "", "problems": [PREVIEW_TABS_UNFIT]}
        return {"text": dashboard_text(dashboard), "problems": []}


PREVIEW_TABS_UNFIT = (
    "These tabs name figures this customer kind does not have; empty the box to "
    "preview the kind's own tabs."
)


def dashboard_text(dashboard: dict) -> str:
    """Computed tabs as plain lines for the preview: a tab's title, then a line of
    figures for each of its panels."""
    lines = []
    for tab in dashboard["tabs"]:
        lines += [tab["title"], *(f"  {_panel_text(p)}" for p in tab["panels"])]
    return "\n".join(lines) or "No tabs: this customer kind has no dashboard."


def _panel_text(panel: dict) -> str:
    result = panel["result"]
    if panel["tool"] == "show_metrics":
        return " · ".join(
            f"{m['label']}: {m['value']} {m['unit']}" for m in result["metrics"]
        )
    series = "; ".join(
        f"{s['name']}: " + ", ".join(f"{p['label']} {p['value']}" for p in s["points"])
        for s in result["series"]
    )
    return f"{result['title']} ({result['chart_type']}, {result['unit']}) — {series}"


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
