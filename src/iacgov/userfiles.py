"""Small JSON files the user hands iacgov on the command line (approvals,
teams, CloudFormation parameters): read whole, bounded, every failure one
line naming the option and the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable


def read_json(path: Path, label: str, max_bytes: int, too_large: str, error: Callable[[str], Exception],
              invalid: str = "invalid JSON") -> Any:
    """The JSON document in ``path`` (a UTF-8 BOM allowed). ``label`` starts
    every message (``--approvals reviews.json``); ``too_large`` says the bound
    (``larger than 10 MiB``); ``error`` builds the exception raised."""
    try:
        if path.stat().st_size > max_bytes:
            raise error(f"{label}: {too_large}")
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise error(f"{label}: no such file") from None
    except OSError as exc:
        raise error(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise error(f"{label}:{exc.lineno}: {invalid}: {exc.msg}") from None
