"""One name per kind of resource, whatever the input format.

Rules are written once for every format: they select resources by *kind* —
the Terraform type name, which CloudFormation types map onto — and read
attributes with :func:`attr`, which names the Terraform argument and the
CloudFormation property of the same setting side by side.
"""

from __future__ import annotations

from typing import Any

# CloudFormation type -> the Terraform type of the same resource.
CFN_TO_TERRAFORM: dict[str, str] = {
    "AWS::ApiGateway::DomainName": "aws_api_gateway_domain_name",
    "AWS::ApiGateway::RestApi": "aws_api_gateway_rest_api",
    "AWS::ApiGatewayV2::DomainName": "aws_apigatewayv2_domain_name",
    "AWS::AutoScaling::AutoScalingGroup": "aws_autoscaling_group",
    "AWS::Backup::BackupPlan": "aws_backup_plan",
    "AWS::Backup::BackupVault": "aws_backup_vault",
    "AWS::CertificateManager::Certificate": "aws_acm_certificate",
    "AWS::CloudFront::Distribution": "aws_cloudfront_distribution",
    "AWS::CloudTrail::Trail": "aws_cloudtrail",
    "AWS::CloudWatch::Alarm": "aws_cloudwatch_metric_alarm",
    "AWS::CodeBuild::Project": "aws_codebuild_project",
    "AWS::DocDB::DBCluster": "aws_docdb_cluster",
    "AWS::DocDB::DBInstance": "aws_docdb_cluster_instance",
    "AWS::DynamoDB::GlobalTable": "aws_dynamodb_table",
    "AWS::DynamoDB::Table": "aws_dynamodb_table",
    "AWS::EC2::EIP": "aws_eip",
    "AWS::EC2::Instance": "aws_instance",
    "AWS::EC2::InternetGateway": "aws_internet_gateway",
    "AWS::EC2::LaunchTemplate": "aws_launch_template",
    "AWS::EC2::NatGateway": "aws_nat_gateway",
    "AWS::EC2::NetworkInterface": "aws_network_interface",
    "AWS::EC2::RouteTable": "aws_route_table",
    "AWS::EC2::SecurityGroup": "aws_security_group",
    "AWS::EC2::Subnet": "aws_subnet",
    "AWS::EC2::Volume": "aws_ebs_volume",
    "AWS::EC2::VPC": "aws_vpc",
    "AWS::ECR::ReplicationConfiguration": "aws_ecr_replication_configuration",
    "AWS::ECR::Repository": "aws_ecr_repository",
    "AWS::ECS::Cluster": "aws_ecs_cluster",
    "AWS::ECS::Service": "aws_ecs_service",
    "AWS::ECS::TaskDefinition": "aws_ecs_task_definition",
    "AWS::EFS::AccessPoint": "aws_efs_access_point",
    "AWS::EFS::FileSystem": "aws_efs_file_system",
    "AWS::EKS::Cluster": "aws_eks_cluster",
    "AWS::ElastiCache::CacheCluster": "aws_elasticache_cluster",
    "AWS::ElastiCache::ReplicationGroup": "aws_elasticache_replication_group",
    "AWS::ElastiCache::ServerlessCache": "aws_elasticache_serverless_cache",
    "AWS::ElasticLoadBalancing::LoadBalancer": "aws_elb",
    "AWS::ElasticLoadBalancingV2::Listener": "aws_lb_listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "aws_lb",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "aws_lb_target_group",
    "AWS::Elasticsearch::Domain": "aws_elasticsearch_domain",
    "AWS::IAM::Group": "aws_iam_group",
    "AWS::IAM::ManagedPolicy": "aws_iam_policy",
    "AWS::IAM::Policy": "aws_iam_policy",
    "AWS::IAM::Role": "aws_iam_role",
    "AWS::IAM::User": "aws_iam_user",
    "AWS::Kinesis::Stream": "aws_kinesis_stream",
    "AWS::KMS::Key": "aws_kms_key",
    "AWS::Lambda::Function": "aws_lambda_function",
    "AWS::Logs::LogGroup": "aws_cloudwatch_log_group",
    "AWS::Neptune::DBCluster": "aws_neptune_cluster",
    "AWS::Neptune::DBInstance": "aws_neptune_cluster_instance",
    "AWS::OpenSearchService::Domain": "aws_opensearch_domain",
    "AWS::RDS::DBCluster": "aws_rds_cluster",
    "AWS::RDS::DBInstance": "aws_db_instance",
    "AWS::Redshift::Cluster": "aws_redshift_cluster",
    "AWS::S3::Bucket": "aws_s3_bucket",
    "AWS::S3::BucketPolicy": "aws_s3_bucket_policy",
    "AWS::SecretsManager::Secret": "aws_secretsmanager_secret",
    "AWS::Serverless::Function": "aws_lambda_function",
    "AWS::SNS::Topic": "aws_sns_topic",
    "AWS::SQS::Queue": "aws_sqs_queue",
    "AWS::StepFunctions::StateMachine": "aws_sfn_state_machine",
}

_MISSING = object()


def kind_of(resource_type: str) -> str:
    """``AWS::RDS::DBInstance`` -> ``aws_db_instance``; Terraform types unchanged."""
    return CFN_TO_TERRAFORM.get(resource_type, resource_type)


def attr(resource: Any, *, terraform: str | None = None, cloudformation: str | None = None,
         default: Any = None) -> tuple[Any, str | None]:
    """The value of one setting and the dotted path it was read from.

    ``attr(db, terraform="storage_encrypted", cloudformation="StorageEncrypted")``
    returns ``(value, path)``; ``(default, None)`` when the resource does not
    write it (so the caller applies the platform's default, not ``False``).
    """
    path = cloudformation if resource.source_format == "cloudformation" else terraform
    if path is None:
        return default, None
    value = resource.get(path, _MISSING)
    if value is _MISSING:
        return default, None
    return value, path
