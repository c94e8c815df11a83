"""The public certificate verification site (Flask). Reads the sidecar store only."""
