"""A faithful emulator of a stock Odoo 17.0 server's external API (XML-RPC and JSON-RPC).

Used by the tests and the demo; production code outside this package must not import it.
"""

from .emulator import OdooEmulator
from .faults import CallRecord, FaultRule

__all__ = ["CallRecord", "FaultRule", "OdooEmulator"]
