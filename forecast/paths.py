"""Where the toolkit keeps user state: user observations, the DuckDB store, logs (``$FORECAST_HOME``)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import IO, Callable, Iterable

from forecast.errors import InputError, ValidationError
from forecast.locking import try_lock

TEMP_SUFFIX = ".tmp"
MAX_INPUT_BYTES = 1 << 30
"""The largest input file read (1 GiB): far above any observations or series file, below what exhausts memory."""
STDOUT = "-"
"""The output path that means standard output."""


def home() -> Path:
    """The user's forecast directory: ``$FORECAST_HOME`` or ``~/.forecast``; set but empty is an :class:`InputError`
    (it would otherwise be the current folder)."""
    value = os.environ.get("FORECAST_HOME")
    if value is not None and not value.strip():
        raise InputError("FORECAST_HOME is set but empty; unset it (for ~/.forecast) or give a folder")
    return Path(value if value is not None else Path.home() / ".forecast").expanduser()


def bundled(name: str) -> Path:
    """Path of a file shipped in the bundled dataset (works after a non-editable install)."""
    return Path(str(resources.files("forecast.datasets").joinpath(name)))


def read_text(path: Path) -> str:
    """A file's text decoded as UTF-8 (a leading byte-order mark dropped, as Excel writes one); a missing, unreadable
    or undecodable file is an error naming the file and, for bad bytes, the line."""
    try:
        data = read_bytes(path)
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


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes, at most :data:`MAX_INPUT_BYTES`: a FIFO, device or socket would hang or never end
    (``/dev/zero``), so it is an :class:`InputError`, as is a larger file."""
    with open(path, "rb", opener=_nonblocking) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file (a pipe, device or socket); save the data to a file")
        data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES >> 20:,} MiB; not an input this toolkit reads")
    return data


def _nonblocking(name, flags: int) -> int:
    """Open without waiting for a FIFO's writer (the check after opening refuses it)."""
    return os.open(name, flags | os.O_NONBLOCK)


def write_atomically(path: str | os.PathLike, write: Callable[[IO], None], binary: bool = False) -> None:
    """Write a file the user named, owning only what it writes: the one writer of every output (``-o``, report
    files, the user's observations, saved models).

    A regular file (new, or existing: followed through a symlink, which stays a symlink) is written by calling
    ``write(handle)`` on a temporary file beside it, then renaming that into place: a reader (or a killed run)
    never sees half a file, and a failed write leaves the old file untouched. An existing file keeps its mode
    (and owner, where allowed); a new one gets the mode the user's umask asks for (0644 under umask 022). The
    writer holds a lock on its temporary file while it lives, so temporary files that nobody holds (left by a
    killed writer) are removed first.

    Anything else is written through, never replaced: ``-`` is standard output, and a FIFO, a device, a terminal
    or a path into ``/dev`` or ``/proc`` (``/dev/stdout``) is opened and written like a stream.
    """
    if str(path) == STDOUT:
        _write_stream(None, write, binary)
        return
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a directory, not a file", str(path))
    real = Path(os.path.realpath(path))  # a symlink's target: the link itself is the user's and stays
    if info is not None and (not stat.S_ISREG(info.st_mode) or real.parts[1:2] in (("dev",), ("proc",))):
        _write_stream(path, write, binary)
        return
    real.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(real)
    fd, tmp = _locked_temp(real)
    try:
        os.fchmod(fd, stat.S_IMODE(info.st_mode) if info else 0o666 & ~_umask())  # mkstemp's 0600 would hide files
        if info is not None and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, info.st_uid, info.st_gid)
            except PermissionError:  # not ours to give away: the file becomes this user's, as any rewrite would
                pass
        with os.fdopen(fd, "wb" if binary else "w", **_text_options(binary)) as handle:
            write(handle)
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_stream(path: Path | None, write: Callable[[IO], None], binary: bool) -> None:
    """``write`` into standard output (``path`` None) or an existing non-regular file, written through."""
    if path is not None:
        with open(path, "wb" if binary else "w", **_text_options(binary)) as handle:
            write(handle)
        return
    buffer = io.BytesIO() if binary else io.StringIO(newline="")
    write(buffer)
    sys.stdout.flush()
    data = buffer.getvalue()
    sys.stdout.buffer.write(data if binary else data.encode("utf-8"))
    sys.stdout.buffer.flush()


def _text_options(binary: bool) -> dict:
    return {} if binary else {"newline": "", "encoding": "utf-8"}


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
