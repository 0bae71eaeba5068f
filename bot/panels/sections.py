"""The cache's file format: named sections of raw bytes or arrays, mapped rather than read.

A file is a magic string, then sections one after another, each a name, an array typecode
(`B` for plain bytes) and a length, its data padded to eight bytes. Opening one reads only
these headers; every section is a view of the mapped file, so the pages a process never
touches never take its memory, and a hundred thousand quotes open in milliseconds.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

_HEAD = struct.Struct("<16s1sQ")
_ALIGN = 8
Section = Any  # bytes, or an array of numbers (array.array, numpy): anything with the buffer protocol
_LONG = {"l": "q", "L": "Q"}  # a C long is eight bytes here: stored by its size, read anywhere


class FileRange:
    """`length` bytes of an open file from `offset`: copied file to file by the kernel."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self.fd, self.offset, self.length = fd, offset, length

    def __len__(self) -> int:
        return self.length


class Chunks:
    """A section of `length` bytes written as `chunks` come (bytes, or ranges of other files),
    never held whole."""

    def __init__(self, length: int, chunks: Iterable[bytes | FileRange]) -> None:
        self.length, self.chunks = length, chunks


def _copy(source: FileRange, out: Any) -> None:
    out.flush()
    at, left = source.offset, source.length
    try:
        while left > 0:
            copied = os.copy_file_range(source.fd, out.fileno(), left, at)
            if copied == 0:
                raise OSError("the file being copied from ended early")
            at, left = at + copied, left - copied
        out.seek(0, os.SEEK_END)
    except (AttributeError, OSError):  # no copy_file_range here (or across these file systems)
        out.seek(0, os.SEEK_END)
        while left > 0:
            chunk = os.pread(source.fd, min(left, 1 << 22), at)
            if not chunk:
                raise OSError("the file being copied from ended early") from None
            out.write(chunk)
            at, left = at + len(chunk), left - len(chunk)


def write_sections(file: Path, magic: bytes, sections: Mapping[str, Section]) -> None:
    """Write `sections` to `file` atomically: a reader sees the old file or the whole new one."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=file.parent, prefix=".tmp-", delete=False) as out:
        try:
            out.write(magic)
            out.write(b"\0" * (-len(magic) % _ALIGN))
            for name, section in sections.items():
                if isinstance(section, Chunks):
                    out.write(_HEAD.pack(name.encode(), b"B", section.length))
                    written = 0
                    for chunk in section.chunks:
                        if isinstance(chunk, FileRange):
                            _copy(chunk, out)
                        else:
                            out.write(chunk)
                        written += len(chunk)
                    if written != section.length:
                        raise ValueError(f"section {name} is {written} bytes, not {section.length}")
                    out.write(b"\0" * (-written % _ALIGN))
                    continue
                view = memoryview(section)
                typecode = _LONG.get(view.format, view.format)
                raw = view.cast("B") if view.format != "B" else view
                out.write(_HEAD.pack(name.encode(), typecode.encode(), len(raw)))
                out.write(raw)
                out.write(b"\0" * (-len(raw) % _ALIGN))
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    os.replace(out.name, file)


class Mapped:
    """An opened file: the map itself, each section as a view of it (cast to its typecode),
    and where each section starts in the map (for searching it with `mmap.find`)."""

    def __init__(self, whole: mmap.mmap, views: dict[str, memoryview], offsets: dict[str, int],
                 stream: BinaryIO) -> None:
        self.whole, self.views, self.offsets, self._stream = whole, views, offsets, stream

    def __getitem__(self, name: str) -> memoryview:
        return self.views[name]

    def file(self) -> BinaryIO:
        """The file, open for reading: the one mapped, even if another has taken its name since."""
        return self._stream


def map_sections(file: Path, magic: bytes) -> Mapped:
    """The file, mapped, with its sections. Raises
    ValueError when the file is not of this format or is cut short; OSError when unreadable."""
    stream = file.open("rb", buffering=0)
    size = os.fstat(stream.fileno()).st_size
    if size < len(magic):
        stream.close()
        raise ValueError("not a cache file of this version")
    whole = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    # A search reads scattered postings: without these, the kernel reads ahead and maps the
    # file in 2 MB pages, and a few lookups would make tens of megabytes resident.
    for advice in ("MADV_RANDOM", "MADV_NOHUGEPAGE"):
        if hasattr(mmap, advice):
            whole.madvise(getattr(mmap, advice))
    if whole[:len(magic)] != magic:
        whole.close()
        stream.close()
        raise ValueError("not a cache file of this version")
    views, offsets, at = {}, {}, len(magic) + (-len(magic) % _ALIGN)
    everything = memoryview(whole)
    while at < size:
        if at + _HEAD.size > size:
            raise ValueError("truncated")
        name, typecode, length = _HEAD.unpack_from(whole, at)
        at += _HEAD.size
        if at + length > size:
            raise ValueError("truncated")
        view, code, label = everything[at:at + length], typecode.decode(), name.rstrip(b"\0").decode()
        if code != "B":
            if length % struct.calcsize(code):
                raise ValueError(f"section {label} is cut short")
            view = view.cast(code)
        views[label], offsets[label] = view, at
        at += length + (-length % _ALIGN)
    return Mapped(whole, views, offsets, stream)
