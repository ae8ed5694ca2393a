"""Writing and verifying evidence packs (see the package docstring)."""

from __future__ import annotations

import hashlib
import html
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib import resources as package_files
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from iacgov.model import family_of

MANIFEST = "manifest.json"
FRAMEWORKS = ("iso27001", "gdpr", "dora", "nis2")


class EvidenceError(Exception):
    """A usage problem (unknown framework, bad date, a directory that is not empty): exit 2."""


def framework(name: str) -> Mapping[str, Any]:
    if name not in FRAMEWORKS:
        raise EvidenceError(f"--framework {name}: unknown framework (known: {', '.join(FRAMEWORKS)})")
    folder = package_files.files("iacgov") / "data" / "frameworks"
    return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))


def policy_history(policy: Path | None, root: Path, since: date | None) -> dict[str, Any]:
    """Who changed the policy file, when (``git log``, git by its absolute path,
    no system configuration, no pager, no replace objects)."""
    if policy is None:
        return {"file": None, "commits": [], "note": "the embedded default policy applies: it has no history"}
    from iacgov.review.gitrepo import GitError, Repository, _env
    try:
        repo = Repository(root)
        rel = policy.resolve().relative_to(root.resolve()).as_posix()
        args = ["log", "--follow", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%s%x1e"]
        if since is not None:
            args.append(f"--since={since.isoformat()}")
        done = subprocess.run(repo.command(*args, "--", rel), capture_output=True, env=_env(), timeout=120,
                              check=False, shell=False)
    except (GitError, ValueError, OSError) as exc:
        return {"file": policy.name, "commits": [], "note": f"no history: {exc}"}
    if done.returncode != 0:
        return {"file": rel, "commits": [], "note": "no history: " + done.stderr.decode("utf-8", "replace").strip()}
    commits = []
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        fields = record.strip().split("\x1f")
        if len(fields) == 6:
            commits.append(dict(zip(("commit", "author", "email", "date", "committer", "subject"), fields)))
    return {"file": rel, "since": since.isoformat() if since else None, "commits": commits}


def controls(names: Sequence[str], findings: Sequence[Any]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for f in findings:
        if f.suppression is None:
            counts[family_of(f.code)] = counts.get(family_of(f.code), 0) + 1
    out = {}
    for name in names:
        spec = framework(name)
        out[name] = {"title": spec["title"], "source": spec["source"], "mappings": [
            m | {"open_findings": counts.get(m["family"], 0) if m["family"] != "EXIT" else None}
            for m in spec["mappings"]]}
    return out


def suppressions(findings: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        s = f.suppression
        if s is None:
            continue
        out.append({"code": f.code, "address": f.address, "file": f.location.path, "line": f.location.line,
                    "kind": s.kind, "source": s.source, "reason": s.reason, "expires": s.expires,
                    "written_at": f"{s.location.path}:{s.location.line}" if s.location else None})
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_pack(out: Path, files: Mapping[str, bytes], meta: Mapping[str, Any]) -> Path:
    """Write ``files`` (relative path -> bytes) and the manifest into the empty directory ``out``."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"-o {out}: exists and is not an empty directory (a pack is never written over)")
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for rel, data in sorted(files.items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data)
        entries.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    manifest = dict(meta) | {"algorithm": "sha256", "files": entries}
    with open(out / MANIFEST, "x", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    return out / MANIFEST


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def verify(folder: Path) -> list[Problem]:
    """Every file of the manifest present with its hash, and nothing else in the pack."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = {e["path"]: e["sha256"] for e in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [Problem(MANIFEST, f"cannot be read as a pack manifest ({exc})")]
    problems = []
    for rel, expected in sorted(entries.items()):
        path = folder / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            problems.append(Problem(rel, "points outside the pack"))
        elif not path.is_file():
            problems.append(Problem(rel, "missing"))
        elif sha256(path) != expected:
            problems.append(Problem(rel, "SHA-256 differs from the manifest (the file was changed)"))
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in entries:
            problems.append(Problem(rel, "not listed in the manifest (added after the pack was made)"))
    return problems


def generated_at() -> str:
    """``SOURCE_DATE_EPOCH`` when set (reproducible packs), else now, UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat()


def summary_html(meta: Mapping[str, Any], history: Mapping[str, Any], findings: Sequence[Any],
                 supp: Sequence[Mapping[str, Any]], exit_report: Any, mapping: Mapping[str, Any],
                 files: Sequence[str]) -> str:
    e = html.escape
    open_ = [f for f in findings if f.suppression is None]
    rows = "".join(f"<tr><td>{e(c['commit'][:12])}</td><td>{e(c['author'])}</td><td>{e(c['date'])}</td>"
                   f"<td>{e(c['subject'])}</td></tr>" for c in history.get("commits", ()))
    apps = "".join(f"<tr><td>{e(g.application)}</td><td>{e(g.environment)}</td><td>{e(g.verdict)}</td>"
                   f"<td>{len(g.blockers)}</td></tr>" for g in exit_report.groups)
    maps = []
    for name, spec in mapping.items():
        lines = "".join(
            f"<tr><td>{e(m['family'])}</td><td>{e(', '.join(m['controls']) or '—')}</td><td>{e(m['covers'])}</td>"
            f"<td>{e(m['does_not_cover'])}</td><td>{'' if m['open_findings'] is None else m['open_findings']}</td></tr>"
            for m in spec["mappings"])
        maps.append(f"<h3>{e(spec['title'])}</h3><p><a href='{e(spec['source'])}'>{e(spec['source'])}</a></p>"
                    "<table><tr><th>Evidence</th><th>Controls</th><th>Covers</th><th>Does not cover</th>"
                    f"<th>Open findings</th></tr>{lines}</table>")
    listing = "".join(f"<li><a href='{e(f)}'>{e(f)}</a></li>" for f in files)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>iacgov evidence pack</title>"
            "<style>body{font-family:sans-serif;max-width:72em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3em;vertical-align:top}</style></head><body>"
            f"<h1>Evidence pack</h1><p>Generated {e(meta['generated'])} by iacgov {e(meta['iacgov'])}; period from "
            f"{e(str(meta['since'] or 'the beginning'))}. Policy: {e(str(meta['policy']))}.</p>"
            f"<p>Findings: {len(open_)} open, {len(supp)} suppressed. Exit readiness: {e(exit_report.verdict)}.</p>"
            "<p>Every file of this pack is listed with its SHA-256 in manifest.json; "
            "<code>iacgov evidence verify DIR</code> re-checks them.</p>"
            f"<h2>Policy history</h2><table><tr><th>Commit</th><th>Author</th><th>Date</th><th>Change</th></tr>{rows}"
            f"</table><p>{e(history.get('note', ''))}</p>"
            f"<h2>Exit readiness</h2><table><tr><th>Application</th><th>Environment</th><th>Verdict</th>"
            f"<th>Blockers</th></tr>{apps}</table>"
            f"<h2>Controls</h2>{''.join(maps)}<h2>Files</h2><ul>{listing}</ul></body></html>\n")
