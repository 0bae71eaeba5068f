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
from array import array
from collections.abc import Mapping
from pathlib import Path

_HEAD = struct.Struct("<16s1sQ")
_ALIGN = 8
Section = bytes | array  # type: ignore[type-arg]


def write_sections(file: Path, magic: bytes, sections: Mapping[str, Section]) -> None:
    """Write `sections` to `file` atomically: a reader sees the old file or the whole new one."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=file.parent, prefix=".tmp-", delete=False) as out:
        try:
            out.write(magic)
            out.write(b"\0" * (-len(magic) % _ALIGN))
            for name, section in sections.items():
                typecode = section.typecode if isinstance(section, array) else "B"
                raw = memoryview(section).cast("B") if isinstance(section, array) else section
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

    def __init__(self, whole: mmap.mmap, views: dict[str, memoryview], offsets: dict[str, int]) -> None:
        self.whole, self.views, self.offsets = whole, views, offsets

    def __getitem__(self, name: str) -> memoryview:
        return self.views[name]


def map_sections(file: Path, magic: bytes) -> Mapped:
    """The file, mapped, with its sections. Raises
    ValueError when the file is not of this format or is cut short; OSError when unreadable."""
    with file.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size < len(magic):
            raise ValueError("not a cache file of this version")
        whole = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    # A search reads scattered postings: without these, the kernel reads ahead and maps the
    # file in 2 MB pages, and a few lookups would make tens of megabytes resident.
    for advice in ("MADV_RANDOM", "MADV_NOHUGEPAGE"):
        if hasattr(mmap, advice):
            whole.madvise(getattr(mmap, advice))
    if whole[:len(magic)] != magic:
        whole.close()
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
    return Mapped(whole, views, offsets)
