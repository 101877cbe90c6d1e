"""A log file holding the traceback of an unexpected error, named in a one-line message."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback

from sim.core.version import __version__


def write_crash_log(err: BaseException) -> str:
    """Write the traceback of `err` to a new file in the temporary directory; its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, path = tempfile.mkstemp(prefix=f"kazsim-crash-{stamp}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"kazsim {__version__}\n")
        fh.write("".join(traceback.format_exception(type(err), err, err.__traceback__)))
    return path


def where_logged(err: BaseException) -> str:
    """"the traceback is in PATH", or why there is no log."""
    try:
        return f"the traceback is in {write_crash_log(err)}"
    except OSError:
        return "no log file could be written"


def one_line(err: BaseException, limit: int = 200) -> str:
    """`Type: message` on one line, cut to `limit` characters."""
    return f"{type(err).__name__}: {' '.join(str(err).split())[:limit]}"
