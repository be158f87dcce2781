"""The bundled demo: its config (demo.toml) and committed cassettes, packaged as etd_readiness.demo_cassettes."""
