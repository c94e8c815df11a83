"""The service behind `ojt-sidecar run`: scheduler, replica leases, shutdown, verify site."""
