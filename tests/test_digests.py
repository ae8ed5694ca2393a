"""iacgov.digests gives hashlib's digests (fingerprints, cache keys) without importing OpenSSL's binding."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from iacgov import digests

SAMPLES = [b"", b"a", b"\x00" * 1000, "région\x1fmain.tf".encode(), bytes(range(256)) * 300]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_digests_are_hashlibs(data):
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    for size in (16, 20, 32, 64):
        assert digests.blake2b(data, digest_size=size).digest() == hashlib.blake2b(data, digest_size=size).digest()
    ours, theirs = digests.blake2b(digest_size=16), hashlib.blake2b(digest_size=16)
    for part in (data, b"\0", data):
        ours.update(part)
        theirs.update(part)
    assert ours.hexdigest() == theirs.hexdigest()


def test_hashing_with_them_does_not_load_openssl():
    code = ("import sys; from iacgov.digests import blake2b, sha256; sha256(b'x').digest(); blake2b(b'x').digest(); "
            "from iacgov import cache, fingerprint; print('_hashlib' in sys.modules, 'hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False", "False"]
