"""A timeout guard for attacks that could block (a FIFO, a device, a sparse file): the test
fails with TimeoutError instead of hanging the suite (pytest-timeout is not a dependency)."""

from __future__ import annotations

import signal
from contextlib import contextmanager


@contextmanager
def within(seconds: float):
    """Raise TimeoutError in the main thread after ``seconds`` (SIGALRM interrupts a blocking
    open or read: the handler's exception ends the system call, PEP 475)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
