"""Shared sample data for the config tests."""

from __future__ import annotations

from typing import Any

# The smallest valid configuration: Odoo credentials and one program with one course.
MINIMAL: dict[str, Any] = {
    "odoo": {
        "url": "http://127.0.0.1:8069",
        "database": "ojt",
        "username": "admin",
        "password": "pw",
    },
    "programs": [{"key": "p", "name": "Program", "courses": [{"course": "Basics of Gardening"}]}],
}
