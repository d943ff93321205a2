"""Staff edit modes, their help articles and prompts (with history, rollback and a
live preview) and read chat transcripts."""

import functools
import json
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from chat.forms import (
    TEMPLATE_FIELDS,
    HelpArticleForm,
    HelpArticleFormSet,
    ModeForm,
    ModeMergeForm,
    PromptPreviewForm,
)
from chat.models import Conversation, HelpArticle, Message, Mode, PromptTemplate
from chat.prompting.rendering import render_cancellable
from chat.services import (
    LastActiveModeError,
    help_articles_write,
    mode_guard_last_active,
    mode_save,
    modes_approve,
    modes_delete,
    modes_merge,
    modes_retire,
    prompt_version_rollback,
)

# Enough of a system prompt to tell its versions apart in the mode's version list.
SYSTEM_PROMPT_SHOWN_CHARS = 120
# Enough of the visitor key to tell visitors apart; the rest stays in the database.
VISITOR_ID_CHARS = 12
# Where a mode came from; read-only, since the generator and the visitor wrote them.
ORIGIN_FIELDS = ("origin", "merged_into", "request_text", "generator", "generated_at")


class ReadOnlyAdminMixin:
    """Records, not documents: staff may look, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple:
        """Every shown field, including the non-editable timestamps forms refuse."""
        return self.fields


class PromptTemplateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PromptTemplate
    fields = (
        "version",
        "is_active",
        "note",
        "greeting",
        "system_prompt_start",
        "created",
        "created_by",
        "rollback",
    )
    extra = 0
    verbose_name_plural = "prompt versions"

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """The history is part of the mode's page: whoever may see the mode sees it."""
        return self.admin_site.get_model_admin(Mode).has_view_permission(request, obj)

    @admin.display(description="System prompt")
    def system_prompt_start(self, version: PromptTemplate) -> str:
        """Enough to tell versions apart; the version's own page has all of it."""
        return Truncator(version.source).chars(SYSTEM_PROMPT_SHOWN_CHARS)

    @admin.display(description="")
    def rollback(self, version: PromptTemplate) -> str:
        # A form cannot nest inside the change form, so the button submits the
        # separate rollback form (see the change_form template) to its own URL.
        if version.is_active:
            return "In use"
        return format_html(
            '<button type="submit" form="prompt-rollback" formaction="{}" '
            'class="button">Roll back to v{}</button>',
            reverse("admin:chat_mode_rollback", args=[version.mode_id, version.pk]),
            version.version,
        )


