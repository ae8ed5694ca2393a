#!/usr/bin/env python3
"""How long the cost estimate of a 1,000-resource project takes, beyond parsing.

    python benchmarks/bench_cost.py              # 1,000 resources, 5 runs
    python benchmarks/bench_cost.py --resources 5000 --runs 3

Writes a Terraform project of N resources (instances with volumes, databases,
NAT gateways, load balancers, volumes, buckets, free and unsupported kinds,
across three regions and three environments) to a temporary folder, parses
it once with iacgov's parsers, then times, separately:

- the first estimate in a fresh process state (the shipped catalog tables
  are read then: what a single `iacgov cost` run pays),
- the following estimates (catalog already in memory),
- rendering the JSON report.

Prints figures; it asserts nothing (not a timed test).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

KINDS = [
    ('aws_instance', 'ami = "ami-0123456789abcdef0"\n  instance_type = "{itype}"\n'
                     '  root_block_device {{\n    volume_size = 30\n    volume_type = "gp3"\n  }}\n'),
    ('aws_db_instance', 'engine = "postgres"\n  instance_class = "db.r5.large"\n  multi_az = true\n'
                        '  allocated_storage = 100\n  storage_type = "gp3"\n'),
    ('aws_nat_gateway', 'subnet_id = "subnet-0123"\n'),
    ('aws_lb', 'load_balancer_type = "application"\n'),
    ('aws_ebs_volume', 'availability_zone = "{region}a"\n  size = 200\n  type = "io1"\n  iops = 1000\n'),
    ('aws_s3_bucket', 'bucket = "b-{n}"\n'),
    ('aws_security_group', 'name = "sg-{n}"\n'),
    ('aws_sqs_queue', 'name = "q-{n}"\n'),
]
REGIONS = ["eu-west-1", "eu-west-3", "us-east-1"]
ENVS = ["prod", "staging", "dev"]
ITYPES = ["m5.xlarge", "t3.medium", "c6i.large", "r6g.xlarge"]


def write_project(folder: Path, n: int) -> None:
    parts = []
    for i, region in enumerate(REGIONS):
        parts.append(f'provider "aws" {{\n  alias  = "r{i}"\n  region = "{region}"\n}}\n')
    for n_ in range(n):
        rtype, body = KINDS[n_ % len(KINDS)]
        region_index = n_ % len(REGIONS)
        body = body.format(itype=ITYPES[n_ % len(ITYPES)], region=REGIONS[region_index], n=n_)
        env = ENVS[n_ % len(ENVS)]
        parts.append(f'resource "{rtype}" "r{n_}" {{\n  provider = aws.r{region_index}\n  {body}'
                     f'  tags = {{ env = "{env}", app = "app{n_ % 7}" }}\n}}\n')
    (folder / "main.tf").write_text("\n".join(parts))
    (folder / "iacgov.yaml").write_text(
        "version: 1\ncost:\n  environment_tag: env\n  budgets: {prod: 100000, staging: 50000, dev: 10000}\n"
        "  provider_fees: {aws_db_instance: 150}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from iacgov.cost.catalog import _table
    from iacgov.cost.estimate import estimate, resolve_settings
    from iacgov.cost.report import render_json
    from iacgov.engine import ScanRequest, parse_inventory
    from iacgov.plugins import load_plugins

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder, args.resources)
        host = load_plugins()
        t0 = time.perf_counter()
        inventory = parse_inventory(ScanRequest(paths=(folder,), root=folder), host)
        parse_s = time.perf_counter() - t0
        resources = inventory.resources

        _table.cache_clear()
        t0 = time.perf_counter()
        first = estimate(resources, inventory.policy)
        first_s = time.perf_counter() - t0

        warm = []
        for _ in range(args.runs):
            settings = resolve_settings(inventory.policy)
            t0 = time.perf_counter()
            result = estimate(resources, inventory.policy, settings=settings)
            warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        text = render_json(result)
        render_s = time.perf_counter() - t0

    priced = sum(1 for r in first.resources if r.status in ("priced", "partial"))
    print(f"resources parsed:            {len(resources)} (requested {args.resources})")
    print(f"parsing (not part of cost):  {parse_s * 1000:8.1f} ms")
    print(f"first estimate (cold):       {first_s * 1000:8.1f} ms  (reads {_table.cache_info().currsize} catalog tables)")
    print(f"estimate, warm (median of {args.runs}): {statistics.median(warm) * 1000:8.1f} ms"
          f"  (min {min(warm) * 1000:.1f}, max {max(warm) * 1000:.1f})")
    print(f"JSON report rendering:       {render_s * 1000:8.1f} ms  ({len(text) // 1024} KiB)")
    print(f"priced or partly priced:     {priced}; unpriced items: {len(first.unpriced)}")
    print(f"total monthly:               ${first.total_monthly:,.2f} "
          f"({', '.join(f'{k} ${v:,.2f}' for k, v in first.by_environment.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
