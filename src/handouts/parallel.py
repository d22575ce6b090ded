"""Running one function over many items in forked worker processes.

Forking shares what the parent already loaded (imports, fonts, width caches) copy-on-write,
so a batch pays start-up once and still uses every core. Items are handed out one at a time,
so a slow spec does not hold up a queue behind it. Ctrl-C or SIGTERM reaches every worker
exactly once (a worker ignores later signals), each unwinds its own temporary files, and
the parent re-raises KeyboardInterrupt after all workers have exited.

A stop request is also remembered, not only raised: a library's bare `except:` or a
`__del__` running at that moment can swallow the KeyboardInterrupt, and the batch must
still stop before its next item, never hang or run to the end.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Connection, Pipe, wait
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
STOP = (signal.SIGINT, signal.SIGTERM)


class WorkerLost(Exception):
    """A worker died (killed, out of memory) while working on an item."""


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork_map(fn: Callable[[T], R], items: list[T], jobs: int
             ) -> Iterator[tuple[int, R | WorkerLost]]:
    """Yield (index, fn(item)) in order of completion, using up to `jobs` processes.
    `fn` must not raise (other than KeyboardInterrupt); an item whose worker died yields
    a WorkerLost instead of a result."""
    if jobs <= 1 or len(items) <= 1:
        yield from _in_process(fn, items)
        return
    workers: dict[Connection, int] = {}   # parent end → pid
    busy: dict[Connection, int] = {}      # parent end → index in flight
    todo = deque(range(len(items)))
    try:
        for _ in range(min(jobs, len(items))):
            try:
                conn, pid = _spawn(fn, items, list(workers))
            except OSError:  # no more processes or memory: go on with the workers we have
                break
            workers[conn] = pid
        if not workers:
            yield from _in_process(fn, items)
            return
        for conn in list(workers):
            _hand_out(conn, todo, busy, workers)
        while busy:
            _check_stop()
            for conn in wait(list(busy)):
                index = busy.pop(conn)
                try:
                    got_index, result = conn.recv()
                except (EOFError, OSError):
                    yield index, WorkerLost(f"worker process ended ({_bury(conn, workers)})")
                    continue
                yield got_index, result
                _hand_out(conn, todo, busy, workers)
        for index in todo:  # every worker died
            yield index, WorkerLost("no worker process left")
    finally:
        _reap(workers, busy)


def _in_process(fn, items) -> Iterator[tuple[int, object]]:
    for i, item in enumerate(items):
        _check_stop()
        yield i, fn(item)


def _spawn(fn, items, siblings: list[Connection]) -> tuple[Connection, int]:
    parent_end, child_end = Pipe()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP)  # no signal before handlers are set
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        parent_end.close()
        child_end.close()
        raise
    if pid == 0:
        try:
            for conn in [parent_end, *siblings]:  # so a worker sees EOF when the parent dies
                conn.close()
            _work(fn, items, child_end, old)
        finally:
            os._exit(1)  # never return into the parent's code
    signal.pthread_sigmask(signal.SIG_SETMASK, old)
    child_end.close()
    return parent_end, pid


def _work(fn, items, conn: Connection, mask) -> None:
    for sig in STOP:
        if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. Ctrl-C in a background job
            signal.signal(sig, _stop_once)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    code = 1
    try:
        while not _stopping and (index := conn.recv()) is not None:
            conn.send((index, fn(items[index])))
        code = 130 if _stopping else 0
    except KeyboardInterrupt:
        code = 130
    except EOFError:  # the parent went away
        code = 1
    except BaseException:  # fn raised after all (HANDOUTS_DEBUG=1): show where
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()  # os._exit skips the usual flushing
        os._exit(code)


_stopping = False  # Ctrl-C or SIGTERM was received by this process


def interrupt(signum, frame):
    """Signal handler for the main process: unwind now (temporary files are removed on the
    way) and remember the request, in case the KeyboardInterrupt gets swallowed."""
    global _stopping
    _stopping = True
    raise KeyboardInterrupt


def _check_stop() -> None:
    if _stopping:
        raise KeyboardInterrupt


def _stop_once(signum, frame):
    """Signal handler for a worker: unwind on the first signal and ignore any that follow,
    so a second one cannot cut short its clean-up and exit. (It stays installed: switching
    to SIG_IGN here races with a signal already caught, which Python reports as an error.)"""
    global _stopping
    if not _stopping:
        _stopping = True
        raise KeyboardInterrupt


def _hand_out(conn: Connection, todo: deque[int], busy: dict[Connection, int],
              workers: dict[Connection, int]) -> None:
    """Give the worker the next item, or tell it to stop when none is left."""
    index = todo.popleft() if todo else None
    try:
        conn.send(index)
    except OSError:  # it died after its last result: the item goes to another worker
        if index is not None:
            todo.appendleft(index)
        _bury(conn, workers)
        return
    if index is not None:
        busy[conn] = index


def _bury(conn: Connection, workers: dict[Connection, int]) -> str:
    """Collect a worker that ended; say how it ended."""
    _, status = os.waitpid(workers.pop(conn), 0)
    conn.close()
    return _status(status)


def _reap(workers: dict[Connection, int], busy: dict[Connection, int]) -> None:
    """Stop workers still busy (we were interrupted), tell every worker to finish, and wait
    for them; one that does not end within ten seconds is killed rather than waited on."""
    for conn, pid in workers.items():
        if conn in busy:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:  # also to a busy one: if it swallowed its interrupt, it ends after its item
            conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + 10
    for conn, pid in workers.items():
        try:
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.01)
        except ChildProcessError:
            pass
        conn.close()


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"
