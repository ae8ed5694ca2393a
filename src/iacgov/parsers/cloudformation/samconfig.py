"""The deployment region an AWS SAM CLI configuration file beside a template gives (when ``--region`` is not).

What a SAM or CloudFormation user already has: the SAM CLI's project configuration file, as the AWS SAM
developer guide describes it (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/
serverless-sam-cli-config.html):

- name ``samconfig``, "At the root of your project. This is the same location as your template.yaml file";
- the SAM CLI looks for "samconfig.toml" and, "if samconfig.toml does not exist in the root of your project",
  for "samconfig.[yaml|yml]";
- TOML ``[environment.command.parameters] option = parameter value``, YAML ``environment: command: parameters:
  option: parameter value``; the environment used without ``--config-env`` is ``default``, and a command's
  own parameters take precedence over the ``global`` ones.

So iacgov reads, in the template's folder, the first of ``samconfig.toml``, ``samconfig.yaml``,
``samconfig.yml`` and takes ``default.deploy.parameters.region``, else ``default.global.parameters.region``.
The file is data from the scanned repository: read bounded (size, YAML nesting and aliases), never executed,
a symbolic link is not followed; a file that cannot be read or parsed, or a region that is not a string, is
a warning naming the file and line, and the region stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from iacgov.limits import LimitExceeded, Limits, check_yaml, read_bounded
from iacgov.model import Location, Notification, Severity

NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")  # the SAM CLI's order
ENVIRONMENT = "default"
COMMANDS = ("deploy", "global")  # the deploy command's parameter first, then the global one
SOURCE = "cloudformation"
_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_TOML_REGION = re.compile(r"""^\s*(?:region|"region"|'region')\s*=""")


@dataclass(frozen=True)
class DeployRegion:
    """What the configuration file says: ``region`` (None: it sets none, or cannot be read), where it was
    read (``source``, e.g. ``app/samconfig.toml:5 [default.deploy.parameters] region``) and the warning a
    file that cannot be used gives."""

    region: str | None = None
    source: str | None = None
    warning: Notification | None = None


def config_file(folder: Path) -> Path | None:
    """The SAM CLI configuration file of a template's folder (its lookup order), None without one."""
    for name in NAMES:
        candidate = folder / name
        if candidate.is_symlink() or candidate.is_file():
            return candidate
    return None


def deployment_region(template: Path, template_relpath: str, limits: Limits) -> DeployRegion:
    """The region of the configuration file beside ``template`` (``template_relpath`` relative to the scan
    root, for messages). Never raises for what the file holds."""
    path = config_file(template.parent)
    if path is None:
        return DeployRegion()
    shown = str(PurePosixPath(template_relpath).parent / path.name)
    if path.is_symlink():
        return _warning(shown, 1, "is a symbolic link: not followed, the deployment region is not read from it")
    try:
        text = read_bounded(path, limits).decode("utf-8-sig")
    except LimitExceeded as exc:
        return _warning(shown, exc.line or 1, exc.reason)
    except OSError as exc:
        return _warning(shown, 1, f"cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError as exc:
        return _warning(shown, 1, f"cannot be decoded: not UTF-8 text ({exc.reason} at offset {exc.start})")
    if path.suffix == ".toml":
        return _from_toml(text, shown)
    return _from_yaml(text, shown, limits)


def _from_toml(text: str, shown: str) -> DeployRegion:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_ERROR_LINE.search(str(exc))
        return _warning(shown, int(found.group(1)) if found else 1, f"is not valid TOML: {exc}")
    for command in COMMANDS:
        value, problem = _lookup(data, command, toml=True)
        table = f"{ENVIRONMENT}.{command}.parameters"
        line = _toml_line(text, table)
        if problem is not None:
            return _warning(shown, line, problem)
        if value is not None:
            return _region(value, shown, line, f"[{table}] region")
    return DeployRegion()


def _toml_line(text: str, table: str) -> int:
    """The line of ``region =`` in ``[table]`` (tomllib gives no positions), else 1."""
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_TABLE.match(line)
        if header is not None:
            current = re.sub(r"\s*\.\s*", ".", header.group(1))
        elif current == table and _TOML_REGION.match(line):
            return number
    return 1


def _from_yaml(text: str, shown: str, limits: Limits) -> DeployRegion:
    import yaml

    try:
        check_yaml(text, limits)
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = yaml.safe_load(text)
    except LimitExceeded as exc:
        return _warning(shown, exc.line or 1, exc.reason)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        return _warning(shown, mark.line + 1 if mark is not None else 1, f"is not valid YAML: {reason}")
    for command in COMMANDS:
        value, problem = _lookup(data, command, toml=False)
        line = _yaml_line(node, (ENVIRONMENT, command, "parameters", "region"))
        if problem is not None:
            return _warning(shown, line, problem)
        if value is not None:
            return _region(value, shown, line, f"{ENVIRONMENT}.{command}.parameters.region")
    return DeployRegion()


def _yaml_line(node: Any, keys: tuple[str, ...]) -> int:
    """The line of the deepest of ``keys`` found in the composed document (1 when none is)."""
    import yaml

    line = 1
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        found = next((pair for pair in node.value if getattr(pair[0], "value", None) == key), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def _lookup(data: Any, command: str, toml: bool) -> tuple[Any, str | None]:
    """``data[default][command][parameters][region]``: (value or None, None), or (None, why the file is
    malformed) when one of those levels is not a mapping."""
    path = (ENVIRONMENT, command, "parameters")
    level = data
    for depth in range(len(path) + 1):
        if level is None:
            return None, None
        if not isinstance(level, dict):
            name = ".".join(path[:depth])
            where = "the file" if depth == 0 else (f"[{name}]" if toml else name)
            return None, f"{where} is not a mapping ({type(level).__name__}): the deployment region is not read"
        if depth == len(path):
            return level.get("region"), None
        level = level.get(path[depth])
    return None, None


def _region(value: Any, shown: str, line: int, key: str) -> DeployRegion:
    if not isinstance(value, str) or not value.strip():
        return _warning(shown, line, f"{key} is {value!r}, not a region name: the deployment region is not read")
    return DeployRegion(value.strip().lower(), f"{shown}:{line} {key}")


def _warning(shown: str, line: int, reason: str) -> DeployRegion:
    return DeployRegion(warning=Notification(f"{shown}: {reason}", Location(shown, max(line, 1)), Severity.WARNING,
                                             SOURCE))
