"""Scheduled work: the synchronizers, the only code that uses both Odoo and the store.

Filled by the sync, enrollment and certificate issues; the CLI is the only place that wires it in.
"""
