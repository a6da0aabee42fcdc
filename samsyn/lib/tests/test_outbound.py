"""The outbound HTTP client: only public addresses, the checked one, no redirects.

No test here touches the network: names resolve through a fake table and requests
go to an httpx.MockTransport.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from samsyn.lib import outbound

PUBLIC = "93.184.215.14"

NAMES = {
    "hooks.example.org": [PUBLIC],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.kommun.local": ["10.20.1.5"],
    "sneaky.example.org": [PUBLIC, "192.168.1.10"],
    "metadata.google.internal": ["169.254.169.254"],
    "v6.example.org": ["2606:2800:220:1:248:1893:25c8:1946"],
}


def fake_resolve(host: str, port: int) -> list[outbound.IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if host not in NAMES:
        raise OSError("Name or service not known")
    return [ipaddress.ip_address(a) for a in NAMES[host]]


@pytest.fixture(autouse=True)
def offline(monkeypatch, settings):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(outbound, "resolve", fake_resolve)
    settings.SAMSYN_OUTBOUND_ALLOW = []


@pytest.fixture
def sent(monkeypatch):  # type: ignore[no-untyped-def]
    """Requests that reached the (mock) network; answers 200 unless told."""
    calls: list[httpx.Request] = []
    answers: list[httpx.Response] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answers.pop(0) if answers else httpx.Response(200, text="ok")

    monkeypatch.setattr(outbound, "transport", httpx.MockTransport(handler))
    calls_and_answers = (calls, answers)
    return calls_and_answers


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:6379/",  # Redis
        "http://[::1]/",
        "http://localhost:8000/",  # the app itself
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://[fd00::1]/",  # unique-local
        "http://[fe80::1]/",  # link-local
        "http://[::ffff:127.0.0.1]/",  # IPv4 in IPv6
        "http://[ff02::1]/",  # IPv6 multicast
        "http://intranet.kommun.local/",
        "http://sneaky.example.org/",  # one public and one private answer
    ],
)
def test_it_refuses_every_address_that_is_not_public(url, sent):
    calls, _ = sent
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("POST", url, content=b"{}")
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(url, must_resolve=False)
    assert calls == []


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.org/", "file:///etc/passwd", "http:///x"]
)
def test_it_refuses_other_schemes_and_missing_hosts(url):
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(url)


def test_the_message_names_the_address_and_the_way_out():
    with pytest.raises(outbound.OutboundRefused) as exc:
        outbound.check_url("http://10.0.0.1/hook")
    assert "10.0.0.1" in str(exc.value)
    assert "SAMSYN_OUTBOUND_ALLOW" in str(exc.value)


def test_it_connects_to_the_address_it_checked(sent):
    calls, _ = sent
    response = outbound.request(
        "POST", "https://hooks.example.org/in?x=1", content=b"{}"
    )
    assert response.status_code == 200 and response.content == b"ok"
    [req] = calls
    assert req.url.host == PUBLIC and req.url.port is None
    assert req.url.path == "/in" and req.url.query == b"x=1"
    assert req.headers["Host"] == "hooks.example.org"
    # The TLS server name (and the certificate check) stay the name.
    assert req.extensions["sni_hostname"] == "hooks.example.org"


def test_it_keeps_a_port_and_brackets_an_ipv6_address(sent):
    calls, _ = sent
    outbound.request("GET", "https://v6.example.org:8443/x")
    [req] = calls
    assert req.url.host == "2606:2800:220:1:248:1893:25c8:1946"
    assert req.url.port == 8443
    assert req.headers["Host"] == "v6.example.org:8443"


def test_an_allowed_ipv6_literal_keeps_its_brackets_in_the_host_header(sent, settings):
    calls, _ = sent
    settings.SAMSYN_OUTBOUND_ALLOW = ["fd00::/8"]
    outbound.request("GET", "http://[fd00::5]:8080/x")
    [req] = calls
    assert req.headers["Host"] == "[fd00::5]:8080"


def test_it_does_not_follow_redirects(sent):
    calls, answers = sent
    answers.append(httpx.Response(302, headers={"Location": "http://127.0.0.1:6379/"}))
    response = outbound.request("POST", "https://hooks.example.org/", content=b"")
    assert response.status_code == 302
    assert len(calls) == 1


def test_it_reads_no_more_than_it_was_asked_to(sent):
    _, answers = sent
    answers.append(httpx.Response(200, content=b"x" * 5000))
    response = outbound.request("GET", "https://hooks.example.org/", max_bytes=100)
    assert response.truncated and len(response.content) == 100


def test_the_allow_list_admits_named_hosts_and_networks(sent, settings):
    calls, _ = sent
    settings.SAMSYN_OUTBOUND_ALLOW = ["intranet.kommun.local", "10.30.0.0/16", "::1"]
    outbound.request("GET", "http://intranet.kommun.local/")
    outbound.request("GET", "http://10.30.4.5:9000/")
    outbound.request("GET", "http://[::1]/")
    assert [r.url.host for r in calls] == ["10.20.1.5", "10.30.4.5", "::1"]
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "http://10.31.0.1/")


def test_a_name_that_does_not_resolve_may_be_saved_but_not_called(sent):
    calls, _ = sent
    assert (
        outbound.check_url("https://not-yet.example.org/", must_resolve=False) is None
    )
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("POST", "https://not-yet.example.org/")
    assert calls == []


def test_time_outs_are_short_and_environment_proxies_unused(monkeypatch, settings):
    settings.SAMSYN_OUTBOUND_CONNECT_TIMEOUT = 3
    settings.SAMSYN_OUTBOUND_READ_TIMEOUT = 10
    made = {}
    real = httpx.Client

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        made.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(outbound.httpx, "Client", spy)
    monkeypatch.setattr(
        outbound, "transport", httpx.MockTransport(lambda r: httpx.Response(204))
    )
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.1:3128")
    outbound.request("GET", "https://hooks.example.org/", timeout=5)
    assert made["follow_redirects"] is False and made["trust_env"] is False
    assert made["timeout"].connect == 3 and made["timeout"].read == 5


def test_a_real_connection_goes_to_the_checked_address_with_the_name_as_host(
    settings,
):
    """Over a socket (loopback, allowed by name): the server sees the name."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    NAMES["receiver.kommun.local"] = ["127.0.0.1"]
    settings.SAMSYN_OUTBOUND_ALLOW = ["receiver.kommun.local"]
    try:
        port = server.server_port
        response = outbound.request("GET", f"http://receiver.kommun.local:{port}/x")
    finally:
        server.shutdown()
        server.server_close()
        del NAMES["receiver.kommun.local"]
    assert response.status_code == 204
    assert seen == [f"receiver.kommun.local:{port}"]
