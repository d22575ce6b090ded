"""Running one function over many items in worker processes.

Where the platform forks (Linux, the BSDs), workers are forked: they share what the parent
already loaded (imports, fonts, width caches) copy-on-write, so a batch pays start-up once.
Where it cannot (Windows) or should not (macOS, whose system libraries may run threads that a
forked child cannot trust; Python spawns there too), workers are spawned: fresh interpreters
that get the function and the items pickled and load what they need themselves. Both are
driven the same way: items are handed out one at a time, so a slow spec does not hold up a
queue behind it.

Ctrl-C or SIGTERM reaches every forked worker exactly once (a worker ignores later signals),
each unwinds its own temporary files, and the parent re-raises KeyboardInterrupt after all
workers have exited. Spawned workers get Ctrl-C from the terminal or console like every
process started from it; on POSIX the parent also sends them SIGTERM, and on Windows (where
that would kill a worker mid-write) a worker that missed the Ctrl-C finishes its item and ends.

A stop request is also remembered, not only raised: a library's bare `except:` or a
`__del__` running at that moment can swallow the KeyboardInterrupt, and the batch must
still stop before its next item, never hang or run to the end.

A worker whose parent is gone (killed: `kill -9`, out of memory, a CI timeout) ends quietly
once its item is done: there is no one left to tell.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported only when there are workers to start
    from multiprocessing.connection import Connection

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


def can_fork() -> bool:
    """Whether workers are forked (else spawned)."""
    return (hasattr(os, "fork") and hasattr(signal, "pthread_sigmask")
            and sys.platform != "darwin")


def worker_map(fn: Callable[[T], R], items: list[T], jobs: int
               ) -> Iterator[tuple[int, R | WorkerLost]]:
    """Yield (index, fn(item)) in order of completion, using up to `jobs` processes.
    `fn` must not raise (other than KeyboardInterrupt); an item whose worker died yields
    a WorkerLost instead of a result. Where workers are spawned, `fn` and `items` must
    pickle."""
    if jobs <= 1 or len(items) <= 1:
        yield from _in_process(fn, items)
        return
    from multiprocessing.connection import wait

    start = _Forked if can_fork() else _Spawned
    workers: dict[Connection, _Forked | _Spawned] = {}
    busy: dict[Connection, int] = {}      # connection → index in flight
    todo = deque(range(len(items)))
    try:
        for _ in range(min(jobs, len(items))):
            try:
                worker = start(fn, items, list(workers))
            except OSError:  # no more processes or memory: go on with the workers we have
                break
            workers[worker.conn] = worker
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


class _Forked:
    """A worker forked from this process: it shares everything loaded so far."""

    def __init__(self, fn, items, siblings: list[Connection]):
        from multiprocessing.connection import Pipe

        self.conn, child_end = Pipe()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP)  # no signal before handlers are set
        try:
            self.pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
            self.conn.close()
            child_end.close()
            raise
        if self.pid == 0:
            try:
                for conn in [self.conn, *siblings]:  # so a worker sees EOF when the parent dies
                    conn.close()
                _stop_on_signals()
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
                _work(lambda: (fn, items), child_end)
            finally:
                os._exit(1)  # never return into the parent's code
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child_end.close()

    def stop(self) -> None:
        """Make a busy worker unwind now."""
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def join(self, timeout: float | None = None) -> str | None:
        """Wait (at most `timeout` seconds) for the worker to end; say how it ended, or
        None if it is still running."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:  # collected already
                return "ended"
            if pid:
                return _status(-os.WTERMSIG(status) if os.WIFSIGNALED(status)
                               else os.WEXITSTATUS(status))
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


class _Spawned:
    """A worker started as a fresh interpreter (multiprocessing's spawn, as on Windows)."""

    def __init__(self, fn, items, siblings: list[Connection]):
        import multiprocessing
        from multiprocessing.connection import Pipe

        self.conn, child_end = Pipe()
        # pickled here but loaded only by the worker's own code, once it handles Ctrl-C
        self.process = multiprocessing.get_context("spawn").Process(
            target=_spawned_main, args=(child_end, pickle.dumps((fn, items))),
            name="handouts-worker")
        try:
            self.process.start()
        except OSError:
            self.conn.close()
            raise
        finally:
            child_end.close()  # the worker has its own copy now

    def stop(self) -> None:
        if os.name == "posix":  # SIGTERM, which the worker handles; on Windows a hard kill
            self.process.terminate()

    def join(self, timeout: float | None = None) -> str | None:
        self.process.join(timeout)
        code = self.process.exitcode
        return None if code is None else _status(code)

    def kill(self) -> None:
        self.process.kill()


def _spawned_main(conn: Connection, payload: bytes) -> None:
    """The body of a spawned worker."""
    _stop_on_signals()
    _work(lambda: pickle.loads(payload), conn)


def _work(load: Callable[[], tuple[Callable, list]], conn: Connection) -> None:
    """Serve items until told to stop; never returns. `load` gives the function and the
    items (a spawned worker imports what they need only then, with its signals handled)."""
    code = 1
    try:
        fn, items = load()
        code = _serve(fn, items, conn)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # fn raised after all (HANDOUTS_DEBUG=1): show where
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()  # os._exit skips the usual flushing
        os._exit(code)


def _serve(fn, items, conn: Connection) -> int:
    """The worker's loop; its exit status."""
    while not _stopping:
        try:
            index = conn.recv()
        except (EOFError, OSError):  # the parent is gone: no one to work for
            return 1
        if index is None:
            return 0
        result = fn(items[index])
        try:
            conn.send((index, result))
        except OSError:  # the parent is gone (killed): no one to tell, end quietly
            return 1
    return 130


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


def _stop_on_signals() -> None:
    """In a worker: Ctrl-C and SIGTERM unwind it once (see _stop_once)."""
    for sig in STOP:
        if signal.getsignal(sig) is not signal.SIG_IGN:  # e.g. Ctrl-C in a background job
            signal.signal(sig, _stop_once)


def _stop_once(signum, frame):
    """Signal handler for a worker: unwind on the first signal and ignore any that follow,
    so a second one cannot cut short its clean-up and exit. (It stays installed: switching
    to SIG_IGN here races with a signal already caught, which Python reports as an error.)"""
    global _stopping
    if not _stopping:
        _stopping = True
        raise KeyboardInterrupt


def _hand_out(conn: Connection, todo: deque[int], busy: dict[Connection, int],
              workers: dict) -> None:
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


def _bury(conn: Connection, workers: dict) -> str:
    """Collect a worker that ended; say how it ended."""
    status = workers.pop(conn).join()
    conn.close()
    return status


def _reap(workers: dict, busy: dict[Connection, int]) -> None:
    """Stop workers still busy (we were interrupted), tell every worker to finish, and wait
    for them; one that does not end within ten seconds is killed rather than waited on."""
    for conn, worker in workers.items():
        if conn in busy:
            worker.stop()
        try:  # also to a busy one: if it swallowed its interrupt, it ends after its item
            conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + 10
    for conn, worker in workers.items():
        if worker.join(max(0.0, deadline - time.monotonic())) is None:
            worker.kill()
            worker.join()
        conn.close()


def _status(code: int) -> str:
    """How a process ended, from its exit code (negative: the signal that killed it)."""
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"
