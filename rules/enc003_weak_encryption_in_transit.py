"""ENC003 — Encryption in transit below the policy.

## What it flags

An endpoint that accepts plain HTTP or a TLS version older than
`encryption.min_tls_version`:

- AWS load balancer listeners (`aws_lb_listener`,
  `AWS::ElasticLoadBalancingV2::Listener`) on `HTTP` whose default action
  is not a redirect to HTTPS (a fixed response is accepted), and `HTTPS` /
  `TLS` listeners whose `ssl_policy` accepts an older TLS version; Classic
  load balancer listeners on plain `HTTP`;
- CloudFront distributions whose cache behaviours allow `allow-all` (HTTP),
  whose `minimum_protocol_version` is older than the policy, or that use the
  default `*.cloudfront.net` certificate, whose security policy is always
  `TLSv1`;
- ElastiCache replication groups and cache clusters without transit
  encryption (`transit_encryption_enabled`, default false), or with
  `transit_encryption_mode = "preferred"` (plaintext still accepted);
- API Gateway custom domains whose `security_policy` is `TLS_1_0`;
- RDS / Aurora parameter groups (Terraform) under which databases accept
  unencrypted connections: `rds.force_ssl` (PostgreSQL, SQL Server) or
  `require_secure_transport` (MySQL, MariaDB) written `0` / `OFF`, or not
  written where the engine's default does not require TLS (PostgreSQL before
  15, SQL Server, MySQL 5.7 / 8.0, Aurora MySQL, MariaDB; RDS for
  PostgreSQL 15 and later force SSL by default); Redshift parameter groups
  without `require_ssl = true` (default false);
- AWS kinds whose catalog entry states how they take connections:
  OpenSearch / Elasticsearch domains with `enforce_https = false` or a TLS
  1.0 `tls_security_policy` (`Policy-Min-TLS-1-0-2019-07`), MSK clusters
  whose `client_broker` is `TLS_PLAINTEXT` or `PLAINTEXT` (default `TLS`),
  MemoryDB clusters with `tls_enabled = false` (default true), DAX clusters
  without `cluster_endpoint_encryption_type = "TLS"` (default `NONE`);
- Azure storage accounts (`min_tls_version`, `https_traffic_only_enabled`),
  Azure SQL servers (`minimum_tls_version`, `Disabled` meaning no minimum),
  App Service / Function apps (`https_only`, default false, and
  `site_config.minimum_tls_version`);
- Azure kinds whose catalog entry states how they take connections
  (`transit`): PostgreSQL / MySQL / MariaDB single servers with
  `ssl_enforcement_enabled = false` or a `ssl_minimal_tls_version_enforced`
  below the policy (`TLSEnforcementDisabled` accepts TLS 1.0), Cache for
  Redis with the non-TLS port open (`non_ssl_port_enabled`, azurerm 3
  `enable_non_ssl_port`, default false) or an old `minimum_tls_version`
  (default 1.2), Redis Enterprise databases with `client_protocol =
  "Plaintext"`, Cosmos DB (`minimal_tls_version`, `Tls12` by default), Event
  Hubs and Service Bus namespaces and SQL managed instances
  (`minimum_tls_version`, default 1.2);
- PostgreSQL / MySQL flexible server parameters
  (`azurerm_*_flexible_server_configuration`) setting
  `require_secure_transport` to `OFF` (the platform default is `ON`);
- Cloud SQL instances accepting unencrypted connections:
  `settings.ip_configuration.ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"`
  (the platform default when neither it nor the older `require_ssl = true`
  is written) or `require_ssl = false`;
- Application Gateway `http_listener`s on `Http` whose routing rules do not
  all redirect to an `Https` listener or an `https://` URL;
- Google Cloud SSL policies (`min_tls_version`, default `TLS_1_0`) and target
  HTTPS / SSL proxies without an SSL policy (Google's default policy accepts
  TLS 1.0).

TLS versions of named policies (ELB `ELBSecurityPolicy-*`, CloudFront
`TLSv1.2_2021`..., API Gateway `TLS_1_2` / `SecurityPolicy_*`) come from the
providers' published tables: "Security policies for your Application Load
Balancer", CloudFront "Supported protocols and ciphers between viewers and
CloudFront", API Gateway "Choose a security policy for your custom domain".
An unknown value, or a policy name the tables do not know, is not reported.
Platform defaults it relies on (Terraform AzureRM, AWS and Google provider
documentation): Azure storage and SQL default to TLS 1.2, App Service to
TLS 1.2 but accepts HTTP unless `https_only = true`; CloudFront defaults
`minimum_protocol_version` to `TLSv1`; Google SSL policies default to
`TLS_1_0`. An HTTPS listener or an
API Gateway domain without a written policy gets whatever AWS picks at
creation (it has changed over time): not reported.

## Why it matters

Data in transit between users, services and the cloud is the company's data
too. Plain HTTP and TLS 1.0 / 1.1 expose it to interception and downgrade
attacks; the minimum TLS version is an encryption level the company sets,
and a provider must not lower it for convenience.

## How to fix

Redirect HTTP to HTTPS (`default_action { type = "redirect" redirect {
protocol = "HTTPS" ... } }`, `viewer_protocol_policy = "redirect-to-https"`,
`https_only = true`), choose a security policy whose minimum is at least the
policy's (`ELBSecurityPolicy-TLS13-1-2-2021-06`, `TLSv1.2_2021`, `TLS_1_2`,
`TLS1_2`), use an ACM certificate on CloudFront, and enable ElastiCache
transit encryption (`transit_encryption_enabled = true`).

## Options

- `encryption.min_tls_version`: `"1.0"`, `"1.1"`, `"1.2"` or `"1.3"`
  (default `"1.2"` when the policy does not say).
"""

