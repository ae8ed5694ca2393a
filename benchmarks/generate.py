#!/usr/bin/env python3
"""Write a realistic synthetic infrastructure repository of a chosen size.

    python benchmarks/generate.py /tmp/synth --tf-files 10000          # ~1 M lines of Terraform
    python benchmarks/generate.py /tmp/synth --tf-files 1000 --cfn-templates 300

The Terraform part looks like a company estate that a provider runs: shared
local modules (network, database, storage, compute, logging, keys) with
variables, locals, outputs, ``count``, ``for_each``, ``dynamic`` blocks,
``jsonencode`` policies and conditionals; and root modules per application
and environment (``envs/<env>/<app>/``) with providers in several regions and
clouds (AWS, Azure, Google Cloud), ``terraform.tfvars``, locals merging tags,
module calls and resources of many types. Each root module is about ten files
of about a hundred lines: ``--tf-files`` sets how many ``.tf`` files in all.

The CloudFormation part is YAML and JSON templates with parameters,
mappings, conditions and intrinsics (``!Sub``, ``!Ref``, ``!GetAtt``,
``!If``, ``Fn::FindInMap``, ``Fn::Join``), buckets, queues, databases, keys
with key policies, roles and log groups.

The same seed gives the same files. An ``iacgov.yaml`` with budgets (so the
COST rules estimate) is written at the root.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ENVS = ["prod", "staging", "dev", "qa"]
AWS_REGIONS = ["eu-west-3", "eu-west-1", "us-east-1", "eu-central-1"]
AZURE_REGIONS = ["francecentral", "westeurope", "eastus"]
GCP_REGIONS = ["europe-west9", "europe-west1", "us-central1"]
INSTANCE_TYPES = ["t3.medium", "m5.large", "m5.xlarge", "c6i.large", "r6g.xlarge"]
DB_CLASSES = ["db.t3.medium", "db.r5.large", "db.m5.large"]

POLICY = """\
version: 1
data_location:
  allowed_regions:
    aws: [eu-west-3, eu-west-1]
    azure: [francecentral, westeurope]
    gcp: [europe-west9, europe-west1]
encryption:
  min_tls_version: "1.2"
  customer_managed_keys:
    required_for: [sensitive]
logging:
  min_retention_days: {prod: 365, default: 30}
continuity:
  min_backup_retention_days: {prod: 14, default: 1}
  redundant_environments: [prod]
tags:
  required: [env, app]
cost:
  environment_tag: env
  application_tag: app
  budgets: {prod: 50000, staging: 10000, dev: 5000, qa: 5000}
  change_envelope: 500
admin_access:
  company_accounts: {aws: ["111111111111"]}
  provider_accounts: {aws: ["222222222222"]}
  break_glass: {aws: ["arn:aws:iam::111111111111:role/break-glass"]}
