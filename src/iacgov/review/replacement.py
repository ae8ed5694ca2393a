"""Attributes whose change replaces a stateful resource (destroy, then create).

Without a plan, review cannot ask the provider's schema, so the arguments
that force a new resource are listed here for the kinds whose replacement
destroys data (the stores of ``iacgov_rules._platform.STATEFUL``). Sources:
the Terraform AWS / AzureRM / Google provider documentation ("Changing this
forces a new resource", ForceNew in the schemas) and CloudFormation's
"Update requires: Replacement" for each property. A region change replaces
any regional resource and is handled by :mod:`iacgov.review.diff` itself.
"""

from __future__ import annotations

from typing import Any, Sequence

from iacgov.model import Resource, is_unknown

# kind -> (Terraform arguments, CloudFormation properties), top-level names.
FORCES_NEW: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws_db_instance": (("identifier", "engine", "storage_encrypted", "kms_key_id", "username", "availability_zone",
                         "character_set_name", "timezone", "snapshot_identifier", "db_name"),
                        ("DBInstanceIdentifier", "Engine", "StorageEncrypted", "KmsKeyId", "MasterUsername",
                         "CharacterSetName", "Timezone", "DBName")),
    "aws_rds_cluster": (("cluster_identifier", "engine", "storage_encrypted", "kms_key_id", "database_name",
                         "master_username", "snapshot_identifier"),
                        ("DBClusterIdentifier", "Engine", "StorageEncrypted", "KmsKeyId", "DatabaseName",
                         "MasterUsername", "SnapshotIdentifier")),
    "aws_docdb_cluster": (("cluster_identifier", "storage_encrypted", "kms_key_id", "master_username"),
                          ("DBClusterIdentifier", "StorageEncrypted", "KmsKeyId", "MasterUsername")),
    "aws_neptune_cluster": (("cluster_identifier", "storage_encrypted", "kms_key_arn"),
                            ("DBClusterIdentifier", "StorageEncrypted", "KmsKeyId")),
    "aws_redshift_cluster": (("cluster_identifier", "database_name", "master_username"),
                             ("ClusterIdentifier", "DBName", "MasterUsername")),
    "aws_dynamodb_table": (("name", "hash_key", "range_key"), ("TableName", "KeySchema")),
    "aws_s3_bucket": (("bucket", "bucket_prefix", "object_lock_enabled"), ("BucketName",)),
    "aws_ebs_volume": (("availability_zone", "encrypted", "kms_key_id", "snapshot_id"),
                       ("AvailabilityZone", "Encrypted", "KmsKeyId", "SnapshotId")),
    "aws_efs_file_system": (("creation_token", "encrypted", "kms_key_id", "performance_mode", "availability_zone_name"),
                            ("Encrypted", "KmsKeyId", "PerformanceMode", "AvailabilityZoneName")),
    "aws_kms_key": (("customer_master_key_spec", "key_usage", "multi_region"), ("KeySpec", "MultiRegion")),
    "aws_elasticache_replication_group": (("replication_group_id", "at_rest_encryption_enabled", "kms_key_id"),
                                          ("ReplicationGroupId", "AtRestEncryptionEnabled", "KmsKeyId")),
    "aws_opensearch_domain": (("domain_name",), ("DomainName",)),
    "aws_elasticsearch_domain": (("domain_name",), ("DomainName",)),
    "aws_secretsmanager_secret": (("name", "name_prefix"), ("Name",)),
    "aws_ecr_repository": (("name",), ("RepositoryName",)),
    "aws_kinesis_stream": (("name",), ("Name",)),
    "aws_sqs_queue": (("name", "name_prefix", "fifo_queue"), ("QueueName", "FifoQueue")),
    "aws_backup_vault": (("name", "kms_key_arn"), ("BackupVaultName", "EncryptionKeyArn")),
    "azurerm_storage_account": (("name", "resource_group_name", "location", "account_kind"), ()),
    "azurerm_managed_disk": (("name", "resource_group_name", "location", "zone", "create_option"), ()),
    "azurerm_mssql_server": (("name", "resource_group_name", "location"), ()),
    "azurerm_cosmosdb_account": (("name", "resource_group_name", "location", "kind"), ()),
    "azurerm_key_vault": (("name", "resource_group_name", "location"), ()),
    "azurerm_key_vault_key": (("name", "key_vault_id", "key_type"), ()),
    "azurerm_postgresql_flexible_server": (("name", "resource_group_name", "location", "create_mode"), ()),
    "azurerm_mysql_flexible_server": (("name", "resource_group_name", "location", "create_mode"), ()),
    "azurerm_mssql_database": (("name", "server_id"), ()),
    "google_storage_bucket": (("name", "location", "project"), ()),
    "google_sql_database_instance": (("name", "region", "project", "master_instance_name"), ()),
    "google_compute_disk": (("name", "zone", "type", "image", "snapshot", "project"), ()),
    "google_kms_crypto_key": (("name", "key_ring", "purpose"), ()),
    "google_bigquery_dataset": (("dataset_id", "location", "project"), ()),
    "google_spanner_instance": (("name", "config", "project"), ()),
    "google_filestore_instance": (("name", "location", "tier", "project"), ()),
    "google_redis_instance": (("name", "region", "tier", "project"), ()),
}


def replacing_attributes(resource: Resource, changes: Sequence[Any]) -> tuple[str, ...]:
    """The changed top-level arguments that force ``resource``'s replacement."""
    entry = FORCES_NEW.get(resource.kind)
    if entry is None:
        return ()
    names = set(entry[1] if resource.source_format == "cloudformation" else entry[0])
    # A value known on one side only (a variable without value) is not evidence of a replacement.
    return tuple(dict.fromkeys(c.path.split(".", 1)[0] for c in changes if c.path.split(".", 1)[0] in names
                               and not is_unknown(c.before) and not is_unknown(c.after)))
