"""Modes (industries), their help articles and versioned prompt templates, and chat
transcripts."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q

from personas.articles import Article
from personas.registry import kind_choices
from personas.sampling import locale_choices

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb, for example #1a5276.", "colour"
)

# A help article's keyword: a word, or a short phrase of words joined by spaces,
# hyphens or apostrophes ("lost card", "break-in", "can't pay").
HELP_KEYWORD_MAX_WORDS = 4
HELP_BODY_MAX_CHARS = 2000
_HELP_KEYWORD = re.compile(r"[^\W_]+(?:(?: |-|'|’)[^\W_]+)*")


def help_keywords_validate(value: str) -> None:
    """Comma-separated keywords: at least one, each a word or a short phrase, each
    once; the message names every keyword to fix."""
    keywords = [" ".join(part.split()) for part in value.split(",")]
    keywords = [keyword for keyword in keywords if keyword]
    if not keywords:
        raise ValidationError(
            "Give at least one keyword a visitor might use, e.g. “claim, accident”.",
            code="keywords_missing",
        )
    problems, seen = [], set()
    for keyword in keywords:
        if problem := _keyword_problem(keyword, seen):
            problems.append(ValidationError(problem, code="keyword"))
        seen.add(keyword.casefold())
    if problems:
        raise ValidationError(problems)


def _keyword_problem(keyword: str, seen: set[str]) -> str | None:
    if not _HELP_KEYWORD.fullmatch(keyword):
        return (
            f"“{keyword}” is not a word or a short phrase: use letters and digits, "
            "with spaces, hyphens or apostrophes between words."
        )
    if (size := len(keyword.split())) > HELP_KEYWORD_MAX_WORDS:
        return (
            f"“{keyword}” has {size} words; keep each keyword to "
            f"{HELP_KEYWORD_MAX_WORDS} or fewer, and put commas between keywords."
        )
    if keyword.casefold() in seen:
        return f"“{keyword}” is listed twice: list each keyword once."
    return None


class Mode(models.Model):
    class Origin(models.TextChoices):
        BUILT_IN = "builtin", "Built-in"
        STAFF = "staff", "Staff"
        GENERATED = "generated", "Generated"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    company_name = models.CharField(max_length=120)
    tagline = models.CharField(max_length=200, blank=True)
    persona_kind = models.CharField(max_length=20, choices=kind_choices)
    aliases = models.TextField(
        blank=True,
        help_text="Comma-separated words a visitor may use for this mode, "
        "e.g. “bank, banking, credit union”.",
    )
    primary_color = models.CharField(max_length=7, validators=[hex_colour])
    secondary_color = models.CharField(max_length=7, validators=[hex_colour])
    background_color = models.CharField(max_length=7, validators=[hex_colour])
    surface_color = models.CharField(max_length=7, validators=[hex_colour])
    text_color = models.CharField(max_length=7, validators=[hex_colour])
    faker_locale = models.CharField(
        max_length=10, choices=locale_choices, default="en_US"
    )
    catalogue = models.JSONField(
        default=list,
        blank=True,
        help_text="The goods or services this business sells, each with a price range "
        "in the mode's currency; the customer's orders and bookings are drawn from it. "
        "Empty: the customer kind's own.",
    )
    industry_notes = models.TextField(
        blank=True,
        help_text="A few facts about the industry, passed to the prompt as "
        "{{ mode.industry_notes }}.",
    )
    dashboard_tabs = models.JSONField(
        default=list,
        blank=True,
        help_text="The dashboard's tabs, each a title and its panels (the customer "
        "kind's datasets and metrics). Empty: the customer kind's own.",
    )
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.STAFF
    )
    is_approved = models.BooleanField(
        default=False,
        help_text="A generated mode appears in the page's picker only once approved; "
        "any active mode is reachable by its trigger.",
    )
    request_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the visitor asked for when this mode was generated.",
    )
    generator = models.CharField(
        max_length=100, blank=True, help_text="offline, or the model that wrote it."
    )
    generated_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        help_text="The mode this one was merged into: its aliases moved there.",
    )
    is_active = models.BooleanField(default=True)
    display_order = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = "mode"

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class HelpArticle(models.Model):
    """A how-to the assistant answers from ("How do I file a claim?"), per mode."""

    mode = models.ForeignKey(
        Mode, on_delete=models.CASCADE, related_name="help_articles"
    )
    title = models.CharField(max_length=120)
    body = models.TextField(
        max_length=HELP_BODY_MAX_CHARS,
        validators=[MaxLengthValidator(HELP_BODY_MAX_CHARS)],
        help_text="The steps, in plain sentences.",
    )
    keywords = models.CharField(
        max_length=300,
        validators=[help_keywords_validate],
        help_text="Comma-separated words a visitor might use, e.g. claim, accident.",
    )
    display_order = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mode", "display_order", "title"]
        verbose_name = "help article"
        constraints = [
            models.UniqueConstraint(
                fields=["mode", "title"], name="help_article_title_unique_per_mode"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def article(self) -> Article:
        """The article as the backends and the offline model read it."""
        return Article(
            title=self.title, body=self.body, keywords=tuple(self.keyword_list)
        )


class PromptTemplate(models.Model):
    """One saved version of a mode's words, its system prompt and its greeting, so a
    rollback restores both and a reply names what it was made from; exactly one per
    mode is active."""

    mode = models.ForeignKey(Mode, on_delete=models.CASCADE, related_name="prompts")
    version = models.PositiveIntegerField()
    source = models.TextField(
        verbose_name="system prompt", help_text="Django template syntax."
    )
    greeting = models.TextField(
        help_text="Django template syntax; the first assistant message after a switch."
    )
    is_active = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["mode", "-version"]
        verbose_name = "prompt template version"
        constraints = [
            models.UniqueConstraint(
                fields=["mode", "version"], name="prompt_version_unique_per_mode"
            ),
            models.UniqueConstraint(
                fields=["mode"],
                condition=Q(is_active=True),
                name="prompt_one_active_per_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mode} prompt v{self.version}"


class Conversation(models.Model):
    visitor_key = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="A keyed hash of the visitor's session key (chat.conversation.visits."
        "visitor_key), never the key itself: blank for a visitor without a session.",
    )
    # No index of its own: Meta's (mode, started) one serves its lookups, and each
    # index is one more write for every conversation started (migration 0010).
    mode = models.ForeignKey(
        Mode, on_delete=models.PROTECT, related_name="conversations", db_index=False
    )
    seed = models.BigIntegerField()
    as_of = models.DateField()
    company_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="A company the visitor named (“you're a bank called Contoso”) "
        "for this conversation only; blank: the mode's.",
    )
    persona_kind = models.CharField(max_length=20, choices=kind_choices)
    persona = models.JSONField(
        help_text="The customer as generated for this conversation."
    )
    started = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-started"]
        indexes = [models.Index(fields=["mode", "started"])]

    def __str__(self) -> str:
        return f"{self.mode} conversation #{self.pk}"


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Visitor"
        ASSISTANT = "assistant", "Assistant"

    class Status(models.TextChoices):
        STREAMING = "streaming", "Streaming"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    # No index of its own: Meta's (conversation, created) one serves its lookups and
    # cascades, and a second would cost every message written.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.COMPLETE
    )
    created = models.DateTimeField(auto_now_add=True)
    time_to_first_token_ms = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    prompt_version = models.ForeignKey(
        PromptTemplate, null=True, blank=True, on_delete=models.SET_NULL
    )
    backend = models.CharField(max_length=20, blank=True)
    model = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    finish_reason = models.CharField(
        max_length=20,
        blank=True,
        help_text="Why a reply ended: stop, or a cap (length, time_limit) or the "
        "model's own reason.",
    )
    tool_calls = models.JSONField(
        default=list,
        blank=True,
        help_text="The dashboard tools the reply called, each with its arguments and "
        "its result or error, in the order they arrived.",
    )
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["conversation", "created"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.content[:60]}"
