import django.db.models.deletion
from django.db import migrations, models

# The index Django made for the foreign key, by the name it derives on every backend.
INDEX = "chat_conversation_mode_id_e6482b6f"


class Migration(migrations.Migration):
    """Only the index goes, as in 0009: the (mode, started) index serves every lookup
    of a mode's conversations, the foreign key's own included."""

    dependencies = [
        ("chat", "0009_message_conversation_one_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="mode",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conversations",
                        to="chat.mode",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX "{INDEX}" ON "chat_conversation" ("mode_id")'
                    ),
                ),
            ],
        ),
    ]
