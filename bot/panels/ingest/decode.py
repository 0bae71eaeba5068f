"""Transcript bytes to text: UTF-8 with or without a BOM, UTF-16 with a BOM, and detected GB18030 or Big5."""

from __future__ import annotations

import codecs
from pathlib import Path

from ...errors import QuoteBotError

MAX_BYTES = 4 * 1024 * 1024  # a ten-hour panel's transcript is under 1 MB
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# What a detector may answer that we trust for transcripts: Chinese legacy encodings and UTF-16 without a BOM.
_DETECTED = {"gb18030": "gb18030", "gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030",
             "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
             "utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be"}


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a transcript and the encoding it was read in, with CRLF and CR made LF."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None) or _utf16_without_bom(raw)
    if encoding is None:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as error:
            encoding = _detect(raw, name, error)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise QuoteBotError(f"{name}: not valid {encoding} at byte {error.start}; "
                            f"{_HOW_TO_CONVERT.format(encoding='ENCODING', name=name)}") from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding.removesuffix("-sig")


_HOW_TO_CONVERT = "convert it to UTF-8 first: iconv -f {encoding} -t UTF-8 {name} > converted.txt"


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 that lost its BOM: text in it has a zero byte beside nearly every ASCII character."""
    sample = raw[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < 4 * min(even, odd) + 1:
        return None
    return "utf-16-be" if even > odd else "utf-16-le"


def _detect(raw: bytes, name: str, error: UnicodeDecodeError) -> str:
    from charset_normalizer import from_bytes

    sample = raw[:1_000_000]
    best = from_bytes(sample, cp_isolation=list(_DETECTED)).best()
    if best is not None and best.encoding in _DETECTED:
        return _DETECTED[best.encoding]
    guess = from_bytes(sample).best()  # only to say which encoding to convert from
    encoding = guess.encoding.upper().replace("_", "-") if guess is not None else "ENCODING"
    looks = f"looks like {encoding}" if guess is not None else "in no encoding recognised"
    raise QuoteBotError(f"{name}: not UTF-8 (bad byte at {error.start}), GB18030, Big5 or UTF-16 ({looks}); "
                        f"{_HOW_TO_CONVERT.format(encoding=encoding, name=name)}")


def read_transcript(path: Path) -> tuple[str, str]:
    """Read and decode a transcript file; every failure is one line naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise QuoteBotError(f"{path}: {size // 1_048_576} MB is more than a transcript's limit of "
                                f"{MAX_BYTES // 1_048_576} MB")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise QuoteBotError(f"{path}: is a folder; pass -o DIR to ingest every transcript in it") from None
    except FileNotFoundError:
        raise QuoteBotError(f"{path}: no such file") from None
    except PermissionError:
        raise QuoteBotError(f"{path}: permission denied") from None
    except OSError as error:
        raise QuoteBotError(f"{path}: cannot read: {error.strerror or error}") from None
    return decode(raw, str(path))
