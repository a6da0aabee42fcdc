from __future__ import annotations

import ipaddress

import pytest

from samsyn.lib import outbound


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):  # type: ignore[no-untyped-def]
    """Webhook tests look up no name on the network: literal addresses and
    localhost resolve, every other name is unknown (and so may be saved)."""

    def resolve(host: str, port: int) -> list[outbound.IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        if host == "localhost":
            return [ipaddress.ip_address("127.0.0.1")]
        raise OSError("no name lookups in tests")

    monkeypatch.setattr(outbound, "resolve", resolve)
