"""Reading a large JSON array one element at a time, at flat memory.

The police events archive is a single JSON array that may be hundreds of megabytes.
``JsonArrayReader`` reads the file in chunks, decodes UTF-8 incrementally and hands
each element of the array to ``json.JSONDecoder.raw_decode`` as soon as it is whole,
so memory holds one chunk and one element, never the file. It accepts exactly what
``json.loads`` accepts for an array (including NaN and Infinity, which the importers
check), and every way a file can be unusable ends in ``JsonStreamError`` with a
message and the line, never another exception.

Measured (bench/bench_police_archive.py): peak memory is the same for a 30 MB and a
300 MB archive; see docs/benchmarks.md.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

CHUNK_CHARS = 1024 * 1024
# No event of the feed comes near this; a larger element is not an event.
MAX_ELEMENT_CHARS = 1024 * 1024
WHITESPACE = re.compile(r"[ \t\n\r]*")
# What may still follow a number that ends where the buffer does ("1." or "1e" of
# "1.5e3"): more of the file must be read before the number is known.
NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*\Z")
# What a document that is not an array starts with, named as json.loads would type it.
FIRST_CHAR_TYPES = {"{": "dict", '"': "str", "t": "bool", "f": "bool", "n": "NoneType"}


class JsonStreamError(Exception):
    """The file is not a readable JSON array; the message says why and where."""


class JsonArrayReader:
    """Iterate over the elements of the JSON array in a binary stream.

    ``bytes_read`` grows as the file is read (for progress); ``elements`` counts
    what was handed out.
    """

    def __init__(self, stream: IO[bytes], *, chunk_size: int = CHUNK_CHARS) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.bytes_read = 0
        self.elements = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._decode = json.JSONDecoder().raw_decode
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line_base = 1  # the line the buffer's first character is on
        self._seen_text = False

    @property
    def position(self) -> int:
        """About how many bytes of the file have been handed out (for progress):
        what was read less what waits in the buffer."""
        return max(0, self.bytes_read - (len(self._buf) - self._pos))

    # -- buffer -----------------------------------------------------------------

    def _line(self, pos: int) -> int:
        return self._line_base + self._buf.count("\n", 0, pos)

    def _fill(self) -> bool:
        """Read one more chunk; False at the end of the file."""
        if self._eof:
            return False
        chunk = self.stream.read(self.chunk_size)
        try:
            if chunk:
                self.bytes_read += len(chunk)
                text = self._decoder.decode(chunk)
            else:
                self._eof = True
                text = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            line = self._line(len(self._buf)) + self._decoder.getstate()[0].count(b"\n")
            raise JsonStreamError(
                _("Not UTF-8 text (line %(line)s: %(reason)s).")
                % {"line": line, "reason": exc.reason}
            ) from exc
        if text and not self._seen_text:
            self._seen_text = True
            if text.startswith("\ufeff"):
                text = text[1:]  # a byte-order mark
        if self._pos:
            self._line_base += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += text
        return bool(chunk) or bool(text)

    def _skip_space(self) -> bool:
        """Move past whitespace; False when the file ends first."""
        while True:
            match = WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return True
            if not self._fill() and self._pos >= len(self._buf):
                return False

    def _invalid(self, pos: int, message: str) -> JsonStreamError:
        return JsonStreamError(
            _("Not valid JSON (line %(line)s: %(error)s).")
            % {"line": self._line(pos), "error": message}
        )

    # -- elements ---------------------------------------------------------------

    def _element(self) -> Any:
        while True:
            try:
                value, end = self._decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._eof or len(self._buf) - self._pos > MAX_ELEMENT_CHARS:
                    raise self._invalid(exc.pos, exc.msg) from exc
                self._fill()
                continue
            except RecursionError as exc:
                raise JsonStreamError(_("The JSON is nested too deeply.")) from exc
            except ValueError as exc:  # e.g. an integer with more than 4300 digits
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise JsonStreamError(
                    _("Not usable JSON (%(error)s).") % {"error": first}
                ) from exc
            # A number at the end of the buffer may go on in the next chunk.
            if not self._eof and NUMBER_TAIL.match(self._buf, end):
                self._fill()
                continue
            self._pos = end
            return value

    def _start(self) -> bool:
        """Past the opening bracket; False for an empty array."""
        if not self._skip_space():
            raise JsonStreamError(_("The file is empty."))
        first = self._buf[self._pos]
        if first != "[":
            kind = FIRST_CHAR_TYPES.get(first)
            if kind is None and (first.isdigit() or first in "-NI"):
                kind = "number"
            if kind is None:
                raise self._invalid(self._pos, "Expecting value")
            raise JsonStreamError(
                _("Expected a JSON array of events, found a %(type)s.") % {"type": kind}
            )
        self._pos += 1
        if not self._skip_space():
            raise self._invalid(self._pos, "Expecting value")
        if self._buf[self._pos] == "]":
            self._pos += 1
            return False
        return True

    def _end(self) -> None:
        if self._skip_space():
            raise self._invalid(self._pos, "Extra data")

    def __iter__(self) -> Iterator[Any]:
        if not self._start():
            self._end()
            return
        while True:
            if not self._skip_space():
                raise self._invalid(self._pos, "Expecting value")
            value = self._element()
            self.elements += 1
            yield value
            if not self._skip_space():
                raise self._invalid(self._pos, "Expecting ',' delimiter")
            sep = self._buf[self._pos]
            self._pos += 1
            if sep == "]":
                self._end()
                return
            if sep != ",":
                raise self._invalid(self._pos - 1, "Expecting ',' delimiter")
