"""The checks: one module per documented failure cause, each a pure function of the snapshot."""
