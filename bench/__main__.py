"""``python -m bench`` (``make bench``): run the benchmarks, print each, write the Markdown table.

Prefect reads its settings when it is first imported, so the environment is set up here before any benchmark
module (and with it Prefect) is imported: a throw-away PREFECT_HOME, no telemetry, quiet console logging, and
transitions run in process (not as deployment runs) whatever the caller's AANPAK_* settings say.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from bench.meting import Resultaat, duur, markdown, toon

BENCHMARKS = ("transities", "intake", "werkdagen", "bewaking", "meldingen", "klant", "schaal")


def _omgeving_voor_prefect() -> Path:
    home = Path(tempfile.mkdtemp(prefix="aanpak-bench-prefect-home-"))
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "WARNING"
    os.environ["AANPAK_PREFECT"] = "true"
    os.environ["AANPAK_DEPLOYMENTS"] = "false"
    return home


def _argumenten(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "--snel", action="store_true", help="quick check: 1.000 signals and fewer repetitions (not for the README)"
    )
    parser.add_argument("--alleen", choices=BENCHMARKS, action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--uit", type=Path, default=None, help="Markdown output (default <data_dir>/bench/latest.md)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _argumenten(argv)
    prefect_home = _omgeving_voor_prefect()
    last_voor = os.getloadavg()[0]
    begin = time.perf_counter()
    gekozen = args.alleen or list(BENCHMARKS)
    snel: bool = args.snel
    signalen = 1_000 if snel else 10_000
    herhalingen = 3 if snel else 5

    # Imported only now: these modules import Prefect and the project's settings.
    from aanpak.config import instellingen
    from bench import bewaking, intake, klant, meldingen, schaal, transities, werkdagen

    instellingen.cache_clear()
    taken: dict[str, Callable[[], list[Resultaat]]] = {
        "transities": lambda: [transities.meet(herhalingen)],
        "intake": lambda: [intake.meet(signalen, herhalingen)],
        "werkdagen": lambda: [werkdagen.meet(100_000, herhalingen)],
        "bewaking": bewaking.resultaten,
        "meldingen": lambda: [meldingen.meet(1_000, herhalingen)],
        "klant": lambda: [klant.meet(herhalingen)],
        "schaal": schaal.resultaten,  # P8: two task workers on PostgreSQL (skipped without PostgreSQL)
    }
    resultaten: list[Resultaat] = []
    try:
        for naam in BENCHMARKS:
            if naam in gekozen:
                print(f"\n… {naam}", flush=True)
                for resultaat in taken[naam]():
                    resultaten.append(resultaat)
                    toon(resultaat)
    finally:
        shutil.rmtree(prefect_home, ignore_errors=True)

    totaal = time.perf_counter() - begin
    kop = [
        f"Benchmarks {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
        + (" — **snel** (verkleinde omvang, niet voor de README)" if snel else ""),
        "",
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"Prefect {version('prefect')}, SQLAlchemy {version('sqlalchemy')}, case store SQLite; "
        f"belasting (loadavg 1 min) {last_voor:.1f} bij de start, {os.getloadavg()[0]:.1f} aan het eind; "
        f"totale looptijd {duur(totaal)}. Verhouding = ons / basislijn (lager is beter).",
    ]
    tabel = markdown(resultaten, kop)
    uit: Path = args.uit or instellingen().data_dir / "bench" / "latest.md"
    uit.parent.mkdir(parents=True, exist_ok=True)
    uit.write_text(tabel, encoding="utf-8")
    print("\n" + tabel)
    print(f"Geschreven naar {uit} (totale looptijd {duur(totaal)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
