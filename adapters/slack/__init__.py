"""Slack: how the core finds, checks and starts this platform (registered in pyproject.toml)."""

from __future__ import annotations

from bot import Platform

PLATFORM = Platform(
    name="slack", label="Slack", extra="slack", modules=("slack_bolt", "slack_sdk", "aiohttp", "cachetools",
                                                         "adapters.slack.app"),
    secrets=("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"), tokens=("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
    settings="adapters.slack.settings:SlackSettings", serve="adapters.slack.app:serve",
)
