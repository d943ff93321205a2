"""Conversations keep a keyed hash of the visitor's session key, never the key itself.

The stored keys are hashed in place, so a visitor with an earlier conversation still
resumes it. Going back keeps the hashes: a hash cannot be turned back into its key,
and the old code merely starts such visitors a new conversation.
"""

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def visitor_key(session_key: str) -> str:
    """A session key's keyed hash, inlined: a migration must not run app code that
    may change. It must stay equal to chat.conversation.visits.visitor_key."""
    return salted_hmac("chat.visitor", session_key, algorithm="sha256").hexdigest()


def session_keys_hash(apps, schema_editor) -> None:
    """Replace every stored session key with its visitor key."""
    conversation = apps.get_model("chat", "Conversation")
    session_keys = set(
        conversation.objects.exclude(visitor_key="")
        .order_by()
        .values_list("visitor_key", flat=True)
        .distinct()
    )
    for session_key in session_keys:
        conversation.objects.filter(visitor_key=session_key).update(
            visitor_key=visitor_key(session_key)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_message_finish_reason_updated"),
    ]

    operations = [
        migrations.RenameField(
            model_name="conversation", old_name="session_key", new_name="visitor_key"
        ),
        migrations.AlterField(
            model_name="conversation",
            name="visitor_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="A keyed hash of the visitor's session key (chat.conversation.visits.visitor_key), never the key itself: blank for a visitor without a session.",
                max_length=64,
            ),
        ),
        migrations.RunPython(session_keys_hash, migrations.RunPython.noop),
    ]
