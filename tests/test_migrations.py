"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL, and
every one of them can be undone and done again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import bot.chat.sqlstate  # noqa: F401  (declares the chat tables on the shared metadata)
from bot import Store
from bot.digest import migrations
from bot.digest.store import metadata

from .postgres import running_postgres, server_binaries

NO_POSTGRES = "NO POSTGRESQL SERVER BINARIES: install Debian's postgresql (CI does)"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    server_binaries() is None, reason=NO_POSTGRES))])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    with running_postgres() as url:
        yield url


def differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def alembic(engine: sa.Engine, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_the_newest_schema_is_the_declared_one(database: str) -> None:
    engine = Store.open(database).engine
    assert differences(engine) == []


def test_every_migration_is_undone_and_done_again(database: str) -> None:
    engine = Store.open(database).engine
    alembic(engine, "downgrade", "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    alembic(engine, "upgrade", "head")
    assert differences(engine) == []


def test_the_cooldown_starts_afresh_at_the_upgrade_to_0006(database: str) -> None:
    engine = Store.open(database).engine
    alembic(engine, "downgrade", "0005")
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO chat_commands (actor, at) VALUES ('slack:U1', 1.0)"))
    alembic(engine, "upgrade", "head")
    inspector = sa.inspect(engine)
    assert "chat_commands" not in inspector.get_table_names()
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM chat_cooldown")).scalar_one() == 0


def test_a_database_a_newer_bot_migrated_is_one_clear_line_and_left_alone(tmp_path: Path) -> None:
    from bot import QuoteBotError

    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    Store.open(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(QuoteBotError, match=r"revision 0099, which this version of the bot does not know"):
        Store.open(url)
    with engine.connect() as connection:  # nothing was changed
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0099"
