"""Moving the chat app's tables between migrations, for the data-migration tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def chat_migrate(target: str):
    """Migrate the chat app to `target`; the app registry as of that migration."""
    executor = MigrationExecutor(connection)
    executor.migrate([("chat", target)])
    executor.loader.build_graph()
    return executor.loader.project_state([("chat", target)]).apps


def chat_migrate_latest() -> None:
    """Back to the latest tables, for the tests after a migration test."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("chat"))
