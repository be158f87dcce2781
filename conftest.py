pytest_plugins = ["etd_readiness.plugin"]
