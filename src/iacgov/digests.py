"""BLAKE2b and SHA-256 without importing :mod:`hashlib`.

``import hashlib`` loads ``_hashlib``, OpenSSL's binding (about 2.6 ms of a
one-file pre-commit run), to offer constructors iacgov does not need:
``hashlib.blake2b`` *is* the interpreter's own ``_blake2.blake2b`` (hashlib
never takes BLAKE2 from OpenSSL), and the interpreter's own SHA-256
(``_sha256``, ``_sha2`` from Python 3.12) gives the same digests as
OpenSSL's — SHA-256 is one function. Where a Python was built without its own
implementations (``--with-builtin-hashlib-hashes`` leaving them out), hashlib's
answer is used: the digests never change, only what is imported to make them.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
    from hashlib import blake2b  # type: ignore[assignment]

try:
    from _sha2 import sha256  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.10 and 3.11
    except ImportError:  # pragma: no cover - a Python built without its own SHA-2
        from hashlib import sha256  # type: ignore[assignment]

__all__ = ["blake2b", "sha256"]
