"""How each kind of resource is priced: one table entry per kind, for every format.

An entry (:class:`Kind`) names the Terraform types and their CloudFormation
counterparts and one ``price`` function; where each field it reads is
written in either format, and which field is its size (COST002), is the
platform catalog's ``cost`` entry of the kind (``Kind.fields``, ``Kind.size_field``). The price function reads fields
through :class:`Spec`, which hides the format, so each pricing rule is
written once for Terraform HCL, plan JSON and CloudFormation.

Conventions every price function follows:

- monthly = 730 hours (:data:`~iacgov.cost.catalog.HOURS_PER_MONTH`);
- a value that is not known (``Unknown``), a SKU or region the catalog does
  not have, a unit that does not match: the component is *unpriced*, with
  the reason; never zero, never an exception;
- a price that depends on usage is *usage-based* unless the usage file gives
  the quantity (keys per kind in ``Kind.usage_keys``, listed by
  :func:`iacgov.cost.usage.usage_keys_reference`);
- quantities cover all instances of the resource (``count`` / ``for_each``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Callable, Iterable, Iterator, Mapping

from iacgov.cost.catalog import HOURS_PER_MONTH
from iacgov.cost.model import Component
from iacgov import platform
from iacgov.model import Resource, Unknown, is_unknown

# The readers, Spec and PriceContext live in iacgov.cost.spec (shared with cloud_pricers); re-exported here.
from iacgov.cost import kinds_aws, kinds_azure, kinds_gcp, kinds_other
from iacgov.cost.cloud_pricers import CLOUD_KINDS, CloudKind
from iacgov.cost.spec import (MAX_NUMBER, MAX_QUANTITY, PriceContext, Spec, _walk, as_flag, as_number,  # noqa: F401
                              as_text, blocks, why)


# --------------------------------------------------------------------------- shared pieces


EBS_STORAGE = {"gp2": "ebs_gp2_storage", "gp3": "ebs_gp3_storage", "io1": "ebs_io1_storage",
               "io2": "ebs_io2_storage", "st1": "ebs_st1_storage", "sc1": "ebs_sc1_storage",
               "standard": "ebs_standard_storage"}
EBS_LABEL = {"gp2": "General Purpose SSD gp2", "gp3": "General Purpose SSD gp3", "io1": "Provisioned IOPS SSD io1",
             "io2": "Provisioned IOPS SSD io2", "st1": "Throughput Optimized HDD st1", "sc1": "Cold HDD sc1",
             "standard": "Magnetic standard"}
GP3_FREE_IOPS = Decimal(3000)
GP3_FREE_THROUGHPUT = Decimal(125)


@dataclass(frozen=True)
class Volume:
    """An EBS volume as written: standalone, or a block of an instance."""

    label: str  # "Root volume", "EBS volume /dev/sdf", "EBS volume"
    size: Any  # GB
    type: Any
    iops: Any = None
    throughput: Any = None
    attribute: str | None = None  # path of the block / resource attribute
    missing_size_reason: str | None = None  # why a size may be absent (AMI, snapshot)


def volume_components(volume: Volume, ctx: PriceContext) -> Iterator[Component]:
    label, at = volume.label, volume.attribute
    vtype = as_text(volume.type)
    if vtype is None:
        vtype = "gp2"  # the documented default of aws_ebs_volume, ebs/root blocks and CloudFormation
    if is_unknown(vtype):
        yield ctx.unpriced(f"{label} storage", f"volume type is not known: {why(vtype)}", at)
        return
    vtype = vtype.lower()
    size = as_number(volume.size)
    if vtype not in EBS_STORAGE:
        yield ctx.unpriced(f"{label} storage", f"unknown EBS volume type {vtype!r}", at)
        return
    item = f"{label} storage ({EBS_LABEL[vtype]})"
    if size is None and volume.type is None:
        item = f"{label} storage"  # neither size nor type written: both come from elsewhere (the AMI)
    if size is None:
        yield ctx.unpriced(item, volume.missing_size_reason or "size is not set", at)
    elif is_unknown(size):
        yield ctx.unpriced(item, f"size is not known: {why(size)}", at)
    else:
        yield ctx.charge(EBS_STORAGE[vtype], item, size * ctx.count, "GB-month", at)
    iops = as_number(volume.iops)
    if vtype == "gp3":
        throughput = as_number(volume.throughput)
        if is_unknown(iops):
            yield ctx.unpriced(f"{label} provisioned IOPS (gp3)", f"IOPS is not known: {why(iops)}", at)
        elif iops is not None and iops > GP3_FREE_IOPS:
            yield ctx.charge("ebs_gp3_iops_above_3000", f"{label} provisioned IOPS above 3000 (gp3)",
                             (iops - GP3_FREE_IOPS) * ctx.count, "IOPS-month", at)
        if is_unknown(throughput):
            yield ctx.unpriced(f"{label} provisioned throughput (gp3)", f"throughput is not known: {why(throughput)}", at)
        elif throughput is not None and throughput > GP3_FREE_THROUGHPUT:
            yield ctx.charge("ebs_gp3_throughput_above_125", f"{label} provisioned throughput above 125 MiB/s (gp3)",
                             (throughput - GP3_FREE_THROUGHPUT) * ctx.count, "MiBps-month", at)
    elif vtype in ("io1", "io2"):
        item = f"{label} provisioned IOPS ({vtype})"
        if iops is None:
            yield ctx.unpriced(item, f"{vtype} volumes need iops, which is not set", at)
        elif is_unknown(iops):
            yield ctx.unpriced(item, f"IOPS is not known: {why(iops)}", at)
        elif vtype == "io2" and iops > 32000:
            yield ctx.unpriced(item, "io2 IOPS above 32,000 are billed in tiers the catalog does not have", at)
        else:
            yield ctx.charge(f"ebs_{vtype}_iops", item, iops * ctx.count, "IOPS-month", at)
    elif vtype == "standard":
        yield ctx.usage_charge("ebs_standard_io_requests", f"{label} I/O requests (magnetic)",
                               "monthly_standard_io_requests", "1M requests", per=Decimal(1_000_000), attribute=at)


def _root_reason(spec: Spec) -> str:
    ami = as_text(spec.resource.attributes.get("ImageId" if spec.cfn else "ami"))
    shown = f" ({ami})" if isinstance(ami, str) else ""
    return f"size and type are set by the AMI{shown}, which iacgov does not read"


def instance_volumes(spec: Spec) -> Iterator[Volume]:
    """Root and EBS volumes of an EC2 instance / launch template, both formats."""
    attrs = spec.resource.attributes
    if spec.cfn:
        key = "BlockDeviceMappings"
        mappings = attrs.get(key)
        if is_unknown(mappings):
            yield Volume("Block devices", Unknown("BlockDeviceMappings is not known"), None, attribute=key)
            return
        root_seen = False
        for i, mapping in enumerate(blocks(mappings)):
            if not isinstance(mapping, Mapping):
                continue
            ebs = mapping.get("Ebs")
            device = as_text(mapping.get("DeviceName"))
            if ebs is None:
                continue  # ephemeral / NoDevice: no EBS charge
            root = isinstance(device, str) and device in ("/dev/xvda", "/dev/sda1")
            root_seen = root_seen or root
            label = "Root volume" if root else f"EBS volume {device}" if isinstance(device, str) else "EBS volume"
            ebs = ebs if isinstance(ebs, Mapping) else {}
            yield Volume(label, ebs.get("VolumeSize"), ebs.get("VolumeType"), ebs.get("Iops"), ebs.get("Throughput"),
                         f"{key}.{i}.Ebs",
                         "size is not set (it comes from the snapshot)" if ebs.get("SnapshotId") else None)
        if not root_seen:
            yield Volume("Root volume", None, None, attribute=None, missing_size_reason=_root_reason(spec))
        return
    root = blocks(attrs.get("root_block_device"))
    if root and isinstance(root[0], Mapping):
        block = root[0]
        yield Volume("Root volume", block.get("volume_size"), block.get("volume_type"), block.get("iops"),
                     block.get("throughput"), "root_block_device",
                     None if block.get("volume_size") is not None else _root_reason(spec))
    elif root and is_unknown(root[0]):
        yield Volume("Root volume", root[0], None, attribute="root_block_device")
    else:
        yield Volume("Root volume", None, None, missing_size_reason=_root_reason(spec))
    for i, block in enumerate(blocks(attrs.get("ebs_block_device"))):
        if is_unknown(block):
            yield Volume("EBS volume", block, None, attribute=f"ebs_block_device.{i}")
            continue
        if not isinstance(block, Mapping):
            continue
        device = as_text(block.get("device_name"))
        label = f"EBS volume {device}" if isinstance(device, str) else "EBS volume"
        yield Volume(label, block.get("volume_size"), block.get("volume_type"), block.get("iops"),
                     block.get("throughput"), f"ebs_block_device.{i}",
                     "size is not set (it comes from the snapshot)" if block.get("snapshot_id") else None)


def internet_egress(ctx: PriceContext) -> Iterator[Component]:
    """Data transfer out to the internet, only when the usage file gives it."""
    ctx.used_usage_keys.add("monthly_internet_egress_gb")
    if "monthly_internet_egress_gb" in ctx.usage:
        yield ctx.usage_charge("data_transfer_out_internet_first_10tb",
                               "Data transfer out to the internet (first 10 TB/month tier)",
                               "monthly_internet_egress_gb", "GB")


# --------------------------------------------------------------------------- the kinds


PriceFn = Callable[[Spec, PriceContext], Iterable[Component]]


@dataclass(frozen=True)
class Kind:
    name: str  # the Terraform type the rule is named after
    terraform: tuple[str, ...]
    cloudformation: tuple[str, ...]
    price: PriceFn
    usage_keys: tuple[str, ...] = ()

    @property
    def fields(self) -> Mapping[str, tuple[str | None, str | None]]:
        """Where each field the price reads is written in either format: the catalog's ``cost.fields``."""
        return _cost_fields(self.name)[0]

    @property
    def size_field(self) -> str | None:
        """The field holding the instance type / class / size (COST002), if any: the catalog's ``cost.size``."""
        return _cost_fields(self.name)[1]


