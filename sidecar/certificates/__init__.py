"""Certificates: serials, signatures, the PDF, and what a certificate's status is."""
