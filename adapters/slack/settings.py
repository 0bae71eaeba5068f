"""The Slack front end's settings, read from the environment by its entry point only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import ChatDefaults, QuoteBotError


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)  # set: Socket Mode; unset: HTTP mode
    signing_secret: str | None = field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_url: str | None = None
    cooldown: str = "5/30"
    digest_admins_only: bool = True
    digest_timezone: str = "UTC"
    language: str = "en"  # QUOTES_LOCALE: for whoever has no language of their own, and digest posts

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SlackSettings:
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not bot_token:
            raise QuoteBotError("SLACK_BOT_TOKEN is not set: the app's Bot User OAuth Token (xoxb-...)")
        if not bot_token.startswith("xoxb-"):
            raise QuoteBotError("SLACK_BOT_TOKEN must be a bot token starting with xoxb- (an xapp- token goes in "
                                "SLACK_APP_TOKEN)")
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token and not app_token.startswith("xapp-"):
            raise QuoteBotError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode)")
        secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
        if app_token is None and secret is None:
            raise QuoteBotError("SLACK_SIGNING_SECRET is not set: HTTP mode (no SLACK_APP_TOKEN) verifies every "
                                "request with it")
        port_text = env.get("SLACK_HTTP_PORT", "3000")
        if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
            raise QuoteBotError(f"SLACK_HTTP_PORT={port_text!r}: expected a port number")
        api = env.get("SLACK_API_URL") or None
        if api and not api.endswith("/"):
            raise QuoteBotError(f"SLACK_API_URL={api!r} must end with /, like https://slack.com/api/")
        shared = ChatDefaults.from_env(env)  # fail at start, naming the variable, not at the first command
        admins_only = env.get("SLACK_DIGEST_ADMINS_ONLY", "true").strip().lower()
        if admins_only not in ("true", "false", "1", "0", "yes", "no"):
            raise QuoteBotError(f"SLACK_DIGEST_ADMINS_ONLY={admins_only!r}: expected true or false")
        return cls(bot_token, app_token, secret, env.get("SLACK_HTTP_HOST", "127.0.0.1"), int(port_text), api,
                   shared.cooldown, admins_only in ("true", "1", "yes"), shared.timezone, shared.language)
