"""Run a Prefect worker so that SIGTERM drains it: no new runs, the runs in flight finish.

    python ops/systemd/worker_afbouwen.py prefect worker start --pool aanpak --name aanpak-<host>-<n>

Why: Prefect 3.9's ``prefect worker start`` answers a first SIGTERM by sending itself SIGINT and then carries
on — it keeps polling and takes new runs (measured; docs/operations.md "Een worker stoppen"); a second SIGTERM
makes it SIGKILL itself. So this wrapper, the unit's main process, starts the worker as its child and makes
itself the child subreaper. On SIGTERM (or SIGINT) it SIGKILLs the worker — which then polls no more, so it
takes no new runs — and waits for the flow-run processes the worker had started: they run in their own
sessions, survive the worker and are re-parented to this process. When the last one has exited, the wrapper
exits 0. systemd's ``TimeoutStopSec`` bounds the wait; after it, systemd kills what is left and Prefect's zombie
detection plus aanpak's recovery (``aanpak herstel``) take over.

Standard library only, Linux only (``prctl``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def _log(tekst: str) -> None:
    print(f"worker_afbouwen: {tekst}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    if not argv:
        _log("gebruik: worker_afbouwen.py prefect worker start …")
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        _log(f"prctl(PR_SET_CHILD_SUBREAPER) mislukt: {os.strerror(ctypes.get_errno())}")
        return 1
    signalen = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signalen | {signal.SIGCHLD})
    # The worker gets the usual signal mask back (the blocked mask would be inherited across exec).
    worker = subprocess.Popen(
        argv, preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, signalen | {signal.SIGCHLD})
    )
    while True:
        info = signal.sigwaitinfo(signalen | {signal.SIGCHLD})
        if info.si_signo == signal.SIGCHLD:
            if worker.poll() is not None:  # the worker ended by itself: report its code, leave no orphans
                _log(f"worker gestopt met code {worker.returncode}; wacht op lopende flow-runs")
                _wacht_op_kinderen()
                return worker.returncode if worker.returncode >= 0 else 1
            _ruim_wezen_op(worker.pid)
            continue
        break
    _log(f"signaal {signal.Signals(info.si_signo).name}: worker {worker.pid} stopt, lopende flow-runs maken af")
    worker.kill()
    worker.wait()
    aantal = _wacht_op_kinderen()
    _log(f"klaar: {aantal} flow-run-proces(sen) afgewacht")
    return 0


def _ruim_wezen_op(worker_pid: int) -> None:
    """Reap re-parented processes that exited while the worker still runs (never the worker itself)."""
    while True:
        try:
            uitkomst = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if uitkomst is None or uitkomst.si_pid == worker_pid:
            return
        os.waitpid(uitkomst.si_pid, 0)


def _wacht_op_kinderen() -> int:
    aantal = 0
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return aantal
        aantal += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
