"""A headless Chromium driven through the DevTools protocol on a pipe.

Chromium started with ``--remote-debugging-pipe`` reads protocol commands on
its file descriptor 3 and writes replies and events on 4, each message a JSON
text ended by a NUL byte: the way Playwright drives it, without its Node.js
driver. The process is spawned with :func:`os.posix_spawn` (no thread, no
code run between fork and exec), so it is safe beside other threads.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Chromium", "ProtocolError"]

log = logging.getLogger(__name__)

#: Seconds the browser has to exit once asked to close, before it is killed.
CLOSE_TIMEOUT_S = 5.0

Event = dict[str, Any]


class ProtocolError(RuntimeError):
    """Chromium refused a command, closed the pipe or did not answer in time."""


class Chromium:
    """A headless Chromium process and its DevTools pipe.

    Parameters
    ----------
    executable : pathlib.Path
        The Chromium executable (a wrapper script is fine: it keeps fds 3, 4).
    args : sequence of str
        Command-line flags; ``--user-data-dir`` (a temporary folder, removed
        on :meth:`close`) and ``--remote-debugging-pipe`` are added.
    on_event : callable or None, default None
        Called with each event (a dict with ``method``, ``params`` and, for a
        page's events, ``sessionId``) as it is read.
    """

    def __init__(
        self,
        executable: Path,
        args: Sequence[str],
        *,
        on_event: Callable[[Chromium, Event], None] | None = None,
    ) -> None:
        self._on_event = on_event
        self._next_id = 0
        self._buffer = b""
        self._replies: dict[int, Event] = {}
        self._events: list[Event] = []
        self._profile = tempfile.mkdtemp(prefix="geo_alloggi_chromium_")
        to_chromium, self._out = os.pipe()
        self._in, from_chromium = os.pipe()
        argv = [
            str(executable),
            *args,
            f"--user-data-dir={self._profile}",
            "--remote-debugging-pipe",
            "--no-startup-window",
        ]
        try:
            self._pid: int | None = os.posix_spawn(
                str(executable),
                argv,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, to_chromium, 3),
                    (os.POSIX_SPAWN_DUP2, from_chromium, 4),
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                ],
            )
        except OSError:
            for fd in (self._in, self._out):
                os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        finally:
            os.close(to_chromium)
            os.close(from_chromium)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 60.0,
    ) -> dict[str, Any]:
        """Send a command and wait for its reply; return its ``result``.

        Parameters
        ----------
        method : str
            The protocol method, e.g. ``"Page.navigate"``.
        params : dict or None, default None
            Its parameters.
        session : str or None, default None
            The page's session id (None: the browser).
        timeout : float, default 60.0
            Seconds to wait for the reply.

        Returns
        -------
        dict
            The reply's ``result``.

        Raises
        ------
        ProtocolError
            Chromium answered with an error, closed the pipe or took too long.
        """
        cid = self.post(method, params, session=session)
        deadline = time.monotonic() + timeout
        while cid not in self._replies:
            self._read(deadline)
        reply = self._replies.pop(cid)
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error'].get('message')}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def post(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
    ) -> int:
        """Send a command without waiting; return its id (its reply is dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method}
        message["params"] = params or {}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._out, data) :]
        return self._next_id

    def wait_event(
        self,
        method: str,
        *,
        session: str | None = None,
        where: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 60.0,
    ) -> Event:
        """Wait for an event ``method`` of ``session``; return it.

        Events read since the last wait that do not match are dropped.

        Parameters
        ----------
        method : str
            The event, e.g. ``"Page.lifecycleEvent"``.
        session : str or None, default None
            The page's session id (None: the browser's events).
        where : callable or None, default None
            Keeps waiting until it returns True on the event's ``params``.
        timeout : float, default 60.0
            Seconds to wait.

        Returns
        -------
        dict
            The event.

        Raises
        ------
        ProtocolError
            Chromium closed the pipe or the event did not come in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            while self._events:
                event = self._events.pop(0)
                if (
                    event["method"] == method
                    and event.get("sessionId") == session
                    and (where is None or where(event.get("params", {})))
                ):
                    return event
            self._read(deadline)

    def _read(self, deadline: float) -> None:
        """Read what Chromium wrote; file replies and events (events handled)."""
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self._in], [], [], left)[0]:
            raise ProtocolError("Chromium did not answer in time")
        chunk = os.read(self._in, 1 << 20)
        if not chunk:
            raise ProtocolError("Chromium closed the DevTools pipe")
        *messages, self._buffer = (self._buffer + chunk).split(b"\0")
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._replies[message["id"]] = message
            else:
                self._events.append(message)
                if self._on_event is not None:
                    self._on_event(self, message)
        # replies to commands posted without waiting are never read
        for cid in [c for c in self._replies if c < self._next_id - 1000]:
            del self._replies[cid]

    def quit(self) -> None:
        """Ask the browser to close, without waiting (:meth:`close` waits)."""
        with contextlib.suppress(OSError):  # the browser may be gone already
            self.post("Browser.close")

    def close(self) -> None:
        """Ask the browser to close, wait for it (killed if it lingers), clean up."""
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        self.quit()
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                log.warning("Chromium did not close: killed")
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.01)
        for fd in (self._in, self._out):
            os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)
