"""CloudFormation templates (YAML or JSON, SAM included) -> resources.

Templates are decoded with cfn-lint's decoder (short-form tags such as
``!Sub``, JSON and YAML, a line on every node) and their intrinsic functions
evaluated statically (:mod:`.intrinsics`, whose docstring gives the
conventions for unknown values). SAM templates are read as written: not
transformed.

Each resource: ``address`` is the logical ID, ``attributes`` the evaluated
``Properties``, ``attribute_locations`` their dotted paths
(``Tags.0.Value``), ``location`` the line of the logical ID. ``meta`` holds
``Condition``, ``DependsOn``, ``DeletionPolicy`` and ``UpdateReplacePolicy``
(evaluated) and ``Metadata`` (raw, for suppressions) when the template sets
them, and ``condition``, the condition's name, when whether the resource
exists cannot be known; a resource whose condition is false is left out.

Importing this module is cheap: cfn-lint (~0.5 s, it pulls sympy and
networkx) is imported when the first template is parsed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from iacgov.api import hookimpl
from iacgov.model import Location, Notification, ParseOptions, ParseResult, SourceFile
from iacgov.parsers.terraform_plan import is_plan_head

EXTENSIONS = frozenset({".yaml", ".yml", ".json", ".template"})
# YAML files that tools other than CloudFormation own, whatever they contain.
_OTHER_TOOLS = re.compile(
    r"(^|/)(\.pre-commit-config\.ya?ml|\.?iacgov\.ya?ml|(docker-)?compose(\.[\w.-]+)?\.ya?ml"
    r"|\.github/workflows/[^/]+)$"
)
_FORMAT_VERSION = re.compile(rb"""(?:^|[{,\s])["']?AWSTemplateFormatVersion["']?\s*:""")
_RESOURCES = re.compile(rb"""(?:^|[{,\s])["']?Resources["']?\s*:""")
_AWS_TYPE = re.compile(rb"""(?:^|[{,\s])["']?Type["']?\s*:\s*["']?(?:AWS|Alexa|Custom)::""")


class CloudFormationParser:
    name = "cloudformation"

    def claims(self, file: SourceFile, head: bytes) -> bool:
        """A cheap look at the head; :func:`.template.is_template` decides after decoding."""
        if PurePosixPath(file.relpath).suffix.lower() not in EXTENSIONS or _OTHER_TOOLS.search(file.relpath):
            return False
        if is_plan_head(head):
            return False
        # The words first (a byte search): each pattern starts with an alternation that defeats re's own
        # prefix search, 14 ms on terragoat's 870 KiB package-lock.json, which holds neither word.
        return bool((b"AWSTemplateFormatVersion" in head and _FORMAT_VERSION.search(head))
                    or (b"Resources" in head and b"Type" in head and _RESOURCES.search(head)
                        and _AWS_TYPE.search(head)))

    def parse(self, files: Sequence[SourceFile], options: ParseOptions, root: Path) -> Iterable[ParseResult]:
        from iacgov.limits import LimitExceeded, Limits, TimeBudgetExceeded, budget_message, time_budget
        from iacgov.parsers.cloudformation.decoder import cloudformation_cache
        from iacgov.parsers.cloudformation.template import read_template
        from iacgov.progress import Counter

        limits = options.limits or Limits()
        cache = cloudformation_cache(options.cache_dir, limits)
        progress = Counter("reading CloudFormation templates", len(files))
        for file in files:
            progress.advance()
            try:
                with time_budget(limits.file_timeout_seconds, limits):  # and its memory budget
                    result = read_template(file, options, cache)
                yield result
            except LimitExceeded as exc:  # over the memory budget
                yield ParseResult(notifications=(Notification(f"{file.relpath}: {exc.reason}", Location(file.relpath),
                                                              source=self.name, scope="file"),), files=(file.relpath,))
            except TimeBudgetExceeded:
                message = f"{file.relpath}: {budget_message(limits)}"
                note = Notification(message, Location(file.relpath), source=self.name, scope="file")
                yield ParseResult(notifications=(note,), files=(file.relpath,))
            except Exception as exc:  # noqa: BLE001 - a bug on one file must not hide the others
                message = f"{file.relpath}: internal error while reading the template: {type(exc).__name__}: {exc}"
                note = Notification(message, Location(file.relpath), source=self.name, scope="file")
                yield ParseResult(notifications=(note,), files=(file.relpath,))


@hookimpl
def iacgov_parsers() -> list[CloudFormationParser]:
    return [CloudFormationParser()]
