"""Run a command under a subreaper that kills whatever the command leaves behind when it ends.

`python -I -m wagents.probe.reaper COMMAND [ARGS...]`: `--live` starts servers through this.
A server's daemon (started with `setsid`, so outside the process group) would outlive the server
and be re-parented to init the moment the server exits normally: this process is a child
subreaper (Linux), so such orphans become its children instead, and it kills every one of them
(proctree.py) once the command exits. The command inherits stdin, stdout, stderr, the working
directory and the environment; this process keeps none of the standard streams open (the
client's end of a pipe sees end of file when the command and its leftovers are gone), passes
SIGTERM and SIGINT on, and ends the way the command ended (its status, or its signal).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import NoReturn

from wagents.probe.proctree import become_subreaper, kill_descendants, reap_children


def main(argv: list[str]) -> NoReturn:
    if not argv:
        sys.stderr.write("usage: python -m wagents.probe.reaper COMMAND [ARGS...]\n")
        sys.exit(2)
    become_subreaper()
    try:
        child = subprocess.Popen(argv, close_fds=False)  # what it was given, it passes on
    except OSError as exc:
        sys.stderr.write(f"{argv[0]}: {exc.strerror or exc}\n")
        sys.exit(127)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda received, _frame: child.send_signal(received))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.close(devnull)
    status = child.wait()
    kill_descendants(os.getpid())
    reap_children()
    if status < 0:  # end by the same signal, so that the parent sees what the command saw
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status & 0xFF)


if __name__ == "__main__":
    main(sys.argv[1:])