from __future__ import annotations

import re

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring
from iacgov.api import platform

from iacgov_rules._platform import (
    CLOUDFRONT_DEFAULT_CERTIFICATE_POLICY,
    CLOUDFRONT_DEFAULT_POLICY,
    Setting,
    TLSVersion,
    apigateway_policy_version,
    cloudfront_policy_version,
    each,
    elb_policy_version,
    flag,
    get_in,
    is_cloudformation,
    setting_is,
    show_tls,
    shown,
    text,
    tls_version,
    written,
    written_tls_version,
)

DEFAULT_MIN_TLS = "1.2"
# App Service and Functions kinds -> their minimum TLS setting (the catalog's min_tls entries of the service).
APP_SERVICE_KINDS = {kind: path for kind, path in platform.min_tls_settings().items()
                     if (platform.entry(kind) or {}).get("service") == "appservice"}
# Kinds whose catalog entry states how they take connections (plaintext setting, TLS default): checked as data.
TRANSIT = platform.transit_table()
# Server parameters that turn TLS enforcement off: configuration kind -> parameter name (value OFF accepts plaintext).
SERVER_PARAMETERS = {"azurerm_postgresql_flexible_server_configuration": "require_secure_transport",
                     "azurerm_mysql_flexible_server_configuration": "require_secure_transport"}
# The listener redirect to HTTPS, written in each format.
REDIRECT_HCL = 'type = "redirect", protocol = "HTTPS", status_code = "HTTP_301"'
REDIRECT_CFN = "Type: redirect, RedirectConfig: {Protocol: HTTPS, StatusCode: HTTP_301}"
REQUIRED, PREFERRED = '"required"', '"preferred"'  # ElastiCache transit encryption modes, as messages quote them
# RDS / Aurora parameter groups (Terraform): the parameter that refuses unencrypted connections.
RDS_PARAMETER_GROUPS = ("aws_db_parameter_group", "aws_rds_cluster_parameter_group", "aws_redshift_parameter_group")
GCP_PROXIES = ("google_compute_target_https_proxy", "google_compute_region_target_https_proxy",
               "google_compute_target_ssl_proxy")
KINDS = frozenset({
    "aws_lb_listener", "aws_alb_listener", "aws_elb", "aws_cloudfront_distribution",
    "aws_elasticache_replication_group", "aws_elasticache_cluster", "aws_api_gateway_domain_name",
    "aws_apigatewayv2_domain_name", "azurerm_storage_account", "azurerm_mssql_server", *APP_SERVICE_KINDS,
    "google_compute_ssl_policy", *GCP_PROXIES, *TRANSIT, *SERVER_PARAMETERS, "azurerm_application_gateway",
    *RDS_PARAMETER_GROUPS,
})


