#!/usr/bin/env python3
"""Propose the policies of each FISC best practice from the control catalogue's analysis.

The catalogue (../shared/data/control-catalogue.yaml, section fisc) names, for every best
practice, the AWS Config rules and new checks that serve it, direct or supporting, and the
guidance no template can decide. This script maps those onto the policy library (through
each policy's config_rule, and NEW_CHECKS for checks that no Config rule covers) and
rewrites the `policies` and `outside_static_analysis` of fisc_iac_lint/data/fisc.yaml,
keeping ids, titles and 実 numbers as they are. Review the diff: the result is data that
auditors read. The file has since been reviewed by hand against the lens, and several of the
catalogue's "direct" marks were lowered to "supporting" (see git log of fisc.yaml): do not
commit a rerun without restoring those marks.

    python tools/fisc_mapping.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fisc_iac_lint.policies import load_policies  # noqa: E402

CATALOGUE = ROOT.parent / "shared" / "data" / "control-catalogue.yaml"
FISC = ROOT / "fisc_iac_lint" / "data" / "fisc.yaml"
# catalogue new-check id -> policy id, for the checks this library implements
NEW_CHECKS = {
    "rds-db-timezone-utc": "FIL0500",
    "backup-vault-lock-enabled": "FIL0501",
    "route53-hosted-zone-dnssec-signing": "FIL0502",
    "ses-configuration-set-tls-required": "FIL0503",
    "route53-dmarc-record-enforcing": "FIL0504",
    "resource-data-classification-tag": "FIL0505",
    "critical-data-encrypted-with-cmk": "FIL0506",
    "resource-policy-no-public-principal": "FIL0510",
    "resource-policy-trusted-accounts-only": "FIL0511",
    "iam-role-trust-third-party-external-id": "FIL0512",
    "s3-critical-bucket-vpce-only": "FIL0513",
    "nacl-no-unrestricted-admin-ingress": "FIL0514",
    "iam-permissions-boundary-required": "FIL0530",
    "iam-user-login-profile-password-reset-required": "FIL0531",
    "iam-role-trust-restricts-source-ip": "FIL0532",
    "iam-role-trust-requires-mfa": "FIL0532",
    "scp-deny-iam-admin-actions": "FIL0533",
    "iam-delegated-admin-requires-boundary": "FIL0534",
    "ses-identity-dkim-enabled": "FIL0570",
    "route53-spf-record-policy": "FIL0571",
    "ses-custom-mail-from-domain": "FIL0572",
    "schedule-timezone-utc": "FIL0573",
    "apigw-access-logging-enabled": "FIL0574",
    "ecs-task-definition-logging-configured": "FIL0575",
    "sso-assignments-to-groups-only": "FIL0576",
    "cognito-user-pool-mfa-enabled": "FIL0577",
    "cognito-advanced-security-enforced": "FIL0578",
    "iam-user-console-access-discouraged": "FIL0579",
    "iam-no-long-lived-access-keys": "FIL0580",
    "config-recorder-all-resources": "FIL0581",
    "rds-database-audit-logging": "FIL0582",
    "cloudtrail-central-log-archive": "FIL0583",
    "cloudtrail-security-metric-filter-alarms": "FIL0585",
    "sns-sms-delivery-status-logging": "FIL0584",
    "log-bucket-object-lock": "FIL0550",
    "wafv2-web-acl-rate-based-rule": "FIL0551",
    "kms-key-policy-separation-of-duties": "FIL0552",
    "kms-dedicated-key-per-critical-store": "FIL0553",
    "kms-key-lifecycle-bound-to-data-store": "FIL0555",
    "cloudfront-associated-with-waf": "FIL0554",
    "ssm-session-manager-instead-of-ssh": "FIL0590",
    "ecr-image-scanning-enabled": "FIL0591",
    "dynamodb-pitr-enabled": "FIL0592",
    "kms-key-rotation-period": "FIL0593",
    "cloudtrail-kms-events-not-excluded": "FIL0404",
    "access-analyzer-enabled": "FIL0515",
    "imagebuilder-pipeline-tests-and-scanning": "FIL0594",
    "inspector-enabled": "FIL0595",
    "cognito-user-pool-password-policy": "FIL0535",
    "iam-users-require-mfa-policy": "FIL0536",
}
RANK = {"direct": 0, "supporting": 1}


def main() -> None:
    catalogue = {bp["id"]: bp for bp in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["fisc"]}
    policies = load_policies().policies
    ids = {p.id for p in policies}
    by_rule: dict[str, list[str]] = {}
    for policy in policies:
        if policy.config_rule:
            by_rule.setdefault(policy.config_rule, []).append(policy.id)
    out = [
        "# FISC framework: the best practices of the AWS Well-Architected FISC lens (security pillar),",
        "# copied character for character from fisc-security-lens.ja.md (a test compares them),",
        "# with the policies that serve each one: direct (implements the guidance) or supporting",
        "# (evidence that helps), and the guidance no template can decide, with the reason.",
        "# Policies and reasons were proposed by tools/fisc_mapping.py from the control catalogue's",
        "# analysis, then reviewed line by line against the lens (direct only where the policy does",
        "# what the best practice's text asks); rerunning the script undoes that review.",
        "framework: fisc",
        "name: FISC 安全対策基準 (AWS Well-Architected FISC Lens, security pillar)",
        "best_practices:",
    ]
    current = yaml.safe_load(FISC.read_text(encoding="utf-8"))["best_practices"]
    for bp in current:
        served: dict[str, str] = {}
        for check in catalogue[bp["id"]].get("static_checks") or []:
            relevance = check.get("relevance", "supporting")
            targets = by_rule.get(check.get("config_rule", ""), []) + (
                [NEW_CHECKS[check["id"]]] if check.get("id") in NEW_CHECKS else []
            )
            for policy_id in targets:
                if policy_id in ids and (policy_id not in served or RANK[relevance] < RANK[served[policy_id]]):
                    served[policy_id] = relevance
        outside = [f"{item['guidance']}: {item['reason']}" for item in catalogue[bp["id"]].get("non_static") or []]
        out += [
            f"  - id: {bp['id']}",
            f"    question: {bp['question']}",
            f"    question_title: {json.dumps(bp['question_title'], ensure_ascii=False)}",
            f"    title: {json.dumps(bp['title'], ensure_ascii=False)}",
            f"    practice_standards: [{', '.join(json.dumps(n, ensure_ascii=False) for n in bp['practice_standards'])}]",
        ]
        if served:
            out.append("    policies:")
            out += [
                f"      - {{policy: {pid}, relevance: {rel}}}"
                for pid, rel in sorted(served.items(), key=lambda kv: (RANK[kv[1]], kv[0]))
            ]
        else:
            out.append("    policies: []")
        if outside:
            out.append("    outside_static_analysis:")
            out += [f"      - {json.dumps(item, ensure_ascii=False)}" for item in outside]
    FISC.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {FISC}")


if __name__ == "__main__":
    main()
