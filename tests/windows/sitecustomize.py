"""Windows, as far as Linux can pretend: put this folder first on PYTHONPATH and every Python
process started with that environment (the CLI and the workers it spawns) loses the POSIX-only
APIs Windows lacks, and multiprocessing starts processes the only way Windows can.

HANDOUTS_SIM_LOCKED: output paths (os.pathsep-separated) that another program holds open, as
PowerPoint holds a deck: os.replace onto them fails as it does on Windows (WinError 32);
`path*N` only for the first N tries (a virus scanner holds a new file for a moment).
HANDOUTS_SIM_LOG: a file to which every simulated process appends its command line, to count
workers.
With PYTHONWARNDEFAULTENCODING=1, a text file opened by our code without an encoding is an error.
"""

import multiprocessing
import os
import signal

for module, names in ((os, ("fork", "forkpty", "register_at_fork", "sched_getaffinity")),
                      (signal, ("pthread_sigmask", "pthread_kill", "sigwait", "SIGKILL",
                                "SIGHUP", "SIGQUIT", "SIGALRM", "SIGCHLD"))):
    for name in names:
        if hasattr(module, name):
            delattr(module, name)
multiprocessing.set_start_method("spawn", force=True)

_locked = {}  # path → how many more tries fail
for _entry in filter(None, os.environ.get("HANDOUTS_SIM_LOCKED", "").split(os.pathsep)):
    _path, _, _tries = _entry.partition("*")
    _locked[os.path.abspath(_path)] = int(_tries or 10**9)
if _locked:
    _replace = os.replace

    def _replace_unless_locked(src, dst, *args, **kwargs):
        if _locked.get(os.path.abspath(dst), 0) > 0:
            _locked[os.path.abspath(dst)] -= 1
            exc = PermissionError(13, "The process cannot access the file because it is being "
                                  "used by another process", os.fspath(src), None,
                                  os.fspath(dst))
            exc.winerror = 32  # ERROR_SHARING_VIOLATION
            raise exc
        return _replace(src, dst, *args, **kwargs)

    os.replace = _replace_unless_locked

if os.environ.get("HANDOUTS_SIM_LOG"):
    with open("/proc/self/cmdline", "rb") as cmdline, \
            open(os.environ["HANDOUTS_SIM_LOG"], "a", encoding="utf-8") as log:
        log.write(cmdline.read().replace(b"\0", b" ").decode() + "\n")

# a text file opened without an encoding gets the locale's (cp932 on a Japanese Windows):
# an error in our own code (PYTHONWARNDEFAULTENCODING=1 makes Python report it)
import warnings  # noqa: E402

warnings.filterwarnings("error", category=EncodingWarning, module=r"handouts(\.|$)")