@lru_cache(maxsize=None)
def _cost_fields(kind: str) -> tuple[Mapping[str, tuple[str | None, str | None]], str | None]:
    spec = (platform.entry(kind) or {}).get("cost", {})
    fields = {name: (where.get("terraform"), where.get("cloudformation")) for name, where in spec.get("fields", {}).items()}
    return fields, spec.get("size")


def _ec2_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    itype = spec.text("instance_type")
    at = spec.path("instance_type")
    tenancy = spec.text("tenancy")
    if itype is None:
        yield ctx.unpriced("Instance usage", "instance type is not set (a launch template sets it?)", at)
    elif is_unknown(itype):
        yield ctx.unpriced("Instance usage", f"instance type is not known: {why(itype)}", at)
    elif isinstance(tenancy, str) and tenancy.lower() in ("dedicated", "host"):
        yield ctx.unpriced(f"Instance usage ({itype})", f"{tenancy} tenancy prices are not in the catalog "
                           "(it has shared tenancy only)", spec.path("tenancy"))
    else:
        yield ctx.hourly(f"ec2:{itype}", f"Instance usage (Linux, on-demand, {itype})", at)
    for volume in instance_volumes(spec):
        yield from volume_components(volume, ctx)
    yield from internet_egress(ctx)


def _ebs_volume(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield from volume_components(Volume(
        "EBS volume", spec.raw("size"), spec.raw("type"), spec.raw("iops"), spec.raw("throughput"),
        spec.path("size"),
        "size is not set (it comes from the snapshot)" if spec.raw("snapshot_id") is not None else None), ctx)


RDS_ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL"}
RDS_STORAGE_TYPES = {"gp2": "General Purpose SSD gp2", "gp3": "General Purpose SSD gp3",
                     "io1": "Provisioned IOPS SSD io1", "io2": "Provisioned IOPS SSD io2", "standard": "Magnetic"}


def _rds_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    engine = spec.text("engine")
    klass = spec.text("instance_class")
    multi = spec.flag("multi_az")
    if multi is None:
        multi = False
    deployment = None if is_unknown(multi) else ("multi-az" if multi else "single-az")
    dep_label = {"multi-az": "Multi-AZ", "single-az": "Single-AZ", None: "?"}[deployment]
    if engine is None:
        yield ctx.unpriced("Database instance", "engine is not set (a read replica or a restored snapshot "
                           "inherits it)", spec.path("engine"))
    elif is_unknown(engine):
        yield ctx.unpriced("Database instance", f"engine is not known: {why(engine)}", spec.path("engine"))
    elif engine.lower() not in RDS_ENGINES:
        yield ctx.unpriced("Database instance", f"no {engine} prices in the catalog (it has PostgreSQL and "
                           "MySQL; Aurora, MariaDB, Oracle and SQL Server are not priced)", spec.path("engine"))
    elif klass is None or is_unknown(klass):
        reason = "instance class is not set" if klass is None else f"instance class is not known: {why(klass)}"
        yield ctx.unpriced("Database instance", reason, spec.path("instance_class"))
    elif deployment is None:
        yield ctx.unpriced(f"Database instance ({klass})", f"Multi-AZ is not known: {why(multi)}",  # type: ignore[arg-type]
                           spec.path("multi_az"))
    else:
        name = RDS_ENGINES[engine.lower()]
        yield ctx.hourly(f"rds:{engine.lower()}:{deployment}:{klass}",
                         f"Database instance ({name}, {dep_label}, on-demand, {klass})", spec.path("instance_class"))
    if isinstance(engine, str) and engine.lower().startswith("aurora"):
        return  # Aurora storage is billed by the cluster
    yield from _rds_storage(spec, ctx, deployment, dep_label)
    yield from internet_egress(ctx)


def _rds_storage(spec: Spec, ctx: PriceContext, deployment: str | None, dep_label: str) -> Iterator[Component]:
    size = spec.number("allocated_storage")
    iops = spec.number("iops")
    stype = spec.text("storage_type")
    at = spec.path("allocated_storage")
    if stype is None:
        # documented default of both aws_db_instance and AWS::RDS::DBInstance
        stype = "io1" if iops is not None else "gp2"
    if is_unknown(stype):
        yield ctx.unpriced("Database storage", f"storage type is not known: {why(stype)}", spec.path("storage_type"))
        return
    stype = stype.lower()
    if stype not in RDS_STORAGE_TYPES:
        yield ctx.unpriced("Database storage", f"unknown storage type {stype!r}", spec.path("storage_type"))
        return
    item = f"Database storage ({RDS_STORAGE_TYPES[stype]}, {dep_label})"
    suffix = None if deployment is None else deployment.replace("-", "_")
    sku_type = "magnetic" if stype == "standard" else stype
    if size is None:
        yield ctx.unpriced(item, "allocated storage is not set (a read replica or a restored snapshot inherits it)", at)
    elif is_unknown(size):
        yield ctx.unpriced(item, f"allocated storage is not known: {why(size)}", at)
    elif suffix is None:
        yield ctx.unpriced(item, "Multi-AZ is not known", spec.path("multi_az"))
    else:
        yield ctx.charge(f"rds_{sku_type}_storage_{suffix}", item, size * ctx.count, "GB-month", at)
    if stype in ("io1", "io2"):
        iops_item = f"Database provisioned IOPS ({stype}, {dep_label})"
        if iops is None:
            yield ctx.unpriced(iops_item, f"{stype} storage needs iops, which is not set", spec.path("iops"))
        elif is_unknown(iops):
            yield ctx.unpriced(iops_item, f"IOPS is not known: {why(iops)}", spec.path("iops"))
        elif suffix is not None:
            yield ctx.charge(f"rds_{stype}_iops_{suffix}", iops_item, iops * ctx.count, "IOPS-month", spec.path("iops"))
    elif stype == "gp3" and iops is not None:
        # gp3 includes 3,000 IOPS (12,000 from 400 GB for PostgreSQL/MySQL); only more is billed
        baseline = Decimal(12000) if isinstance(size, Decimal) and size >= 400 else Decimal(3000)
        if is_unknown(iops):
            yield ctx.unpriced("Database provisioned IOPS (gp3)", f"IOPS is not known: {why(iops)}", spec.path("iops"))
        elif iops > baseline and suffix is not None:
            yield ctx.charge(f"rds_gp3_iops_above_baseline_{suffix}",
                             f"Database provisioned IOPS above {baseline:,} (gp3, {dep_label})",
                             (iops - baseline) * ctx.count, "IOPS-month", spec.path("iops"))


def _nat_gateway(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("nat_gateway", "NAT gateway")
    yield ctx.usage_charge("nat_gateway_data_processed", "NAT gateway data processed", "monthly_data_processed_gb", "GB")
    yield from internet_egress(ctx)


def _load_balancer(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    lb_type = spec.text("type")
    if lb_type is None:
        lb_type = "application"  # default of aws_lb and AWS::ElasticLoadBalancingV2::LoadBalancer
    if spec.type == "aws_alb":
        lb_type = "application"
    if is_unknown(lb_type):
        yield ctx.unpriced("Load balancer", f"load balancer type is not known: {why(lb_type)}", spec.path("type"))
        return
    lb_type = lb_type.lower()
    if lb_type not in ("application", "network"):
        yield ctx.unpriced(f"Load balancer ({lb_type})", f"no {lb_type} load balancer prices in the catalog",
                           spec.path("type"))
        return
    short = "alb" if lb_type == "application" else "nlb"
    label = "Application" if short == "alb" else "Network"
    yield ctx.hourly(short, f"{label} Load Balancer")
    yield ctx.usage_charge(f"{short}_lcu", f"{label} Load Balancer capacity units", "average_lcu_per_hour", "LCU-hour",
                           factor=HOURS_PER_MONTH)
    yield from internet_egress(ctx)


def _classic_lb(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("clb", "Classic Load Balancer")
    yield ctx.usage_charge("clb_data_processed", "Classic Load Balancer data processed", "monthly_data_processed_gb", "GB")


def _eks_cluster(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("eks_cluster_standard_support", "EKS control plane (standard support)")


def _kms_key(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.monthly_fixed("kms_customer_managed_key", "KMS customer managed key")
    yield ctx.usage_charge("kms_symmetric_requests", "KMS requests", "monthly_requests", "10k requests",
                           per=Decimal(10_000))


def _eip(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.hourly("public_ipv4_address", "Public IPv4 address (Elastic IP)")


S3_STORAGE = (
    ("storage_gb", "s3_standard_storage_first_50tb", "S3 Standard storage (first 50 TB)"),
    ("standard_ia_storage_gb", "s3_standard_ia_storage", "S3 Standard-IA storage"),
    ("one_zone_ia_storage_gb", "s3_one_zone_ia_storage", "S3 One Zone-IA storage"),
    ("glacier_flexible_retrieval_storage_gb", "s3_glacier_flexible_retrieval_storage",
     "S3 Glacier Flexible Retrieval storage"),
    ("glacier_deep_archive_storage_gb", "s3_glacier_deep_archive_storage", "S3 Glacier Deep Archive storage"),
)


def _s3_bucket(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    given = [row for row in S3_STORAGE if row[0] in ctx.usage]
    for key, sku, item in given or S3_STORAGE[:1]:
        yield ctx.usage_charge(sku, item, key, "GB-month")
    for key, _sku, _item in S3_STORAGE:
        ctx.used_usage_keys.add(key)
    yield ctx.usage_charge("s3_standard_put_copy_post_list_requests", "S3 Standard PUT, COPY, POST, LIST requests",
                           "monthly_put_requests", "1k requests", per=Decimal(1000))
    yield ctx.usage_charge("s3_standard_get_requests", "S3 Standard GET, SELECT and other requests",
                           "monthly_get_requests", "1k requests", per=Decimal(1000))
    yield from internet_egress(ctx)


def _lambda(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    memory = spec.number("memory_size")
    if memory is None:
        memory = Decimal(128)  # the documented default of both formats
    arch = spec.raw("architectures")
    arch_list = blocks(arch)
    arm = bool(arch_list) and isinstance(arch_list[0], str) and arch_list[0] == "arm64"
    requests = ctx.usage.get("monthly_requests")
    yield ctx.usage_charge("lambda_requests", "Lambda requests", "monthly_requests", "1M requests",
                           per=Decimal(1_000_000))
    sku = "lambda_duration_arm_first_7_5b" if arm else "lambda_duration_x86_first_6b"
    item = f"Lambda duration ({'arm64' if arm else 'x86_64'}, first tier)"
    ctx.used_usage_keys.add("average_duration_ms")
    duration = ctx.usage.get("average_duration_ms")
    if is_unknown(memory) or is_unknown(arch):
        yield ctx.unpriced(item, "memory size or architecture is not known", spec.path("memory_size"))
    elif requests is not None and duration is not None:
        gb_seconds = requests * duration / Decimal(1000) * memory / Decimal(1024)
        yield ctx.charge(sku, item, gb_seconds * ctx.count, "GB-second", spec.path("memory_size"))
    else:
        yield ctx.usage_based(sku, item, "GB-second", "depends on usage: set monthly_requests and "
                              "average_duration_ms in the usage file", spec.path("memory_size"))
    yield from _lambda_ephemeral_storage(spec, ctx, requests, duration)
    yield from internet_egress(ctx)


LAMBDA_FREE_EPHEMERAL_MB = Decimal(512)  # every function has 512 MB of /tmp without charge


def _lambda_ephemeral_storage(spec: Spec, ctx: PriceContext, requests: Decimal | None,
                              duration: Decimal | None) -> Iterator[Component]:
    """``ephemeral_storage { size }`` / ``EphemeralStorage.Size`` (MB) above the
    free 512 MB, charged per GB-second of duration."""
    size = spec.number("ephemeral_storage")
    item = "Lambda ephemeral storage above 512 MB"
    if is_unknown(size):
        yield ctx.unpriced(item, f"ephemeral storage size is not known ({why(size)})", spec.path("ephemeral_storage"))
    elif size is not None and size > LAMBDA_FREE_EPHEMERAL_MB:
        extra_gb = (size - LAMBDA_FREE_EPHEMERAL_MB) / Decimal(1024)
        if requests is not None and duration is not None:
            gb_seconds = requests * duration / Decimal(1000) * extra_gb
            yield ctx.charge("lambda_ephemeral_storage", item, gb_seconds * ctx.count, "GB-second",
                             spec.path("ephemeral_storage"))
        else:
            yield ctx.usage_based("lambda_ephemeral_storage", item, "GB-second", "depends on usage: set "
                                  "monthly_requests and average_duration_ms in the usage file",
                                  spec.path("ephemeral_storage"))


def _log_group(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.usage_charge("cloudwatch_logs_ingested", "CloudWatch Logs data ingested", "monthly_ingested_gb", "GB")
    yield ctx.usage_charge("cloudwatch_logs_storage", "CloudWatch Logs storage", "storage_gb", "GB-month")


def _dynamodb(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    mode = spec.text("billing_mode")
    if mode is None:
        mode = "PROVISIONED"  # the documented default of both formats
    if is_unknown(mode):
        yield ctx.unpriced("DynamoDB capacity", f"billing mode is not known: {why(mode)}", spec.path("billing_mode"))
    elif mode.upper() == "PAY_PER_REQUEST":
        yield ctx.usage_charge("dynamodb_ondemand_read_request_units", "DynamoDB on-demand read request units",
                               "monthly_read_request_units", "1M RRU", per=Decimal(1_000_000))
        yield ctx.usage_charge("dynamodb_ondemand_write_request_units", "DynamoDB on-demand write request units",
                               "monthly_write_request_units", "1M WRU", per=Decimal(1_000_000))
    else:
        yield ctx.unpriced("DynamoDB provisioned capacity", "provisioned capacity (RCU/WCU) prices are not in the catalog",
                           spec.path("billing_mode"))
    yield ctx.usage_charge("dynamodb_storage", "DynamoDB storage", "storage_gb", "GB-month")


def _azure_linux_vm(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    size = spec.text("size")
    at = spec.path("size")
    if size is None or is_unknown(size):
        yield ctx.unpriced("Virtual machine", "size is not set" if size is None else f"size is not known: {why(size)}", at)
    else:
        yield ctx.hourly(f"vm:{size}", f"Virtual machine (Linux, pay-as-you-go, {size})", at)
    yield ctx.unpriced("Managed OS disk", "Azure managed disk prices are not in the catalog", "os_disk")


def _azure_legacy_vm(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    attrs = spec.resource.attributes
    if attrs.get("os_profile_windows_config") is not None:
        yield ctx.unpriced("Virtual machine", "Windows licence prices are not in the catalog (Linux only)")
    elif attrs.get("os_profile_linux_config") is None:
        yield ctx.unpriced("Virtual machine", "operating system not determined (no os_profile_linux_config)")
    else:
        yield from _azure_linux_vm(spec, ctx)
        return
    yield ctx.unpriced("Managed OS disk", "Azure managed disk prices are not in the catalog", "storage_os_disk")


def _azure_linux_vmss(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    instances = spec.number("instances")
    if instances is None or is_unknown(instances):
        reason = "instances is not set" if instances is None else f"instances is not known: {why(instances)}"
        yield ctx.unpriced("Scale set instances", reason, spec.path("instances"))
        return
    inner = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(instances) * ctx.count, ctx.usage, ctx.used_usage_keys)
    yield from _azure_linux_vm(spec, inner)


def _windows(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    yield ctx.unpriced("Virtual machine", "Windows licence prices are not in the catalog (Linux only)")


GCP_CUSTOM = re.compile(r"(^|-)custom-")


def _gcp_instance(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    mtype = spec.text("machine_type")
    at = spec.path("machine_type")
    if mtype is None or is_unknown(mtype):
        yield ctx.unpriced("VM instance", "machine type is not set" if mtype is None
                           else f"machine type is not known: {why(mtype)}", at)
    elif GCP_CUSTOM.search(mtype):
        yield ctx.unpriced(f"VM instance ({mtype})", "custom machine types are not in the catalog", at)
    else:
        yield ctx.hourly(f"compute:{mtype}", f"VM instance (on-demand, {mtype})", at)
    yield ctx.unpriced("Boot disk", "persistent disk prices are not in the catalog", "boot_disk")


TEMPLATE_REF = re.compile(r"^(?P<address>aws_(launch_template|launch_configuration)\.[\w-]+(\[[^\]]*\])?)\.(id|name)$")


def _template_of(spec: Spec, ctx: PriceContext) -> tuple[Resource | None, str]:
    """The launch template / configuration an Auto Scaling group names, when it is a resource of the same module."""
    attrs = spec.resource.attributes
    written = [b.get(k) for b in blocks(attrs.get("launch_template")) if isinstance(b, Mapping) for k in ("id", "name")]
    written.append(attrs.get("launch_configuration"))
    for value in written:
        ref = value.ref if is_unknown(value) else None
        found = TEMPLATE_REF.match(ref or "")
        if found and ctx.resolve is not None:
            target = ctx.resolve(found["address"])
            if target is not None:
                return target, found["address"]
    if any(v is not None for v in written):
        return None, "its launch template is not a resource of this module (or not known), so its instance type is not read"
    return None, "no launch template or launch configuration is set"


def _autoscaling_group(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
    """Desired capacity (else min_size) x the on-demand price of the launch template's instance type."""
    attrs = spec.resource.attributes
    nodes = as_number(attrs.get("desired_capacity"))
    if nodes is None:
        nodes = as_number(attrs.get("min_size"))
    if nodes is None or is_unknown(nodes) or nodes != nodes.to_integral_value():
        yield ctx.unpriced("Instances", "desired capacity and min_size are not set" if nodes is None
                           else f"desired capacity is not known: {why(nodes)}" if is_unknown(nodes)
                           else f"desired capacity {nodes} is not a whole number", "desired_capacity")
        return
    if [b for b in blocks(attrs.get("mixed_instances_policy")) if b]:
        yield ctx.unpriced("Instances", "a mixed instances policy spreads the capacity over several types and "
                           "on-demand/spot: its price is not derived", "mixed_instances_policy")
        return
    template, why_not = _template_of(spec, ctx)
    if template is None:
        yield ctx.unpriced("Instances", why_not, "launch_template")
        return
    itype = as_text(template.attributes.get("instance_type"))
    market = [b for b in blocks(template.attributes.get("instance_market_options")) if b]
    if [b for b in blocks(template.attributes.get("instance_requirements")) if b]:
        yield ctx.unpriced("Instances", f"{template.address} selects types by attributes (instance_requirements)",
                           "launch_template")
    elif not isinstance(itype, str):
        yield ctx.unpriced("Instances", f"the instance type of {template.address} is not known", "launch_template")
    elif market:
        yield ctx.unpriced(f"Instances ({itype}, spot)", "spot prices are not in the catalog", "launch_template")
    else:
        fleet = PriceContext(ctx.catalog, ctx.cloud, ctx.region, int(nodes) * ctx.count, ctx.usage, ctx.used_usage_keys)
        yield fleet.hourly(f"ec2:{itype}", f"Instances ({nodes} x {itype} from {template.address}, Linux, on-demand)",
                           "desired_capacity")
        yield ctx.unpriced("Instance volumes", "set by the launch template's block device mappings or its AMI, "
                           "which this rule does not read", "launch_template")


def _not_priced(reason: str) -> PriceFn:
    def price(spec: Spec, ctx: PriceContext) -> Iterator[Component]:
        yield ctx.unpriced(spec.type, reason)
    return price


FIRST_KINDS: tuple[Kind, ...] = (
    Kind("aws_instance", ("aws_instance",), ("AWS::EC2::Instance",),
         _ec2_instance, ("monthly_internet_egress_gb",)),
    Kind("aws_ebs_volume", ("aws_ebs_volume",), ("AWS::EC2::Volume",),
         _ebs_volume, ("monthly_standard_io_requests",)),
    Kind("aws_db_instance", ("aws_db_instance",), ("AWS::RDS::DBInstance",),
         _rds_instance, ("monthly_internet_egress_gb",)),
    Kind("aws_nat_gateway", ("aws_nat_gateway",), ("AWS::EC2::NatGateway",), _nat_gateway,
         ("monthly_data_processed_gb", "monthly_internet_egress_gb")),
    Kind("aws_lb", ("aws_lb", "aws_alb"), ("AWS::ElasticLoadBalancingV2::LoadBalancer",), _load_balancer,
         ("average_lcu_per_hour", "monthly_internet_egress_gb")),
    Kind("aws_elb", ("aws_elb",), ("AWS::ElasticLoadBalancing::LoadBalancer",), _classic_lb,
         ("monthly_data_processed_gb",)),
    Kind("aws_eks_cluster", ("aws_eks_cluster",), ("AWS::EKS::Cluster",), _eks_cluster),
    Kind("aws_kms_key", ("aws_kms_key", "aws_kms_replica_key"), ("AWS::KMS::Key", "AWS::KMS::ReplicaKey"),
         _kms_key, ("monthly_requests",)),
    Kind("aws_eip", ("aws_eip",), ("AWS::EC2::EIP",), _eip),
    Kind("aws_s3_bucket", ("aws_s3_bucket",), ("AWS::S3::Bucket",), _s3_bucket,
         tuple(k for k, _s, _i in S3_STORAGE) + ("monthly_put_requests", "monthly_get_requests",
                                                 "monthly_internet_egress_gb")),
    Kind("aws_lambda_function", ("aws_lambda_function",), ("AWS::Lambda::Function", "AWS::Serverless::Function"),
         _lambda, ("monthly_requests", "average_duration_ms", "monthly_internet_egress_gb")),
    Kind("aws_cloudwatch_log_group", ("aws_cloudwatch_log_group",), ("AWS::Logs::LogGroup",), _log_group,
         ("monthly_ingested_gb", "storage_gb")),
    Kind("aws_dynamodb_table", ("aws_dynamodb_table",), ("AWS::DynamoDB::Table",), _dynamodb,
         ("monthly_read_request_units", "monthly_write_request_units", "storage_gb")),
    Kind("aws_autoscaling_group", ("aws_autoscaling_group",), ("AWS::AutoScaling::AutoScalingGroup",),
         _autoscaling_group),
    Kind("azurerm_linux_virtual_machine", ("azurerm_linux_virtual_machine",), (),
         _azure_linux_vm),
    Kind("azurerm_virtual_machine", ("azurerm_virtual_machine",), (),
         _azure_legacy_vm),
    Kind("azurerm_linux_virtual_machine_scale_set", ("azurerm_linux_virtual_machine_scale_set",), (), _azure_linux_vmss),
    Kind("azurerm_windows_virtual_machine", ("azurerm_windows_virtual_machine",
                                             "azurerm_windows_virtual_machine_scale_set"), (), _windows),
    Kind("google_compute_instance_group_manager", ("google_compute_instance_group_manager",
                                                   "google_compute_region_instance_group_manager"), (),
         _not_priced("instances of a managed instance group are not priced (their type is in an instance template)")),
)

# One table: the Azure / Google Cloud / AWS rules of cloud_pricers first (their google_compute_instance
# adds the boot disk to the first table's instance), then the first table's kinds no cloud rule covers.
# COST002's size lookup, the usage keys and the CloudFormation counterparts all read this table.
PriceKind = Kind | CloudKind
_CLOUD_KINDS = (*CLOUD_KINDS, *kinds_aws.KINDS, *kinds_azure.KINDS, *kinds_gcp.KINDS, *kinds_other.KINDS)
_CLOUD_TYPES = {t for k in _CLOUD_KINDS for t in (*k.terraform, *k.cloudformation)}
KINDS: tuple[PriceKind, ...] = (*_CLOUD_KINDS, *(k for k in FIRST_KINDS
                                               if not _CLOUD_TYPES & {*k.terraform, *k.cloudformation}))
BY_TYPE: dict[str, PriceKind] = {t: k for k in KINDS for t in (*k.terraform, *k.cloudformation)}

# Resource types that cost nothing by themselves (their charges, if any, are on
# the resources they configure or connect).
FREE_PATTERNS = re.compile(
    r"^(aws_(vpc|subnet|security_group.*|vpc_security_group_.*|route(_table)?(_association)?|internet_gateway|"
    r"egress_only_internet_gateway|default_.*|main_route_table_association|network_acl.*|iam_.*|"
    r"s3_bucket_.*|s3_object|.*_policy|.*_policy_attachment|.*_attachment|.*_association|db_subnet_group|"
    r"db_parameter_group|db_option_group|rds_cluster_parameter_group|lb_target_group.*|lb_listener.*|alb_target_group.*|"
    r"alb_listener.*|launch_template|launch_configuration|key_pair|kms_alias|kms_grant|cloudwatch_log_stream|"
    r"ebs_encryption_by_default|placement_group|ecs_cluster|ecs_task_definition|eks_addon|eks_access_.*|"
    r"ssm_parameter|sns_topic_subscription|cloudformation_.*|resourcegroups_group|vpc_endpoint_route_table_association|"
    r"lambda_permission|lambda_alias|lambda_function_url|cloudwatch_event_target|appautoscaling_.*|"
    r"autoscaling_policy|autoscaling_schedule)|"
    r"azurerm_(resource_group|virtual_network|subnet.*|network_security_(group|rule)|network_interface.*|"
    r"role_.*|user_assigned_identity|.*_association)|"
    r"google_(compute_network|compute_subnetwork|compute_firewall|compute_route|project_service|service_account.*|"
    r".*_iam_.*|compute_instance_template)|"
    r"random_.*|null_resource|terraform_data|time_.*|tls_.*|local_.*|"
    r"AWS::(EC2::(VPC|Subnet|SecurityGroup.*|RouteTable|Route|InternetGateway|VPCGatewayAttachment|"
    r"SubnetRouteTableAssociation|NetworkAcl.*|SubnetNetworkAclAssociation|LaunchTemplate|KeyPair|"
    r"EgressOnlyInternetGateway|PlacementGroup)|IAM::.*|S3::BucketPolicy|KMS::Alias|RDS::DBSubnetGroup|"
    r"RDS::DBParameterGroup|RDS::DBClusterParameterGroup|RDS::OptionGroup|ElasticLoadBalancingV2::"
    r"(TargetGroup|Listener|ListenerRule|ListenerCertificate)|Logs::LogStream|ECS::Cluster|ECS::TaskDefinition|"
    r"SSM::Parameter|SNS::Subscription|SNS::TopicPolicy|SQS::QueuePolicy|Lambda::Permission|Lambda::Version|"
    r"Lambda::Alias|CloudFormation::.*|ApplicationAutoScaling::.*|AutoScaling::LaunchConfiguration|"
    r"AutoScaling::ScalingPolicy|Events::Rule|CDK::Metadata))$"
)


def is_free(resource_type: str) -> bool:
    return FREE_PATTERNS.match(resource_type) is not None


def kind_of(resource_type: str) -> PriceKind | None:
    return BY_TYPE.get(resource_type)


def size_of(resource: Resource) -> tuple[str | Unknown | None, str | None]:
    """The instance type / class / size of a resource and the attribute it is
    written in (COST002); (None, None) when the kind has none."""
    kind = kind_of(resource.type)
    if kind is None or kind.size_field is None:
        return None, None
    spec = Spec(resource, kind.fields)
    raw = spec.raw(kind.size_field)
    if isinstance(raw, (list, tuple)) and raw:
        raw = raw[0]  # a list of types (EKS instance_types): the first is the one priced
    return as_text(raw), spec.path(kind.size_field)


def counterparts(resource_type: str) -> tuple[str, ...]:
    """The resource type and every type the same price rule covers (its
    CloudFormation counterparts), for ``cost.provider_fees`` keys."""
    kind = kind_of(resource_type)
    return (resource_type,) if kind is None else (resource_type, *(t for t in (*kind.terraform, *kind.cloudformation)
                                                                  if t != resource_type))
