"""Find a CSV's encoding, delimiter and records from its bytes.

The byte-level scans behind :func:`geo_alloggi.io._csv.read_csv_raw`: the
encoding (cp1252 or UTF-8 with a BOM, as Italian Excel writes them), the
delimiter from the header line, where each line or quoted record starts and
ends (outside quotes), and which columns may hold a field with edge spaces.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo_alloggi.io._files import file_error


def _decode(path: Path, raw: bytes) -> tuple[bytes, str]:
    """Return bytes readable with the returned encoding (UTF-16 re-encoded)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise file_error(
                path, f"is not valid UTF-16 ({exc.reason})", "save it as UTF-8 CSV"
            ) from None
        return text.encode("utf-8"), "utf-16"
    if b"\x00" in raw[:65536]:
        raise file_error(
            path,
            "is a binary file, not a text table",
            "export the table as CSV (UTF-8 or Windows encoding) or XLSX",
        )
    if _utf8(raw):
        return raw, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    # Windows-1252 is what Italian Excel writes; it differs from latin-1 only
    # in 0x80-0x9F (€, ’, “...), which latin-1 uses for control characters
    c1 = bool(raw.translate(None, _NOT_C1))  # any byte 80-9F
    if c1:
        try:
            raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw, "latin-1"
        return raw, "cp1252"
    return raw, "latin-1"


#: Every byte but 80-9F (deleted to find those).
_NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b < 0xA0)


def _utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8 (its first megabyte tells most files)."""
    try:
        raw[: 1 << 20].decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut at the end of the megabyte is no answer
        if exc.reason != "unexpected end of data":
            return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


#: Delimiter of a one-column file: the ASCII unit separator, which no table
#: holds, so a value's commas or semicolons ("Via Roma 1, Milano") stay in it.
ONE_COLUMN = "\x1f"


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter of a CSV from its header line.

    The candidate (``;``, ``,``, tab, ``|``) splitting the header into the
    most fields, ``;`` on a tie; :data:`ONE_COLUMN` when none splits it (a
    one-column file, e.g. a list of addresses under ``indirizzo``).
    """
    counts = {}
    for delim in (";", ",", "\t", "|"):
        try:
            counts[delim] = len(_split_header(header_line, delim)) - 1
        except csv.Error:
            counts[delim] = 0
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ONE_COLUMN


def csv_bytes(path: Path, raw: bytes, encoding: str | None) -> tuple[bytes, str, str]:
    """Return the bytes to read, the encoding found and the one to read with."""
    if encoding is None:
        data, enc = _decode(path, raw)
        return data, enc, "utf-8" if enc == "utf-16" else enc
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise file_error(
            path,
            f"cannot be decoded as {encoding!r} ({exc})",
            "leave encoding unset to detect it",
        ) from None
    return raw, encoding, encoding


def csv_head(path: Path, data: bytes, read_enc: str) -> tuple[str, str]:
    """Return the first megabyte as text and its first line (the header)."""
    text_head = data[:1_000_000].decode(read_enc, errors="replace")
    if not text_head.strip():
        raise file_error(
            path, "is empty", "export the table again with a header row and data rows"
        )
    if read_enc == "utf-8-sig":
        text_head = text_head.lstrip("\ufeff")
    first_line = text_head.splitlines()[0] if text_head.splitlines() else ""
    if not first_line.strip():
        raise file_error(
            path,
            "has an empty first line",
            "the header row must be on line 1: delete the empty lines above it",
        )
    return text_head, first_line


