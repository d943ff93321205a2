"""A prompt version holds both of a mode's templates, and messages stop repeating
their conversation's customer.

Versions saved before this one never recorded a greeting: each gets its mode's current
greeting, the only one there is to give it. Every version and conversation is kept.
Going back puts the active version's greeting on its mode, and each message's seed and
as-of back from its conversation.
"""

from django.db import migrations, models


def greetings_into_versions(apps, schema_editor) -> None:
    """Give every existing version its mode's current greeting."""
    mode = apps.get_model("chat", "Mode")
    prompt_template = apps.get_model("chat", "PromptTemplate")
    for mode_pk, greeting in mode.objects.values_list("pk", "greeting_template"):
        prompt_template.objects.filter(mode_id=mode_pk).update(greeting=greeting)


def greetings_onto_modes(apps, schema_editor) -> None:
    """Put each mode's active greeting back on the mode."""
    prompt_template = apps.get_model("chat", "PromptTemplate")
    mode = apps.get_model("chat", "Mode")
    for mode_pk, greeting in prompt_template.objects.filter(is_active=True).values_list(
        "mode_id", "greeting"
    ):
        mode.objects.filter(pk=mode_pk).update(greeting_template=greeting)


def customers_onto_messages(apps, schema_editor) -> None:
    """Copy each conversation's seed and as-of back onto its messages."""
    message = apps.get_model("chat", "Message")
    conversation = apps.get_model("chat", "Conversation")
    rows = conversation.objects.values_list("pk", "seed", "as_of")
    for conversation_pk, seed, as_of in rows.iterator():
        message.objects.filter(conversation_id=conversation_pk).update(
            seed=seed, as_of=as_of
        )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0004_conversation_visitor_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="prompttemplate",
            name="greeting",
            field=models.TextField(
                default="",
                help_text="Django template syntax; the first assistant message after a switch.",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="prompttemplate",
            name="source",
            field=models.TextField(
                help_text="Django template syntax.", verbose_name="system prompt"
            ),
        ),
        migrations.RunPython(greetings_into_versions, greetings_onto_modes),
        # A default only so that going back can add the column to rows that exist.
        migrations.AlterField(
            model_name="mode",
            name="greeting_template",
            field=models.TextField(default=""),
        ),
        migrations.RemoveField(model_name="mode", name="greeting_template"),
        migrations.RunPython(migrations.RunPython.noop, customers_onto_messages),
        migrations.RemoveField(model_name="message", name="seed"),
        migrations.RemoveField(model_name="message", name="as_of"),
    ]
