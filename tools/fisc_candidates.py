#!/usr/bin/env python3
"""Write docs/fisc-candidates.md: what became of each candidate check of the control catalogue.

Implemented candidates come from tools/fisc_mapping.py (NEW_CHECKS); dropped, merged and
open ones carry the reason recorded below.

    python tools/fisc_candidates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from fisc_mapping import CATALOGUE, NEW_CHECKS  # noqa: E402

from fisc_iac_lint.policies import load_policies  # noqa: E402

REASONS = {
    "iam-role-trust-third-party-external-id": "merged into FIL0512 with the trust-policy parts of the public and trusted-account checks",
    "iam-role-trust-requires-mfa": "merged with iam-role-trust-restricts-source-ip into FIL0532: the lens accepts either restriction",
    "data-store-encrypted-with-customer-managed-key": "dropped as noise: it would fire on nearly every data store; FIL0506 requires customer managed keys where the classification is critical",
    "kms-key-lifecycle-bound-to-data-store": "read as: a key defined with the data stores it encrypts is deleted by the same action that deletes their data and kept while any of them keeps data (DeletionPolicy Retain / Snapshot, prevent_destroy, final snapshots); the CloudFormation parser now keeps DeletionPolicy and UpdateReplacePolicy",
    "apigw-restricted-network-access": "open: the lens supports it (FISCSEC5-BP03: allow connections only from legitimate terminals and networks); needs a selector for APIs with a restricted audience (a tag, as FIL0513 selects critical buckets), not written yet",
    "api-mutual-tls-for-partner-endpoints": "open: to be merged into apigw-restricted-network-access as its client-certificate alternative (the lens lists credentials, IP addresses and client certificates, to be combined), so it needs the same selector",
    "inspector-enabled": "Terraform only (aws_inspector2_enabler, aws_inspector2_organization_configuration): CloudFormation has no resource that activates Inspector, so a scan without Terraform leaves the account rule unknown instead of reporting it; routing findings to SNS is optional in the lens and not required",
    "log-bucket-access-restricted": "open: needs organisation-specific reader and writer lists as parameters",
    "cloudtrail-security-metric-filter-alarms": "the lens names no events (監視したいイベントの定義), so the events are a parameter defaulting to the CIS monitoring set; a filter covers an event when its pattern mentions every identifying word, and its metric needs an alarm with actions",
    "shield-advanced-protection": "dropped: the lens names Shield Advanced as an optional addition (追加で有効化することで), a paid subscription a template cannot know about",
    "shield-advanced-protection-public-endpoints": "dropped: the lens names Shield Advanced as an optional addition (追加で有効化することで), a paid subscription a template cannot know about",
    "cloudtrail-kms-events-not-excluded": "merged into FIL0404: it already requires, account-wide, a trail recording read and write management events with no excluded event source, so KMS key use and key policy changes are recorded; a per-trail check would report trails that leave KMS to an organisation trail",
    "backup-plan-cross-account-copy": "dropped: the lens asks for frequent backups kept in generations and Vault Lock, not copies to another account or Region (the catalogue itself calls it optional hardening)",
    "backup-vault-access-policy-deny-delete": "dropped: the lens names Vault Lock (FIL0501); a vault policy that denies deletion can be removed by whoever may change the policy, so it is no substitute, and as a second check it would repeat FIL0501 on every unlocked vault",
    "org-tag-policy-data-classification": "dropped: the lens asks for classification tags on resources (FIL0505, through Tag Editor or CloudFormation resource tags), not for an Organizations tag policy",
    "route53-resolver-dnssec-validation": "dropped: the lens sets up DNSSEC to protect one's own domain (signing, FIL0502); validation by the VPC resolver protects lookups, which the lens does not ask for",
    "ses-receipt-rule-scan-and-tls": "dropped: FISCSEC10-BP02 protects mail that is sent (送信する電子メールデータ); receipt rules govern incoming mail",
    "ec2-approved-ami-only": "open: needs the organisation's approved image sources (SSM parameter paths, owner account ids) as parameters; no default can tell a golden image from any other AMI id",
    "ssm-patch-management-configured": "dropped: instances are put under patching by tags, patch groups, resource groups, Quick Setup or Default Host Management Configuration, mostly outside the workload template, so a check over the scanned files would report patched instances",
    "guardduty-s3-malware-protection-shared-buckets": "open: needs a way to tell the buckets used to exchange files with other organisations (a tag the organisation chooses); no safe default",
    "config-change-notifications-routed": "dropped: the lens says how to process change notifications when one does, not that one must",
    "iam-role-trust-requires-source-identity": "dropped: needs to know which roles humans use; Identity Center sessions already carry the user name",
    "sso-abac-attributes-configured": "dropped: optional, and keeping user attributes accurate is an organisational task",
    "ec2-application-log-collection-configured": "dropped: agents built into AMIs are invisible to a template, so it would give false findings",
    "cloudtrail-data-events-for-critical-resources": "dropped: the lens says data events can be recorded, not must; S3 data events are the K-ISMS policy cloudtrail-s3-data-events-not-logged",
    "sg-egress-restricted": "open: needs the classification of the tier a security group serves; CloudFormation keeps allow-all egress by default, so without it the check would flag nearly every group",
    "route53-bimi-record": "dropped: optional and informational in the catalogue itself; BIMI certificates and mailbox support are outside IaC",
}


def main() -> None:
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    practices: dict[str, list[str]] = {}
    for bp in catalogue["fisc"]:
        for check in bp.get("static_checks") or []:
            if "id" in check:
                practices.setdefault(check["id"], []).append(f"{bp['id']} ({check.get('relevance')})")
    names = {p.id: p.name for p in load_policies().policies}
    lines = [
        "# FISC candidate checks: what became of each",
        "",
        "The control catalogue (`../shared/data/control-catalogue.yaml`, section `new_checks`) proposed",
        "checks that no AWS Config rule covers. Each is recorded here as implemented (with its policy),",
        "merged, dropped (with the reason) or open. Generated by `python tools/fisc_candidates.py`;",
        "each policy states its own semantics in `notes`.",
        "",
        "| candidate | best practices | outcome |",
        "| --- | --- | --- |",
    ]
    done = 0
    for check_id in sorted(c["id"] for c in catalogue["new_checks"]):
        if check_id in NEW_CHECKS:
            done += 1
            policy = NEW_CHECKS[check_id]
            outcome = f"implemented: {policy} `{names.get(policy, '?')}`"
            if check_id in REASONS:
                outcome += f" ({REASONS[check_id]})"
        else:
            outcome = REASONS.get(check_id, "open: not examined yet")
        lines.append(f"| `{check_id}` | {', '.join(practices.get(check_id, ['-']))} | {outcome} |")
    lines += ["", f"{done} of {len(catalogue['new_checks'])} candidates implemented."]
    (ROOT / "docs" / "fisc-candidates.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
