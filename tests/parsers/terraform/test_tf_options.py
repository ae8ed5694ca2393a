"""--var-file and --var: their precedence over the module's own files, and
conversion to the variable's declared type."""

from __future__ import annotations

import json

from tf_helpers import FIXTURES, parse_dir

from iacgov.model import Severity

MODULE = FIXTURES / "multi_file_module"


def test_var_files_apply_in_order_after_the_automatic_files(tmp_path):
    first = tmp_path / "first.tfvars"
    first.write_text('env = "from-first"\nregion = "eu-central-1"\n')
    second = tmp_path / "second.tfvars.json"
    second.write_text(json.dumps({"env": "from-second"}))
    resources = parse_dir(MODULE, var_files=(first, second)).resources
    assert resources["aws_s3_bucket.logs"].get("bucket") == "from-second-app-logs"
    assert resources["aws_s3_bucket.logs"].region == "eu-central-1"


def test_var_wins_over_var_files_and_is_converted_to_the_declared_type(tmp_path):
    var_file = tmp_path / "more.tfvars"
    var_file.write_text('env = "from-file"\nbucket_count = 1\n')
    resources = parse_dir(MODULE, var_files=(var_file,), variables={
        "env": "from-cli",
        "bucket_count": "3",  # number
        "enable_replica": "true",  # bool
        "teams": '{ ops = "o" }',  # map: an HCL expression
    }).resources
    assert resources["aws_s3_bucket.logs"].get("bucket") == "from-cli-app-logs"
    assert [a for a in resources if a.startswith("aws_s3_bucket.data")] == [
        "aws_s3_bucket.data[0]", "aws_s3_bucket.data[1]", "aws_s3_bucket.data[2]"]
    assert resources["aws_s3_bucket.never[0]"].get("bucket") == "never-created"
    assert [a for a in resources if a.startswith("aws_s3_bucket.team")] == ['aws_s3_bucket.team["ops"]']


def test_an_unreadable_var_file_is_an_error_naming_it(tmp_path):
    parsed = parse_dir(MODULE, var_files=(tmp_path / "missing.tfvars",))
    errors = [n for n in parsed.notifications if n.level == Severity.ERROR]
    assert len(errors) == 1 and "missing.tfvars" in errors[0].message
    assert parsed.resources["aws_s3_bucket.logs"].get("bucket") == "prod-app-logs"  # the rest goes on


def test_an_invalid_var_for_a_collection_type_is_an_error_at_the_variable():
    parsed = parse_dir(MODULE, variables={"teams": "{ unterminated"})
    [error] = [n for n in parsed.notifications if n.level == Severity.ERROR]
    assert error.message.startswith("--var teams:")
    assert error.location.path == "variables.tf"
