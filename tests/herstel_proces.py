"""Run the stap-afgerond transition in a fresh process and kill it halfway (for tests/test_herstel.py).

    python -m tests.herstel_proces --db PAD --moment ISO --casus C-… --stap KEY --besluit B-… --crash PUNT

The process builds an Omgeving on the SQLite case store at PAD with the test keys and a clock fixed at ISO,
installs it for the tasks (``zet_standaard``) and runs the transition the way the CLI does
(``uitvoering.na_besluit``: an in-process flow run) against the Prefect server in PREFECT_API_URL. Before that
it plants a SIGKILL of its own process (no ``finally``, no ``atexit``, no state hooks, no commit) at one of two
points:

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
import signal
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

#: The return code of a process killed by SIGKILL.
CRASHCODE = -signal.SIGKILL
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

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    import aanpak.usecases.besluit as besluit_usecase
    import flows.stap_afgerond as stap_flow
    from aanpak import uitvoering
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
        os.kill(os.getpid(), signal.SIGKILL)

    def crash_na_commit(*_args: Any, **_kwargs: Any) -> None:
        with engine.connect() as conn:  # a new connection sees only what was committed
            stappen = conn.execute(text("SELECT stap_key, status FROM stap ORDER BY id")).tuples().all()
            overdrachten = conn.execute(text("SELECT count(*) FROM overdracht")).scalar_one()
        print(_stand(stappen, overdrachten, "na-commit"), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    valkuil: AbstractContextManager[Any] = (
        mock.patch.object(besluit_usecase, "open_stap", crash_in_transactie)
        if args.crash == "in-transactie"
        else mock.patch.object(stap_flow, "label_run", crash_na_commit)
    )
    with valkuil:
        uitvoering.na_besluit(omg, args.besluit, args.casus, args.stap)
    print(json.dumps({"punt": "geen crash"}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
