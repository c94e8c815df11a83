"""Certificates: decide, make, deliver (docs/product-rules.md §3)."""
