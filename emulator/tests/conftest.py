"""The emulator's own tests: nothing but loopback is reachable."""

import pytest


@pytest.fixture(autouse=True)
def _no_network(loopback_only: None) -> None:
    """Every emulator test runs under graph_emulator's loopback guard."""