class WeakEncryptionInTransit(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    reads = ('min_tls', 'transit')  # the platform catalog facts it reads (iacgov kinds, docs/platform.md)
    meta = rule_meta_from_docstring(
        __doc__,
        code="ENC003",
        name="weak-encryption-in-transit",
        severity=Severity.ERROR,
        security_severity=7.0,
        precision="high",
        tags=("encryption", "security", "tls"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.kind in KINDS

    def check(self, resource, ctx: RuleContext):
        minimum = tls_version(str(ctx.policy.get("encryption.min_tls_version") or DEFAULT_MIN_TLS)) or (1, 2)
        kind = resource.kind
        if kind in ("aws_lb_listener", "aws_alb_listener"):
            yield from self._listener(resource, minimum)
        elif kind == "aws_elb":
            yield from self._classic_elb(resource)
        elif kind == "aws_cloudfront_distribution":
            yield from self._cloudfront(resource, minimum)
        elif kind in ("aws_elasticache_replication_group", "aws_elasticache_cluster"):
            yield from self._elasticache(resource)
        elif kind in ("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"):
            yield from self._apigateway(resource, minimum)
        elif kind == "azurerm_storage_account":
            yield from self._azure_storage(resource, minimum)
        elif kind == "azurerm_mssql_server":
            yield from self._version(resource, minimum, Setting("minimum_tls_version"), "1.2", written_tls_version,
                                     fix="Set minimum_tls_version = \"1.2\".")
        elif kind == "azurerm_application_gateway":
            yield from self._app_gateway(resource)
        elif kind in SERVER_PARAMETERS:
            yield from self._server_parameter(resource)
        elif kind in APP_SERVICE_KINDS:
            yield from self._app_service(resource, minimum)
        elif kind in TRANSIT:
            yield from self._transit(resource, minimum, TRANSIT[kind])
        elif kind in RDS_PARAMETER_GROUPS and not is_cloudformation(resource):
            yield from self._rds_parameter_group(resource)
        elif kind == "google_compute_ssl_policy":
            yield from self._version(resource, minimum, Setting("min_tls_version"), "TLS_1_0", written_tls_version,
                                     fix="Set min_tls_version = \"TLS_1_2\".")
        elif kind in GCP_PROXIES:
            yield from self._gcp_proxy(resource, minimum)

    # -- helpers ---------------------------------------------------------------

    def _below(self, resource, minimum: TLSVersion, setting_name: str, value: str, version: TLSVersion,
               attribute: str | None, default: bool = False, fix: str = ""):
        origin = f"{setting_name} is not set (default {value})" if default \
            else setting_is(resource, setting_name, f'"{value}"')
        return self.finding(
            resource,
            f"{resource.address} accepts {show_tls(version)} ({origin}); the policy's minimum is "
            f"{show_tls(minimum)}.{(' ' + fix) if fix else ''}",
            attribute=attribute, setting=setting_name, found=show_tls(version), minimum=show_tls(minimum))

    def _version(self, resource, minimum, setting: Setting, default: str, parse, fix: str = ""):
        value, path = setting.read(resource)
        value = text(value)
        if is_unknown(value):
            return
        shown_value = value if value is not None else default
        version = parse(shown_value)
        if version is not None and version < minimum:
            yield self._below(resource, minimum, setting.name(resource), shown_value, version, path,
                              default=value is None, fix=fix or f"Set it to {show_tls(minimum)} or later.")

    # -- AWS -------------------------------------------------------------------

    def _listener(self, resource, minimum):
        protocol, ppath = Setting("protocol", "Protocol").read(resource)
        protocol = text(protocol)
        if not isinstance(protocol, str):
            return  # unknown, or not written (Gateway Load Balancer listeners have none)
        if protocol.upper() == "HTTP":
            actions = list(each(resource, Setting("default_action", "DefaultActions")))
            if not actions:
                return
            kinds = []
            for path, action in actions:
                kind = text(get_in(action, "Type" if is_cloudformation(resource) else "type"))
                if not isinstance(kind, str):
                    return
                if kind == "redirect":
                    target = get_in(action, "RedirectConfig.Protocol" if is_cloudformation(resource)
                                    else "redirect.0.protocol")
                    if is_unknown(target):
                        return
                    kind = "redirect to HTTPS" if isinstance(target, str) and target.upper() == "HTTPS" \
                        else (f"redirect to {target}" if target and target != "#{protocol}"
                              else "redirect keeping the protocol (#{protocol})")
                kinds.append(kind)
            if all(k in ("redirect to HTTPS", "fixed-response") for k in kinds):
                return
            yield self.finding(
                resource,
                f"{resource.address} listens on plain HTTP and its default action is {', '.join(kinds)}: traffic "
                f"is served unencrypted. Redirect HTTP to HTTPS "
                f"({REDIRECT_CFN if is_cloudformation(resource) else REDIRECT_HCL}) and serve on an HTTPS listener.",
                attribute=ppath, setting="protocol")
        elif protocol.upper() in ("HTTPS", "TLS"):
            policy, path = Setting("ssl_policy", "SslPolicy").read(resource)
            policy = text(policy)
            if not isinstance(policy, str):
                return
            version = elb_policy_version(policy)
            if version is not None and version < minimum:
                yield self._below(resource, minimum, Setting("ssl_policy", "SslPolicy").name(resource), policy,
                                  version, path, fix="Use ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3)."
                                  if minimum <= (1, 2) else "Use ELBSecurityPolicy-TLS13-1-3-2021-06.")

    def _classic_elb(self, resource):
        cfn = is_cloudformation(resource)
        for path, listener in each(resource, Setting("listener", "Listeners")):
            protocol = text(get_in(listener, "Protocol" if cfn else "lb_protocol"))
            if isinstance(protocol, str) and protocol.upper() == "HTTP":
                port = get_in(listener, "LoadBalancerPort" if cfn else "lb_port")
                yield self.finding(
                    resource,
                    f"{resource.address} has a plain HTTP listener on port {port}: traffic is served "
                    f"unencrypted (a Classic Load Balancer cannot redirect). Use an HTTPS listener, or move to an "
                    f"Application Load Balancer that redirects HTTP to HTTPS.",
                    attribute=path, setting="lb_protocol")

    def _cloudfront(self, resource, minimum):
        cfn = is_cloudformation(resource)
        root = "DistributionConfig." if cfn else ""
        behaviours = [(p, b) for p, b in each(resource, Setting("default_cache_behavior", root + "DefaultCacheBehavior"))] \
            if not cfn else []
        if cfn:
            value, path = Setting(None, root + "DefaultCacheBehavior").read(resource)
            if isinstance(value, dict):
                behaviours.append((path, value))
        behaviours += list(each(resource, Setting("ordered_cache_behavior", root + "CacheBehaviors")))
        key = "ViewerProtocolPolicy" if cfn else "viewer_protocol_policy"
        for path, behaviour in behaviours:
            policy = get_in(behaviour, key)
            if isinstance(policy, str) and policy == "allow-all":
                pattern = get_in(behaviour, "PathPattern" if cfn else "path_pattern") or "*"
                yield self.finding(
                    resource,
                    f"{resource.address} serves path {pattern} over plain HTTP ({key} = \"allow-all\"). Set it to "
                    f"\"redirect-to-https\" (or \"https-only\").",
                    attribute=f"{path}.{key}", setting=key)
        certificate, cpath = Setting("viewer_certificate.0", root + "ViewerCertificate").read(resource)
        if is_unknown(certificate):
            return
        certificate = certificate if isinstance(certificate, dict) else {}
        default_cert = flag(certificate.get("CloudFrontDefaultCertificate" if cfn else "cloudfront_default_certificate"))
        custom = any(written(certificate.get(k)) for k in (
            ("AcmCertificateArn", "IamCertificateId") if cfn else ("acm_certificate_arn", "iam_certificate_id")))
        if is_unknown(default_cert):
            return
        if default_cert is True or (not custom and default_cert is None):
            version = cloudfront_policy_version(CLOUDFRONT_DEFAULT_CERTIFICATE_POLICY)
            if version < minimum:
                yield self.finding(
                    resource,
                    f"{resource.address} uses the default *.cloudfront.net certificate, whose security policy is "
                    f"always {CLOUDFRONT_DEFAULT_CERTIFICATE_POLICY} (accepts {show_tls(version)}); the policy's "
                    f"minimum is {show_tls(minimum)}. Use an ACM certificate with minimum_protocol_version = "
                    f"\"TLSv1.2_2021\".",
                    attribute=cpath, setting="viewer_certificate")
            return
        key = "MinimumProtocolVersion" if cfn else "minimum_protocol_version"
        value = text(certificate.get(key))
        if is_unknown(value):
            return
        name = value if value is not None else CLOUDFRONT_DEFAULT_POLICY
        version = cloudfront_policy_version(name)
        if version is not None and version < minimum:
            yield self._below(resource, minimum, key, name, version,
                              f"{cpath}.{key}" if value is not None else cpath, default=value is None,
                              fix="Set it to \"TLSv1.2_2021\".")

    def _elasticache(self, resource):
        if resource.kind == "aws_elasticache_replication_group":
            inherited = Setting("global_replication_group_id", "GlobalReplicationGroupId").read(resource)[0]
        else:
            inherited = Setting("replication_group_id", None).read(resource)[0]
        if inherited is not None:
            return  # a member of a (global) replication group follows it
        switch = Setting("transit_encryption_enabled", "TransitEncryptionEnabled")
        enabled, path = switch.read(resource)
        state = flag(enabled)
        if is_unknown(state):
            return
        name = switch.name(resource)
        mode_setting = Setting("transit_encryption_mode", "TransitEncryptionMode")
        mode_name = mode_setting.name(resource)
        if state is not True:
            found = "is false" if state is False else "is not set (default false)"
            yield self.finding(
                resource,
                f"{resource.address} (ElastiCache) accepts unencrypted connections: {name} {found}. Set "
                f"{setting_is(resource, name, 'true')} (with {setting_is(resource, mode_name, REQUIRED)}).",
                attribute=path, setting=name)
            return
        mode, mpath = mode_setting.read(resource)
        if isinstance(mode, str) and mode.lower() == "preferred":
            yield self.finding(
                resource,
                f"{resource.address} (ElastiCache) still accepts unencrypted connections: "
                f"{setting_is(resource, mode_name, PREFERRED)}. Set it to {REQUIRED} once "
                f"clients use TLS.",
                attribute=mpath, setting=mode_name)

    def _apigateway(self, resource, minimum):
        if resource.kind == "aws_api_gateway_domain_name":
            settings = [Setting("security_policy", "SecurityPolicy").read(resource)]
        else:
            settings = [(get_in(c, "SecurityPolicy" if is_cloudformation(resource) else "security_policy"),
                         f"{p}.{'SecurityPolicy' if is_cloudformation(resource) else 'security_policy'}")
                        for p, c in each(resource, Setting("domain_name_configuration", "DomainNameConfigurations"))]
        for value, path in settings:
            value = text(value)
            if not isinstance(value, str):
                continue
            version = apigateway_policy_version(value)
            if version is not None and version < minimum:
                yield self._below(resource, minimum, path.rsplit(".", 1)[-1] if path else "security_policy", value,
                                  version, path, fix="Set it to \"TLS_1_2\" (or a SecurityPolicy_TLS13_* policy).")

    # -- Azure -----------------------------------------------------------------

    def _azure_storage(self, resource, minimum):
        yield from self._version(resource, minimum, Setting("min_tls_version"), "TLS1_2", written_tls_version,
                                 fix="Set min_tls_version = \"TLS1_2\".")
        for name in ("https_traffic_only_enabled", "enable_https_traffic_only"):
            value, path = Setting(name).read(resource)
            if flag(value) is False:
                yield self.finding(
                    resource,
                    f"{resource.address} (storage account) accepts plain HTTP: {name} = false. Set it to true "
                    f"(the default).",
                    attribute=path, setting=name)

    def _app_service(self, resource, minimum):
        value, path = Setting("https_only").read(resource)
        state = flag(value)
        if state is not True and not is_unknown(state):
            found = "= false" if state is False else "is not set (default false)"
            yield self.finding(
                resource,
                f"{resource.address} (App Service) accepts plain HTTP: https_only {found}. Set https_only = true.",
                attribute=path, setting="https_only")
        setting = Setting(APP_SERVICE_KINDS[resource.kind])
        yield from self._version(resource, minimum, setting, "1.2", written_tls_version,
                                 fix=f"Set {setting.terraform.rsplit('.', 1)[-1]} = \"1.2\".")

    def _transit(self, resource, minimum, spec):
        """A kind described by its catalog transit fact: its plaintext setting, then its minimum TLS version."""
        if spec.plaintext is not None:
            settings = [spec.plaintext] + ([spec.renamed_from] if spec.renamed_from is not None else [])
            written_at = [(s, *s.read(resource)) for s in settings]
            setting, value, path = next(((s, v, p) for s, v, p in written_at if v is not None), written_at[0])
            state = spec.accepts_plaintext(value)
            if state is True:
                name = setting.name(resource)
                # the secure value is the current setting's: an older setting of another type (Cloud SQL's
                # boolean require_ssl) is fixed with the current one
                fix = setting if value is None or isinstance(value, type(spec.secure_value)) else spec.plaintext
                found = "is not set (unencrypted connections are accepted by default)" if value is None \
                    else f"is {shown(value)}" if is_cloudformation(resource) else f"= {shown(value)}"
                yield self.finding(
                    resource,
                    f"{resource.address} ({spec.label}) accepts unencrypted connections: {name} {found}. Set "
                    f"{setting_is(resource, fix.name(resource), shown(spec.secure_value))}.",
                    attribute=path, setting=name)
        # a written minimum is checked even where the platform's default is not documented
        if spec.min_tls is not None and (spec.tls_default is not None or spec.min_tls.read(resource)[0] is not None):
            yield from self._version(resource, minimum, spec.min_tls, spec.tls_default or "", spec.version,
                                     fix=f"Set {spec.min_tls.name(resource)} to {show_tls(minimum)} or later.")

    def _rds_parameter_group(self, resource):
        """A parameter group under which the database accepts unencrypted connections: the
        parameter written off, or left at an engine default that does not require TLS."""
        family = text(resource.get("family"))
        if not isinstance(family, str):
            return
        known = rds_tls_parameter(family)
        if known is None:
            return
        parameter, on_by_default = known
        on = "true" if parameter == "require_ssl" else "1"
        written_at = None
        for path, item in each(resource, Setting("parameter")):
            name = text(get_in(item, "name"))
            if is_unknown(name):
                return  # a dynamic parameter list may set it
            if isinstance(name, str) and name.lower() == parameter:
                written_at = (path, text(get_in(item, "value")))
        if written_at is None:
            if resource.get("parameter") is not None and not isinstance(resource.get("parameter"), list):
                return  # parameters built dynamically
            if on_by_default is not False:
                return  # required by default (PostgreSQL 15 and later), or a default not documented
            yield self.finding(
                resource,
                f"{resource.address} (family {family}) lets its databases accept unencrypted connections: "
                f"{parameter} is not set, and its default for this engine does not require TLS. Add parameter "
                f"{{ name = \"{parameter}\", value = \"{on}\" }}.",
                setting=parameter)
            return
        path, value = written_at
        if isinstance(value, str) and value.strip().lower() in ("0", "off", "false"):
            yield self.finding(
                resource,
                f"{resource.address} (family {family}) lets its databases accept unencrypted connections: "
                f"{parameter} = \"{value}\". Set its value to \"{on}\".",
                attribute=f"{path}.value", setting=parameter)

    def _server_parameter(self, resource):
        name, value = text(resource.get("name")), text(resource.get("value"))
        if not isinstance(name, str) or name.lower() != SERVER_PARAMETERS[resource.kind]:
            return
        if isinstance(value, str) and value.strip().upper() == "OFF":
            yield self.finding(
                resource,
                f"{resource.address} sets server parameter {name} = \"{value}\": the server accepts unencrypted "
                f"connections (the platform default is ON). Remove it, or set value = \"ON\".",
                attribute="value", setting=name)

    def _app_gateway(self, resource):
        """Plain-HTTP listeners whose routing rules do not all redirect to an HTTPS listener or URL."""
        listeners = {text(get_in(l, "name")): (p, l) for p, l in each(resource, Setting("http_listener"))}
        https = {n for n, (_p, l) in listeners.items() if str(text(get_in(l, "protocol")) or "").lower() == "https"}
        redirects = {text(get_in(r, "name")): r for _p, r in each(resource, Setting("redirect_configuration"))}
        rules = [r for _p, r in each(resource, Setting("request_routing_rule"))]
        for name, (path, listener) in listeners.items():
            protocol = text(get_in(listener, "protocol"))
            if not isinstance(protocol, str) or protocol.lower() != "http" or not isinstance(name, str):
                continue
            served = [r for r in rules if text(get_in(r, "http_listener_name")) == name]
            if any(is_unknown(get_in(r, "http_listener_name")) for r in rules):
                continue
            plain = []
            for rule in served:
                redirect = redirects.get(text(get_in(rule, "redirect_configuration_name")))
                target = text(get_in(redirect, "target_listener_name")) if redirect else None
                url = text(get_in(redirect, "target_url")) if redirect else None
                if is_unknown(target) or is_unknown(url) or is_unknown(get_in(rule, "redirect_configuration_name")):
                    break
                if not (target in https or (isinstance(url, str) and url.lower().startswith("https://"))):
                    plain.append(text(get_in(rule, "name")) or "a routing rule")
            else:
                if plain:
                    yield self.finding(
                        resource,
                        f"{resource.address} (application gateway) serves listener {name} over plain HTTP "
                        f"(protocol = \"Http\", routing rule {', '.join(map(str, plain))} without a redirect to "
                        f"HTTPS). Add a redirect_configuration to an Https listener and name it in the rule.",
                        attribute=f"{path}.protocol", setting="protocol")

    # -- Google Cloud ----------------------------------------------------------

    def _gcp_proxy(self, resource, minimum):
        value, path = Setting("ssl_policy").read(resource)
        if value is not None or minimum <= (1, 0):
            return  # a named policy is checked on its own google_compute_ssl_policy
        yield self.finding(
            resource,
            f"{resource.address} has no ssl_policy: Google's default SSL policy accepts TLS 1.0; the policy's "
            f"minimum is {show_tls(minimum)}. Attach a google_compute_ssl_policy with min_tls_version = "
            f"\"TLS_1_2\".",
            setting="ssl_policy")


def rds_tls_parameter(family: str) -> tuple[str, bool | None] | None:
    """The parameter that makes an RDS / Aurora engine refuse unencrypted connections,
    and whether it does so by default (None: not documented for this version):
    rds.force_ssl is 1 by default from RDS for PostgreSQL 15, 0 before and on SQL
    Server (PostgreSQL.Concepts.General.SSL.html, SQLServer.Concepts.General.SSL.Using.html);
    require_secure_transport is OFF by default on MySQL 5.7 / 8.0, Aurora MySQL and
    MariaDB (mysql-ssl-connections.html); Redshift's require_ssl is false by default
    (connecting-ssl-support.html)."""
    f = family.strip().lower()
    if f.startswith("redshift"):
        return "require_ssl", False
    m = re.match(r"^(aurora-)?postgres(?:ql)?(\d+)", f)
    if m:
        major = int(m.group(2))
        return "rds.force_ssl", (major >= 15 if not m.group(1) else (False if major < 15 else None))
    if f.startswith("sqlserver"):
        return "rds.force_ssl", False
    if re.match(r"^(mysql5\.7|mysql8\.0|aurora-mysql|aurora5\.6|mariadb)", f):
        return "require_secure_transport", False
    if f.startswith("mysql"):
        return "require_secure_transport", None
    return None


RULE = WeakEncryptionInTransit()
