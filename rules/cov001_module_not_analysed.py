"""COV001 — Module call not analysed.

## What it flags

A `module` block whose module iacgov could not read, so that none of its
resources was checked by any other rule:

- a remote module (registry, git, HTTP, S3...) that `terraform init` has not
  downloaded into `.terraform/modules/` next to the root module — iacgov never
  downloads anything, but reads what `terraform init` recorded in
  `.terraform/modules/modules.json`;
- a downloaded copy recorded outside the scanned directory (through `..` or
  a symbolic link), which is not read;
- a local module whose directory does not exist, is outside the scanned
  directory, or holds no Terraform file (a git submodule that was not checked
  out);
- a `source` that is not a literal string, a module calling itself, modules
  nested too deep.

One finding per module call, on its `module` block, with the call's address
(`module.NAME`, prefixed by the calling modules: `module.app.module.bucket`).
The parser's notification says the same; this rule makes it a finding, so that
the policy decides whether it blocks.

## Why it matters

A module that is not read is infrastructure nobody checked: a registry module
creating buckets in a forbidden region passes a scan that cannot see it. A
green run must mean "checked and compliant", not "not looked at".

## How to fix

Run `terraform init` (or `terraform get`) before the scan so that remote
modules are downloaded into `.terraform/modules/`, inside the scanned
directory; check out git submodules (`git submodule update --init`); write
`source` as a literal string. Or scan the plan JSON (`terraform show -json`),
which includes every module's resources.

## Options

- `rules.COV001.severity`: `warning` (default) reports modules not analysed
  without failing the run; `error` makes each of them blocking.
"""

from __future__ import annotations

from iacgov.api import Finding, RuleContext, Severity, rule_meta_from_docstring


class ModuleNotAnalysed:
    meta = rule_meta_from_docstring(
        __doc__,
        code="COV001",
        name="module-not-analysed",
        severity=Severity.WARNING,
        security_severity=5.0,
        precision="very-high",
        tags=("coverage", "governance", "security"),
    )

    def evaluate(self, resources, ctx: RuleContext):
        seen: set[tuple] = set()
        for note in sorted(ctx.not_analysed, key=lambda n: (n.location, n.subject, n.message)):
            if note.scope != "module" or not note.subject.startswith("module."):
                continue  # a root module not analysed is an error notification already, not a call
            key = (note.subject, note.location)
            if key in seen:
                continue
            seen.add(key)
            yield Finding(
                code=self.meta.code,
                message=f"{note.message.rstrip('.')}. None of its resources is checked.",
                severity=self.meta.severity,
                address=note.subject,
                location=note.location,
                properties={"reason": note.message},
            )


RULE = ModuleNotAnalysed()
