"""Clients that hold a server's connections without finishing a request: slow headers and idle sockets.

:func:`held_connections` opens them against a live server and keeps them open while a test checks that the
app still answers; a background thread drips the slow clients' headers one byte at a time and never ends them.
"""

from __future__ import annotations

import contextlib
import socket
import threading

#: A request whose headers never end (no blank line): the server must wait for more.
_ENDLESS_HEADERS = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 10_000


@contextlib.contextmanager
def held_connections(port: int, slow: int, idle: int, drip_every: float = 0.2):
    """Hold ``slow`` connections sending headers a byte every ``drip_every`` s and ``idle`` ones sending nothing.

    Parameters
    ----------
    port : int
        The server's port on 127.0.0.1.
    slow, idle : int
        How many connections of each kind.
    drip_every : float
        Seconds between two bytes of a slow client.

    Yields
    ------
    dict
        ``{"open": n}``: how many of the connections the server still held when the block ended.
    """
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(slow + idle)]
    dripping, stop = sockets[:slow], threading.Event()

    def drip():
        for position in range(len(_ENDLESS_HEADERS)):
            for sock in dripping:
                with contextlib.suppress(OSError):
                    sock.send(_ENDLESS_HEADERS[position:position + 1])
            if stop.wait(drip_every):
                return

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    report = {"open": 0}
    try:
        yield report
    finally:
        stop.set()
        dripper.join()
        report["open"] = sum(_still_open(sock) for sock in sockets)
        for sock in sockets:
            sock.close()


def _still_open(sock: socket.socket) -> bool:
    """True when the server has neither closed nor answered the connection."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # b"" (closed) or the start of an answer
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False
