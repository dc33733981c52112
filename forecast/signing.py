"""This user's signing key: proof that a file listing (a saved-models manifest) was written by the toolkit for this
user, so loading it cannot run code someone else put there.

The key is 32 random bytes in ``$FORECAST_HOME/signing.key``, created with mode 0600 on first use by a writer;
a signature is the HMAC-SHA256 of a JSON document's canonical form (sorted keys, no spaces), so any edit of any
field — a file name, a file's SHA-256, the series it belongs to — breaks it. Comparisons take constant time,
and no message ever shows the expected signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile

from forecast.errors import InputError
from forecast.paths import home

KEY_FILE = "signing.key"
KEY_BYTES = 32


def canonical(document: dict) -> bytes:
    """The bytes a signature covers: ``document`` as JSON with sorted keys and no spaces."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def sign(document: dict) -> str:
    """The HMAC of ``document`` under this user's key, created if there is none yet."""
    return hmac.new(user_key(create=True), canonical(document), hashlib.sha256).hexdigest()


def signed_by_user(document: dict, signature) -> bool:
    """Whether ``signature`` is this user's HMAC of ``document`` (False when the user has no key yet)."""
    key = user_key(create=False)
    if key is None or not isinstance(signature, str):
        return False
    expected = hmac.new(key, canonical(document), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def user_key(create: bool) -> bytes | None:
    """This user's key: read from ``$FORECAST_HOME``, else made there (``create``) or None. A key file of the
    wrong size is an :class:`InputError` (a damaged key cannot be repaired without voiding every signature)."""
    path = home() / KEY_FILE
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            os.link(tmp, path)  # whole or absent: a reader never sees half a key
        except FileExistsError:  # another process made it first: use that one
            pass
        finally:
            os.unlink(tmp)
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as handle:
            key = handle.read(KEY_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(key) != KEY_BYTES:
        raise InputError(f"{path}: not a signing key ({len(key)} bytes, expected {KEY_BYTES}); move it aside")
    return key
