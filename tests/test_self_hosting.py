"""The compose file and the environment it documents, checked without a Docker engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import ROOT, run_cli

# The shared copy when the checkout has one beside it; the copy kept in tests/ otherwise.
SHARED_SCHEMA = ROOT.parent / "shared" / "schemas" / "compose-spec.json"
SCHEMA = SHARED_SCHEMA if SHARED_SCHEMA.is_file() else ROOT / "tests" / "schemas" / "compose-spec.json"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema names draft-07 in a spelling jsonschema does not look up; say it outright.
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(compose())
    broken = {**compose(), "servics": {}}  # a typo of a top-level key
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)  # the check can fail


def test_each_chat_bot_runs_alone_from_one_image() -> None:
    services = compose()["services"]
    for name in ("discord", "slack"):
        service = services[name]
        assert service["command"] == ["python", "-m", "bot", "run", "--only", name]
        assert service["profiles"] == [name]  # a Slack-only user never starts Discord
        assert service["image"] == "panel-quotes:latest" and service["build"] == "."
        assert service["restart"] == "unless-stopped" and service["read_only"] is True
        assert "state:/state" in service["volumes"] and "./data:/data:ro" in service["volumes"]
        assert service["env_file"] == ".env"


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = set()
    for file in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        read |= set(re.findall(r"""env(?:iron)?\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""", file.read_text()))
    internal = {"XDG_CACHE_HOME", "XDG_STATE_HOME", "QUOTES_CACHE_DIR", "QUOTES_STATE_DIR", "TERM"}
    assert read - internal <= documented, sorted(read - internal - documented)


@pytest.mark.parametrize("only", ["discord", "slack"])
def test_a_service_without_its_token_stops_with_one_line(only: str, tmp_path: Path) -> None:
    env = {"DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "", "QUOTES_STATE_DIR": str(tmp_path)}
    done = run_cli("run", "--only", only, env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"--only {only} needs" in done.stderr
