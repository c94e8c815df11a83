"""The fault matrix (issue 14, item 7): the real CLI and service against the emulator with
injected faults, counting what was lost or doubled in Odoo. See matrix.py."""
