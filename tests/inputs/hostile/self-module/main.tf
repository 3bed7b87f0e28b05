# A module that calls itself: Terraform rejects it; the scan must not recurse.
module "again" {
  source = "./"
  name   = "loop"
}

resource "aws_sns_topic" "t" {
  name = "t"
}
