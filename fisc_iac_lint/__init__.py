"""fisc-iac-lint: a policy-as-code linter for AWS CloudFormation and Terraform,
keyed to the FISC security standards (Japan) and K-ISMS (Korea)."""

__version__ = "0.1.0"
