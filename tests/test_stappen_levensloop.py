"""The step lifecycle table: every listed change passes, every other change is refused with a domain error."""

from __future__ import annotations

import itertools

import pytest

from models.casus import ACTIEVE_STAPSTATUSSEN, StapStatus
from models.fouten import Conflict
from models.stappen import LEVENSLOOP, OngeldigeOvergang, overgang, toegestaan


def test_every_listed_change_is_allowed() -> None:
    for o in LEVENSLOOP:
        assert overgang(o.van, o.naar) is o.naar


@pytest.mark.parametrize(
    ("van", "naar"),
    [
        (van, naar)
        for van, naar in itertools.product(StapStatus, StapStatus)
        if (van, naar) not in {(o.van, o.naar) for o in LEVENSLOOP}
    ],
)
def test_an_unlisted_change_is_refused(van: StapStatus, naar: StapStatus) -> None:
    with pytest.raises(OngeldigeOvergang) as fout:
        overgang(van, naar)
    assert isinstance(fout.value, Conflict)
    assert fout.value.veld == "stap"
    assert f"'{van}'" in fout.value.melding
    assert f"'{naar}'" in fout.value.melding


def test_finished_steps_stay_finished_and_every_active_step_can_lapse() -> None:
    for eind in (StapStatus.AFGEROND, StapStatus.VERVALLEN):
        assert not any(toegestaan(eind, naar) for naar in StapStatus)
    assert all(toegestaan(van, StapStatus.VERVALLEN) for van in ACTIEVE_STAPSTATUSSEN)
    assert not toegestaan(StapStatus.OPGESCHORT, StapStatus.BESLOTEN)  # a suspended step is resumed first


def test_stored_strings_are_accepted() -> None:
    assert overgang("open", StapStatus.BESLOTEN) == "besloten"
