"""attack6: no core dump of a process that holds ballots (images, review crops, readings).

A crash of the counting process (a segfault in a native library, an abort) wrote its memory to
a `core` file where the kernel's core pattern says (`core` in the working directory here): the
images of the sheets just read and the review crops, on disk with the crash's time. Every
`sanaq` command now sets its core size limit to zero (the soft limit: children start with it) and
marks itself not dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no core even through a piped core
pattern, and no other process of the same user may read its memory through ptrace or
/proc/PID/mem). A crash is still reported: its traceback or signal, never its memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import resource

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name or "libc.so.6", use_errno=True)
    except OSError:
        return None


def no_core_dumps() -> bool:
    """Forbid core dumps of this process and its children; True when both steps held."""
    ok = True
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (ValueError, OSError):
        ok = False
    libc = _libc()
    if libc is None or libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        ok = False
    return ok


def dumpable() -> int | None:
    """PR_GET_DUMPABLE of this process (0: not dumpable), None where it cannot be asked."""
    libc = _libc()
    if libc is None:
        return None
    with contextlib.suppress(OSError):
        return int(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
    return None
