"""The JSON report (``--format json``): a documented, stable shape.

::

    {
      "version": 1,                      # shape version of this document
      "tool": {"name": "iacgov", "version": "0.1.0"},
      "policy": "iacgov.yaml",           # or "<embedded default policy>"
      "summary": {"files": 3, "resources": 12, "findings": 2, "blocking": 1,
                  "suppressed": 0, "by_family": {"LOC": 2}, "by_severity": {"error": 1, "warning": 1}},
      "findings": [{"code", "family", "severity", "message", "address", "file", "line",
                    "attribute", "fingerprint", "properties", "suppression"}],
                  # suppression: null, or {"kind": "inline" | "metadata" | "baseline",
                  #   "source": "iacgov", "reason", "expires": "YYYY-MM-DD" | null, "file", "line"}
      "notifications": [{"level", "message", "file", "line", "source", "scope", "subject"}],
                  # scope: null, or what the notification leaves out: "file" | "module" | "resource"
      "coverage": {"complete": false, "files_analysed": 3, "resources_analysed": 12,
                   "files_not_analysed": 1, "modules_not_analysed": 0, "resources_not_analysed": 0,
                   "not_analysed": [{"scope", "subject", "reason", "path", "line"}]},
                  # what was analysed and what was not (iacgov.model.Coverage.as_dict); the same
                  # object is SARIF's runs[0].properties.coverage. complete is false as soon as
                  # one file, module call or resource was left out; subject is the file's path,
                  # "module.NAME" or the resource address
      "errors": ["rule X crashed: ..."]
    }

Keys are fixed; more may be added. Lists are sorted (file, line, code), so the
same input always gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from iacgov import __version__
from iacgov.api import hookimpl
from iacgov.fingerprint import fingerprint
from iacgov.jsonfast import dumps_indented
from iacgov.model import Finding, ScanResult, Severity, Suppression, Unknown
from iacgov.reporters.escape import SURROGATE, show


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _properties(properties: Any) -> dict[str, Any]:
    """``_plain(dict(properties))``; most findings' properties are a few plain strings and numbers, copied
    as they are without a call per value."""
    if _SCALARS.issuperset(map(type, properties.values())) and all(type(k) is str for k in properties):
        return dict(properties)
    return _plain(dict(properties))


def finding_dict(f: Finding) -> dict[str, Any]:
    location = f.location
    return {
        "code": f.code,
        "family": f.family,
        "severity": f.severity._value_,  # the member's value, without Enum's property (once per finding)
        "message": f.message,
        "address": f.address,
        "file": location.path,
        "line": location.line,
        "attribute": f.attribute,
        "fingerprint": fingerprint(f),
        "properties": _properties(f.properties),
        "suppression": suppression_dict(f.suppression) if f.suppression else None,
    }


def suppression_dict(s: Suppression) -> dict[str, Any]:
    """Where it is written is ``file`` / ``line`` (None for a baseline entry)."""
    return {
        "kind": s.kind,
        "source": s.source,
        "reason": s.reason,
        "expires": s.expires,
        "file": s.location.path if s.location else None,
        "line": s.location.line if s.location else None,
    }


def build_json(result: ScanResult) -> dict[str, Any]:
    active = list(result.active_findings())
    return {
        "version": 1,
        "tool": {"name": "iacgov", "version": __version__},
        "policy": result.policy_source,
        "summary": {
            "files": len(result.files),
            "resources": len(result.resources),
            "findings": len(active),
            "blocking": sum(1 for f in active if f.severity is Severity.ERROR),
            "suppressed": len(result.findings) - len(active),
            "by_family": dict(sorted(Counter(f.family for f in active).items())),
            "by_severity": dict(sorted(Counter(f.severity.value for f in active).items())),
        },
        "findings": [finding_dict(f) for f in result.findings],
        "notifications": [
            {
                "level": n.level.value,
                "message": n.message,
                "file": n.location.path,
                "line": n.location.line,
                "source": n.source,
                "scope": n.scope,
                "subject": n.subject or None,
            }
            for n in result.notifications
        ],
        "coverage": result.coverage.as_dict(),
        "errors": list(result.errors),
    }


# JSON escapes C0 controls itself; with ensure_ascii=False these would stay raw.
_ACTIVE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _escape(char: str) -> str:
    if SURROGATE.match(char):
        # Not a character: no UTF-8 form, and a lone "\\ud800" escape is refused by
        # strict JSON readers. The value holds the visible escape every format shows.
        return show(char).replace("\\", "\\\\")
    return f"\\u{ord(char):04x}"


def dumps(data: Any) -> str:
    """JSON for iacgov's reports: UTF-8 text, but C1 controls, bidi controls
    and line separators escaped (``\\u009b``), so that a report shown in a
    terminal or a diff view cannot act on it. The data is unchanged, but for
    lone surrogates (a ``\\ud800`` in HCL, an undecodable byte of a file name),
    which no UTF-8 text can hold: their value is the text ``\\ud800`` / ``\\xff``
    (:mod:`iacgov.reporters.escape`)."""
    text = dumps_indented(data, indent=2, ensure_ascii=False)  # json.dumps's bytes, faster
    if text.isascii() and "\x7f" not in text:  # nothing to escape: skips a regex pass (0.17 s at 10,000 files)
        return text + "\n"
    return _ACTIVE_IN_JSON.sub(lambda m: _escape(m.group()), text) + "\n"


class JsonReporter:
    name = "json"

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        return dumps(build_json(result))


@hookimpl
def iacgov_reporters():
    return [JsonReporter()]
