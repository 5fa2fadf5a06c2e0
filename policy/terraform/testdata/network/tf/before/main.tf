# State before the change: the bastion's security group admits SSH from the VPC only.
resource "aws_security_group" "bastion" {
  name        = "search-bastion"
  description = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
