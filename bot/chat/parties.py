"""Who acts in a chat and where: what every front end tells the core with each event."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import DEFAULT


@dataclass(frozen=True, slots=True)
class Actor:
    """Who typed the command or pressed the button: the platform's user id, the language to
    answer in, and whether they may change this place's daily digest."""

    id: str
    language: str = DEFAULT
    manages: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where it happened: the platform's name and the channel's id there."""

    platform: str
    channel: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}"
