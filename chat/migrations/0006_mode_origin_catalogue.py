"""Modes record where they came from (built-in, staff, generated) and carry a catalogue;
a conversation may carry the company its visitor named; kinds and locales come from the
persona registry."""

import django.db.models.deletion
from django.db import migrations, models

import personas.registry
import personas.sampling

# The modes migration 0002 installed, written out so this never depends on later code.
BUILT_IN_SLUGS = ("banking", "insurance", "healthcare")


def mark_built_in(apps, schema_editor):
    Mode = apps.get_model("chat", "Mode")
    Mode.objects.filter(slug__in=BUILT_IN_SLUGS).update(origin="builtin")


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0005_prompt_version_holds_greeting"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="company_name",
            field=models.CharField(
                blank=True,
                help_text="A company the visitor named (“you're a bank called Contoso”) for this conversation only; blank: the mode's.",
                max_length=120,
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="catalogue",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The goods or services this business sells, each with a price range in the mode's currency; the customer's orders and bookings are drawn from it. Empty: the customer kind's own.",
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="generated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="mode",
            name="generator",
            field=models.CharField(
                blank=True,
                help_text="offline, or the model that wrote it.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="industry_notes",
            field=models.TextField(
                blank=True,
                help_text="A few facts about the industry, passed to the prompt as {{ mode.industry_notes }}.",
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="is_approved",
            field=models.BooleanField(
                default=False,
                help_text="A generated mode appears in the page's picker only once approved; any active mode is reachable by its trigger.",
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                help_text="The mode this one was merged into: its aliases moved there.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="merged",
                to="chat.mode",
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="origin",
            field=models.CharField(
                choices=[
                    ("builtin", "Built-in"),
                    ("staff", "Staff"),
                    ("generated", "Generated"),
                ],
                default="staff",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="mode",
            name="request_text",
            field=models.CharField(
                blank=True,
                help_text="What the visitor asked for when this mode was generated.",
                max_length=300,
            ),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="persona_kind",
            field=models.CharField(
                choices=personas.registry.kind_choices, max_length=20
            ),
        ),
        migrations.AlterField(
            model_name="mode",
            name="faker_locale",
            field=models.CharField(
                choices=personas.sampling.locale_choices, default="en_US", max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="mode",
            name="persona_kind",
            field=models.CharField(
                choices=personas.registry.kind_choices, max_length=20
            ),
        ),
        migrations.RunPython(mark_built_in, migrations.RunPython.noop),
    ]
