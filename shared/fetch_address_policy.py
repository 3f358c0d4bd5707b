"""Which addresses a client-chosen URL may reach: its syntax and host, and every address its name
resolves to, checked before any connection is made (the connection then goes to the address
checked: safe_fetch). FetchRefused is the error of every outbound request refused or failed."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

import httpx

from shared import fetch_messages
from shared.errors import VoicePipeError
from shared.settings.bulk import FetchSettings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


_ALLOW_HINT = "an operator can allow a range with VOICEPIPE_FETCH__ALLOW_RANGES"


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
# Not routable on the internet, yet called global by Python's is_global (3.11), checked
# against IANA's special-purpose registries: the IETF protocol assignments block
# (192.0.0.0/24; only a /29 of it is "private" to Python), the deprecated 6to4 relay anycast
# (RFC 7526: it reaches the nearest relay, often a router of the hosting network itself),
# IPv6 documentation (RFC 9637) and IPv6 site-local (deprecated, routed inside some networks).
_UNROUTABLE = tuple(
    ipaddress.ip_network(n) for n in ("192.0.0.0/24", "192.88.99.0/24", "3fff::/20", "fec0::/10")
)
# A DNS name never ends in an all-numeric label, so such a host is an IPv4 address in
# some spelling; only dotted decimal is taken because parsers disagree on the others.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
# A DNS name as httpx gives it (IDNA-encoded): labels of up to 63 letters, digits, '-' (and
# '_', which some internal names carry), an optional final dot.
_HOST_NAME = re.compile(
    r"^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$",
    re.IGNORECASE,
)


class FetchRefused(VoicePipeError):
    """An outbound request was refused or failed; ``code`` says which rule or failure."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def _kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address, or None when it is."""
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip.version == net.version and ip in net for net in _PRIVATE):
        return "a private address"
    # Documentation, benchmarking, "this network" and other special-purpose ranges.
    unroutable = any(ip.version == net.version and ip in net for net in _UNROUTABLE)
    if unroutable or ip.is_reserved or ip.is_private or not ip.is_global:
        return "a reserved address, not publicly routable"
    return None


def _embedded_v4(ip: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    # These forms reach an IPv4 host, so the IPv4 rules must apply to what they carry.
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, fetch: FetchSettings) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(r, strict=False) for r in fetch.allow_ranges))

    def _allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.allow)

    def _check_ip(self, ip: IPAddress, verb: str) -> None:
        embedded = _embedded_v4(ip)
        if self._allowed(ip) or (embedded is not None and self._allowed(embedded[0])):
            return
        kind = _kind(ip)
        if embedded is not None:
            # The carried IPv4 address decides: Python calls every IPv4-mapped one private.
            inner_kind = _kind(embedded[0])
            kind = inner_kind and f"the {embedded[1]} form of {embedded[0]}, {inner_kind}"
        if kind is not None:
            raise FetchRefused(
                "url_refused",
                f"The URL's host {verb} {ip}, {kind}; VoicePipe fetches only public "
                f"addresses ({_ALLOW_HINT}).",
            )

    def _literal_ip(self, host: str) -> IPAddress | None:
        """The address a host names literally, None for a DNS name; odd spellings refused."""
        if ":" in host:
            try:
                return ipaddress.IPv6Address(host.replace("%25", "%"))
            except ValueError:
                raise FetchRefused("url_refused", f"{host!r} is not an IPv6 address.") from None
        bare = host.rstrip(".")
        if not _NUMERIC_LABEL.match(bare.rsplit(".", 1)[-1]):
            return None
        try:
            return ipaddress.IPv4Address(bare)
        except ValueError:
            msg = f"The URL's host {host!r} is an IPv4 address in an unusual spelling"
            raise FetchRefused("url_refused", f"{msg}; write it as a.b.c.d in decimal.") from None

    def check_url(self, url: str) -> None:
        """Syntax and literal-IP rules, no DNS: for validating a callback_url at submission."""
        self._parse(url)

    def _parse(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchRefused("url_refused", fetch_messages.not_a_url(exc)) from None
        if parsed.scheme not in ("http", "https"):
            raise FetchRefused(
                "url_refused",
                f"The URL's scheme is {parsed.scheme or 'missing'!r}; VoicePipe fetches "
                "only http:// and https:// URLs.",
            )
        if parsed.userinfo:
            raise FetchRefused(
                "url_refused",
                "The URL carries a user name or password; VoicePipe does not send "
                "credentials in URLs (use a pre-signed URL or a token in the query instead).",
            )
        host = parsed.raw_host.decode("ascii")
        if not host:
            raise FetchRefused("url_refused", "The URL has no host.")
        # Refused here, when a callback is submitted: such a URL reaches no server, and
        # every delivery to it was tried on the whole schedule (a day) before failing.
        if parsed.port is not None and not 1 <= parsed.port <= 65535:
            raise FetchRefused("url_refused", f"The URL's port {parsed.port} is not 1-65535.")
        ip = self._literal_ip(host)
        if ip is not None:
            self._check_ip(ip, "is")
        elif not _HOST_NAME.match(host) or len(host) > 254:
            raise FetchRefused(
                "url_refused",
                f"The URL's host {host!r} is not a host name (letters, digits and '-' "
                "between dots).",
            )
        return parsed

    def resolve(self, host: str, port: int) -> str:
        """getaddrinfo; refuse when ANY resolved address is disallowed; return the one to use."""
        literal = self._literal_ip(host)
        if literal is not None:
            self._check_ip(literal, "is")
            return str(literal)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchRefused("download_failed", fetch_messages.not_resolved(host, exc)) from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        if not addresses:
            raise FetchRefused("download_failed", f"The URL's host {host!r} has no address.")
        # One bad answer is enough to refuse: the name's owner decides which one we get.
        for ip in addresses:
            self._check_ip(ip, "resolves to")
        return str(addresses[0])
