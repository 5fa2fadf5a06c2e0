# The change the network rule is tested on (policy/terraform/network/network_test.rego).

# pass: HTTPS from anywhere to a security group tagged as a public load balancer
resource "aws_security_group" "public_lb" {
  name        = "search-public-lb"
  description = "public load balancer"
  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
  tags = { exposure = "public-lb" }
}

# deny: HTTPS from anywhere to a group that is not a public load balancer
resource "aws_security_group" "web_untagged" {
  name        = "search-web"
  description = "web"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# deny: an existing group opened to SSH from anywhere (an update)
resource "aws_security_group" "bastion" {
  name        = "search-bastion"
  description = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

# pass: internal traffic only
resource "aws_security_group" "internal" {
  name        = "search-internal"
  description = "internal"
  ingress {
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
}

# pass: HTTP to the public load balancer's group, by reference
resource "aws_security_group_rule" "lb_http" {
  type              = "ingress"
  from_port         = 80
  to_port           = 80
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  description       = "HTTP redirect"
  security_group_id = aws_security_group.public_lb.id
}

# deny: SSH from any IPv6 address
resource "aws_security_group_rule" "ssh_v6" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  description       = "ssh"
  security_group_id = "sg-0123456789abcdef0"
}

# pass: egress is not ingress
resource "aws_security_group_rule" "egress_any" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "sg-0123456789abcdef0"
}

# deny: all traffic from anywhere
resource "aws_vpc_security_group_ingress_rule" "all_traffic" {
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
  security_group_id = "sg-0123456789abcdef0"
}

# pass: HTTPS over IPv6 to the public load balancer's group, by reference
resource "aws_vpc_security_group_ingress_rule" "lb_https_v6" {
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
  security_group_id = aws_security_group.public_lb.id
}

# pass: HTTPS from anywhere on a rule tagged as public load balancer ingress
resource "aws_vpc_security_group_ingress_rule" "tagged_rule" {
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  security_group_id = "sg-0fedcba9876543210"
  tags              = { exposure = "public-lb" }
}
