"""A child process that ends when the process that started it is gone.

The labelling UIs retrain in a child process (`python -m stance train ...`). A UI stopped
normally ends its child; one killed with SIGKILL (or by the OOM killer) cannot, and its child
would go on training for nobody, holding a core the annotators' next session needs. The parent
names itself in the child's environment (PARENT); the child watches for being re-parented.

No portable signal tells a process that its parent died (Linux's PR_SET_PDEATHSIG fires when
the parent *thread* ends, and the retrain runs from a thread), so the watch polls getppid().
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping

PARENT = "STANCE_PARENT_PID"
EVERY_S = 0.5  # how often the parent is looked for: an orphan costs at most this much CPU
GRACE_S = 10.0  # after the interrupt, how long the child may take to clean up and exit


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must not outlive this process."""
    return {**(os.environ if env is None else env), PARENT: str(os.getpid())}


def watch_parent(env: Mapping[str, str] | None = None) -> threading.Thread | None:
    """With PARENT set: a daemon thread that interrupts the main thread once this process's
    parent is no longer that pid (KeyboardInterrupt, so `with` blocks remove their temporary
    files), then exits hard if the main thread has not ended within GRACE_S. Call it from the
    main thread, at start-up. POSIX only: elsewhere nothing is watched."""
    value = (os.environ if env is None else env).get(PARENT, "")
    if env is None:
        # Not passed on: a `stance` this process starts has a parent of its own to watch.
        os.environ.pop(PARENT, None)
    if not (value.isascii() and value.isdecimal()) or not hasattr(signal, "pthread_kill"):
        return None
    parent = int(value)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Inherited ignored (a UI started in the background by a script): the interrupt
        # below would then do nothing, and the clean-up would never run.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident

    def watch() -> None:
        tick = threading.Event()  # never set: its wait is the interval between two looks
        while os.getppid() == parent:
            tick.wait(EVERY_S)
        # A real SIGINT sent to the main thread, not `_thread.interrupt_main()`: only a
        # signal wakes a main thread blocked in a system call or a lock.
        if main is not None:
            signal.pthread_kill(main, signal.SIGINT)
        tick.wait(GRACE_S)
        os._exit(1)

    thread = threading.Thread(target=watch, name="stance-parent-watch", daemon=True)
    thread.start()
    return thread
