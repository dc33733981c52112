"""Where the toolkit keeps user state: user observations, the DuckDB store, logs (``$FORECAST_HOME``)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import IO, Callable, Iterable

from forecast.errors import InputError, ValidationError
from forecast.locking import try_lock

TEMP_SUFFIX = ".tmp"


def home() -> Path:
    """The user's forecast directory: ``$FORECAST_HOME`` or ``~/.forecast``."""
    return Path(os.environ.get("FORECAST_HOME", Path.home() / ".forecast")).expanduser()


def bundled(name: str) -> Path:
    """Path of a file shipped in the bundled dataset (works after a non-editable install)."""
    return Path(str(resources.files("forecast.datasets").joinpath(name)))


def read_text(path: Path) -> str:
    """A file's text decoded as UTF-8 (a leading byte-order mark dropped, as Excel writes one); a missing, unreadable
    or undecodable file is an error naming the file and, for bad bytes, the line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError([f"{path}:1: file: no such file"]) from None
    except IsADirectoryError:
        raise ValidationError([f"{path}:1: file: is a directory, not a CSV file"]) from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ValidationError(
            [f"{path}:{line}: file: not UTF-8 text (byte 0x{data[err.start]:02x}); save it as CSV UTF-8"]
        ) from None


def write_atomically(path: str | os.PathLike, write: Callable[[IO], None], binary: bool = False) -> None:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it into place: a reader (or a
    killed run) never sees half a file, and a failed write leaves the old file untouched.

    The writer holds a lock on its temporary file while it lives, so temporary files that nobody holds (left by
    a killed writer) are removed first. The file gets the mode the user's umask asks for (0644 under umask 022).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory, not a file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp = _locked_temp(path)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide reports and data from the user's group
        with os.fdopen(
            fd, "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})
        ) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete the temporary files of ``path`` that no live writer holds; returns the ones removed."""
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        try:
            fd = os.open(tmp, os.O_RDONLY)
        except OSError:
            continue
        try:
            if try_lock(fd):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
        finally:
            os.close(fd)
    return removed


def _locked_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, locked, and still the file at its name once locked (a cleaner may
    have removed it between creation and locking)."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        try:
            if try_lock(fd) and os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)  # a cleaner took it between creation and locking, and removes it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


PACKAGE = Path(__file__).parent
"""The installed ``forecast`` package's folder (its source files)."""


def source_hash(files: Iterable[Path]) -> str:
    """A short hash of the contents of ``files`` (in the order given): which code produced a cached or saved
    result, so results of other code are not reused."""
    return hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest()[:16]
