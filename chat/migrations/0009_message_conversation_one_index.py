import django.db.models.deletion
from django.db import migrations, models

# The index Django made for the foreign key, by the name it derives on every backend.
INDEX = "chat_message_conversation_id_a1207bf4"


class Migration(migrations.Migration):
    """Only the index goes: as an AlterField, SQLite would copy the whole table and
    PostgreSQL re-check every message's foreign key under a lock."""

    dependencies = [
        ("chat", "0008_help_articles_default"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="chat.conversation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX "{INDEX}" ON "chat_message" ("conversation_id")'
                    ),
                ),
            ],
        ),
    ]
