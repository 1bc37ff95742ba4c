"""Child processes that never outlive the process that started them."""

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """For ``preexec_fn``, in the child, on Linux: if the parent ends, however it ends, the
    kernel sends the child SIGTERM, so nothing is left holding a port or a file."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl+C and termination still reach the children through the parent
