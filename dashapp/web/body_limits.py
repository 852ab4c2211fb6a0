"""Request bodies sized to what each Dash callback needs (issue 25): only the Score page's upload gets megabytes.

Flask's ``MAX_CONTENT_LENGTH`` is one limit for every request, sized for a 50 MB upload; a crafted 60 MB search
string sent to any of the page callbacks was read and parsed whole (15-17 s, +2.3 GB). This WSGI layer, in front
of Flask, reads the first bytes of a callback request whose ``Content-Length`` is over the small limit, finds the
callback they name (Dash's renderer writes ``"output"`` first) and answers 413 at once when the body is larger
than that callback can need; otherwise it hands the request on with those bytes put back. A body that names no
callback in its first bytes gets the small limit.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

#: Every callback but the two below: their inputs are a filter, a click, a form.
SMALL_BODY_BYTES = 256 * 1024
#: A chart's data download, which sends the chart's figure (the t-SNE map, the largest, is about 160 KB of JSON).
FIGURE_BODY_BYTES = 4 * 1024 * 1024
#: How far into a body its callback's name is looked for.
HEAD_BYTES = 8 * 1024
_OUTPUT = re.compile(rb'"output"\s*:\s*"((?:[^"\\]|\\.){1,4000})"')


class _Prefixed(io.RawIOBase):
    """The bytes already read from a request body, then the rest of it."""

    def __init__(self, head: bytes, rest):
        self._head, self._rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class CallbackBodyLimits:
    """WSGI middleware refusing, with 413 and before reading it, a callback request larger than its callback
    needs; ``limit_of(output)`` gives the bytes a callback (by Dash's output string) may receive."""

    def __init__(self, app, dispatch_path: str, limit_of: Callable[[str], int], largest: int):
        self.app, self.dispatch_path, self.limit_of, self.largest = app, dispatch_path, limit_of, largest

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == self.dispatch_path:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > self.largest:  # no callback takes it: refused from the announced length alone
                return _too_large(start_response, self.largest)
            if length > SMALL_BODY_BYTES:
                stream = environ["wsgi.input"]
                head = stream.read(min(HEAD_BYTES, length))
                named = _OUTPUT.search(head)
                output = json.loads(b'"' + named.group(1) + b'"') if named else ""
                limit = self.limit_of(output)
                if length > limit:
                    return _too_large(start_response, limit)
                environ["wsgi.input"] = io.BufferedReader(_Prefixed(head, stream))
        return self.app(environ, start_response)


def _too_large(start_response, limit: int):
    body = json.dumps({"error": f"this request's body is larger than its callback takes "
                                f"({limit // 1024} KiB)"}).encode()
    start_response("413 REQUEST ENTITY TOO LARGE", [("Content-Type", "application/json"),
                                                     ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]
