"""What a run starts from: settings with the command line on top, the gate's inputs, and the snapshot
(loaded, collected live, or through cassettes); every input error as pytest's usage error (exit 4)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from .collect.progress import Progress
from .gate import Gate, load_gate
from .integrity import load_signing_key
from .recording import CassetteError
from .resume import RESUME_DIR, Journaling
from .session import acquire
from .settings import ConfigError, resolve, with_overrides
from .snapshot import Snapshot

GATE_KEY = pytest.StashKey[Gate]()
SIGNER_KEY = pytest.StashKey[object]()


def run_snapshot(config: pytest.Config) -> Snapshot:
    """The run's snapshot: loaded, collected live, or through cassettes; usage errors as pytest's."""
    opt = config.option
    try:
        settings = None
        if not opt.etd_snapshot:
            settings = resolve(opt.etd_config)
            if settings is not None:
                settings = _overridden(settings, opt)
        config.stash[GATE_KEY] = load_gate(opt, settings)
        config.stash[SIGNER_KEY] = load_signing_key(opt.etd_sign_key)
        if opt.etd_snapshot and opt.etd_resume:
            raise ConfigError("--etd-resume continues an interrupted live fetch; it does not go with --etd-snapshot")
        if opt.etd_snapshot:
            snapshot = _load_snapshot(Path(opt.etd_snapshot))
        else:
            cassette_dir = Path(opt.cassette_dir or config.rootpath / config.getini("etd_cassette_dir"))
            snapshot = acquire(
                settings,
                opt.record_mode,
                cassette_dir,
                opt.pseudonymize,
                tuple(opt.etd_error_log or ()),
                _progress(config),
                Journaling(Path(config.getini("etd_report_dir")) / RESUME_DIR, resume=opt.etd_resume),
            )
        snapshot.context["phase"] = config.stash[GATE_KEY].phase
    except (ConfigError, CassetteError) as err:
        raise pytest.UsageError(str(err)) from None
    return snapshot


def _progress(config: pytest.Config) -> Progress | None:
    """The fetch's progress line on stderr: live on a terminal, every ~10 s otherwise, none with -q."""
    if config.option.verbose < 0:
        return None
    tty = sys.stderr.isatty()
    interval = float(os.environ.get("ETD_PROGRESS_SECONDS", "10"))
    return Progress(out=sys.stderr, tty=tty, interval_s=interval)


def _load_snapshot(path: Path) -> Snapshot:
    """A saved snapshot, or one line saying it is missing, corrupt (and where) or not a snapshot."""
    hint = "save one with --etd-save-snapshot"
    try:
        return Snapshot.load(path)
    except OSError as err:
        raise pytest.UsageError(f"cannot read snapshot {path}: {err.strerror}; {hint}") from None
    except json.JSONDecodeError as err:
        where = f"line {err.lineno} column {err.colno}: {err.msg}"
        raise pytest.UsageError(f"snapshot {path} is corrupt (not valid JSON at {where}); {hint}") from None
    except UnicodeDecodeError as err:
        raise pytest.UsageError(f"snapshot {path} is corrupt (byte {err.start} is not UTF-8); {hint}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        what = f"missing {err}" if isinstance(err, KeyError) else str(err)
        raise pytest.UsageError(f"snapshot {path} is corrupt or not a snapshot ({what}); {hint}") from None


def _overridden(settings, opt):
    """Command-line options win over the config file and the environment."""
    return with_overrides(
        settings,
        etd_app_id=opt.etd_app_id,
        etd_display_name=opt.etd_app_name,
        etd_mode=opt.etd_mode,
        protected_group=opt.protected_group,
        protected_addresses_file=opt.protected_addresses,
        graph_url=opt.graph_endpoint,
        authority=opt.authority,
    )
