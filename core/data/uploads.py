"""An uploaded file becomes text, or a message that tells the user what to do instead.

Uploads are untrusted bytes: nothing here unpickles, unzips or executes them; they are only decoded.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

_ADVICE = "Save the file as plain text (.txt, UTF-8) and upload that instead."
# (magic bytes, what the file looks like); checked before decoding so a binary file gets a useful message.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (Word .docx, .xlsx, .odt and PyTorch .pt files are ZIPs too)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x80\x02", "a Python pickle (e.g. a saved model); pickles can run code, so it is never opened"),
    (b"\x80\x03", "a Python pickle (e.g. a saved model); pickles can run code, so it is never opened"),
    (b"\x80\x04", "a Python pickle (e.g. a saved model); pickles can run code, so it is never opened"),
    (b"\x80\x05", "a Python pickle (e.g. a saved model); pickles can run code, so it is never opened"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document (copy its text into a .txt file)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc, .xls)"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ\x90\x00", "a Windows program (.exe or .dll)"),
)
# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029")
_KEEP = {"\n", "\t"}
MAX_GUESSED_CONTROL_FRACTION = 0.01  # cp1252 text with more control characters than this is not text


class UploadError(ValueError):
    """Why an upload was refused, worded for the person who uploaded it."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the codec that decoded it, e.g. "utf-8", "utf-16", "cp1252"
    note: str  # what the user should know (a guessed encoding, removed characters); "" when nothing


def _size(n: int) -> str:
    if n < 1024**2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024**2:.1f} MB"


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """Both sizes readable, and distinguishable even when they round to the same figure."""
    a, b = _size(size), _size(limit)
    return (f"{size:,} bytes", f"{limit:,} bytes") if a == b else (a, b)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in _KEEP


def _decode(data: bytes) -> tuple[str, str, str]:
    """(text, codec, note) or UploadError, before newline and control-character clean-up."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, ""
            except UnicodeDecodeError as err:
                raise UploadError(f"The file starts with a {label} byte-order mark but is not valid {label} "
                                  f"(bad bytes at offset {err.start}). {_ADVICE}") from None
    for magic, looks_like in _MAGIC:
        if data.startswith(magic):
            raise UploadError(f"This looks like {looks_like}, not text. {_ADVICE}")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UploadError(f"The file contains NUL bytes (first at offset {nul}), so it looks binary, not text; "
                          f"if it is UTF-16 text without a byte-order mark, re-save it as UTF-8. {_ADVICE}")
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError as err:
        bad = err.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and sum(map(_is_control, text)) <= MAX_GUESSED_CONTROL_FRACTION * len(text):
        return text, "cp1252", (f"The file is not UTF-8 (byte 0x{data[bad]:02x} at offset {bad}), so it was "
                                "read as Windows-1252 (cp1252); this is a guess. If accented letters or quotes "
                                "look wrong, re-save the file as UTF-8.")
    raise UploadError(f"The file is not UTF-8 (byte 0x{data[bad]:02x} at offset {bad} is invalid) and does not "
                      f"read as Windows-1252 text either; it may be binary or in another encoding. {_ADVICE}")


def decode_text(data: bytes, max_bytes: int) -> DecodedText:
    """Text from an uploaded file: UTF-8 (with or without BOM), UTF-16/32 with BOM, else a cp1252 guess.

    Newlines become "\\n"; control characters other than newline and tab are removed (and counted in `note`),
    since they only confuse a tokenizer and cannot be shown.
    """
    if not data:
        raise UploadError("The file is empty. Choose a text file with some writing in it.")
    if len(data) > max_bytes:
        size, limit = _sizes(len(data), max_bytes)
        raise UploadError(f"The file is {size}; the limit is {limit}. Upload a shorter excerpt.")
    text, codec, note = _decode(data)
    text = _NEWLINES.sub("\n", text)
    removed = sum(map(_is_control, text))
    if removed:
        text = "".join(ch for ch in text if not _is_control(ch))
        note = " ".join(filter(None, [note, f"Removed {removed} control character{'s' * (removed != 1)} "
                                            "(invisible codes other than newline and tab)."]))
    if not text.strip():
        raise UploadError("The file has no visible text. Choose a text file with some writing in it.")
    return DecodedText(text=text, encoding=codec, note=note)
