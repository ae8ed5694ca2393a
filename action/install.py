"""The Action's install step: iacgov in a virtual environment of its own.

Run by the runner's interpreter (input ``python``, ``python3`` by default),
with the standard library only: iacgov is not installed yet. It never changes
the job's Python (no setup-python, nothing written to GITHUB_PATH or
GITHUB_ENV), so the steps after the Action see the runner as they left it.

``install: true`` (default): a virtual environment under ``$RUNNER_TEMP``,
the requirements of ``action/requirements.lock`` installed with
``--require-hashes`` and ``--only-binary :all:`` (every file checked against
the lock, no build script of a dependency run), then iacgov itself from the
Action's checkout without touching the index. A second use of the Action in
the same job reuses the environment when the lock and checkout are the same.

``install: false``: iacgov is already installed (offline runners, GitHub
Enterprise Server without PyPI); ``python`` is the interpreter that has it.

Writes ``python=<interpreter with iacgov>`` to ``$GITHUB_OUTPUT``. Failures
are one ``::error`` line that says what to do, then exit 2.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

SUPPORTED = ((3, 10), (3, 13))
ACTION = Path(os.environ.get("IACGOV_ACTION_PATH") or Path(__file__).resolve().parent.parent)
LOCK = ACTION / "action" / "requirements.lock"
# Left out of the copy iacgov is built from: not part of the package, and a
# build must not write into the Action's checkout.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv*", "tests", "benchmarks", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".hypothesis")
# What pip prints when it cannot reach the index (urllib3, requests, socket errors).
NETWORK = re.compile(r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
                     r"|Name or service not known|nodename nor servname|getaddrinfo failed|Network is unreachable"
                     r"|Connection refused|ConnectTimeoutError|Read timed out|ProxyError|SSLError"
                     r"|No route to host|Max retries exceeded")
OFFLINE_HINT = ("On an offline runner or GitHub Enterprise Server without access to PyPI, install iacgov "
                "beforehand and set the Action's input install: false (with python: naming the interpreter "
                "that has it), or give pip a mirror that serves the same files (PIP_INDEX_URL).")


class InstallError(Exception):
    """One line for the job log; the step exits 2."""


def fail(message: str, log: str = "") -> int:
    if log.strip():
        print("::group::pip's output")
        print(log.rstrip())
        print("::endgroup::")
    print(f"::error title=iacgov install::{message}")
    return 2


def set_output(name: str, value: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{name}={value}\n")


def venv_python(venv: Path) -> Path:
    windows = venv / "Scripts" / "python.exe"
    return windows if windows.exists() else venv / "bin" / "python"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a Python tool isolated (-I): the workspace is the scanned repository, and a pip.py or venv.py there
    must not be what ``python -m`` imports."""
    return subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")


def indexes(log: str) -> list[str]:
    """The indexes pip looked in: it names them unless it used PyPI alone."""
    for line in log.splitlines():
        if line.startswith("Looking in indexes:"):
            return [url.strip() for url in line.split(":", 1)[1].split(",") if url.strip()]
    return ["https://pypi.org/simple"]


def unreachable(url: str) -> str | None:
    """Why the index cannot be reached, or None if it answers (any HTTP status is an answer)."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


def pip_failure(done: subprocess.CompletedProcess) -> InstallError:
    """Why pip failed, in words that say what to do."""
    log = done.stdout
    looked = indexes(log)
    index = ", ".join(looked)
    if "DO NOT MATCH THE HASHES" in log:
        return InstallError(f"a file downloaded from {index} does not match the hash in action/requirements.lock: "
                            "nothing was installed (a mirror serving other files than PyPI's, or a tampered file)")
    if "from versions: none" in log and all(unreachable(url) for url in looked):
        return InstallError(f"cannot download iacgov's pinned requirements from {index}: this runner seems to have "
                            f"no network access to it ({unreachable(looked[0])}). {OFFLINE_HINT}")
    if NETWORK.search(log):
        return InstallError(f"cannot download iacgov's pinned requirements from {index}: this runner seems to have "
                            f"no network access to it. {OFFLINE_HINT}")
    if "from versions: none" in log or "No matching distribution" in log:
        return InstallError(f"a pinned requirement has no wheel for this platform and Python "
                            f"({sys.platform}, {sys.version.split()[0]}), or {index} does not serve it. {OFFLINE_HINT}")
    return InstallError(f"pip could not install iacgov's requirements (exit {done.returncode}); its output is above")


def fingerprint() -> str:
    """What the environment was built from: the lock and the checkout's version of iacgov."""
    digest = hashlib.sha256(LOCK.read_bytes())
    digest.update((ACTION / "pyproject.toml").read_bytes())
    digest.update(str(ACTION.resolve()).encode())
    return digest.hexdigest()


