# fisc-iac-lint:suppress FIL0002 reason="Scratch data, rebuilt nightly" expires=2999-01-31
resource "aws_s3_bucket" "scratch" {
  bucket = "example-scratch"
}

resource "aws_s3_bucket" "kept" {
  # fisc-iac-lint:suppress s3-bucket-versioning-disabled reason="Versioned by the backup vault"
  bucket = "example-kept"
}

resource "aws_s3_bucket" "typo" { # fisc-iac-lint:suppress FIL9999 reason="a policy that does not exist"
  bucket = "example-typo"
}
