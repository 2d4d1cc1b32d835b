"""The trainer password for browser mode: hashed with scrypt, kept owner-only in the data folder.

Served in a browser (`buurttrainer serve`), the trainer area (review, cohort, reports, the author
preview) opens only after this password. The file holds one line,
`scrypt$N$r$p$SALT$HASH` (salt and hash in base64), so the cost parameters travel with the hash
and can be raised later without breaking stored passwords. Core logic: no Textual here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from trainer.files import write_private
from trainer.messages import text

FILE_NAME = "trainer-wachtwoord"
# Set to "1" in the command `buurttrainer serve` runs for each browser tab (the browser cannot
# change it): served, the trainer area asks for this password.
SERVED_ENV = "BUURTTRAINER_SERVED"
MIN_LENGTH = 8
MAX_LENGTH = 1024
# OWASP's minimum for scrypt: N=2^17, r=8, p=1 (128 MiB, about 0.3 s): slow to guess, still
# quick enough for a trainer who types it once per visit to the trainer area.
COST = 2**17
BLOCK_SIZE = 8
PARALLEL = 1
SALT_BYTES = 16
KEY_BYTES = 32
# Bounds for parameters read back from the file, so a damaged file cannot ask for gigabytes.
MAX_COST = 2**20
MAX_BLOCK_SIZE = 32
MAX_PARALLEL = 16


class PasswordError(ValueError):
    """A password that cannot be used (empty, too short, too long); the message says why."""


def password_path(folder: Path) -> Path:
    return folder / FILE_NAME


def check_new(password: str) -> str:
    """The password if it is acceptable as a trainer password, else PasswordError."""
    if not password.strip():
        raise PasswordError(text("password.empty"))
    if len(password) < MIN_LENGTH:
        raise PasswordError(text("password.too_short", minimum=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordError(text("password.too_long", maximum=MAX_LENGTH))
    return password


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * r * (n + p + 2),  # OpenSSL's default cap (32 MiB) is below N=2^17
        dklen=KEY_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = COST, r: int = BLOCK_SIZE, p: int = PARALLEL) -> str:
    """`scrypt$N$r$p$SALT$HASH` for the password, with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, n, r, p)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash (a damaged hash matches nothing)."""
    try:
        scheme, n_text, r_text, p_text, salt_text, key_text = stored.strip().split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_text, validate=True)
        key = base64.b64decode(key_text, validate=True)
    except ValueError:
        return False
    if scheme != "scrypt" or not salt or len(key) != KEY_BYTES:
        return False
    if not (1 < n <= MAX_COST and n & (n - 1) == 0 and 0 < r <= MAX_BLOCK_SIZE):
        return False
    if not 0 < p <= MAX_PARALLEL:
        return False
    try:
        candidate = _derive(password, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate, key)


def set_password(folder: Path, password: str, **cost: int) -> Path:
    """Check and store the trainer password for the store in `folder`; returns the file."""
    check_new(password)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return write_private(password_path(folder), hash_password(password, **cost) + "\n")


def has_password(folder: Path) -> bool:
    return password_path(folder).is_file()


def check_password(folder: Path, password: str) -> bool:
    """Whether `password` is the trainer password of `folder`; False when none is set.
    Read on every check, so a new password counts at once, without restarting `serve`."""
    try:
        stored = password_path(folder).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return verify_password(password, stored)
