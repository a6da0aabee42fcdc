"""The one client for HTTP calls Samsyn makes to other machines.

Webhooks, the police events feed, `samsyn doctor` and single sign-on all call out
through ``request()``. A URL someone typed into a form must not turn the server into
a port scanner of its own network, so before a connection is made:

- the scheme is http or https, and the URL names a host;
- the name is resolved once, here; every address it resolves to must be a public
  one: not loopback, private (RFC 1918, unique-local ``fc00::/7``), link-local
  (``169.254.0.0/16`` with the cloud metadata service, ``fe80::/10``), shared
  (``100.64.0.0/10``), multicast, reserved, unspecified or documentation
  addresses (``ipaddress``'s ``is_global``), IPv4 in IPv6 judged as IPv4; names of
  metadata services (``metadata.google.internal``) are refused by name;
- the connection goes to the address that was checked (the URL's host becomes
  that address; ``Host`` and the TLS server name stay the name, so certificates
  are still checked against it), so a second DNS answer cannot swap in another;
- redirects are not followed (a 3xx is the answer), proxies from the environment
  are not used, and connect and read time-outs are short.

SAMSYN_OUTBOUND_ALLOW lists host names and addresses or networks (CIDR) that may
be reached although they are not public: an on-premise webhook receiver or
identity provider (``["10.20.0.0/16", "sso.kommun.local"]``).

Tests replace ``resolve`` and hand a mock transport to ``request``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names of instance-metadata services, refused whatever they resolve to.
METADATA_NAMES = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}
)

# Tests may set a transport (httpx.MockTransport) here instead of the network.
transport: httpx.BaseTransport | None = None


class OutboundRefused(Exception):
    """The URL may not be called; the message says why, for people."""


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to (a literal address is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


def _allow_list() -> tuple[
    set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]
]:
    names: set[str] = set()
    networks = []
    for item in getattr(settings, "SAMSYN_OUTBOUND_ALLOW", []) or []:
        item = str(item).strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.rstrip("."))
    return names, networks


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_address(address: IPAddress, host: str) -> None:
    """Refuse an address that is not public, unless the allow-list names it."""
    names, networks = _allow_list()
    if host.lower().rstrip(".") in names:
        return
    if any(address in net for net in networks if net.version == address.version):
        return
    if not _public(address):
        raise OutboundRefused(
            _(
                "%(host)s is a private or local address (%(address)s). Samsyn only "
                "calls public addresses; for a receiver inside your own network, "
                "the system administrator adds it to SAMSYN_OUTBOUND_ALLOW."
            )
            % {"host": host, "address": address}
        )


def check_url(url: str, *, must_resolve: bool = True) -> Target | None:
    """Check a URL before it is called (or saved); the address to connect to.

    With ``must_resolve=False`` (saving a form) a name that does not resolve now
    passes and None is returned: it is checked again when it is called.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(_("Give an http or https address."))
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(_("The address has an invalid port.")) from exc
    names, _networks = _allow_list()
    if host in METADATA_NAMES and host not in names:
        raise OutboundRefused(
            _("%(host)s is a cloud metadata service and is never called.")
            % {"host": host}
        )
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        if not must_resolve:
            return None
        raise OutboundRefused(
            _("%(host)s could not be found (%(error)s).") % {"host": host, "error": exc}
        ) from exc
    if not addresses:
        if not must_resolve:
            return None
        raise OutboundRefused(_("%(host)s could not be found.") % {"host": host})
    # Every answer must pass, or a name with one public and one private address
    # could be reached at the private one.
    for address in addresses:
        check_address(address, host)
    return Target(
        url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0]
    )


def validate_public_url(value: str) -> None:
    """A form and model validator: refuse a URL ``request`` would refuse.

    A name that does not resolve yet passes; it is checked again at every call.
    """
    try:
        check_url(value, must_resolve=False)
    except OutboundRefused as exc:
        raise ValidationError(str(exc), code="outbound") from exc


def timeouts(read: float | None = None) -> httpx.Timeout:
    connect = float(getattr(settings, "SAMSYN_OUTBOUND_CONNECT_TIMEOUT", 3))
    read = float(read if read is not None else settings.SAMSYN_OUTBOUND_READ_TIMEOUT)
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


@dataclass
class Response:
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    truncated: bool = False

    def json(self) -> Any:
        import json

        return json.loads(self.content.decode("utf-8"))


def request(
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int = 1_000_000,
) -> Response:
    """Call a checked URL once; no redirects followed, at most ``max_bytes`` read
    (``truncated`` says there was more).

    Raises OutboundRefused (the URL may not be called) or httpx.HTTPError (the
    network failed: refused, timed out, TLS).
    """
    target = check_url(url)
    assert target is not None  # noqa: S101 - must_resolve=True never returns None
    parts = urlsplit(url)
    literal = (
        f"[{target.address}]" if target.address.version == 6 else str(target.address)
    )
    netloc = f"{literal}:{target.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    default_port = 443 if target.scheme == "https" else 80
    name = f"[{target.host}]" if ":" in target.host else target.host
    host_header = name if target.port == default_port else f"{name}:{target.port}"
    sent = {"Host": str(host_header), **dict(headers or {})}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    with httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=timeouts(timeout),
    ) as client:
        req = client.build_request(
            method, pinned, content=content, headers=sent, extensions=extensions
        )
        resp = client.send(req, stream=True)
        try:
            body = bytearray()
            truncated = False
            for chunk in resp.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    truncated = True
                    del body[max_bytes:]
                    break
        finally:
            resp.close()
        return Response(
            status_code=resp.status_code,
            headers=dict(resp.headers),
            content=bytes(body),
            truncated=truncated,
        )
