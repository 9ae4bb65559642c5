"""Run the stap-afgerond flow in a fresh process and let the process die halfway (for tests/test_herstel.py).

    python -m tests.herstel_proces --db PAD --moment ISO --casus C-… --stap KEY --besluit B-… --crash PUNT

The process builds an Omgeving on the SQLite case store at PAD with the test keys and a clock fixed at ISO,
installs it for the tasks (``zet_standaard``) and runs the real flow against the Prefect server in
PREFECT_API_URL. Before that it plants a hard exit (``os._exit(9)``: no ``finally``, no ``atexit``, no state
hooks, no commit) at one of two points:

``in-transactie``
    inside ``pas_besluit_toe``, when the next step would be opened: the decided step row has been changed
    and flushed (and, for a handoff decision, the handoff offered), but the transaction is still open;
``na-commit``
    after the decision was committed and the case view published, when the flow labels its run: the store
    is done, Prefect has not heard that the run completed.

Just before it exits it prints one JSON line: what the open transaction (or the committed store) looked like.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

CRASHCODE = 9
PUNTEN = ("in-transactie", "na-commit")


def _stand(rijen: Iterable[tuple[Any, ...]], overdrachten: int, punt: str) -> str:
    return json.dumps({"punt": punt, "stappen": {str(k): str(s) for k, s in rijen}, "overdrachten": overdrachten})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herstel_proces")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--moment", required=True, type=datetime.fromisoformat)
    parser.add_argument("--casus", required=True)
    parser.add_argument("--stap", required=True)
    parser.add_argument("--besluit", required=True)
    parser.add_argument("--crash", required=True, choices=PUNTEN)
    args = parser.parse_args(argv)

    from prefect import tags
    from prefect.settings import temporary_settings
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    import aanpak.usecases.besluit as besluit_usecase
    import flows.stap_afgerond as stap_flow
    from aanpak.omgeving import zet_standaard
    from aanpak.store.db import maak_engine
    from tests.conftest import Klok, maak_omgeving

    engine = maak_engine(f"sqlite:///{args.db}")
    omg = maak_omgeving(engine, Klok(args.moment))
    zet_standaard(omg)

    def crash_in_transactie(sessie: Session, *_args: Any, **_kwargs: Any) -> None:
        sessie.flush()  # whatever the use case changed is now written inside the open transaction
        stappen = sessie.execute(text("SELECT stap_key, status FROM stap ORDER BY id")).tuples().all()
        overdrachten = sessie.execute(text("SELECT count(*) FROM overdracht")).scalar_one()
        print(_stand(stappen, overdrachten, "in-transactie"), flush=True)
        os._exit(CRASHCODE)

    def crash_na_commit(*_args: Any, **_kwargs: Any) -> None:
        with engine.connect() as conn:  # a new connection sees only what was committed
            stappen = conn.execute(text("SELECT stap_key, status FROM stap ORDER BY id")).tuples().all()
            overdrachten = conn.execute(text("SELECT count(*) FROM overdracht")).scalar_one()
        print(_stand(stappen, overdrachten, "na-commit"), flush=True)
        os._exit(CRASHCODE)

    valkuil: AbstractContextManager[Any] = (
        mock.patch.object(besluit_usecase, "open_stap", crash_in_transactie)
        if args.crash == "in-transactie"
        else mock.patch.object(stap_flow, "label_run", crash_na_commit)
    )
    with (
        valkuil,
        temporary_settings(updates={"flows.heartbeat_frequency": None}),
        tags(f"casus:{args.casus}", f"stap:{args.stap}"),
    ):
        stap_flow.stap_afgerond(casus_ref=args.casus, stap=args.stap, besluit_ref=args.besluit)
    print(json.dumps({"punt": "geen crash"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
