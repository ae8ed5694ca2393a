"""Price rules for AWS kinds added after :mod:`iacgov.cost.cloud_pricers` (same conventions).

Each rule reads its prices from the shipped catalog (``iacgov.cost.catalog.shipped_price``), so a region
its sources do not state stays unpriced, never estimated from another region. Most prices here come from
``aws_pricewatcher.csv`` (``scripts/build_aws_pricewatcher.py``: AWS's own price maps as copied by
QuinnyPig/aws-price-watcher). What is billed by use (storage per GB, I/O, ACU-hours, log ingestion)
stays usage-based until the usage file gives the quantity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from iacgov import platform
from iacgov.cost.cloud_pricers import CloudKind, PriceFn, replace_region
from iacgov.cost.model import Component
from iacgov.cost.spec import PriceContext, Spec, why
from iacgov.model import is_unknown

MILLION = Decimal(1_000_000)


def _f(**fields: str | tuple[str | None, str | None]) -> dict[str, tuple[str | None, str | None]]:
    return {k: (v, None) if isinstance(v, str) else v for k, v in fields.items()}


# --------------------------------------------------------------------------- Aurora

AURORA_FAMILY = {"aurora": "mysql", "aurora-mysql": "mysql", "aurora-postgresql": "postgresql"}


def _aurora_family(spec: Spec, ctx: PriceContext) -> tuple[str | None, Component | None]:
    """``mysql`` or ``postgresql`` for an Aurora engine; otherwise the unpriced line saying why."""
    engine = spec.text("engine")
    if engine is None:
        engine = "aurora"  # the provider's documented default: Aurora MySQL
    if is_unknown(engine):
        return None, ctx.unpriced("Aurora", f"engine is not known: {why(engine)}", spec.path("engine"))
    family = AURORA_FAMILY.get(engine.lower())
    if family is None:
        return None, ctx.unpriced(f"DB cluster ({engine})", f"{engine} is not an Aurora engine: Multi-AZ DB "
                                  "cluster prices are not in the catalog", spec.path("engine"))
    return family, None


def _aurora_cluster(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Storage and I/O are billed by the cluster (usage-based); its instances are aws_rds_cluster_instance."""
    family, problem = _aurora_family(spec, ctx)
    if problem is not None:
        yield problem
        return
    mode = spec.text("engine_mode")
    if isinstance(mode, str) and mode.lower() == "serverless":
        yield ctx.usage_charge(f"aurora_{family}_serverless_v1_acu", "Aurora Serverless v1 capacity (ACU-hours)",
                               "monthly_acu_hours", "hour", attribute=spec.path("engine_mode"))
    storage_type = spec.text("storage_type")
    if isinstance(storage_type, str) and storage_type.lower() == "aurora-iopt1":
        yield ctx.usage_charge("aurora_io_optimized_storage", "Aurora I/O-Optimized storage", "storage_gb",
                               "GB-month", attribute=spec.path("storage_type"))
        return
    yield ctx.usage_charge("aurora_storage", "Aurora storage", "storage_gb", "GB-month")
    yield ctx.usage_charge("aurora_io_requests", "Aurora I/O requests", "monthly_io_requests", "1M requests",
                           per=MILLION)


def _aurora_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    family, problem = _aurora_family(spec, ctx)
    if problem is not None:
        yield problem
        return
    klass = spec.text("instance_class")
    at = spec.path("instance_class")
    if klass is None or is_unknown(klass):
        yield ctx.unpriced("Aurora instance", "instance class is not set" if klass is None
                           else f"instance class is not known: {why(klass)}", at)
    elif klass == "db.serverless":
        yield ctx.usage_charge(f"aurora_{family}_serverless_v2_acu", "Aurora Serverless v2 capacity (ACU-hours)",
                               "monthly_acu_hours", "hour", attribute=at)
    else:
        label = "MySQL" if family == "mysql" else "PostgreSQL"
        yield ctx.hourly(f"aurora:{family}:{klass}", f"Aurora {label} instance ({klass}, on-demand)", at)


# --------------------------------------------------------------------------- Neptune