class HelpArticleInline(admin.StackedInline):
    """A mode's how-tos, edited with the rest of the mode by whoever may edit it."""

    model = HelpArticle
    form = HelpArticleForm
    formset = HelpArticleFormSet
    extra = 0
    verbose_name_plural = "help articles"

    def _may_change_mode(self, request: HttpRequest, obj: object) -> bool:
        return self.admin_site.get_model_admin(Mode).has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site.get_model_admin(Mode).has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_change_mode(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_change_mode(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_change_mode(request, obj)


@admin.register(Mode)
class ModeAdmin(admin.ModelAdmin):
    form = ModeForm
    list_display = (
        "name",
        "company_name",
        "persona_kind",
        "origin",
        "approval",
        "is_active",
        "display_order",
        "active_prompt_version",
    )
    list_filter = ("origin", "is_approved", "is_active", "persona_kind")
    search_fields = ("name", "slug", "company_name", "aliases", "request_text")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ORIGIN_FIELDS
    inlines = [HelpArticleInline, PromptTemplateInline]
    actions = [
        "approve_selected",
        "retire_selected",
        "merge_selected",
        "delete_selected",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("name", "slug"),
                    ("company_name", "tagline"),
                    ("persona_kind", "faker_locale"),
                    "aliases",
                    ("is_active", "display_order"),
                )
            },
        ),
        (
            "Prompt and greeting",
            {
                "fields": TEMPLATE_FIELDS,
                "description": "Django template syntax. Use {{ persona.… }}, "
                "{{ mode.… }}, {{ customer_card }} (the customer's card as lines) and "
                "{{ help_articles }} (the help articles below that match the "
                "visitor's message, a title and its steps a line; empty when none "
                "do), and the filters money, long_date, clock_time and date.",
            },
        ),
        (
            "Industry",
            {"fields": ("catalogue", "industry_notes")},
        ),
        (
            "Dashboard",
            {
                "fields": ("dashboard_tabs",),
                "description": "The tabs beside the chat, each computed from the "
                "customer on the server.",
            },
        ),
        (
            "Theme",
            {
                "fields": (
                    ("primary_color", "secondary_color"),
                    ("background_color", "surface_color", "text_color"),
                )
            },
        ),
    )

    class Media:
        css = {"all": ["admin/chat/prompt_preview.css"]}
        js = ["admin/chat/prompt_preview.js"]

    def get_inlines(self, request: HttpRequest, obj: Mode | None) -> list:
        """Versions and articles exist once a mode does: a new mode starts with its
        kind's articles (services.mode_save), for staff to edit on its page."""
        return self.inlines if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: Mode | None = None) -> list:
        """An existing mode shows where it came from; a generated one what was asked."""
        if obj is None:
            return list(self.fieldsets)
        return [*self.fieldsets, ("Origin", {"fields": self._origin_fields(obj)})]

    def _origin_fields(self, mode: Mode) -> tuple:
        shown = ("origin", "merged_into") if mode.merged_into_id else ("origin",)
        if mode.origin != Mode.Origin.GENERATED:
            return shown
        return (*shown, "is_approved", "request_text", ("generator", "generated_at"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mode]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_version=Max(
                    "prompts__version", filter=Q(prompts__is_active=True)
                )
            )
        )

    @admin.display(description="Prompt", ordering="active_version")
    def active_prompt_version(self, mode: Mode) -> str:
        return f"v{mode.active_version}" if mode.active_version else "—"

    @admin.display(description="Approval", ordering="is_approved")
    def approval(self, mode: Mode) -> str:
        """Whether the page's picker offers it; only generated modes wait for staff."""
        if mode.origin != Mode.Origin.GENERATED:
            return "Not needed"
        return "Approved" if mode.is_approved else "Awaiting approval"

    @admin.action(
        permissions=["change"], description="Approve selected generated modes"
    )
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Mode]) -> None:
        self._modes_write(
            request,
            lambda: modes_approve(modes=queryset),
            lambda names: f"Approved {names}: the page's mode picker offers them now.",
        )

    @admin.action(permissions=["change"], description="Retire selected modes")
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[Mode]) -> None:
        self._modes_write(
            request,
            lambda: modes_retire(modes=queryset),
            lambda names: (
                f"Retired {names}: visitors can no longer switch to them; "
                "their conversations stay in the transcripts."
            ),
        )

    @admin.action(
        permissions=["change"], description="Merge selected modes into another mode"
    )
    def merge_selected(
        self, request: HttpRequest, queryset: QuerySet[Mode]
    ) -> TemplateResponse | None:
        """Ask for the target on a page of its own, then merge into it."""
        data = request.POST if "merge" in request.POST else None
        form = ModeMergeForm(data, sources=queryset)
        if not form.is_valid():
            return self._merge_page(request, queryset, form)
        target, sources = form.cleaned_data["target"], list(queryset)

        def merge() -> list[Mode]:
            modes_merge(sources=sources, target=target)
            return sources

        self._modes_write(
            request,
            merge,
            lambda names: (
                f"Merged {names} into {target}: the aliases moved there; "
                "the merged modes are retired and keep their conversations."
            ),
        )
        return None

    def _merge_page(
        self, request: HttpRequest, sources: QuerySet[Mode], form: ModeMergeForm
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge modes",
            "opts": self.opts,
            "sources": sources.annotate(conversation_count=Count("conversations")),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/chat/mode/merge.html", context)

    def _modes_write(
        self,
        request: HttpRequest,
        write: Callable[[], list[Mode]],
        done: Callable[[str], str],
    ) -> None:
        """Run an action's service; say what changed, or why nothing did."""
        try:
            changed = write()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        message = done(", ".join(mode.name for mode in changed))
        for mode in changed:
            self.log_change(request, mode, message)
        self.message_user(request, message, messages.SUCCESS)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "preview/",
                self._admin_async_view(self.preview_view),
                name="chat_mode_preview",
            ),
            path(
                "<path:object_id>/rollback/<int:version_pk>/",
                view(self.rollback_view),
                name="chat_mode_rollback",
            ),
            *super().get_urls(),
        ]

    def save_model(
        self, request: HttpRequest, obj: Mode, form: ModeForm, change: bool
    ) -> None:
        mode_save(
            mode=obj,
            user=request.user,
            system_prompt=form.cleaned_data["system_prompt"],
            greeting=form.cleaned_data["greeting_template"],
        )

    def save_formset(
        self, request: HttpRequest, form: ModeForm, formset, change: bool
    ) -> None:
        """Articles are written by the service, which tells open chats."""
        if formset.model is not HelpArticle:
            super().save_formset(request, form, formset, change)
            return
        saved = formset.save(commit=False)
        if saved or formset.deleted_objects:
            help_articles_write(
                mode=form.instance, saved=saved, deleted=formset.deleted_objects
            )

    def delete_model(self, request: HttpRequest, obj: Mode) -> None:
        modes_delete(modes=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Mode]) -> None:
        modes_delete(modes=queryset)

    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple:
        """A mode's prompt versions and help articles go with it, though they have no
        admin of their own to give staff permissions on."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        perms_needed.discard(PromptTemplate._meta.verbose_name)
        perms_needed.discard(HelpArticle._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """Refuse up front, with a message, to delete the last active mode."""
        mode = self.get_object(request, unquote(object_id))
        if mode is not None and not self._may_retire(request, [mode]):
            return redirect("admin:chat_mode_change", mode.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(
        permissions=["delete"],
        description=admin_actions.delete_selected.short_description,
    )
    def delete_selected(
        self, request: HttpRequest, queryset: QuerySet[Mode]
    ) -> HttpResponse | None:
        """Django's bulk delete, unless it would leave no active mode."""
        if not self._may_retire(request, queryset):
            return None
        return admin_actions.delete_selected(self, request, queryset)

    def _may_retire(self, request: HttpRequest, modes: list | QuerySet) -> bool:
        try:
            mode_guard_last_active(retiring=modes)
        except LastActiveModeError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        return True

    @method_decorator(require_POST)
    def rollback_view(
        self, request: HttpRequest, object_id: str, version_pk: int
    ) -> HttpResponse:
        mode = self.get_object(request, unquote(object_id))
        if mode is None or not self.has_change_permission(request, mode):
            raise PermissionDenied
        old = get_object_or_404(mode.prompts, pk=version_pk)
        new = prompt_version_rollback(version=old, user=request.user)
        message = (
            f"Rolled the prompt and greeting back to v{old.version}; "
            f"it is now v{new.version}."
        )
        self.log_change(request, mode, message)
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:chat_mode_change", mode.pk)

    def _admin_async_view(self, view: Callable) -> Callable:
        """admin_view for a coroutine view, which Django's sync wrapper cannot await."""

        @functools.wraps(view)
        async def staff_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not await sync_to_async(self.admin_site.has_permission)(request):
                login = reverse("admin:login", current_app=self.admin_site.name)
                return redirect_to_login(request.get_full_path(), login)
            return await view(request, *args, **kwargs)

        return csrf_protect(never_cache(staff_only))

    @method_decorator(require_POST)
    async def preview_view(self, request: HttpRequest) -> JsonResponse:
        """The unsaved templates rendered for a generated customer, or the problems.

        Async so that Django cancels it when the browser drops the request (the page
        posts on every pause in typing); render_cancellable stops the render too.
        """
        if not await sync_to_async(self._may_preview)(request):
            raise PermissionDenied
        form = PromptPreviewForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse(await render_cancellable(form.preview))

    def _may_preview(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) or self.has_add_permission(request)


