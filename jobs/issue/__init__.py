"""Certificates: decide, make, deliver (BRIEF §2C)."""
