"""ENC004 — Key rotation disabled on a customer-managed key.

## What it flags

A customer-managed encryption key that is never rotated automatically, or
rotated less often than the policy asks:

- AWS KMS keys (`aws_kms_key`, `AWS::KMS::Key`) without
  `enable_key_rotation = true` / `EnableKeyRotation: true` (default false),
  or with `rotation_period_in_days` / `RotationPeriodInDays` (default 365)
  longer than the policy's maximum. Only symmetric encryption keys held in
  KMS can rotate automatically: asymmetric and HMAC keys, imported key
  material (`Origin: EXTERNAL`, `aws_kms_external_key`), keys in a custom key
  store and replica keys (they follow their primary) are not reported.
- Google Cloud KMS keys (`google_kms_crypto_key`) of purpose
  `ENCRYPT_DECRYPT` (the default) without `rotation_period`, or with a
  longer period than the policy's maximum; import-only keys are skipped.
- Azure Key Vault keys whose declared `rotation_policy` has no `automatic`
  rotation, or rotates later than the policy's maximum. A key without a
  `rotation_policy` block is not reported: its policy may be managed
  outside Terraform.

An unknown value is not reported.

## Why it matters

Rotating keys limits how much data one key protects and how long a leaked
key stays useful. The company sets the encryption levels; a key created by
the provider without rotation quietly weakens them for years.

## How to fix

Set `enable_key_rotation = true` (optionally `rotation_period_in_days`),
`rotation_period = "7776000s"` (90 days) on Cloud KMS keys, or a
`rotation_policy { automatic { time_after_creation = "P90D" } }` on Key
Vault keys.

## Options

- `encryption.key_rotation.required` (boolean, default true): set false to
  silence the rule.
- `encryption.key_rotation.max_period_days`: the longest rotation period
  accepted (not set: any automatic rotation is accepted; AWS rotates yearly
  by default).
"""

from __future__ import annotations

from iacgov.api import ResourceRule, RuleContext, Severity, is_unknown, rule_meta_from_docstring

from iacgov_rules._platform import (Setting, default_note, flag, iso_duration_days, number, seconds_days, setting_is,
                                    text, written)
from iacgov_rules._thresholds import show

KINDS = frozenset({"aws_kms_key", "google_kms_crypto_key", "azurerm_key_vault_key"})


class KeyRotationDisabled(ResourceRule):
    root_local = True  # its findings on a resource depend on that resource's own root module only
    meta = rule_meta_from_docstring(
        __doc__,
        code="ENC004",
        name="key-rotation-disabled",
        severity=Severity.WARNING,
        security_severity=5.0,
        precision="high",
        tags=("encryption", "security", "key-management"),
    )

    def applies_to(self, resource):
        return resource.mode == "managed" and resource.kind in KINDS

    def check(self, resource, ctx: RuleContext):
        if ctx.policy.get("encryption.key_rotation.required", True) is False:
            return
        maximum = ctx.policy.get("encryption.key_rotation.max_period_days")
        if resource.kind == "aws_kms_key":
            yield from self._aws(resource, maximum)
        elif resource.kind == "google_kms_crypto_key":
            yield from self._gcp(resource, maximum)
        else:
            yield from self._azure(resource, maximum)

    def _too_long(self, resource, days, maximum, setting, path, written_value):
        return self.finding(
            resource,
            f"{resource.address} rotates every {show(days)} days ({setting} = {written_value}); the policy "
            f"allows at most {show(maximum)} days. Shorten the rotation period.",
            attribute=path, setting=setting, period_days=days, max_period_days=maximum)

    def _aws(self, resource, maximum):
        spec = text(Setting("customer_master_key_spec", "KeySpec").read(resource)[0]) \
            or text(Setting("key_spec", None).read(resource)[0])
        usage = text(Setting("key_usage", "KeyUsage").read(resource)[0])
        origin = text(Setting(None, "Origin").read(resource)[0])
        store = Setting("custom_key_store_id", None).read(resource)[0] or Setting("xks_key_id", None).read(resource)[0]
        if any(is_unknown(v) for v in (spec, usage, origin)):
            return
        if (spec or "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" or (usage or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
            return
        if (origin or "AWS_KMS") != "AWS_KMS" or store is not None:
            return
        enabled, path = Setting("enable_key_rotation", "EnableKeyRotation").read(resource)
        state = flag(enabled)
        if is_unknown(state):
            return
        name = Setting("enable_key_rotation", "EnableKeyRotation").name(resource)
        if state is not True:
            found = setting_is(resource, name, "false") + default_note(resource, path) if state is False \
                else f"{name} is not set (default false)"
            yield self.finding(
                resource,
                f"{resource.address} (KMS key) is never rotated: {found}. Set {setting_is(resource, name, 'true')}.",
                attribute=path, setting=name)
            return
        if maximum is None:
            return
        period, ppath = Setting("rotation_period_in_days", "RotationPeriodInDays").read(resource)
        days = number(period)
        if is_unknown(days):
            return
        days = 365 if days is None else days
        if days > maximum:
            yield self._too_long(resource, days, maximum, "rotation_period_in_days",
                                 ppath or path, period if period is not None else "365 (default)")

    def _gcp(self, resource, maximum):
        purpose = text(Setting("purpose").read(resource)[0])
        import_only = flag(Setting("import_only").read(resource)[0])
        if is_unknown(purpose) or is_unknown(import_only) or import_only is True:
            return
        if (purpose or "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
            return  # asymmetric and MAC keys cannot rotate automatically
        value, path = Setting("rotation_period").read(resource)
        value = text(value)
        if is_unknown(value):
            return
        if value is None:
            yield self.finding(
                resource,
                f"{resource.address} (Cloud KMS key) is never rotated: rotation_period is not set. Set "
                f"rotation_period (for example \"7776000s\", 90 days).",
                setting="rotation_period")
            return
        days = seconds_days(value)
        if maximum is not None and days is not None and days > maximum:
            yield self._too_long(resource, days, maximum, "rotation_period", path, f'"{value}"')

    def _azure(self, resource, maximum):
        policy, path = Setting("rotation_policy.0").read(resource)
        if not isinstance(policy, dict):
            return  # no rotation policy declared here: it may be managed outside Terraform
        automatic = policy.get("automatic")
        if is_unknown(automatic):
            return
        automatic = automatic[0] if isinstance(automatic, list) and automatic else automatic
        if not written(automatic):
            yield self.finding(
                resource,
                f"{resource.address} (Key Vault key) declares a rotation_policy without automatic rotation: the "
                f"key is never rotated. Add automatic {{ time_after_creation = \"P90D\" }}.",
                attribute=path, setting="rotation_policy.automatic")
            return
        if maximum is None or not isinstance(automatic, dict):
            return
        after = automatic.get("time_after_creation")
        days = iso_duration_days(after) if isinstance(after, str) else None
        if days is None:
            before, expiry = automatic.get("time_before_expiry"), policy.get("expire_after")
            if isinstance(before, str) and isinstance(expiry, str):
                b, e = iso_duration_days(before), iso_duration_days(expiry)
                days = e - b if b is not None and e is not None else None
                after = f"{expiry} minus {before}"
        if days is not None and days > maximum:
            yield self._too_long(resource, days, maximum, "rotation_policy.automatic.time_after_creation",
                                 f"{path}.automatic", f'"{after}"')


RULE = KeyRotationDisabled()