def tool_call_summary(call: dict) -> str:
    """One stored tool call in a line: what it asked for, then what it drew or why
    it drew nothing."""
    arguments = call.get("arguments")
    if isinstance(arguments, dict):
        arguments = ", ".join(
            f"{name}={value if isinstance(value, str) else json.dumps(value)}"
            for name, value in arguments.items()
        )
    asked = Truncator(arguments or "").chars(120)
    if error := call.get("error"):
        said = f"{error.get('code')}: {error.get('message')}"
        return f"{call.get('tool')}({asked}) → {said}"
    drew = Truncator(_figures_summary(call.get("result") or {})).chars(120)
    return f"{call.get('tool')}({asked}) → {drew}"


def _figures_summary(result: dict) -> str:
    """A chart's title, type and points, or the tiles' labels and values."""
    if "metrics" in result:
        return ", ".join(
            f"{m.get('label')} {m.get('value')}" for m in result["metrics"]
        )
    points = ", ".join(
        f"{point.get('label')} {point.get('value')}"
        for series in result.get("series", ())
        for point in series.get("points", ())
    )
    return f"{result.get('title')} ({result.get('chart_type')}): {points}"


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Message
    fields = (
        "role",
        "content",
        "tool_calls_shown",
        "status",
        "created",
        "time_to_first_token_ms",
        "duration_ms",
        "prompt_version",
        "backend",
        "model",
    )
    extra = 0

    @admin.display(description="Tool calls")
    def tool_calls_shown(self, message: Message) -> str:
        """The dashboard tools the reply called, a line each."""
        lines = ((tool_call_summary(call),) for call in message.tool_calls)
        return format_html_join(mark_safe("<br>"), "{}", lines) or "—"


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Transcripts, grouped by visitor through a short id: never a session key."""

    list_display = ("__str__", "mode", "started", "message_count", "visitor")
    list_filter = ("mode", "started")
    date_hierarchy = "started"
    search_fields = ("^visitor_key", "messages__content")
    list_select_related = ("mode",)
    fields = ("mode", "visitor", "seed", "as_of", "started", "customer")
    inlines = [MessageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).annotate(message_count=Count("messages"))

    @admin.display(description="Messages", ordering="message_count")
    def message_count(self, conversation: Conversation) -> int:
        return conversation.message_count

    @admin.display(description="Visitor id")
    def visitor(self, conversation: Conversation) -> str:
        """The visitor key's first characters, linked to all of that visitor's chats."""
        visitor_id = conversation.visitor_key[:VISITOR_ID_CHARS]
        if not visitor_id:
            return "—"
        url = reverse("admin:chat_conversation_changelist")
        return format_html('<a href="{}?q={}">{}</a>', url, visitor_id, visitor_id)

    @admin.display(description="Customer")
    def customer(self, conversation: Conversation) -> str:
        return format_html("<pre>{}</pre>", json.dumps(conversation.persona, indent=2))


@admin.register(PromptTemplate)
class PromptTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every version of every prompt; edits and rollbacks happen on the mode page."""

    list_display = ("mode", "version", "is_active", "note", "created", "created_by")
    list_filter = ("mode", "is_active", "created")
    search_fields = ("source", "greeting", "note", "mode__name")
    list_select_related = ("mode", "created_by")
    fields = (
        "mode",
        "version",
        "is_active",
        "note",
        "created",
        "created_by",
        "source",
        "greeting",
    )
