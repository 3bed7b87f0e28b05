resource "aws_sns_topic" "a" {
  name = aws_sqs_queue.b.name
}
resource "aws_sqs_queue" "b" {
  name = aws_sns_topic.a.name
}