def _neptune_cluster(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.usage_charge("neptune_storage", "Neptune storage", "storage_gb", "GB-month")
    yield ctx.usage_charge("neptune_io_requests", "Neptune I/O requests", "monthly_io_requests", "1M requests",
                           per=MILLION)


def _neptune_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    klass = spec.text("instance_class")
    at = spec.path("instance_class")
    if klass is None or is_unknown(klass):
        yield ctx.unpriced("Neptune instance", "instance class is not set" if klass is None
                           else f"instance class is not known: {why(klass)}", at)
        return
    yield ctx.hourly(f"neptune:{klass}", f"Neptune instance ({klass}, on-demand)", at)


def _usage_line(sku: str, item: str, key: str, unit: str, per: Decimal = Decimal(1)) -> PriceFn:
    """A kind billed only by use: one usage-based line, priced when the usage file gives ``key``."""

    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        yield ctx.usage_charge(sku, item, key, unit, per=per)
    return price


# --------------------------------------------------------------------------- OpenSearch / Elasticsearch


def _search_type(value: str) -> str:
    """``t2.small.elasticsearch`` (the Elasticsearch spelling) -> ``t2.small.search``."""
    return re.sub(r"\.elasticsearch$", ".search", value)


def _search_domain(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    itype = spec.text("instance_type")
    count = spec.number("instance_count")
    if itype is None:
        itype = "m4.large.search" if spec.type == "aws_opensearch_domain" else "m4.large.elasticsearch"
    if count is None:
        count = Decimal(1)  # the provider's default
    at = spec.path("instance_type")
    if is_unknown(itype) or is_unknown(count):
        yield ctx.unpriced("Data nodes", f"instance type or count is not known: {why(itype if is_unknown(itype) else count)}", at)
    else:
        stype = _search_type(itype)
        nodes = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(count) * ctx.count, ctx.usage, ctx.used_usage_keys)
        yield nodes.hourly(f"opensearch:{stype}", f"Data nodes ({count} x {stype}, on-demand)", at)
    masters = spec.raw("dedicated_master_enabled")
    if masters is True or masters == "true":
        mtype = spec.text("dedicated_master_type")
        mcount = spec.number("dedicated_master_count")
        if mtype is None or is_unknown(mtype) or mcount is None or is_unknown(mcount):
            yield ctx.unpriced("Dedicated master nodes", "master type or count is not known",
                               spec.path("dedicated_master_type"))
        else:
            mstype = _search_type(mtype)
            nodes = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(mcount) * ctx.count, ctx.usage,
                                 ctx.used_usage_keys)
            yield nodes.hourly(f"opensearch:{mstype}", f"Dedicated master nodes ({mcount} x {mstype})",
                               spec.path("dedicated_master_type"))
    ebs = spec.raw("ebs_enabled")
    if ebs is True or ebs == "true":
        yield ctx.unpriced("EBS storage of the data nodes", "OpenSearch EBS storage prices are not in the catalog "
                           "(its source copies the instance-hour map only)", spec.path("ebs_enabled"))


# --------------------------------------------------------------------------- logs, registries, snapshots


