"""The report's HTML helpers: identifiers breakable at their separators, still escaped."""

from __future__ import annotations

from iacgov.report.render import breakable


def test_breakable_puts_wbr_after_separators_only():
    assert breakable("module.db.aws_db_instance.main") == \
        "module.<wbr>db.<wbr>aws_<wbr>db_<wbr>instance.<wbr>main"
    assert breakable("envs/prod/main.tf:12") == "envs/<wbr>prod/<wbr>main.<wbr>tf:<wbr>12"
    assert breakable('aws_s3_bucket.b["k"]') == 'aws_<wbr>s3_<wbr>bucket.<wbr>b[<wbr>&#34;k&#34;]'
    assert breakable("plain") == "plain"


def test_breakable_escapes_and_shows_controls():
    out = breakable("<script>alert(1)</script>\x1b[31m")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/<wbr>script&gt;" in out
    assert "\x1b" not in out and "\\x1b" in out
