"""The one escape every output applies to repository strings (docs/security.md §6).

A repository controls resource names (``for_each`` keys), tag values, file
names and what messages quote. Two kinds of character in them must never
reach an output as they are:

- characters that *act* on a terminal, a log or what a reader sees: C0 and C1
  controls but tab and new line, DEL, the bidi overrides and isolates
  ("Trojan Source");
- lone surrogates, which are not characters and have no UTF-8 form, so
  writing them raises: a ``\\ud800`` escape in HCL or JSON, and every byte of a
  file name that is not UTF-8 (``os.fsdecode`` turns byte 0xff into U+DCFF,
  Python's *surrogateescape*).

Each is shown as an escape, the same in every format: ``\\x1b`` for a control,
``\\u202e`` for a bidi control, ``\\xff`` for an undecodable byte of a name,
``\\ud800`` for any other lone surrogate.
"""

from __future__ import annotations

import re

# What acts on a terminal or on what a reader sees, and lone surrogates.
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
# U+DC80..U+DCFF: a byte 0x80..0xff that os.fsdecode could not decode.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def show(char: str) -> str:
    """The visible escape of one character ``ACTIVE`` matches."""
    code = ord(char)
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"  # the byte the file name holds
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Controls, bidi controls and lone surrogates shown as escapes: for
    terminals, logs and pages (text, GitHub annotations, JUnit, HTML)."""
    return ACTIVE.sub(lambda m: show(m.group()), text)


def encodable(text: str) -> str:
    """Lone surrogates only shown as escapes: what any UTF-8 output needs
    (JSON, SARIF and Markdown escape the rest their own way)."""
    return SURROGATE.sub(lambda m: show(m.group()), text)