def _flow_log(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    dest = spec.text("log_destination_type")
    if dest is None:
        dest = "cloud-watch-logs"  # the provider's default
    if is_unknown(dest):
        yield ctx.unpriced("Flow log delivery", f"destination type is not known: {why(dest)}",
                           spec.path("log_destination_type"))
    elif dest == "s3":
        yield ctx.usage_charge("cloudwatch_vended_logs_to_s3_first_10tb", "Flow logs delivered to S3 (vended logs, "
                               "first 10 TB)", "monthly_ingested_gb", "GB", attribute=spec.path("log_destination_type"))
    elif dest == "cloud-watch-logs":
        yield ctx.usage_charge("cloudwatch_vended_logs_first_10tb", "Flow logs ingested in CloudWatch Logs (vended "
                               "logs, first 10 TB)", "monthly_ingested_gb", "GB")
    else:
        yield ctx.unpriced(f"Flow log delivery ({dest})", f"no vended-log price for destination {dest} in the catalog",
                           spec.path("log_destination_type"))


# --------------------------------------------------------------------------- Directory Service

DIRECTORY_SIZES = {"small": "small", "large": "large"}


def _directory(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    dtype = spec.text("type")
    if dtype is None:
        dtype = "SimpleAD"  # the provider's default
    size = spec.text("size")
    edition = spec.text("edition")
    if is_unknown(dtype):
        yield ctx.unpriced("Directory", f"directory type is not known: {why(dtype)}", spec.path("type"))
    elif dtype == "MicrosoftAD":
        edition = "Enterprise" if edition is None else edition  # the provider's default edition
        if is_unknown(edition) or edition not in ("Standard", "Enterprise"):
            yield ctx.unpriced("Managed Microsoft AD", f"edition {edition!r} is not known", spec.path("edition"))
            return
        # a Managed Microsoft AD directory runs two domain controllers, billed per controller-hour
        pair = PriceContext(ctx.catalog, ctx.cloud, ctx.region, 2 * ctx.count, ctx.usage, ctx.used_usage_keys)
        yield pair.hourly(f"directory_microsoft_ad_{edition.lower()}_dc",
                          f"Managed Microsoft AD ({edition}, 2 domain controllers)", spec.path("edition"))
    elif dtype in ("SimpleAD", "ADConnector"):
        size = "Small" if size is None and dtype == "SimpleAD" else size
        if size is None or is_unknown(size) or size.lower() not in DIRECTORY_SIZES:
            yield ctx.unpriced(f"{dtype} directory", "size is not known (Small or Large)", spec.path("size"))
            return
        sku = "simple_ad" if dtype == "SimpleAD" else "ad_connector"
        yield ctx.hourly(f"directory_{sku}_{size.lower()}", f"{dtype} directory ({size})", spec.path("size"))
    else:
        yield ctx.unpriced(f"Directory ({dtype})", f"no prices for directory type {dtype}", spec.path("type"))


# --------------------------------------------------------------------------- RDS backups replicated to another region

ARN_REGION = re.compile(r"^arn:aws[a-z-]*:rds:([a-z]{2}(-gov)?-[a-z]+-\d):")


def _backups_replication(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """The replicated backups are stored in this resource's region; their copy crosses from the source's."""
    yield ctx.usage_charge("rds_backup_storage", "Replicated backup storage", "backup_storage_gb", "GB-month")
    arn = spec.text("source_db_instance_arn")
    match = ARN_REGION.match(arn) if isinstance(arn, str) else None
    item = "Cross-region transfer of the backups"
    if match is None or not isinstance(ctx.region, str):
        reason = ("the source region is not known: " + (why(arn) if is_unknown(arn) else "no literal ARN")
                  if match is None else "the destination region is not known")
        ctx.used_usage_keys.add("monthly_transfer_gb")
        # the rate is the source region's, per destination: no unit price without both
        yield ctx.unpriced(item, f"{reason} (the transfer is priced from the source region to this one; then set "
                           "monthly_transfer_gb in the usage file)", spec.path("source_db_instance_arn"))
        return
    source = replace_region(ctx, match.group(1))
    yield source.usage_charge(f"data_transfer_inter_region_out:{ctx.region}", item, "monthly_transfer_gb", "GB",
                              attribute=spec.path("source_db_instance_arn"))


# --------------------------------------------------------------------------- ElastiCache, Kinesis, SNS

CACHE_ENGINES = ("redis", "memcached", "valkey")


def _cache_nodes(spec: Spec, ctx: PriceContext, nodes: Decimal, label: str) -> Iterator[Component]:
    engine = spec.text("engine")
    engine = "redis" if engine is None else engine  # a replication group's default engine
    node_type = spec.text("node_type")
    at = spec.path("node_type")
    if is_unknown(engine) or engine.lower() not in CACHE_ENGINES:
        yield ctx.unpriced(label, f"engine {engine if not is_unknown(engine) else why(engine)!s} is not one of "
                           "redis, memcached, valkey", spec.path("engine"))
    elif node_type is None or is_unknown(node_type):
        yield ctx.unpriced(label, "node type is not set" if node_type is None
                           else f"node type is not known: {why(node_type)}", at)
    else:
        fleet = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(nodes) * ctx.count, ctx.usage, ctx.used_usage_keys)
        yield fleet.hourly(f"elasticache:{engine.lower()}:{node_type}",
                           f"{label} ({nodes} x {node_type}, {engine.lower()}, on-demand)", at)


def _whole(value: object) -> Decimal | None:
    from iacgov.cost.spec import as_number

    number = as_number(value)
    return number if isinstance(number, Decimal) and number == number.to_integral_value() and number >= 0 else None


def _cache_cluster(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    if spec.raw("replication_group_id") is not None and spec.raw("node_type") is None:
        return  # a member of a replication group: its nodes are priced with the group
    count = spec.raw("num_cache_nodes")
    nodes = Decimal(1) if count is None else _whole(count)  # one node unless the code says more
    if nodes is None:
        yield ctx.unpriced("Cache nodes", "number of cache nodes is not known", spec.path("num_cache_nodes"))
        return
    yield from _cache_nodes(spec, ctx, nodes, "Cache nodes")


def _cache_group(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    clusters, groups, replicas = (spec.raw(n) for n in ("num_cache_clusters", "num_node_groups",
                                                         "replicas_per_node_group"))
    if clusters is not None:
        nodes = _whole(clusters)
    elif groups is not None:  # cluster mode: shards x (primary + replicas)
        shards, extra = _whole(groups), _whole(0 if replicas is None else replicas)
        nodes = None if shards is None or extra is None else shards * (extra + 1)
    else:
        nodes = Decimal(1)  # neither set: one primary node (cluster mode disabled, no replica)
    if nodes is None:
        yield ctx.unpriced("Cache nodes", "number of nodes is not known", spec.path("num_cache_clusters"))
        return
    yield from _cache_nodes(spec, ctx, nodes, "Cache nodes")


def _kinesis_stream(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    mode = spec.text("stream_mode")
    if isinstance(mode, str) and mode.upper() == "ON_DEMAND":
        yield ctx.hourly("kinesis_on_demand_stream_hour", "Kinesis on-demand stream", spec.path("stream_mode"))
        yield ctx.usage_charge("kinesis_on_demand_ingested", "Kinesis on-demand data ingested",
                               "monthly_ingested_gb", "GB")
        return
    if is_unknown(mode):
        yield ctx.unpriced("Kinesis stream", f"capacity mode is not known: {why(mode)}", spec.path("stream_mode"))
        return
    shards = _whole(spec.raw("shard_count"))
    if shards is None:
        yield ctx.unpriced("Kinesis shards", "shard count is not known (provisioned mode)", spec.path("shard_count"))
    else:
        fleet = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(shards) * ctx.count, ctx.usage, ctx.used_usage_keys)
        yield fleet.hourly("kinesis_shard_hour", f"Kinesis shards ({shards}, provisioned)", spec.path("shard_count"))
    yield ctx.usage_charge("kinesis_put_payload_units", "Kinesis PUT payload units (25 KB each)",
                           "monthly_put_payload_units", "1M requests", per=MILLION)


# --------------------------------------------------------------------------- RDS engines beyond PostgreSQL and MySQL

# engine -> the licence model RDS uses when the code sets none (Oracle EE and SE2 on RDS also allow BYOL)
RDS_MORE_ENGINES = {"mariadb": "general-public-license", "oracle-ee": "bring-your-own-license",
                    "oracle-se2": "license-included", "sqlserver-ex": "license-included",
                    "sqlserver-web": "license-included", "sqlserver-se": "license-included",
                    "sqlserver-ee": "license-included"}
RDS_ENGINE_LABELS = {"mariadb": "MariaDB", "oracle-ee": "Oracle EE", "oracle-se2": "Oracle SE2",
                     "sqlserver-ex": "SQL Server Express", "sqlserver-web": "SQL Server Web",
                     "sqlserver-se": "SQL Server Standard", "sqlserver-ee": "SQL Server Enterprise"}


def _db_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """PostgreSQL and MySQL as the first table prices them; MariaDB, Oracle and SQL Server instance hours by
    engine, licence model and deployment from aws_pricewatcher.csv, with the same storage lines."""
    from iacgov.cost import pricers  # pricers imports this module: read at call time

    engine = spec.text("engine")
    if isinstance(engine, str) and engine.lower() in AURORA_FAMILY:
        yield from _aurora_instance(spec, ctx)  # an Aurora cluster's instance: its storage is billed by the cluster
        return
    if not isinstance(engine, str) or engine.lower() in pricers.RDS_ENGINES:
        yield from pricers._rds_instance(spec, ctx)
        return
    engine = engine.lower()
    klass = spec.text("instance_class")
    multi = spec.flag("multi_az")
    multi = False if multi is None else multi
    licence = spec.text("license_model")
    licence = RDS_MORE_ENGINES.get(engine) if licence is None else licence
    deployment = None if is_unknown(multi) else ("multi-az" if multi else "single-az")
    dep_label = {"multi-az": "Multi-AZ", "single-az": "Single-AZ", None: "?"}[deployment]
    if engine not in RDS_MORE_ENGINES:
        yield ctx.unpriced("Database instance", f"no {engine} prices in the catalog (it has PostgreSQL, MySQL, "
                           "MariaDB, Oracle EE/SE2 and SQL Server)", spec.path("engine"))
    elif klass is None or is_unknown(klass):
        yield ctx.unpriced("Database instance", "instance class is not set" if klass is None
                           else f"instance class is not known: {why(klass)}", spec.path("instance_class"))
    elif licence is None or is_unknown(licence):
        yield ctx.unpriced(f"Database instance ({klass})", "licence model is not known"
                           + (f": {why(licence)}" if licence is not None else ""), spec.path("license_model"))
    elif deployment is None:
        yield ctx.unpriced(f"Database instance ({klass})", f"Multi-AZ is not known: {why(multi)}",  # type: ignore[arg-type]
                           spec.path("multi_az"))
    else:
        yield ctx.hourly(f"rdsdb:{engine}:{licence}:{deployment}:{klass}",
                         f"Database instance ({RDS_ENGINE_LABELS[engine]}, {licence}, {dep_label}, on-demand, {klass})",
                         spec.path("instance_class"))
    yield from pricers._rds_storage(spec, ctx, deployment, dep_label)
    yield from pricers.internet_egress(ctx)


def _catalog_fields(kind: str, **more: tuple[str | None, str | None]) -> dict[str, tuple[str | None, str | None]]:
    """The fields the platform catalog's ``cost`` entry names for ``kind`` (what the first table reads), plus ``more``."""
    cost = (platform.entry(kind) or {}).get("cost", {})
    fields = {name: (where.get("terraform"), where.get("cloudformation")) for name, where in cost.get("fields", {}).items()}
    return {**fields, **more}


def _fargate_profile(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """A profile costs nothing by itself; the pods it schedules are billed per vCPU-hour and GB-hour of what
    they request (Linux/x86 prices; ephemeral storage beyond what a pod includes is not priced here)."""
    yield ctx.usage_charge("fargate_vcpu", "Fargate pod vCPU", "monthly_vcpu_hours", "vCPU-hour")
    yield ctx.usage_charge("fargate_memory_gb", "Fargate pod memory", "monthly_gb_hours", "GB-hour")


def _eks_capability(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.unpriced("EKS capability", "EKS Capabilities prices are not in the catalog (its AWS price source, "
                       "of 2025-06-18, predates them)")


KINDS: tuple[CloudKind, ...] = (
    CloudKind("aws_db_instance", ("aws_db_instance",), ("AWS::RDS::DBInstance",), _db_instance,
              _catalog_fields("aws_db_instance", license_model=("license_model", "LicenseModel")),
              ("monthly_internet_egress_gb",), size_field="instance_class"),
    CloudKind("aws_rds_cluster", ("aws_rds_cluster",), ("AWS::RDS::DBCluster",), _aurora_cluster,
              {"engine": ("engine", "Engine"), "engine_mode": ("engine_mode", "EngineMode"),
               "storage_type": ("storage_type", "StorageType")}, ("storage_gb", "monthly_io_requests",
                                                                  "monthly_acu_hours")),
    CloudKind("aws_rds_cluster_instance", ("aws_rds_cluster_instance",), (), _aurora_instance,
              _f(engine="engine", instance_class="instance_class"), ("monthly_acu_hours",),
              size_field="instance_class"),
    CloudKind("aws_neptune_cluster", ("aws_neptune_cluster",), ("AWS::Neptune::DBCluster",), _neptune_cluster, {},
              ("storage_gb", "monthly_io_requests")),
    CloudKind("aws_neptune_cluster_instance", ("aws_neptune_cluster_instance",), ("AWS::Neptune::DBInstance",),
              _neptune_instance, {"instance_class": ("instance_class", "DBInstanceClass")},
              size_field="instance_class"),
    CloudKind("aws_neptune_cluster_snapshot", ("aws_neptune_cluster_snapshot",), (),
              _usage_line("neptune_backup_storage", "Neptune snapshot storage", "storage_gb", "GB-month"), {},
              ("storage_gb",)),
    CloudKind("aws_elasticsearch_domain", ("aws_elasticsearch_domain", "aws_opensearch_domain"),
              ("AWS::Elasticsearch::Domain", "AWS::OpenSearchService::Domain"), _search_domain,
              {"instance_type": ("cluster_config.instance_type", "ClusterConfig.InstanceType"),
               "instance_count": ("cluster_config.instance_count", "ClusterConfig.InstanceCount"),
               "dedicated_master_enabled": ("cluster_config.dedicated_master_enabled",
                                            "ClusterConfig.DedicatedMasterEnabled"),
               "dedicated_master_type": ("cluster_config.dedicated_master_type", "ClusterConfig.DedicatedMasterType"),
               "dedicated_master_count": ("cluster_config.dedicated_master_count",
                                          "ClusterConfig.DedicatedMasterCount"),
               "ebs_enabled": ("ebs_options.ebs_enabled", "EBSOptions.EBSEnabled")},
              size_field="instance_type"),
    CloudKind("aws_ecr_repository", ("aws_ecr_repository",), ("AWS::ECR::Repository",),
              _usage_line("ecr_storage", "ECR image storage", "storage_gb", "GB-month"), {}, ("storage_gb",)),
    CloudKind("aws_ebs_snapshot", ("aws_ebs_snapshot", "aws_ebs_snapshot_copy"), (),
              _usage_line("ebs_snapshot_storage", "EBS snapshot storage (standard tier)", "storage_gb", "GB-month"),
              {}, ("storage_gb",)),
    CloudKind("aws_flow_log", ("aws_flow_log",), ("AWS::EC2::FlowLog",), _flow_log,
              {"log_destination_type": ("log_destination_type", "LogDestinationType")}, ("monthly_ingested_gb",)),
    CloudKind("aws_directory_service_directory", ("aws_directory_service_directory",),
              (), _directory,
              _f(type="type", size="size", edition="edition"), size_field="size"),
    CloudKind("aws_db_instance_automated_backups_replication", ("aws_db_instance_automated_backups_replication",),
              (), _backups_replication, _f(source_db_instance_arn="source_db_instance_arn"),
              ("backup_storage_gb", "monthly_transfer_gb")),
    CloudKind("aws_eks_capability", ("aws_eks_capability",), (), _eks_capability, {}),
    CloudKind("aws_eks_fargate_profile", ("aws_eks_fargate_profile",), ("AWS::EKS::FargateProfile",),
              _fargate_profile, {}, ("monthly_vcpu_hours", "monthly_gb_hours")),
    CloudKind("aws_elasticache_cluster", ("aws_elasticache_cluster",), ("AWS::ElastiCache::CacheCluster",),
              _cache_cluster, {"engine": ("engine", "Engine"), "node_type": ("node_type", "CacheNodeType"),
                               "num_cache_nodes": ("num_cache_nodes", "NumCacheNodes"),
                               "replication_group_id": ("replication_group_id", None)}, size_field="node_type"),
    CloudKind("aws_elasticache_replication_group", ("aws_elasticache_replication_group",),
              ("AWS::ElastiCache::ReplicationGroup",), _cache_group,
              {"engine": ("engine", "Engine"), "node_type": ("node_type", "CacheNodeType"),
               "num_cache_clusters": ("num_cache_clusters", "NumCacheClusters"),
               "num_node_groups": ("num_node_groups", "NumNodeGroups"),
               "replicas_per_node_group": ("replicas_per_node_group", "ReplicasPerNodeGroup")},
              size_field="node_type"),
    CloudKind("aws_kinesis_stream", ("aws_kinesis_stream",), ("AWS::Kinesis::Stream",), _kinesis_stream,
              {"stream_mode": ("stream_mode_details.stream_mode", "StreamModeDetails.StreamMode"),
               "shard_count": ("shard_count", "ShardCount")}, ("monthly_ingested_gb", "monthly_put_payload_units")),
    CloudKind("aws_sns_topic", ("aws_sns_topic",), ("AWS::SNS::Topic",),
              _usage_line("sns_requests", "SNS API requests (publishes)", "monthly_requests", "1M requests", MILLION),
              {}, ("monthly_requests",)),
)
