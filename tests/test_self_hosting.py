"""The compose file and the environment it documents, checked without a Docker engine."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import ROOT, Ran

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


def test_slack_replicas_share_postgresql_behind_caddy() -> None:
    services = compose()["services"]
    replicas, caddy = services["slack-http"], services["caddy"]
    assert replicas["command"] == ["python", "-m", "bot", "run", "--only", "slack"]
    assert replicas["deploy"]["replicas"] >= 2 and replicas["profiles"] == caddy["profiles"] == ["slack-replicas"]
    assert replicas["environment"]["SLACK_APP_TOKEN"] == ""  # HTTP mode: a signed request per event
    assert replicas["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    caddyfile = (ROOT / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy /slack/events" in caddyfile and "dynamic a slack-http 3000" in caddyfile
    assert "{$SLACK_DOMAIN}" in caddyfile and "SLACK_DOMAIN" in (ROOT / ".env.example").read_text(encoding="utf-8")


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
def test_a_service_without_its_token_stops_with_one_line(only: str, tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    env = {"DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "", "QUOTES_STATE_DIR": str(tmp_path)}
    done = cli_main("run", "--only", only, env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"--only {only} needs" in done.stderr


def test_slack_manifest_declares_what_the_app_uses() -> None:
    manifest = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/quote"]
    assert manifest["oauth_config"]["scopes"]["bot"] == ["commands", "chat:write", "files:write", "users:read",
                                                         "channels:history", "groups:history"]
    assert manifest["settings"]["interactivity"]["is_enabled"] and manifest["settings"]["socket_mode_enabled"]


def test_discord_invite_link_asks_for_the_least_it_needs(cli_main: Callable[..., Ran]) -> None:
    import base64

    token = base64.b64encode(b"900000000000000001").decode().rstrip("=") + ".part.secret"
    done = cli_main("discord-invite", env={"DISCORD_TOKEN": token})
    assert done.stdout.strip() == ("https://discord.com/oauth2/authorize?client_id=900000000000000001"
                                   "&scope=bot%20applications.commands&permissions=52224")
    assert "secret" not in done.stdout + done.stderr
    bad = cli_main("discord-invite", env={"DISCORD_TOKEN": "not-a-token"})
    assert bad.returncode == 2 and "set DISCORD_APPLICATION_ID" in bad.stderr


def test_check_reports_each_problem_on_its_own_line(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    (tmp_path / "bad.yaml").write_text("panel: [\n", encoding="utf-8")
    env = {"DISCORD_TOKEN": "xoxb-1", "SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "",
           "DATABASE_URL": "postgresql+psycopg://quotes:hunter2@127.0.0.1:1/quotes"}
    done = cli_main("check", "--data", str(tmp_path), env=env)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and len(lines) == 4
    assert lines[0].startswith("DISCORD_TOKEN holds a Slack token")
    assert lines[1].startswith("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    assert lines[2].startswith(f"{tmp_path / 'bad.yaml'}:")
    assert lines[3].startswith("cannot open the database") and "hunter2" not in done.stdout


def test_check_passes_on_a_good_setup(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    done = cli_main("check", env={"QUOTES_STATE_DIR": str(tmp_path), "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "",
                                 "SLACK_APP_TOKEN": "", "DATABASE_URL": ""})
    assert done.returncode == 0 and done.stdout == "" and done.stderr.startswith("ok: 40 quotes")


def test_logs_are_one_line_per_event_and_never_hold_a_secret() -> None:
    import io
    import logging

    from bot.platforms import installed, secrets
    from bot.terminal.logs import configure

    env = {"LOG_LEVEL": "INFO", "LOG_FORMAT": "json", "DISCORD_TOKEN": "MTIz.secret.token-value",
           "DATABASE_URL": "postgresql+psycopg://quotes:hunter22@db/quotes"}
    configure(env, secrets(installed(), env))  # each platform names its own secrets
    stream = io.StringIO()
    logging.getLogger().handlers[0].stream = stream  # type: ignore[attr-defined]
    log = logging.getLogger("test")
    log.info("connecting with %s to %s", env["DISCORD_TOKEN"], env["DATABASE_URL"])
    try:
        raise RuntimeError(f"token {env['DISCORD_TOKEN']} rejected")
    except RuntimeError:
        log.exception("it failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["message"].startswith("connecting with *** to")
    assert "hunter22" not in lines[0] and "secret.token-value" not in stream.getvalue()
    assert second["message"] == "it failed" and "RuntimeError: token *** rejected" in second["error"]
    logging.getLogger().handlers.clear()


@pytest.mark.parametrize("service", ["discord", "slack"])
async def test_each_compose_service_command_runs_on_the_host(service: str, tmp_path: Path) -> None:
    """The service's own command and environment, with the fakes standing in for the platforms."""
    import asyncio
    import os
    import socket
    import subprocess
    import sys

    from .fakes.discord import FakeDiscord
    from .fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

    spec = compose()["services"][service]
    command = spec["command"]
    assert command[:3] == ["python", "-m", "bot"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with asyncio.timeout(90):
        fake: FakeDiscord | FakeSlack = FakeDiscord() if service == "discord" else FakeSlack()
        await fake.start()
        env = {**os.environ, **{k: str(v) for k, v in spec.get("environment", {}).items()},
               "QUOTES_STATE_DIR": str(tmp_path), "HEALTH_PORT": "0", "QUOTE_COOLDOWN": "off"}
        if isinstance(fake, FakeDiscord):
            env |= {"DISCORD_TOKEN": fake.token, "DISCORD_API_URL": fake.api_url,
                    "DISCORD_GATEWAY_URL": fake.gateway_url}
        else:
            # The container listens on 0.0.0.0 behind its published port; a test stays on loopback.
            env |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": "",
                    "SLACK_API_URL": fake.api_url, "SLACK_HTTP_HOST": "127.0.0.1", "SLACK_HTTP_PORT": str(port)}
        process = subprocess.Popen([sys.executable, *command[1:]], cwd=ROOT, env=env, stderr=subprocess.PIPE)
        try:
            if isinstance(fake, FakeDiscord):
                await fake.ready(timeout=30)
                answer = await fake.callback_for(await fake.command("quote", {"keyword": "奇瑞"}), timeout=30)
                assert "奇瑞" in answer.body["data"]["embeds"][0]["description"]
            else:
                for _ in range(300):
                    try:
                        status, body = await FakeSlack.post(f"http://127.0.0.1:{port}/slack/events",
                                                            fake.slash_command("奇瑞"))
                        break
                    except OSError:
                        await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the Slack service never listened")
                assert status == 200 and "blocks" in json.loads(body)
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 30)
            await fake.stop()
        assert process.returncode == 0


def test_check_only_requires_that_platforms_tokens(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    env = {"QUOTES_STATE_DIR": str(tmp_path), "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "",
           "DATABASE_URL": ""}
    done = cli_main("check", "--only", "slack", env=env)
    assert done.returncode == 1
    assert done.stdout.startswith("SLACK_BOT_TOKEN is not set") and done.stdout.count("\n") == 1
