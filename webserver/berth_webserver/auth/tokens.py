"""API tokens: making a new one, and the hash that the auth file stores instead of the token.

Tokens are 256 random bits, so a plain SHA-256 of the token is enough to store: a slow password
hash (scrypt, PBKDF2) protects guessable secrets, and nobody can guess 256 random bits. It also
lets the webserver find a token by its hash in one dictionary lookup, whose timing reveals
nothing about any stored token.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["TOKEN_PREFIX", "hash_token", "new_token"]

# Makes a leaked token recognisable (secret scanners, logs).
TOKEN_PREFIX = "berth_"


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as stored in the auth file's ``sha256`` field."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