def install() -> Path:
    if not (SUPPORTED[0] <= sys.version_info[:2] <= SUPPORTED[1]):
        raise InstallError(f"iacgov runs on Python 3.10 to 3.13; {sys.executable} is {sys.version.split()[0]}: "
                           "set the Action's input python to another interpreter of the runner (e.g. python3.12)")
    temp = Path(os.environ.get("RUNNER_TEMP") or ACTION.parent)
    venv, stamp = temp / "iacgov-venv", temp / "iacgov-venv.sha256"
    key = fingerprint()
    python = venv_python(venv)
    if stamp.is_file() and stamp.read_text().strip() == key and python.exists():
        print(f"iacgov: reusing {venv}")
        return python
    shutil.rmtree(venv, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    temp.mkdir(parents=True, exist_ok=True)
    done = run([sys.executable, "-I", "-m", "venv", str(venv)], temp)
    if done.returncode != 0:
        raise InstallError(f"{sys.executable} cannot create a virtual environment ({done.stdout.strip().splitlines()[-1:]}):"
                           " install the venv module (Debian, Ubuntu: python3-venv) or set the input python")
    python = venv_python(venv)
    pip = [str(python), "-I", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    done = run([*pip, "--require-hashes", "--only-binary", ":all:", "-r", str(LOCK)], temp)
    if done.returncode != 0:
        raise pip_failure(done) from RuntimeError(done.stdout)
    source = temp / "iacgov-source"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(ACTION, source, ignore=NOT_COPIED)
    # Everything iacgov needs is installed: build it with the locked setuptools, offline.
    done = run([*pip, "--no-deps", "--no-build-isolation", "--no-index", str(source)], temp)
    if done.returncode != 0:
        raise InstallError("iacgov could not be built from the Action's checkout") from RuntimeError(done.stdout)
    done = run([str(python), "-I", "-m", "pip", "check", "--disable-pip-version-check"], temp)
    if done.returncode != 0:
        raise InstallError("action/requirements.lock does not satisfy iacgov's dependencies: regenerate it with "
                           "scripts/lock_action_requirements.sh") from RuntimeError(done.stdout)
    stamp.write_text(key + "\n")
    return python


def installed() -> Path:
    """``install: false``: this interpreter must import iacgov, run as the Action runs it (isolated)."""
    done = run([sys.executable, "-I", "-c", "import iacgov.github_action"], ACTION)
    if done.returncode != 0:
        raise InstallError(f"install is false, but {sys.executable} cannot import iacgov: install iacgov in that "
                           "environment beforehand (the Action runs python -I: PYTHONPATH and the user site are "
                           "not read), or set the input python to the interpreter that has it")
    return Path(sys.executable)


def main() -> int:
    flag = (os.environ.get("INPUT_INSTALL") or "true").strip().lower()
    if flag not in ("true", "false"):
        return fail(f"input install: expected true or false, got {flag!r}")
    try:
        python = install() if flag == "true" else installed()
    except InstallError as exc:
        cause = exc.__cause__
        return fail(str(exc), str(cause) if isinstance(cause, RuntimeError) else "")
    set_output("python", str(python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