"""

# -- shared modules ---------------------------------------------------------------------

MODULES = {
    "storage": {
        "variables.tf": '''\
variable "name" {
  description = "Bucket name prefix."
  type        = string
}

variable "env" {
  type = string
}

variable "kms_key_arn" {
  type    = string
  default = null
}

variable "versioning" {
  type    = bool
  default = true
}

variable "buckets" {
  description = "Buckets to create, by purpose."
  type        = map(object({ retention_days = number, data_class = string }))
  default = {
    logs    = { retention_days = 90, data_class = "internal" }
    exports = { retention_days = 365, data_class = "sensitive" }
  }
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''\
locals {
  prefix = "${var.name}-${var.env}"
  common_tags = merge(var.tags, {
    module = "storage"
    env    = var.env
  })
}

resource "aws_s3_bucket" "this" {
  for_each = var.buckets
  bucket   = "${local.prefix}-${each.key}"
  tags     = merge(local.common_tags, { data_class = each.value.data_class })
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = var.versioning ? var.buckets : {}
  bucket   = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = var.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = var.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  rule {
    id     = "expire"
    status = "Enabled"
    expiration {
      days = each.value.retention_days
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = var.buckets
  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''',
        "outputs.tf": '''\
output "bucket_arns" {
  value = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "bucket_names" {
  value = [for b in aws_s3_bucket.this : b.bucket]
}
''',
    },
    "database": {
        "variables.tf": '''\
variable "identifier" {
  type = string
}

variable "env" {
  type = string
}

variable "instance_class" {
  type    = string
  default = "db.t3.medium"
}

variable "engine" {
  type    = string
  default = "postgres"
}

variable "allocated_storage" {
  type    = number
  default = 100
}

variable "backup_retention_days" {
  type    = number
  default = 7
}

variable "multi_az" {
  type    = bool
  default = false
}

variable "kms_key_arn" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''\
locals {
  is_prod = var.env == "prod"
  port    = var.engine == "postgres" ? 5432 : 3306
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.identifier}-subnets"
  subnet_ids = ["subnet-0a1b2c3d", "subnet-0e1f2a3b"]
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.identifier}-params"
  family = var.engine == "postgres" ? "postgres15" : "mysql8.0"

  parameter {
    name  = var.engine == "postgres" ? "rds.force_ssl" : "require_secure_transport"
    value = "1"
  }
  tags = var.tags
}

resource "aws_db_instance" "this" {
  identifier              = var.identifier
  engine                  = var.engine
  instance_class          = var.instance_class
  allocated_storage       = var.allocated_storage
  storage_type            = "gp3"
  storage_encrypted       = true
  kms_key_id              = var.kms_key_arn
  multi_az                = local.is_prod ? true : var.multi_az
  backup_retention_period = local.is_prod ? max(var.backup_retention_days, 14) : var.backup_retention_days
  deletion_protection     = local.is_prod
  port                    = local.port
  db_subnet_group_name    = aws_db_subnet_group.this.name
  parameter_group_name    = aws_db_parameter_group.this.name
  skip_final_snapshot     = !local.is_prod
  tags                    = merge(var.tags, { component = "database" })
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.identifier}-cpu"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "CPUUtilization"
  namespace           = "AWS/RDS"
  period              = 300
  statistic           = "Average"
  threshold           = local.is_prod ? 70 : 90
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.this.identifier
  }
  tags = var.tags
}
''',
        "outputs.tf": '''\
output "endpoint" {
  value = aws_db_instance.this.endpoint
}

output "arn" {
  value = aws_db_instance.this.arn
}
''',
    },
    "compute": {
        "variables.tf": '''\
variable "name" {
  type = string
}

variable "env" {
  type = string
}

variable "instance_count" {
  type    = number
  default = 2
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "ingress_ports" {
  type    = list(number)
  default = [443]
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''\
resource "aws_security_group" "this" {
  name        = "${var.name}-sg"
  description = "Traffic to ${var.name}"

  dynamic "ingress" {
    for_each = var.ingress_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = var.tags
}

resource "aws_instance" "this" {
  count                  = var.instance_count
  ami                    = "ami-0123456789abcdef0"
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.this.id]
  monitoring             = var.env == "prod"

  root_block_device {
    volume_size = 30
    volume_type = "gp3"
    encrypted   = true
  }

  metadata_options {
    http_tokens = "required"
  }
  tags = merge(var.tags, { Name = format("%s-%02d", var.name, count.index) })
}

resource "aws_ebs_volume" "data" {
  count             = var.instance_count
  availability_zone = "eu-west-3a"
  size              = 100
  type              = "gp3"
  encrypted         = true
  tags              = var.tags
}

resource "aws_lb" "this" {
  name               = substr("${var.name}-lb", 0, 32)
  load_balancer_type = "application"
  internal           = var.env != "prod"
  tags               = var.tags
}
''',
        "outputs.tf": '''\
output "instance_ids" {
  value = aws_instance.this[*].id
}
''',
    },
    "keys": {
        "variables.tf": '''\
variable "alias" {
  type = string
}

variable "company_account" {
  type    = string
  default = "111111111111"
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''\
data "aws_caller_identity" "current" {}

resource "aws_kms_key" "this" {
  description             = "Key for ${var.alias}"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CompanyAdmin"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.company_account}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Use"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      }
    ]
  })
  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
''',
        "outputs.tf": '''\
output "arn" {
  value = aws_kms_key.this.arn
}
''',
    },
    "logging": {
        "variables.tf": '''\
variable "name" {
  type = string
}

variable "retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''\
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/${var.name}"
  retention_in_days = var.retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "/audit/${var.name}"
  retention_in_days = max(var.retention_days, 365)
  tags              = var.tags
}

resource "aws_iam_role" "writer" {
  name = "${var.name}-log-writer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "writer" {
  name = "write-logs"
  role = aws_iam_role.writer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = [aws_cloudwatch_log_group.app.arn, "${aws_cloudwatch_log_group.app.arn}:*"]
    }]
  })
}
''',
        "outputs.tf": '''\
output "log_group" {
  value = aws_cloudwatch_log_group.app.name
}
''',
    },
}


# -- root modules ---------------------------------------------------------------------------


def aws_extra(rng: random.Random, app: str, env: str, n: int, file: int) -> str:
    """A file of directly declared AWS resources (the bulk of each root module)."""
    out = []
    for i in range(n):
        kind = rng.randrange(9)
        name = f"{app}_{file}_{i}"
        if kind == 0:
            out.append(f'''resource "aws_sqs_queue" "{name}" {{
  name                       = "${{local.prefix}}-{i}"
  visibility_timeout_seconds = {rng.choice([30, 60, 300])}
  message_retention_seconds  = {rng.choice([86400, 345600, 1209600])}
  kms_master_key_id          = module.keys.arn
  tags                       = local.tags
}}
''')
        elif kind == 1:
            out.append(f'''resource "aws_dynamodb_table" "{name}" {{
  name         = "${{local.prefix}}-table-{i}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {{
    name = "id"
    type = "S"
  }}

  point_in_time_recovery {{
    enabled = {str(env == "prod").lower()}
  }}

  server_side_encryption {{
    enabled     = true
    kms_key_arn = module.keys.arn
  }}
  tags = local.tags
}}
''')
        elif kind == 2:
            out.append(f'''resource "aws_ebs_volume" "{name}" {{
  availability_zone = "${{var.region}}a"
  size              = {rng.choice([20, 50, 100, 500])}
  type              = "{rng.choice(["gp3", "gp2", "io1"])}"
  iops              = {rng.choice([3000, 4000])}
  encrypted         = {rng.choice(["true", "true", "false"])}
  tags              = local.tags
}}
''')
        elif kind == 3:
            out.append(f'''resource "aws_instance" "{name}" {{
  count         = var.env == "prod" ? 2 : 1
  ami           = "ami-0123456789abcdef0"
  instance_type = "{rng.choice(INSTANCE_TYPES)}"

  root_block_device {{
    volume_size = {rng.choice([20, 40, 80])}
    encrypted   = true
  }}
  tags = merge(local.tags, {{ Name = "{name}-${{count.index}}" }})
}}
''')
        elif kind == 4:
            out.append(f'''resource "aws_iam_policy" "{name}" {{
  name = "${{local.prefix}}-policy-{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = [for b in module.storage.bucket_arns : "${{b}}/*"]
      }},
      {{
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = "*"
        Condition = {{
          StringEquals = {{ "aws:RequestedRegion" = var.region }}
        }}
      }}
    ]
  }})
  tags = local.tags
}}
''')
        elif kind == 5:
            out.append(f'''resource "aws_cloudwatch_log_group" "{name}" {{
  name              = "/svc/${{local.prefix}}/{i}"
  retention_in_days = lookup(local.retention, var.env, 30)
  kms_key_id        = module.keys.arn
  tags              = local.tags
}}
''')
        elif kind == 6:
            out.append(f'''resource "aws_elasticache_replication_group" "{name}" {{
  replication_group_id       = substr("${{local.prefix}}-{i}", 0, 40)
  description                = "cache {i}"
  node_type                  = "cache.t3.medium"
  num_cache_clusters         = var.env == "prod" ? 2 : 1
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  tags                       = local.tags
}}
''')
        elif kind == 7:
            out.append(f'''resource "aws_nat_gateway" "{name}" {{
  allocation_id = "eipalloc-0123456789abcdef{i % 10}"
  subnet_id     = "subnet-0a1b2c3d"
  tags          = local.tags
}}
''')
        else:
            out.append(f'''resource "aws_sns_topic" "{name}" {{
  name              = "${{local.prefix}}-topic-{i}"
  kms_master_key_id = module.keys.arn
  tags              = local.tags
}}

resource "aws_sns_topic_subscription" "{name}" {{
  topic_arn = aws_sns_topic.{name}.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:${{var.region}}:111111111111:{app}-{i}"
}}
''')
    return "\n".join(out)


def other_clouds(rng: random.Random, app: str, env: str, n: int, file: int) -> str:
    out = []
    for i in range(n):
        name = f"{app}_{file}_{i}"
        kind = rng.randrange(4)
        if kind == 0:
            out.append(f'''resource "azurerm_storage_account" "{name}" {{
  name                     = substr(replace("{app}{env}{i}", "-", ""), 0, 24)
  resource_group_name      = "rg-{app}-{env}"
  location                 = var.azure_location
  account_tier             = "Standard"
  account_replication_type = var.env == "prod" ? "GRS" : "LRS"
  min_tls_version          = "TLS1_2"
  tags                     = local.tags
}}
''')
        elif kind == 1:
            out.append(f'''resource "azurerm_linux_virtual_machine" "{name}" {{
  name                = "vm-{app}-{i}"
  resource_group_name = "rg-{app}-{env}"
  location            = var.azure_location
  size                = "{rng.choice(["Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5"])}"
  admin_username      = "ops"
  network_interface_ids = ["/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic{i}"]

  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }}

  source_image_reference {{
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }}
  tags = local.tags
}}
''')
        elif kind == 2:
            out.append(f'''resource "google_storage_bucket" "{name}" {{
  name                        = "${{local.prefix}}-gcs-{i}"
  location                    = upper(var.gcp_region)
  uniform_bucket_level_access = true

  versioning {{
    enabled = true
  }}

  lifecycle_rule {{
    condition {{
      age = 365
    }}
    action {{
      type = "Delete"
    }}
  }}
  labels = {{ env = var.env, app = "{app}" }}
}}
''')
        else:
            out.append(f'''resource "google_compute_instance" "{name}" {{
  name         = "{app}-{env}-{i}"
  machine_type = "{rng.choice(["e2-standard-2", "n2-standard-4", "e2-medium"])}"
  zone         = "${{var.gcp_region}}-b"

  boot_disk {{
    initialize_params {{
      image = "debian-cloud/debian-12"
      size  = 50
    }}
  }}

  network_interface {{
    network = "default"
  }}

  shielded_instance_config {{
    enable_secure_boot = true
  }}
  labels = {{ env = var.env, app = "{app}" }}
}}
''')
    return "\n".join(out)


def root_module(rng: random.Random, app: str, env: str, files: int) -> dict[str, str]:
    region = rng.choice(AWS_REGIONS)
    out = {
        "versions.tf": '''terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.0"
    }
    google = {
      source  = "hashicorp/google"
      version = "~> 5.0"
    }
  }
}
''',
        "providers.tf": f'''provider "aws" {{
  region = var.region
  default_tags {{
    tags = {{ managed_by = "provider", env = var.env }}
  }}
}}

provider "aws" {{
  alias  = "dr"
  region = var.dr_region
}}

provider "azurerm" {{
  features {{}}
}}

provider "google" {{
  project = "acme-{app}-{env}"
  region  = var.gcp_region
}}
''',
        "variables.tf": f'''variable "env" {{
  type = string
}}

variable "region" {{
  type    = string
  default = "{region}"
}}

variable "dr_region" {{
  type    = string
  default = "eu-west-1"
}}

variable "azure_location" {{
  type    = string
  default = "{rng.choice(AZURE_REGIONS)}"
}}

variable "gcp_region" {{
  type    = string
  default = "{rng.choice(GCP_REGIONS)}"
}}

variable "instance_count" {{
  type    = number
  default = 2
}}

variable "owner" {{
  type    = string
  default = "platform-team"
}}
''',
        "terraform.tfvars": f'env            = "{env}"\ninstance_count = {rng.choice([1, 2, 3])}\nowner          = "team-{app}"\n',
        "locals.tf": f'''locals {{
  prefix = "{app}-${{var.env}}"
  tags = {{
    env   = var.env
    app   = "{app}"
    owner = var.owner
  }}
  retention = {{
    prod    = 365
    staging = 90
    dev     = 14
  }}
  sizes = {{ for k, v in {{ small = 20, large = 200 }} : k => v * (var.env == "prod" ? 2 : 1) }}
}}
''',
        "main.tf": f'''module "keys" {{
  source = "../../../modules/keys"
  alias  = "${{local.prefix}}-data"
  tags   = local.tags
}}

module "storage" {{
  source      = "../../../modules/storage"
  name        = "{app}"
  env         = var.env
  kms_key_arn = module.keys.arn
  tags        = local.tags
}}

module "database" {{
  source                = "../../../modules/database"
  identifier            = "${{local.prefix}}-db"
  env                   = var.env
  instance_class        = "{rng.choice(DB_CLASSES)}"
  backup_retention_days = var.env == "prod" ? 14 : 3
  kms_key_arn           = module.keys.arn
  tags                  = local.tags
}}

module "compute" {{
  source         = "../../../modules/compute"
  name           = local.prefix
  env            = var.env
  instance_count = var.instance_count
  instance_type  = "{rng.choice(INSTANCE_TYPES)}"
  ingress_ports  = [443, 8443]
  tags           = local.tags
}}

module "logging" {{
  source         = "../../../modules/logging"
  name           = local.prefix
  retention_days = lookup(local.retention, var.env, 30)
  tags           = local.tags
}}

resource "aws_s3_bucket" "dr_copy" {{
  provider = aws.dr
  bucket   = "${{local.prefix}}-dr"
  tags     = merge(local.tags, {{ data_class = "sensitive" }})
}}

resource "aws_s3_bucket_replication_configuration" "dr" {{
  bucket = module.storage.bucket_names[0]
  role   = "arn:aws:iam::111111111111:role/replication"
  rule {{
    id     = "dr"
    status = "Enabled"
    destination {{
      bucket = aws_s3_bucket.dr_copy.arn
    }}
  }}
}}
''',
        "outputs.tf": '''output "database_endpoint" {
  value     = module.database.endpoint
  sensitive = true
}

output "buckets" {
  value = module.storage.bucket_names
}
''',
    }
    extra = max(files - len([n for n in out if n.endswith(".tf")]), 0)
    for i in range(extra):
        if i % 4 == 3:
            out[f"other_{i}.tf"] = other_clouds(rng, app, env, 6, i)
        else:
            out[f"services_{i}.tf"] = aws_extra(rng, app, env, 13, i)
    return out


# -- CloudFormation --------------------------------------------------------------------------


def cfn_yaml(rng: random.Random, i: int) -> str:
    return f'''AWSTemplateFormatVersion: "2010-09-09"
Description: Service {i} (generated)
Parameters:
  Env:
    Type: String
    Default: {rng.choice(ENVS)}
    AllowedValues: [prod, staging, dev, qa]
  RetentionDays:
    Type: Number
    Default: {rng.choice([7, 30, 365])}
Mappings:
  EnvConfig:
    prod: {{InstanceClass: db.r5.large, MultiAZ: "true", Backup: 14}}
    staging: {{InstanceClass: db.t3.medium, MultiAZ: "false", Backup: 3}}
    dev: {{InstanceClass: db.t3.medium, MultiAZ: "false", Backup: 1}}
    qa: {{InstanceClass: db.t3.medium, MultiAZ: "false", Backup: 1}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: CompanyAdmin
            Effect: Allow
            Principal:
              AWS: !Sub "arn:${{AWS::Partition}}:iam::111111111111:root"
            Action: "kms:*"
            Resource: "*"
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "svc{i}-${{Env}}-${{AWS::Region}}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
      VersioningConfiguration:
        Status: !If [IsProd, Enabled, Suspended]
      Tags:
        - Key: env
          Value: !Ref Env
        - Key: app
          Value: svc{i}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [svc{i}, !Ref Env, queue]]
      KmsMasterKeyId: !Ref DataKey
      MessageRetentionPeriod: 345600
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: !FindInMap [EnvConfig, !Ref Env, InstanceClass]
      MultiAZ: !FindInMap [EnvConfig, !Ref Env, MultiAZ]
      BackupRetentionPeriod: !FindInMap [EnvConfig, !Ref Env, Backup]
      AllocatedStorage: "100"
      StorageEncrypted: true
      KmsKeyId: !Ref DataKey
      DeletionProtection: !If [IsProd, true, false]
      Tags:
        - Key: env
          Value: !Ref Env
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/svc{i}/${{Env}}"
      RetentionInDays: !Ref RetentionDays
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: access
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: !Sub "${{Bucket.Arn}}/*"
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt Queue.Arn
  Volume:
    Type: AWS::EC2::Volume
    Condition: NotProd
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
      Size: {rng.choice([20, 100, 200])}
      VolumeType: gp3
      Encrypted: {rng.choice(["true", "false"])}
Outputs:
  BucketName:
    Value: !Ref Bucket
  QueueUrl:
    Value: !Ref Queue
'''


def cfn_json(rng: random.Random, i: int) -> str:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "Default": rng.choice(ENVS)}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "TableName": {"Fn::Sub": f"t{i}-${{Env}}"}, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": {"Fn::If": ["IsProd", True, False]}},
                "SSESpecification": {"SSEEnabled": True},
                "Tags": [{"Key": "env", "Value": {"Ref": "Env"}}, {"Key": "app", "Value": f"t{i}"}]}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {
                "TopicName": {"Fn::Join": ["-", [f"t{i}", {"Ref": "Env"}]]},
                "KmsMasterKeyId": "alias/aws/sns"}},
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
                "IsLogging": True, "S3BucketName": {"Fn::Sub": "trail-${AWS::AccountId}"},
                "EnableLogFileValidation": True, "IsMultiRegionTrail": True}},
        },
    }
    return json.dumps(template, indent=2) + "\n"


def generate(out: Path, tf_files: int, cfn_templates: int, seed: int = 1) -> dict[str, int]:
    """Write the repository; returns counts (files, lines)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / ".git").mkdir(exist_ok=True)  # the scan root, as in a repository
    (out / "iacgov.yaml").write_text(POLICY)
    written = lines = 0

    def write(path: Path, text: str) -> None:
        nonlocal written, lines
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if path.suffix == ".tf":
            written += 1
        lines += text.count("\n")

    for module, files in MODULES.items():
        for name, text in files.items():
            write(out / "modules" / module / name, text)
    per_root = 16
    remaining = max(tf_files - written, 0)
    index = 0
    while remaining > 0:
        env = ENVS[index % len(ENVS)]
        app = f"app{index // len(ENVS):04d}"
        count = min(per_root, remaining)
        for name, text in root_module(rng, app, env, max(count, 7)).items():
            write(out / "envs" / env / app / name, text)
        remaining = tf_files - written
        index += 1
    for i in range(cfn_templates):
        if i % 4 == 3:
            write(out / "cloudformation" / f"table{i:04d}.json", cfn_json(rng, i))
        else:
            write(out / "cloudformation" / f"service{i:04d}.yaml", cfn_yaml(rng, i))
    return {"tf_files": written, "cfn_templates": cfn_templates, "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write (created)")
    parser.add_argument("--tf-files", type=int, default=1000, help="number of .tf files (default 1000)")
    parser.add_argument("--cfn-templates", type=int, default=0, help="number of CloudFormation templates")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = generate(args.out, args.tf_files, args.cfn_templates, args.seed)
    print(f"{args.out}: {counts['tf_files']} .tf files, {counts['cfn_templates']} templates, {counts['lines']:,} lines")


if __name__ == "__main__":
    main()
