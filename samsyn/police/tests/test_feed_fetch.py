"""The police events feed is fetched through the outbound client (no network here:
a fake name table and a mock transport)."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from django.core.management.base import CommandError

from samsyn.lib import outbound
from samsyn.police.management.commands.import_police_events import (
    URL_MAX_BYTES,
    open_source,
)

FEED = "https://polisen.se/api/events"


def read_source(source: str) -> bytes:
    stream, size = open_source(source)
    body = stream.read()
    assert len(body) == size
    return body


@pytest.fixture
def network(monkeypatch, settings):  # type: ignore[no-untyped-def]
    settings.SAMSYN_OUTBOUND_ALLOW = []
    names = {"polisen.se": "154.61.71.77", "feed.internal.example": "10.1.2.3"}
    monkeypatch.setattr(
        outbound,
        "resolve",
        lambda host, port: [ipaddress.ip_address(names[host])],
    )
    calls: list[httpx.Request] = []
    answers: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answers.pop(0) if answers else httpx.Response(200, content=b"[]")

    monkeypatch.setattr(outbound, "transport", httpx.MockTransport(handler))
    return calls, answers


def test_it_fetches_the_feed_from_the_address_it_checked(network):
    calls, _ = network
    assert read_source(FEED) == b"[]"
    [req] = calls
    assert req.url.host == "154.61.71.77"
    assert req.headers["Host"] == "polisen.se"
    assert "Samsyn" in req.headers["User-Agent"]


def test_it_refuses_a_feed_at_a_private_address(network):
    calls, _ = network
    with pytest.raises(CommandError, match="could not be fetched"):
        read_source("https://feed.internal.example/events")
    assert calls == []


def test_it_does_not_follow_a_redirect_and_says_what_came(network):
    calls, answers = network
    answers.append(httpx.Response(301, headers={"Location": "https://10.1.2.3/"}))
    with pytest.raises(CommandError, match="HTTP 301"):
        read_source(FEED)
    assert len(calls) == 1


def test_it_refuses_an_answer_over_the_limit_and_points_to_a_file(network):
    _, answers = network
    answers.append(httpx.Response(200, content=b"x" * (URL_MAX_BYTES + 500)))
    with pytest.raises(CommandError, match="save it to a file"):
        read_source(FEED)
