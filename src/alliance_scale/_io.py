"""Files in and out: the one place that opens the user's files and writes the library's.

Reading: only regular files are read (a device such as ``/dev/zero``, a FIFO or a directory
is refused after ``os.stat``, before anything is opened: reading one would never end or fill
the memory), and a file is hashed (SHA-256) while it is read, once. Writing: every file the
library writes (reports, saved scales, exports, scores) is written atomically, to a
temporary file in the target folder then renamed over the target with :func:`os.replace`,
so that a failure (an encoding error, a full disk, Ctrl-C) leaves an existing file as it
was. Sizes: :data:`MEMORY_BUDGET` is what a reader or a simulation may allocate, and
:func:`analysis_budget` what an analysis may (the ordinal CFA's weight matrix); a file or
an array that would need more is refused before it is built, with the numbers.

Hand-written because the standard library has the pieces (``os.stat``, ``hashlib``,
``os.open(O_EXCL)``, ``os.replace``) but not the policy.
"""

from __future__ import annotations

import errno
import hashlib
import math
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

__all__: list[str] = []

#: Memory a reader or a simulation may use for one table (bytes): 2 GiB, fixed, so that
#: whether a file is read does not depend on the machine it is read on.
MEMORY_BUDGET = 2 * 1024**3
#: Environment variable setting the memory an analysis may use (GB; see
#: :func:`analysis_budget`).
MEMORY_VARIABLE = "ALLIANCE_SCALE_MEMORY_GB"
#: Largest ratio of uncompressed to compressed size accepted from an archive (an .xlsx, a
#: .zsav) once it unpacks to more than :data:`RATIO_FLOOR` bytes; real exports compress
#: 3-30 times, compression bombs hundreds or thousands of times.
MAX_RATIO = 100
#: Below this uncompressed size (bytes) an archive's ratio is not checked (harmless).
RATIO_FLOOR = 64 * 1024**2
_CHUNK = 1 << 20

ErrorFactory = Callable[[str], Exception]


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def regular_file(path: str | Path, error: ErrorFactory) -> os.stat_result:
    """``os.stat`` of ``path`` (following symlinks), refusing anything but a regular file.

    Raises
    ------
    Exception
        ``error(message)``: no such file, a directory, a device, a FIFO, not readable.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error("no such file") from None
    except OSError as failure:  # a name too long, a loop of links, no permission...
        raise error(f"cannot read the file ({failure.strerror or failure})") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(describe_kind(info.st_mode))
    return info


def read_bytes(path: str | Path, error: ErrorFactory, *, max_bytes: int | None = None
               ) -> tuple[bytes, str]:
    """The bytes of a regular file and their SHA-256 (hex), hashed as read (the file is
    read once; the hash is of the bytes in memory, not of a second read).

    Raises
    ------
    Exception
        ``error(message)``: not a regular file, larger than ``max_bytes``, unreadable.
    """
    info = regular_file(path, error)
    if max_bytes is not None and info.st_size > max_bytes:
        raise error(f"the file is {info.st_size:,} bytes; at most {max_bytes:,} are read "
                    "(is it the right file?)")
    try:
        with open(path, "rb") as handle:  # one read (the size is known): no second copy
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as failure:
        raise error(f"cannot read the file ({failure.strerror or failure})") from None
    if max_bytes is not None and len(data) > max_bytes:  # the file grew while being read
        raise error(f"the file is larger than {max_bytes:,} bytes")
    return data, hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path, error: ErrorFactory) -> str:
    """SHA-256 (hex) of a regular file, read in chunks (constant memory)."""
    regular_file(path, error)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as failure:
        raise error(f"cannot read the file ({failure.strerror or failure})") from None
    return digest.hexdigest()


def check_budget(what: str, needed: float, error: ErrorFactory, hint: str = "") -> None:
    """Refuse to build ``what`` when it needs more than :data:`MEMORY_BUDGET` bytes."""
    if needed > MEMORY_BUDGET:
        raise error(f"{what} would need about {size_text(needed)} of memory; at most "
                    f"{size_text(MEMORY_BUDGET)} is used" + (f" ({hint})" if hint else ""))


def analysis_budget() -> tuple[int, str]:
    """Bytes an analysis may use (e.g. the ordinal CFA's weight matrix), and where that
    number comes from: ``ALLIANCE_SCALE_MEMORY_GB`` when set, else half of the memory the
    system reports available (``MemAvailable``; 4 GB when unknown).

    Examples
    --------
    >>> budget, source = analysis_budget()
    >>> budget > 0 and source in ("half the available memory", "set by ALLIANCE_SCALE_MEMORY_GB")
    True
    """
    from .errors import OptionError

    given = os.environ.get(MEMORY_VARIABLE)
    if given is not None:
        try:
            value = float(given)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and value > 0):
            raise OptionError(f"{MEMORY_VARIABLE} must be a positive number of GB; got "
                              f"{given!r}")
        return int(value * 1e9), f"set by {MEMORY_VARIABLE}"
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 // 2, "half the available memory"
    except OSError:
        pass
    return 4 * 10**9, "half the available memory"


def check_ratio(compressed: int, uncompressed: int, error: ErrorFactory, what: str) -> None:
    """Refuse an archive that unpacks to more than :data:`MAX_RATIO` times its size."""
    ratio = uncompressed / max(compressed, 1)
    if uncompressed > RATIO_FLOOR and ratio > MAX_RATIO:
        raise error(f"{what} unpacks to {uncompressed:,} bytes from {compressed:,} "
                    f"({ratio:,.0f} times; at most {MAX_RATIO} times is read): a compression "
                    "bomb or a sheet of empty formatted cells; export the data as CSV")


def size_text(count: float) -> str:
    """A number of bytes in words (``3.0 GiB``)."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= factor:
            return f"{count / factor:,.1f} {unit}"
    return f"{count:,.0f} bytes"


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths are the same file: equal once resolved (symlinks followed), or
    the same inode (a hard link). A path that does not exist is no existing file."""
    try:
        if Path(first).resolve() == Path(second).resolve():
            return True
        return os.path.samefile(first, second)
    except OSError:
        return False


def refuse_overwrite(output: str | Path, inputs: Iterable[str | Path | None],
                     error: ErrorFactory) -> None:
    """Refuse an output path that is one of the inputs (it would replace the data)."""
    for source in inputs:
        if source is not None and same_file(output, source):
            raise error(f"{output} is an input of this command ({source}); writing there "
                        "would replace it: choose another output file")


def target(path: str | Path) -> Path:
    """Where writing ``path`` lands: a symlink's target (the link itself is kept)."""
    path = Path(path)
    return path.resolve() if path.is_symlink() else path


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``.

    Text is encoded first (an encoding error touches nothing); the bytes go to a temporary
    file in the same folder, which then replaces ``path`` (:func:`os.replace`, atomic on
    POSIX and Windows). On any failure, including KeyboardInterrupt, the temporary file is
    removed and an existing ``path`` is left as it was (a failure of the process; the data
    are not synced to disk against a power cut). A new file gets the usual permissions
    (0666 less the umask); a replaced one keeps its own. A symlink stays a symlink: its
    target is written.
    """
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    final = target(path)
    if final.exists() and not os.access(final, os.W_OK):  # a rename would get round it
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    temporary = final.parent / f".{final.name}.{os.urandom(6).hex()}.tmp"
    # 0o666 less the umask, as open() gives a new file; O_EXCL: never an existing file
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        try:
            os.chmod(temporary, stat.S_IMODE(os.stat(final).st_mode))
        except FileNotFoundError:
            pass
        os.replace(temporary, final)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return Path(path)
