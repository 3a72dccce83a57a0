"""The auth file (``--auth FILE``): named API tokens with roles, and/or a trusted proxy.

```yaml
tokens:                       # stored hashed: `berth token create NAME --role ROLE` prints an entry
  - name: ci-bot
    role: launcher            # viewer | launcher | editor | admin
    sha256: 5c2b…             # hex SHA-256 of the token
trusted_proxy:                # an authenticating proxy (oauth2-proxy, …) names the user in a header
  user_header: X-Forwarded-User
  groups_header: X-Forwarded-Groups     # optional, comma-separated
  trusted_addresses: [10.0.0.0/8]       # the header is believed only from these peers
  users: {alice@example.com: admin}
  groups: {data-eng: launcher}
  default_role: viewer                  # optional: any other user the proxy lets through
```
Every mistake is an ``AuthConfigError`` that names the file and the entry.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from .roles import Role

__all__ = ["AuthConfig", "AuthConfigError", "TokenEntry", "TrustedProxy", "load_auth_file", "parse_auth_config"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HEADER = re.compile(r"^[A-Za-z0-9-]+$")
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class AuthConfigError(Exception):
    """The auth file is missing, unreadable or malformed; the message says where."""


@dataclasses.dataclass(frozen=True)
class TokenEntry:
    """One API token: its name (who), role, and the SHA-256 of the token."""

    name: str
    role: Role
    sha256: str


@dataclasses.dataclass(frozen=True)
class TrustedProxy:
    """Believe ``user_header`` (and ``groups_header``) from peers in ``trusted_networks``."""

    user_header: str
    trusted_networks: tuple[Network, ...]
    groups_header: Optional[str] = None
    users: Mapping[str, Role] = dataclasses.field(default_factory=dict)
    groups: Mapping[str, Role] = dataclasses.field(default_factory=dict)
    default_role: Optional[Role] = None

    def trusts(self, address: Optional[str]) -> bool:
        """Whether a request from this peer address may name its user in the header."""
        if not address:
            return False
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.trusted_networks)

    def role_for(self, user: str, groups: Sequence[str]) -> Optional[Role]:
        """The highest role the mapping gives this user or one of their groups; None for none."""
        roles = [self.users[user]] if user in self.users else []
        roles += [self.groups[group] for group in groups if group in self.groups]
        if self.default_role is not None:
            roles.append(self.default_role)
        return max(roles) if roles else None


@dataclasses.dataclass(frozen=True)
class AuthConfig:
    """What ``--auth FILE`` configured: tokens by their hash, and the trusted proxy if any."""

    tokens_by_hash: Mapping[str, TokenEntry]
    proxy: Optional[TrustedProxy] = None


def load_auth_file(path: Union[str, Path]) -> AuthConfig:
    """Read and check an auth file; raises ``AuthConfigError``."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthConfigError(f"cannot read the auth file {path}: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AuthConfigError(f"the auth file {path} is not valid YAML: {exc}") from exc
    return parse_auth_config(data, str(path))


def parse_auth_config(data: Any, source: str = "auth file") -> AuthConfig:
    """Check decoded YAML; raises ``AuthConfigError`` naming ``source``."""
    if not isinstance(data, Mapping):
        raise AuthConfigError(f"{source}: expected a mapping with `tokens` and/or `trusted_proxy`")
    unknown = sorted(set(map(str, data)) - {"tokens", "trusted_proxy"})
    if unknown:
        raise AuthConfigError(f"{source}: unknown key(s) {', '.join(unknown)} (expected tokens, trusted_proxy)")
    tokens = _tokens(data.get("tokens") or [], source)
    proxy = _proxy(data["trusted_proxy"], source) if data.get("trusted_proxy") is not None else None
    if not tokens and proxy is None:
        raise AuthConfigError(f"{source}: no tokens and no trusted_proxy: nobody could sign in")
    return AuthConfig(tokens, proxy)


def _role(value: Any, where: str) -> Role:
    try:
        return Role.parse(value)
    except ValueError as exc:
        raise AuthConfigError(f"{where}: {exc}") from None


def _tokens(items: Any, source: str) -> dict[str, TokenEntry]:
    if not isinstance(items, list):
        raise AuthConfigError(f"{source}: `tokens` must be a list of {{name, role, sha256}} entries")
    by_hash: dict[str, TokenEntry] = {}
    names: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{source}: tokens entry {number}"
        if not isinstance(item, Mapping) or set(item) != {"name", "role", "sha256"}:
            raise AuthConfigError(f"{where}: expected exactly the keys name, role and sha256")
        name, digest = str(item["name"]).strip(), str(item["sha256"]).strip().lower()
        if not name:
            raise AuthConfigError(f"{where}: the name is empty")
        if name in names:
            raise AuthConfigError(f"{where}: the name {name!r} is used twice")
        if not _SHA256.match(digest):
            raise AuthConfigError(f"{where} ({name}): sha256 must be 64 hex digits (the token's SHA-256), "
                                  "never the token itself")
        if digest in by_hash:
            raise AuthConfigError(f"{where} ({name}): the same token as {by_hash[digest].name!r}")
        names.add(name)
        by_hash[digest] = TokenEntry(name, _role(item["role"], f"{where} ({name})"), digest)
    return by_hash


def _header(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEADER.match(value):
        raise AuthConfigError(f"{where}: expected an HTTP header name such as X-Forwarded-User")
    return value.lower()


def _role_map(value: Any, where: str) -> dict[str, Role]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AuthConfigError(f"{where}: expected a mapping of name to role")
    return {str(name): _role(role, f"{where}.{name}") for name, role in value.items()}


def _proxy(data: Any, source: str) -> TrustedProxy:
    where = f"{source}: trusted_proxy"
    if not isinstance(data, Mapping):
        raise AuthConfigError(f"{where}: expected a mapping")
    allowed = {"user_header", "groups_header", "trusted_addresses", "users", "groups", "default_role"}
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise AuthConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    addresses = data.get("trusted_addresses")
    if not isinstance(addresses, list) or not addresses:
        raise AuthConfigError(f"{where}.trusted_addresses: list the proxy's addresses or networks "
                              "(the header is believed from nowhere else)")
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(str(address), strict=False))
        except ValueError as exc:
            raise AuthConfigError(f"{where}.trusted_addresses: {exc}") from None
    proxy = TrustedProxy(
        user_header=_header(data.get("user_header"), f"{where}.user_header"),
        trusted_networks=tuple(networks),
        groups_header=_header(data["groups_header"], f"{where}.groups_header") if data.get("groups_header") else None,
        users=_role_map(data.get("users"), f"{where}.users"),
        groups=_role_map(data.get("groups"), f"{where}.groups"),
        default_role=_role(data["default_role"], f"{where}.default_role") if data.get("default_role") else None,
    )
    if not (proxy.users or proxy.groups or proxy.default_role):
        raise AuthConfigError(f"{where}: give users, groups or default_role: otherwise nobody has a role")
    return proxy
