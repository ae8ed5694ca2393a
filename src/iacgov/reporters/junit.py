"""JUnit XML (``--format junit``) for CI dashboards.

One ``testsuite`` per rule; one failed ``testcase`` per rule and resource with
a finding (``classname`` = rule code, ``name`` = resource address), and one
passed test case for a rule that found nothing, so dashboards count the rules
that held. Files that could not be parsed are errored test cases of a
``parse`` suite; what was not analysed is a ``coverage`` suite of skipped
test cases, with the counts as its properties. Built with ElementTree:
every string is escaped.
"""

from __future__ import annotations

import re
from collections import defaultdict

from iacgov.api import hookimpl
from iacgov.model import ScanResult, Severity
from iacgov.reporters import coverage
from iacgov.reporters.text import printable


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """XML-safe and inert: terminal and bidi controls shown as escapes (CI
    dashboards print these strings), characters XML cannot carry likewise."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


class JunitReporter:
    name = "junit"

    def render(self, result: ScanResult, *, color: bool = False) -> str:
        import xml.etree.ElementTree as ET  # here: every scan loads this plugin, few write JUnit

        root = ET.Element("testsuites", name="iacgov")
        by_rule = defaultdict(list)
        for f in result.active_findings():
            by_rule[f.code].append(f)
        total = failures = errors = 0
        for code in sorted(set(result.rules) | set(by_rule)):
            findings = by_rule.get(code, [])
            suite = ET.SubElement(root, "testsuite", name=code)
            meta = result.rules.get(code)
            if not findings:
                ET.SubElement(suite, "testcase", classname=code, name=meta.summary if meta else code)
            for f in findings:
                case = ET.SubElement(suite, "testcase", classname=code, name=_x(f.address),
                                     file=_x(f.location.path), line=str(f.location.line))
                failure = ET.SubElement(case, "failure", message=_x(f.message), type=f.severity.value)
                failure.text = _x(f"{f.location.path}:{f.location.line}: {f.code} {f.message}")
            suite.set("tests", str(max(1, len(findings))))
            suite.set("failures", str(len(findings)))
            suite.set("errors", "0")
            total += max(1, len(findings))
            failures += len(findings)
        broken = [n for n in result.notifications if n.level is Severity.ERROR]
        if broken or result.errors:
            suite = ET.SubElement(root, "testsuite", name="parse", tests=str(len(broken) + len(result.errors)),
                                  failures="0", errors=str(len(broken) + len(result.errors)))
            for n in broken:
                case = ET.SubElement(suite, "testcase", classname="parse", name=_x(n.location.path))
                ET.SubElement(case, "error", message=_x(n.message))
            for e in result.errors:
                case = ET.SubElement(suite, "testcase", classname="internal", name="iacgov")
                ET.SubElement(case, "error", message=_x(e))
            total += len(broken) + len(result.errors)
            errors += len(broken) + len(result.errors)
        skipped = self._coverage(root, result)
        total += skipped
        root.set("tests", str(total))
        root.set("failures", str(failures))
        root.set("errors", str(errors))
        root.set("skipped", str(skipped))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    @staticmethod
    def _coverage(root, result: ScanResult) -> int:
        """A ``coverage`` suite: the counts as properties, one skipped test case
        per file, module call or resource not analysed. Returns how many."""
        import xml.etree.ElementTree as ET

        cov = result.coverage
        listed = coverage.entries(cov)
        suite = ET.SubElement(root, "testsuite", name="coverage", tests=str(len(listed)), failures="0",
                              errors="0", skipped=str(len(listed)))
        props = ET.SubElement(suite, "properties")
        for key, value in cov.as_dict().items():
            if key != "not_analysed":
                ET.SubElement(props, "property", name=key, value=str(value).lower() if isinstance(value, bool)
                              else str(value))
        ET.SubElement(props, "property", name="summary", value=coverage.sentence(cov))
        for scope, n in listed:
            case = ET.SubElement(suite, "testcase", classname=f"coverage.{scope}", name=_x(coverage.where(n)))
            ET.SubElement(case, "skipped", message=_x(n.message))
        return len(listed)


@hookimpl
def iacgov_reporters():
    return [JunitReporter()]
