"""Quote start times: the clock label, links to the moment in a recording, and escaping URLs."""

from __future__ import annotations

import math

import pytest

from bot.models import Panel, Quote, Speaker
from bot.panels.moments import Moment, clock, escape_url, moment, moment_url


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"), (4, "0:04"), (4.99, "0:04"), (59.999, "0:59"), (60, "1:00"), (754, "12:34"), (3599.9, "59:59"),
    (3600, "1:00:00"), (3723, "1:02:03"), (36000 + 61, "10:01:01"),
])
def test_clock_shows_hours_only_from_one_hour_and_floors_seconds(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


@pytest.mark.parametrize("seconds", [-1, -0.5, math.nan, math.inf])
def test_clock_refuses_a_time_that_is_not_in_a_recording(seconds: float) -> None:
    with pytest.raises(ValueError):
        clock(seconds)


@pytest.mark.parametrize(("recording", "link"), [
    ("https://www.youtube.com/watch?v=abc_1-x&list=PL9", "https://www.youtube.com/watch?v=abc_1-x&list=PL9&t=754"),
    ("https://youtube.com/watch?v=abc", "https://youtube.com/watch?v=abc&t=754"),
    ("https://m.youtube.com/watch?v=abc", "https://m.youtube.com/watch?v=abc&t=754"),
    ("https://music.youtube.com/watch?v=abc", "https://music.youtube.com/watch?v=abc&t=754"),
    ("https://WWW.YouTube.com/watch?v=abc", "https://WWW.YouTube.com/watch?v=abc&t=754"),
    ("https://youtu.be/abc", "https://youtu.be/abc?t=754"),
    ("https://youtu.be/abc?si=tracking", "https://youtu.be/abc?si=tracking&t=754"),
    ("https://www.bilibili.com/video/BV1xx411c7mD?p=2", "https://www.bilibili.com/video/BV1xx411c7mD?p=2&t=754"),
    ("https://bilibili.com/video/BV1xx411c7mD", "https://bilibili.com/video/BV1xx411c7mD?t=754"),
    ("https://m.bilibili.com/video/BV1xx411c7mD", "https://m.bilibili.com/video/BV1xx411c7mD?t=754"),
    ("https://b23.tv/AbCdEf", "https://b23.tv/AbCdEf?t=754"),
])
def test_youtube_and_bilibili_links_set_t_in_whole_seconds(recording: str, link: str) -> None:
    assert moment_url(recording, 754.9) == link


@pytest.mark.parametrize(("recording", "link"), [
    ("https://www.youtube.com/watch?t=1m30s&v=abc", "https://www.youtube.com/watch?v=abc&t=754"),
    ("https://youtu.be/abc?t=90", "https://youtu.be/abc?t=754"),
    ("https://b23.tv/AbCdEf?t=5&share=1", "https://b23.tv/AbCdEf?share=1&t=754"),
])
def test_an_existing_t_parameter_is_replaced(recording: str, link: str) -> None:
    assert moment_url(recording, 754) == link


@pytest.mark.parametrize(("seconds", "fragment"), [(754, "t=754"), (754.0, "t=754"), (754.5, "t=754.5"),
                                                   (754.126, "t=754.13"), (0.999, "t=1"), (0, "t=0")])
def test_other_recordings_get_a_media_fragment(seconds: float, fragment: str) -> None:
    assert moment_url("https://cdn.example.org/talks/panel.mp4", seconds) == \
        f"https://cdn.example.org/talks/panel.mp4#{fragment}"


@pytest.mark.parametrize("recording", ["https://example.org/panel.mp4#t=30", "https://example.org/panel.mp4#chapter-2"])
def test_an_existing_fragment_is_replaced(recording: str) -> None:
    assert moment_url(recording, 754) == "https://example.org/panel.mp4#t=754"


@pytest.mark.parametrize("recording", ["https://youtube.com.evil.example/watch?v=abc", "https://notyoutube.com/v",
                                       "https://example.org/youtu.be/abc", "https://youtu.be@evil.example/abc"])
def test_only_the_real_hosts_get_a_t_parameter(recording: str) -> None:
    assert moment_url(recording, 754).endswith("#t=754")


SPEAKER = Speaker("ada", "Ada Lovelace", "Analyst", "panelist", "p")


def quote_at(start: float | None) -> Quote:
    return Quote("q1", "p", SPEAKER, None, "The engine weaves algebraic patterns.", 1, start)


def panel_recorded_at(recording: str | None) -> Panel:
    return Panel("p", "Test panel", "", None, None, recording=recording)


def test_a_quote_with_a_start_has_a_moment_linked_into_the_recording() -> None:
    said = moment(panel_recorded_at("https://youtu.be/abc"), quote_at(754.0))
    assert said == Moment(754.0, "12:34", "https://youtu.be/abc?t=754")


def test_a_panel_without_a_recording_gives_the_time_alone() -> None:
    assert moment(panel_recorded_at(None), quote_at(754.0)) == Moment(754.0, "12:34", None)


def test_a_recording_that_is_not_a_web_url_is_never_linked() -> None:
    assert moment(panel_recorded_at("javascript:alert(1)"), quote_at(754.0)) == Moment(754.0, "12:34", None)


def test_a_quote_without_a_start_has_no_moment() -> None:
    assert moment(panel_recorded_at("https://youtu.be/abc"), quote_at(None)) is None


def test_escape_url_encodes_spaces_invisible_characters_and_the_ones_asked_for() -> None:
    assert escape_url("https://x.org/a b\t\x1b\u200b)|", ")") == "https://x.org/a%20b%09%1B%E2%80%8B%29|"
    assert escape_url("https://x.org/视频?v=a_b~c") == "https://x.org/视频?v=a_b~c"
