"""Start-up of the CLI in client mode (issue 12, "Start-up"): within 2× of ``python -c "import httpx, typer"``.

Each measurement is a fresh interpreter, as a coordinator's shell starts one. Ours: ``aanpak --help`` with
``AANPAK_API_URL`` set (the client app is built; nothing of the local CLI, Prefect or SQLAlchemy is imported).
A detail line times ``aanpak postvak`` against a loopback port where nothing listens: the whole client path —
token, httpx client, request, the Dutch refusal — without the server's own time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.meting import Resultaat, duur, mediaan_tijd

#: A loopback port where nothing listens (discard): the connection is refused at once.
NIEMAND = "http://127.0.0.1:9"


def _aanpak() -> list[str]:
    script = Path(sys.executable).parent / "aanpak"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from aanpak.cli.start import main; main()"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AANPAK_", "PREFECT_"))}
    # A token-shaped string: the unreachable server is reached for before any verification would happen.
    return {**env, "AANPAK_API_URL": NIEMAND, "AANPAK_TOKEN": "a.b.c"}


def _draai(args: list[str], *, verwacht: int) -> None:
    uit = subprocess.run(args, env=_env(), capture_output=True, timeout=120)
    if uit.returncode != verwacht:
        raise RuntimeError(f"{args[-1]}: exit {uit.returncode}: {uit.stderr.decode(errors='replace')[-500:]}")


def meet(herhalingen: int) -> Resultaat:
    basis = mediaan_tijd(lambda: _draai([sys.executable, "-c", "import httpx, typer"], verwacht=0), herhalingen)
    ons = mediaan_tijd(lambda: _draai([*_aanpak(), "--help"], verwacht=0), herhalingen)
    postvak = mediaan_tijd(lambda: _draai([*_aanpak(), "postvak"], verwacht=1), herhalingen)
    return Resultaat(
        naam="CLI-start (clientmodus)",
        omvang="1 proces",
        ons="`aanpak --help` met AANPAK_API_URL (clientmodus)",
        basislijn='`python -c "import httpx, typer"`',
        ons_s=ons,
        basis_s=basis,
        metingen=f"mediaan van {herhalingen} nieuwe processen na opwarmen; doel ≤ 2×",
        details=(
            f"`aanpak postvak` tegen een poort zonder server (het hele clientpad tot de melding): {duur(postvak)}, "
            f"{postvak / basis:.2f}× de basislijn",
        ),
    )
