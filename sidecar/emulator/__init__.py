"""A faithful emulator of a stock Odoo server's external API: XML-RPC and JSON-RPC, plus JSON-2
from 19.0 on. It speaks 16.0, 17.0 (the default), 18.0, 19.0 or 20.0 (``versions``).

Used by the tests and the demo; production code outside this package must not import it.
"""

from .emulator import OdooEmulator
from .faults import CallRecord, FaultRule

__all__ = ["CallRecord", "FaultRule", "OdooEmulator"]
