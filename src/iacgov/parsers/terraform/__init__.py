"""Terraform front end: ``*.tf`` (HCL) and ``*.tf.json`` files to :class:`~iacgov.model.Resource` objects.

Importing this package costs nothing: python-hcl2, Lark and the evaluator
are imported when :meth:`TerraformParser.parse` first runs, so that a
pre-commit run on files that are not Terraform stays instant.

What a rule can rely on in the resources produced:

* ``address`` as Terraform writes it: ``aws_s3_bucket.logs``,
  ``data.aws_iam_policy_document.key``, ``aws_instance.web[0]``,
  ``aws_s3_bucket.b["logs"]``, ``module.a[0].module.b.aws_sqs_queue.q``;
  ``module`` is the module part (``module.a[0].module.b``, "" at the root).
* ``count`` is 1 for each expanded instance of a ``count`` / ``for_each``;
  a ``for_each`` whose keys are unknown but whose values are known gives one
  instance per value (``each.key`` unknown, the address key shown with
  ``<unknown:REF>`` placeholders); an unknown ``count`` / ``for_each`` that
  cannot be expanded gives one resource without index whose ``count`` is the
  Unknown, and a warning that counts it as not analysed (scope "resource");
  more than 1000 instances give one resource whose ``count`` is that number.
* ``provider`` is the configuration used: ``aws``, ``aws.us``, or
  ``module.x.aws`` for a provider block declared in a child module.
* ``attributes``: arguments as Python values, nested blocks as lists of
  dicts; ``meta`` holds ``index`` (the instance key), ``depends_on`` (the
  addresses as written), ``lifecycle`` (``ignore_changes`` as names) and
  ``root_module`` (the root module's directory, ``envs/prod``; ``.`` at the root).
* Unknowns carry a ``ref`` as written in the module (``var.owner``,
  ``aws_kms_key.k.arn``, ``data.aws_caller_identity.current.account_id``);
  a string template with unknown parts is an
  :class:`~iacgov.placeholders.UnknownTemplate`, and JSON documents
  (``jsonencode``, ``aws_iam_policy_document``) write unknown parts as
  ``<unknown:REF>`` placeholders (:mod:`iacgov.placeholders`).

Layout: :mod:`.loader` (files -> syntax trees), :mod:`.syntax` (the tree),
:mod:`.json_syntax` (``*.tf.json`` -> the same tree), :mod:`.evaluate` / :mod:`.values` /
:mod:`.functions` (expressions),
:mod:`.constraints` (variable types), :mod:`.attributes` (block bodies),
:mod:`.datasources` (data sources computed offline), :mod:`.module`
(modules, providers, resources), :mod:`.project` (directories to root modules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from iacgov.api import ParseOptions, ParseResult, SourceFile, hookimpl


class TerraformParser:
    name = "terraform"

    def claims(self, file: SourceFile, head: bytes) -> bool:
        return file.relpath.endswith((".tf", ".tf.json"))  # HCL and Terraform's JSON syntax

    def parse(self, files: Sequence[SourceFile], options: ParseOptions, root: Path) -> Iterable[ParseResult]:
        from iacgov.parsers.terraform.install import check_hcl2_install
        from iacgov.parsers.terraform.project import parse

        check_hcl2_install(options.cache_dir)  # never parse with another distribution's grammar
        return parse(files, options, Path(root))


@hookimpl
def iacgov_parsers() -> list[TerraformParser]:
    return [TerraformParser()]
