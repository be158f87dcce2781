"""Benchmarks of the ETD readiness suite against the Graph emulator (see bench/RESULTS.md)."""
