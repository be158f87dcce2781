"""The etd-readiness plugin loads through its pytest11 entry point (pip install -e .); nothing else here."""
