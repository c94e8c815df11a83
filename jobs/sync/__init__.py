"""The incremental sync: streams, page loader, recompute, reconcile and the cycle runner."""
