"""Project.inside: whether a path is the scan root or below it, by its text on POSIX; the same answers as the
lexical ``root in path.parents`` (a sibling sharing the root's name as a prefix is outside; ``..`` is lexical)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacgov.model import ParseOptions
from iacgov.parsers.terraform.project import Project


@pytest.mark.parametrize("root", ["/srv/estate", "/", "/srv"])
def test_inside_answers_as_the_parents_of_the_path_do(root: str, monkeypatch) -> None:
    monkeypatch.setattr(Path, "resolve", lambda self, strict=False: self)  # these folders need not exist
    project = Project(Path(root), ParseOptions())
    paths = ["/srv/estate", "/srv/estate/envs/a/main.tf", "/srv/estate1", "/srv/estatex/a", "/srv", "/",
             "/srv/estate/../estate/a", "/srv/estate/..", "/srvx", "/etc/passwd", "relative/x"]
    answers = {p: project.inside(Path(p)) for p in paths}
    assert answers == {p: Path(p) == project.root or project.root in Path(p).parents for p in paths}
    if root == "/srv/estate":
        assert answers["/srv/estate/envs/a/main.tf"] and not answers["/srv/estate1"] and not answers["/srv"]
    if root == "/":
        assert all(answers[p] for p in paths if p.startswith("/"))
