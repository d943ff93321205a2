"""Admin validation for modes: templates are linted before they can reach a visitor."""

import threading

from django import forms

from chat.models import Mode
from chat.prompting.rendering import prompt_template_problems, render_checked
from chat.selectors import prompt_active_version
from chat.services import LastActiveModeError, mode_guard_last_active
from personas import MAX_SEED, generate_persona
from personas.registry import kind_choices
from personas.sampling import locale_choices

TEMPLATE_FIELDS = ("system_prompt", "greeting_template")
COLOUR_FIELDS = (
    "primary_color",
    "secondary_color",
    "background_color",
    "surface_color",
    "text_color",
)
# What a template's `mode` variables read; the live preview posts them unsaved.
PAYLOAD_FIELDS = ("slug", "name", "company_name", "tagline", *COLOUR_FIELDS)


class ColourInput(forms.TextInput):
    """The browser's colour picker; it always submits #rrggbb."""

    input_type = "color"


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

    class Meta:
        model = Mode
        fields = (
            *PAYLOAD_FIELDS,
            "persona_kind",
            "faker_locale",
            "aliases",
            "is_active",
            "display_order",
        )
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 2}),
            **dict.fromkeys(COLOUR_FIELDS, ColourInput),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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


class PromptPreviewForm(forms.Form):
    """What the live preview posts: the unsaved change form plus a customer seed."""

    system_prompt = forms.CharField(required=False, strip=False)
    greeting_template = forms.CharField(required=False, strip=False)
    persona_kind = forms.ChoiceField(choices=kind_choices)
    faker_locale = forms.ChoiceField(choices=locale_choices)
    seed = forms.IntegerField(min_value=0, max_value=MAX_SEED)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Half-typed values are fine here: the preview only shows them.
        for name in PAYLOAD_FIELDS:
            self.fields[name] = forms.CharField(required=False)

    def mode(self) -> Mode:
        """An unsaved mode carrying the posted values, for the templates' `mode`."""
        names = (*PAYLOAD_FIELDS, "persona_kind", "faker_locale")
        return Mode(**{name: self.cleaned_data[name] for name in names})

    def preview(self, cancelled: threading.Event | None = None) -> dict:
        """The posted templates rendered for the posted customer, or their problems.

        Pure (no database), so it may run in any thread; `cancelled` stops it.
        """
        mode = self.mode()
        persona = generate_persona(
            mode.persona_kind, self.cleaned_data["seed"], locale=mode.faker_locale
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
