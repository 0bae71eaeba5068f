"""Schema migrations with Alembic, applied when the store opens."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ...errors import QuoteBotError

_HERE = Path(__file__).resolve().parent
_ONE_AT_A_TIME = threading.Lock()
_LOCK_KEY = 0x5155_4F54  # "QUOT": this application's advisory lock


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; a no-op when it is there already.

    Replicas starting together take turns: a PostgreSQL advisory lock across processes, and a
    thread lock here because Alembic's context is global to the process.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_HERE))
    with _ONE_AT_A_TIME, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        scripts = ScriptDirectory.from_config(config)
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and current not in {script.revision for script in scripts.walk_revisions()}:
            raise QuoteBotError(f"the database's schema is at revision {current}, which this version of the bot "
                                f"does not know (its newest is {scripts.get_current_head()}): it was migrated by a "
                                "newer bot; run that one, or point DATABASE_URL at another database")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
