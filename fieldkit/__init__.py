"""Test and field equipment for Sanaq: generators and harnesses that exercise the product,
never imported by an official station."""
