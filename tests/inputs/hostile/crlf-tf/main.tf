resource "aws_sns_topic" "t" {
  name = "x"
  policy = <<EOT
{"a": 1}
EOT
}
