"""Discover the files to scan and offer each to the parsers.

Walks directories without following symbolic links out of the scan root,
skips version-control, tool-cache, hidden and vendored folders, and never
blocks on special files (FIFOs, devices): they are skipped with a note
(:func:`special_note`, which the Terraform loader uses for the module
directories it reads itself). Reading is bounded by :mod:`iacgov.limits`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from iacgov.limits import Limits, TimeBudgetExceeded, budget_message, budget_per_item
from iacgov.model import Location, Notification, Severity, SourceFile

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".terraform", ".terragrunt-cache", "node_modules", "vendor",
    "third_party", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache", ".pytest_cache",
    "cdk.out", ".aws-sam",
})
HEAD_BYTES = 64 * 1024
# Names the parsers read: a directory so named is worth a note (it is walked as a folder).
FILE_LIKE_SUFFIXES = (".tf", ".tfvars", ".json", ".yaml", ".yml", ".template")


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    explicit: set[str] = field(default_factory=set)  # relpaths named on the command line
    # Infrastructure-like files (FILE_LIKE_SUFFIXES) left out by --skip-path / the policy's exclude:
    # the user's decision, counted in the summary, never a coverage gap.
    excluded: list[str] = field(default_factory=list)


def find_root(paths: Sequence[Path]) -> Path:
    """The directory URIs are made relative to: the git work tree that holds
    the first path, else that path itself (or its folder, for a file)."""
    first = paths[0].resolve() if paths else Path.cwd().resolve()
    start = first if first.is_dir() else first.parent
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[Path], root: Path, exclude: Sequence[str] = ()) -> Discovery:
    """Every regular file under ``paths``, sorted, each once; those matching an
    ``exclude`` glob (:func:`exclusion_matcher`) are left out, named ones too
    (pre-commit names the staged files)."""
    out = Discovery()
    seen: set[str] = set()  # real paths
    root = root.resolve()
    is_excluded = exclusion_matcher(exclude)

    def note(path: Path, message: str, level: Severity = Severity.NOTE, scope: str | None = None) -> None:
        out.notifications.append(Notification(message, Location(relpath(path, root)), level, "discovery",
                                              scope=scope))

    def add_file(path: Path, explicit: bool) -> None:
        try:
            real = path.resolve(strict=True)
            st = real.stat()
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on old Pythons
            note(path, f"skipped {relpath(path, root)}: cannot be read ({_reason(exc)})", Severity.WARNING, "file")
            return
        if not _inside(real, root):
            note(path, f"skipped {relpath(path, root)}: it links outside the scanned root", Severity.WARNING)
            return
        if not stat.S_ISREG(st.st_mode):
            if explicit:
                note(path, f"skipped {relpath(path, root)}: not a regular file ({_kind(st.st_mode)})",
                     Severity.WARNING)
            else:
                out.notifications.append(special_note(path, relpath(path, root), st))
            return
        if str(real) in seen:
            return
        seen.add(str(real))
        rel = relpath(path.absolute(), root)
        if is_excluded(rel):
            if path.name.endswith(FILE_LIKE_SUFFIXES):
                out.excluded.append(rel)
            return
        out.files.append(SourceFile(path=path.absolute(), relpath=relpath(path.absolute(), root)))
        if explicit:
            out.explicit.add(out.files[-1].relpath)

    root_text = str(root)
    root_prefix = root_text.rstrip("/") + "/"

    def add_plain(folder: str, folder_path: Path, real_folder: str | None, name: str) -> None:
        """``add_file`` for a name the walk listed, without resolving it: a
        regular file that is no link lies where its folder really is, so its
        real path is that folder's (resolved once) joined to its name; any
        other entry (a link, a special file, one that vanished) or a folder
        outside the root goes the long way. 10,000 files: 1.0 s -> 0.15 s."""
        text = os.path.join(folder, name)
        try:
            mode = os.lstat(text).st_mode
        except OSError:
            mode = 0
        if real_folder is None or not stat.S_ISREG(mode):
            add_file(Path(text), explicit=False)
            return
        real = real_folder + "/" + name if real_folder != "/" else "/" + name
        if real in seen:
            return
        seen.add(real)
        rel = text[len(root_prefix):] if text.startswith(root_prefix) else text
        if is_excluded(rel):
            if name.endswith(FILE_LIKE_SUFFIXES):
                out.excluded.append(rel)
            return
        out.files.append(SourceFile(path=folder_path / name, relpath=rel))  # a child: only the name is parsed

    def real_inside(folder: str) -> str | None:
        """The folder's real path when it lies inside the root, else None (its files go the long way)."""
        try:
            real = os.path.realpath(folder, strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        return real if real == root_text or real.startswith(root_prefix) else None

    for given in paths:
        given = given.absolute()
        if not os.path.lexists(given):
            note(given, f"{given}: no such file or directory", Severity.ERROR)
            continue
        if given.is_file() or not given.is_dir():
            add_file(given, explicit=True)
            continue
        for dirpath, dirnames, filenames in os.walk(given, followlinks=False, onerror=lambda e: note(
                Path(e.filename), f"skipped {relpath(Path(e.filename), root)}: cannot be read ({_reason(e)})",
                Severity.WARNING, "file")):
            dirnames[:] = sorted(d for d in dirnames if not _skipped_dir(Path(dirpath) / d, root, note))
            for d in dirnames:
                if d.endswith(FILE_LIKE_SUFFIXES):
                    out.notifications.append(special_note(Path(dirpath) / d, relpath(Path(dirpath) / d, root)))
            real_folder = real_inside(dirpath) if filenames else None
            folder_path = Path(dirpath)
            for name in sorted(filenames):
                if name.startswith(".") and name not in (".iacgov.yaml",):
                    continue
                add_plain(dirpath, folder_path, real_folder, name)
    out.files.sort(key=lambda f: f.relpath)
    out.excluded.sort()
    return out


def exclusion_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Whether a repository-relative POSIX path is excluded by one of
    ``patterns`` (``--skip-path``, the policy's ``exclude``), read as
    gitignore reads them: a pattern without a slash but a trailing one
    (``examples/``, ``test``, ``*.auto.tfvars``) matches a name at any depth;
    one with a slash (``envs/dev/*.tf``, ``/modules``) is anchored at the root;
    ``**`` spans folders, ``*`` and ``?`` stay within one; a trailing ``/``
    matches folders only. A path is excluded when it or one of its folders matches."""
    compiled = [_glob_regex(p) for p in patterns if p.strip()]
    if not compiled:
        return lambda rel: False

    verdicts: dict[str, bool] = {}  # by folder: said once per folder, not once per file in it

    def folder_excluded(folder: str) -> bool:
        """Whether the folder or one above it matches (every prefix before a ``/``)."""
        verdict = verdicts.get(folder)
        if verdict is None:
            verdict = any(regex.fullmatch(folder) for regex, _ in compiled) or (
                "/" in folder and folder_excluded(folder.rpartition("/")[0]))
            verdicts[folder] = verdict
        return verdict

    def excluded(rel: str) -> bool:
        return ("/" in rel and folder_excluded(rel.rpartition("/")[0])) or any(
            regex.fullmatch(rel) for regex, dirs_only in compiled if not dirs_only)

    return excluded


def _glob_regex(pattern: str) -> tuple[re.Pattern[str], bool]:
    """A glob as a regular expression, and whether it matches folders only."""
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    dirs_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + re.escape(body[1:]) if body[:1] in "!^" and len(body) > 1 else re.escape(body)) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile(("" if anchored else "(?:.*/)?") + "".join(out)), dirs_only


TERRAFORM_SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json")


def with_whole_modules(paths: Sequence[Path]) -> tuple[Path, ...]:
    """Each Terraform file replaced by every file of its directory (not its
    subdirectories: those are other modules, read through module calls)."""
    out: dict[Path, None] = {}
    for path in paths:
        if path.name.endswith(TERRAFORM_SUFFIXES) and path.parent.is_dir():
            for sibling in sorted(path.parent.iterdir()):
                if sibling.name.endswith(TERRAFORM_SUFFIXES) and not sibling.name.startswith("."):
                    out[sibling] = None
        else:
            out[path] = None
    return tuple(out)


def _skipped_dir(path: Path, root: Path, note) -> bool:
    name = path.name
    if name in SKIPPED_DIRS or name.startswith("."):
        return True
    if path.is_symlink():
        # os.walk does not descend into links; say so when it would have
        # left the root, so a reviewer knows what was not scanned.
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            note(path, f"skipped {relpath(path, root)}: broken or looping symbolic link", Severity.WARNING)
            return True
        if not _inside(target, root):
            note(path, f"skipped {relpath(path, root)}: it links outside the scanned root", Severity.WARNING)
        return True
    return False


def special_note(path: Path, rel: str, st: os.stat_result | None = None) -> Notification:
    """The note for a directory entry that is not a regular file to read (a
    directory named ``main.tf``, a FIFO, a socket, a device, a broken or
    looping link): one wording wherever it is met, so that it is said once."""
    if st is None:
        try:
            st = path.stat()
        except (OSError, RuntimeError):
            return Notification(f"skipped {rel}: broken or looping symbolic link", Location(rel), Severity.NOTE,
                                "discovery")
    if stat.S_ISDIR(st.st_mode):
        message = f"skipped {rel}: a directory, not a file"
    else:
        message = f"skipped {rel}: not a regular file ({_kind(st.st_mode)})"
    return Notification(message, Location(rel), Severity.NOTE, "discovery")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a special file"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) and "loop" in str(exc).lower():
        return "a symbolic link loop"  # Python < 3.13; its message holds an absolute path
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def read_head(file: SourceFile) -> bytes | Notification:
    """The first 64 KiB, opened without blocking (a file swapped for a FIFO
    since the walk cannot stall the scan)."""
    try:
        fd = os.open(file.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return special_note(file.path, file.relpath, os.fstat(fd))
            return os.read(fd, HEAD_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        return Notification(f"{file.relpath}: cannot be read ({_reason(exc)})", Location(file.relpath),
                            Severity.ERROR, "discovery", scope="file")


# A CloudFormation template under a name no parser reads (checkov aborts a whole
# scan on those): a document that opens as a JSON object or with a top-level
# YAML key (not prose: a README quoting a template starts with text), with the
# template's marker key and a Resources key. The head is untrusted: every
# pattern runs in linear time (whitespace never spans a line break, so no two
# attempts scan the same run; the first line is found by a loop, not a pattern).
_BLANK = b" \t\r\f\v"
_TEMPLATE_MARKER = re.compile(rb"""(?:^|[{,])[ \t\r\f\v]*+["']?AWSTemplateFormatVersion["']?[ \t\r\f\v]*:""", re.M)
_RESOURCES_KEY = re.compile(rb"""(?:^|[{,])[ \t\r\f\v]*+["']?Resources["']?[ \t\r\f\v]*:""", re.M)
_FIRST_LINE = re.compile(rb"""\{|["']?[A-Za-z][\w:-]*["']?[ \t\r\f\v]*:""")


def document_start(head: bytes) -> bool:
    """Whether the first line that is not blank, a ``#`` comment or a ``---``
    marker opens a JSON object or a YAML mapping; linear in ``head``."""
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while position < len(head):
        end = head.find(b"\n", position)
        end = len(head) if end < 0 else end
        line = head[position:end].strip(_BLANK)
        if line and not line.startswith((b"#", b"---")):
            return _FIRST_LINE.match(line) is not None
        position = end + 1
    return False


def assign(files: Iterable[SourceFile], parsers: Sequence, notifications: list[Notification],
           explicit: Iterable[str] = (), limits: Limits | None = None) -> dict[str, list[SourceFile]]:
    """Offer each file to each parser; the first that claims it gets it. A
    file no parser claims is said when it looks like a template under an
    unusual name (a warning: infrastructure left unchecked) or was named on
    the command line (a note); the scan goes on. Each file's offer runs
    within the per-file time budget (``limits``, default :class:`Limits`):
    a parser's ``claims`` is third-party code reading untrusted bytes."""
    limits = limits or Limits()
    claimed: dict[str, list[SourceFile]] = {p.name: [] for p in parsers}
    named = set(explicit)
    with budget_per_item(limits.file_timeout_seconds) as budget:
        for file in files:
            try:
                with budget:
                    parser_name, note = _offer(file, parsers, file.relpath in named)
            except TimeBudgetExceeded:
                parser_name, note = None, Notification(
                    f"{file.relpath}: recognising its format {budget_message(limits)}", Location(file.relpath),
                    Severity.ERROR, "discovery", scope="file")
            if parser_name is not None:
                claimed[parser_name].append(file)
            if note is not None:
                notifications.append(note)
    return claimed


def _offer(file: SourceFile, parsers: Sequence, explicit: bool) -> tuple[str | None, Notification | None]:
    """The name of the parser that claims ``file``, or the note to give when none does."""
    head = read_head(file)
    if isinstance(head, Notification):
        return None, head
    for parser in parsers:
        if parser.claims(file, head):
            return parser.name, None
    return None, _unclaimed(file, head, explicit)


def _unclaimed(file: SourceFile, head: bytes, explicit: bool) -> Notification | None:
    name = file.path.name
    if (not name.endswith(FILE_LIKE_SUFFIXES) and document_start(head)
            and _TEMPLATE_MARKER.search(head) and _RESOURCES_KEY.search(head)):
        return Notification(
            f"skipped {file.relpath}: it looks like a CloudFormation template, but no parser reads files named "
            f"like this (*.yaml, *.yml, *.json, *.template): not scanned", Location(file.relpath), Severity.WARNING,
            "discovery")
    if explicit:
        return Notification(f"skipped {file.relpath}: not a Terraform, Terraform plan or CloudFormation file",
                            Location(file.relpath), Severity.NOTE, "discovery")
    return None