@dataclass
class CsvLines:
    """Where each line of an unquoted CSV starts and ends (bytes)."""

    buf: np.ndarray  # the file as uint8
    nl: np.ndarray  # positions of "\n"
    dpos: np.ndarray  # positions of the delimiter
    starts: np.ndarray
    ends: np.ndarray  # position of the "\n" ending the line (or the file's end)
    blank: np.ndarray  # per data line: empty
    data_lines: np.ndarray  # 0-based line index of each data line
    stops: np.ndarray  # where each line's content ends (before "\r\n" or "\n")

    @classmethod
    def scan(cls, data: bytes, delim: str, ncols: int) -> CsvLines | None:
        """Find the lines; None when a line has the wrong number of fields."""
        buf = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(buf == 10)
        starts = np.concatenate(([0], nl + 1))
        ends = np.concatenate((nl, [len(buf)]))
        if ends[-1] == starts[-1]:  # file ends with a newline
            starts, ends = starts[:-1], ends[:-1]
        lengths = ends - starts
        cr = np.zeros(len(ends), dtype=bool)
        nz = lengths > 0
        cr[nz] = buf[ends[nz] - 1] == 13
        lengths = lengths - cr
        dpos = np.flatnonzero(buf == ord(delim))
        # delimiters on each line: those before its end, less those before it
        per_line = np.diff(np.searchsorted(dpos, ends), prepend=0)
        blank = lengths[1:] == 0
        ok = per_line[1:] == ncols - 1
        if not np.all(ok | blank):
            return None
        return cls(
            buf=buf,
            nl=nl,
            dpos=dpos,
            starts=starts,
            ends=ends,
            blank=blank,
            data_lines=np.arange(1, len(starts)),
            stops=ends - cr,
        )

    def padded_columns(self, delim: str, ncols: int) -> np.ndarray:
        """Which columns may hold a field that starts or ends with a space.

        Looks only at the bytes next to delimiters and line ends, and flags a
        column when one of its fields starts or ends with a byte that can
        begin or end a character :meth:`str.strip` removes (spaces, tabs, the
        no-break space, other Unicode spaces; a few letters too, such as the
        last byte of ``à`` in UTF-8: flagging more only costs a strip).
        """
        buf, dpos, nl = self.buf, self.dpos, self.nl
        n = len(buf)
        cols = np.zeros(ncols, dtype=bool)
        if not n:
            return cols
        starts, ends = _edge_bytes(delim)
        before = ends[buf[np.maximum(dpos - 1, 0)]] & (dpos > 0)
        after = starts[buf[np.minimum(dpos + 1, n - 1)]] & (dpos + 1 < n)
        flagged = np.flatnonzero(before | after)
        if len(flagged):
            # the column of the field before a delimiter: its rank in its line
            line = np.searchsorted(nl, dpos[flagged])
            rank = flagged - np.searchsorted(dpos, self.starts[line])
            cols[np.unique(rank[before[flagged]])] = True
            cols[np.unique(rank[after[flagged]] + 1)] = True
        # first field of each line, and last: the byte before "\n" or "\r\n"
        nonblank = self.ends > self.starts
        if starts[buf[self.starts[nonblank]]].any():
            cols[0] = True
        last = self.ends[nonblank] - 1
        crlf = buf[last] == 13
        last = np.where(crlf & (last > self.starts[nonblank]), last - 1, last)
        if ends[buf[last]].any():
            cols[-1] = True
        return cols

    def cell_flags(
        self, delim: str, ncols: int, positions: list[int], short: int
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per column read, the rows whose cell may hold edge spaces, or be short.

        The byte test of :meth:`padded_columns`, cell by cell: a cell is
        flagged when its first byte can begin, or its last byte can end, a
        character :meth:`str.strip` removes; every other cell strips to
        itself. A cell is short when it is flagged or holds at most
        ``short`` bytes (an ASCII value of at most ``short`` characters is
        short). Rows are the non-blank data lines, in order; the bytes must be
        ASCII-compatible (UTF-8, cp1252, latin-1).

        Parameters
        ----------
        delim : str
            The delimiter.
        ncols : int
            Number of columns (every non-blank line has ``ncols - 1``
            delimiters, as :meth:`scan` checked).
        positions : list of int
            The columns read.
        short : int
            The largest number of bytes of a short cell.

        Returns
        -------
        padded, short : list of numpy.ndarray
            One boolean array per column of ``positions``.
        """
        buf, dpos = self.buf, self.dpos
        top = len(buf) - 1
        rows = np.flatnonzero(~self.blank) + 1  # line index of each row
        first, stop = self.starts[rows], self.stops[rows]
        lead, last = _edge_bytes(delim)
        # the bytes around every delimiter, in one sweep of the file: the
        # last of the cell before it, the first of the cell after it
        before = last[buf[np.maximum(dpos - 1, 0)]]
        after = lead[buf[np.minimum(dpos + 1, top)]]
        # the header's delimiters come first; then ncols - 1 on every row
        skip = int(np.searchsorted(dpos, self.ends[0]))
        shape = (len(rows), max(ncols - 1, 0))
        grid = dpos[skip:].reshape(shape)
        before, after = before[skip:].reshape(shape), after[skip:].reshape(shape)
        padded, shorts = [], []
        for p in positions:
            if p == 0:
                begin, begins_padded = first, lead[buf[np.minimum(first, top)]]
            else:
                begin, begins_padded = grid[:, p - 1] + 1, after[:, p - 1]
            if p == ncols - 1:
                end, ends_padded = stop, last[buf[np.maximum(stop - 1, 0)]]
            else:
                end, ends_padded = grid[:, p], before[:, p]
            size = end - begin
            full = size > 0  # an empty cell's neighbours are ignored
            flag = full & (begins_padded | ends_padded)
            padded.append(flag)
            shorts.append(flag | (full & (size <= short)))
        return padded, shorts

    def holds_values(self, data: bytes, line: int, delim: str) -> bool:
        """Whether ``line`` holds anything besides spaces and delimiters."""
        chunk = data[self.starts[line] : self.ends[line]]
        return bool(chunk.strip(b" \t\r" + delim.encode()))


def _edge_bytes(delim: str) -> tuple[np.ndarray, np.ndarray]:
    """Bytes that can begin, and end, a character :meth:`str.strip` removes.

    Two tables indexed by byte value: spaces, tabs, line breaks (inside
    quotes), the no-break space, other Unicode spaces (their UTF-8 lead and
    last bytes: a few letters too, such as the last byte of ``à``; flagging
    more only costs a strip). The delimiter is never flagged.
    """
    space = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0]
    starts = np.zeros(256, dtype=bool)
    starts[[*space, 0xC2, 0xE1, 0xE2, 0xE3]] = True
    ends = np.zeros(256, dtype=bool)
    ends[[*space, 0x9F, 0xA8, 0xA9, 0xAF]] = True
    ends[0x80:0x8B] = True
    starts[ord(delim)] = ends[ord(delim)] = False
    return starts, ends


def _quoted_padded_columns(
    buf: np.ndarray,
    q: np.ndarray,
    dpos: np.ndarray,
    rec_end: np.ndarray,
    delim: str,
    ncols: int,
) -> np.ndarray:
    """Which columns of a plain quoted CSV may hold a field with edge spaces.

    The byte test of :meth:`CsvLines.padded_columns`, aware of quotes: a
    field's first byte follows a record start, a delimiter outside quotes or
    an opening quote; its last byte precedes a record end (before a carriage
    return and newline), a delimiter outside quotes or a closing quote. A
    byte's column is the number of delimiters outside quotes before it in its
    record. Quotes doubled inside a field add bytes to test (flagging more
    only costs a strip). ``q``, ``dpos`` and ``rec_end`` are the positions
    of the quotes, of the delimiters outside quotes and of the newlines
    outside quotes, as :func:`quoted_records` finds them.
    """
    n = len(buf)
    cols = np.zeros(ncols, dtype=bool)
    if not n:
        return cols
    starts, ends = _edge_bytes(delim)
    rec_start = np.concatenate(([0], rec_end + 1))
    before_end = np.concatenate((rec_end, [n])) - 1
    crlf = (before_end >= 0) & (buf[np.maximum(before_end, 0)] == 13)
    before_end = before_end - crlf
    # one source of positions at a time (they are as many as the fields); each
    # is sorted, so those outside the file are cut at its two ends
    for base, shift, table in (
        (rec_start, 0, starts),
        (dpos, 1, starts),
        (q[0::2], 1, starts),
        (before_end, 0, ends),
        (dpos, -1, ends),
        (q[1::2], -1, ends),
    ):
        pos = base + shift
        pos = pos[np.searchsorted(pos, 0) : np.searchsorted(pos, n)]
        pos = pos[table[buf[pos]]]
        if not len(pos):
            continue
        record = np.searchsorted(rec_end, pos)
        rank = np.searchsorted(dpos, pos) - np.searchsorted(dpos, rec_start[record])
        cols[np.unique(rank[(rank >= 0) & (rank < ncols)])] = True
    return cols


def quoted_records(
    data: bytes, delim: str, ncols: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Line where each non-blank record of a quoted CSV starts; padded columns.

    The lines are 1-based; the padded columns are those that may hold a
    field with edge spaces (:func:`_quoted_padded_columns`).

    Record ends are the newlines outside quotes (an even number of ``"``
    before them). None, so that the ``csv`` module reads the file, unless
    the quotes are plain CSV: each opening quote starts a field, each closing
    quote ends one (or is doubled inside it), the quotes balance, no lone
    carriage return, no record longer than the ``csv`` module's field limit,
    and every non-blank record has ``ncols`` fields.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n = len(buf)
    q = np.flatnonzero(buf == 34)
    if len(q) % 2:
        return None
    cr = np.flatnonzero(buf == 13)
    if len(cr) and (cr[-1] == n - 1 or (buf[cr + 1] != 10).any()):
        return None
    d = ord(delim)
    opening, closing = q[0::2], q[1::2]
    prev = buf[np.maximum(opening - 1, 0)]
    glued = np.zeros(len(opening), dtype=bool)  # the second quote of a ""
    glued[1:] = closing[:-1] == opening[1:] - 1
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    starts_field = (prev == d) | (prev == 10) | (opening == bom) | glued
    if not starts_field.all():
        return None
    after = buf[np.minimum(closing + 1, n - 1)]
    ends_field = (closing == n - 1) | (after == d) | (after == 10) | (after == 13)
    ends_field[:-1] |= glued[1:]
    if not ends_field.all():
        return None
    nl = np.flatnonzero(buf == 10)
    # 1 where an odd number of quotes precedes the byte (inside quotes)
    odd = np.bitwise_xor.accumulate((buf == 34).view(np.uint8))
    inside = odd[nl] == 1
    ends = nl[~inside]  # newlines that end a record
    line_of_end = np.flatnonzero(~inside)  # their index among all newlines
    rec_start = np.concatenate(([0], ends + 1))
    rec_end = np.concatenate((ends, [n]))
    first_line = np.concatenate(([0], line_of_end + 1)) + 1
    if rec_end[-1] == rec_start[-1]:  # the file ends with a newline
        rec_start, rec_end, first_line = rec_start[:-1], rec_end[:-1], first_line[:-1]
    length = rec_end - rec_start
    if length.max(initial=0) > csv.field_size_limit():
        return None  # the csv module decides whether a field is too large
    has_cr = np.zeros(len(length), dtype=bool)
    has_cr[length > 0] = buf[rec_end[length > 0] - 1] == 13
    blank = (length - has_cr) == 0
    dpos = np.flatnonzero(buf == d)
    dpos = dpos[odd[dpos] == 0]
    del odd
    # delimiters per record: those before each record end, less those before
    # the previous end (one search per record, not per delimiter)
    before = np.searchsorted(dpos, ends)
    fields = np.diff(before, prepend=0, append=len(dpos)) + 1
    if not np.all(blank | (fields[: len(rec_start)] == ncols)):
        return None
    padded = _quoted_padded_columns(buf, q, dpos, ends, delim, ncols)
    return first_line[1:][~blank[1:]], padded
