#!/usr/bin/env python3
"""Generate a deterministic Terraform corpus: many root modules, each calling local child
modules, with variables, locals and split S3 resources (versioning, encryption, public
access block, policy) connected by references and by literal bucket names.

    python bench/gen_terraform.py OUT_DIR [--modules 200]

The same arguments always give byte-identical files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CHILD = """variable "name" {
  type = string
}

variable "versioning" {
  type    = string
  default = "Enabled"
}

variable "kms_key_arn" {
  type    = string
  default = null
}

locals {
  bucket_name = "${var.name}-data"
  tags = {
    Owner = "platform"
    Name  = local.bucket_name
  }
}

resource "aws_s3_bucket" "this" {
  bucket = local.bucket_name
  tags   = local.tags
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
"""


def root_module(index: int, rng: random.Random) -> str:
    parts = [
        f"""terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0" }}
  }}
}}

variable "environment" {{
  type    = string
  default = "env{index}"
}}

locals {{
  prefix = "acme-${{var.environment}}"
}}
"""
    ]
    for child in range(rng.randint(1, 3)):
        versioning = rng.choice(["Enabled", "Enabled", "Suspended"])
        parts.append(f'''
module "store_{child}" {{
  source     = "../../modules/bucket"
  name       = "${{local.prefix}}-{child}"
  versioning = "{versioning}"
}}
''')
    for item in range(rng.randint(2, 6)):
        name = f"b{index}-{item}"
        parts.append(f'''
resource "aws_s3_bucket" "b{item}" {{
  bucket = "{name}"
}}

resource "aws_s3_bucket_versioning" "b{item}" {{
  bucket = "{name}"
  versioning_configuration {{
    status = "{rng.choice(["Enabled", "Suspended"])}"
  }}
}}

resource "aws_s3_bucket_policy" "b{item}" {{
  bucket = aws_s3_bucket.b{item}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${{aws_s3_bucket.b{item}.arn}}", "${{aws_s3_bucket.b{item}.arn}}/*"]
      Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }}
    }}]
  }})
}}
''')
    return "".join(parts)


def generate(out: Path, modules: int) -> int:
    rng = random.Random(20261122)
    (out / "modules" / "bucket").mkdir(parents=True, exist_ok=True)
    (out / "modules" / "bucket" / "main.tf").write_text(CHILD, encoding="utf-8")
    total = len(CHILD)
    for index in range(modules):
        text = root_module(index, rng)
        folder = out / "stacks" / f"stack{index:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "main.tf").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=200)
    args = parser.parse_args()
    size = generate(args.out, args.modules)
    print(f"{args.modules} root modules, {size / 1048576:.2f} MB in {args.out}")


if __name__ == "__main__":
    main()
