"""The organisation register and binding to (organisation, role): school B never sees school A's case."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from alembic import command
from sqlalchemy import Engine, MetaData, insert, select, text

from aanpak.config import STANDAARD_ORGANISATIES, STANDAARD_WERKPROCES
from aanpak.meldingen.instellingen import Beleid
from aanpak.meldingen.kanalen import Kanaal, Kanalen, postvak_url
from aanpak.omgeving import Omgeving
from aanpak.store.db import alembic_config, maak_engine
from aanpak.store.schema import Casus, Melding, Overdracht, StapInstantie, Verwerking
from aanpak.store.werkprocessen import Werkprocessen
from aanpak.usecases import bezorging, grondslag, inzage
from aanpak.usecases.besluit import BesluitIn, neem_besluit
from aanpak.usecases.inzicht import postvak
from aanpak.usecases.overdracht import accepteer_overdracht
from models import organisaties
from models.actor import Actor
from models.binding import controleer_actor, organisatie_voor, partijen_voor
from models.fouten import DefinitieFout, DomeinFout, InvoerFout, NietGevonden
from models.organisaties import Organisatieregister
from models.werkproces import Werkproces, laad_bestand
from tests.conftest import PG_ADMIN_URL, postgres_bereikbaar
from tests.gegevens import besluit, signaleer

WP: Werkproces = laad_bestand(STANDAARD_WERKPROCES)[0]


def _register(tekst: str) -> Organisatieregister:
    return organisaties.laad_tekst(tekst, "test.yaml", WP)


def _paden(tekst: str) -> list[str]:
    with pytest.raises(DefinitieFout) as fout:
        _register(tekst)
    return [pad for pad, _ in fout.value.problemen]


def test_standaardregister_is_geldig_en_kent_de_partners() -> None:
    register = organisaties.laad_bestand(STANDAARD_ORGANISATIES, WP)
    assert register.van_type("school") == ["school-de-wissel", "school-het-baken"]
    for key in ("jgz-limburg-noord", "wijkteam-venlo", "gemeente-venlo", "zvhnl"):
        assert register.heeft(key)
    # every organisation type of the werkproces has at least one concrete partner
    assert {o.type for o in register.organisaties} == {o.key for o in WP.organisaties}


def test_onbekend_type_wordt_genoemd() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: school}\n  - {key: b, naam: B, type: bakker}\n") == [
        "organisaties[1].type"
    ]


def test_dubbele_sleutel_wordt_genoemd() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: school}\n  - {key: a, naam: B, type: jgz}\n") == [
        "organisaties[1].key"
    ]


def test_dubbele_brin_over_twee_scholen() -> None:
    tekst = (
        "organisaties:\n  - {key: a, naam: A, type: school, brin: 12AB}\n"
        "  - {key: b, naam: B, type: school, brin: 12AB}\n"
    )
    with pytest.raises(DefinitieFout) as fout:
        _register(tekst)
    assert [p for p, _ in fout.value.problemen] == ["organisaties[1].brin"]
    assert "12AB" not in str(fout.value)


@pytest.mark.parametrize(
    ("veld", "waarde"),
    [("oin", "'123'"), ("kvk", "'1234567'"), ("brin", "'1AB2'"), ("agb", "'1234567X'"), ("brin", "'12ab'")],
)
def test_misvormde_identificatie_noemt_het_veld(veld: str, waarde: str) -> None:
    tekst = (
        f"organisaties:\n  - {{key: a, naam: A, type: jgz}}\n  - {{key: b, naam: B, type: school, {veld}: {waarde}}}\n"
    )
    assert _paden(tekst) == [f"organisaties[1].{veld}"]


def test_ongeldig_kanaal_en_onbekend_veld() -> None:
    assert _paden("organisaties:\n  - {key: a, naam: A, type: jgz, kanalen: ['geen url']}\n") == [
        "organisaties[0].kanalen[0]"
    ]
    assert _paden("organisaties:\n  - {key: a, naam: A, type: jgz, telefoon: x}\n") == ["organisaties[0].telefoon"]


REGISTER = organisaties.laad_bestand(STANDAARD_ORGANISATIES, WP)


def test_actor_organisatie_moet_van_het_type_van_de_rol_zijn() -> None:
    controleer_actor(WP, REGISTER, Actor("a.mentor", "school-de-wissel", "school.zorgcoordinator"))
    with pytest.raises(InvoerFout) as fout:
        controleer_actor(WP, REGISTER, Actor("a.mentor", "jgz-limburg-noord", "school.zorgcoordinator"))
    assert fout.value.veld == "actor_organisatie"
    with pytest.raises(InvoerFout) as fout:
        controleer_actor(WP, REGISTER, Actor("a.mentor", "school-nergens", "school.zorgcoordinator"))
    assert fout.value.veld == "actor_organisatie"


def test_organisatie_voor_een_rol() -> None:
    # the case's involved organisation of the type wins; else the register's only one; else it must be named
    assert organisatie_voor(WP, REGISTER, "school.teamleider", ["school-het-baken"], None, "x") == "school-het-baken"
    assert organisatie_voor(WP, REGISTER, "wijkteam.casusregisseur", [], None, "x") == "wijkteam-venlo"
    with pytest.raises(InvoerFout) as fout:
        organisatie_voor(WP, REGISTER, "school.teamleider", [], None, "eigenaar_organisatie")
    assert fout.value.veld == "eigenaar_organisatie"
    with pytest.raises(InvoerFout):
        organisatie_voor(WP, REGISTER, "school.teamleider", [], "jgz-limburg-noord", "x")
    # a notification to a school role reaches only the school involved, and no school when none is
    assert [str(p) for p in partijen_voor(WP, REGISTER, "school.teamleider", ["school-de-wissel"])] == [
        "school.teamleider@school-de-wissel"
    ]
    assert partijen_voor(WP, REGISTER, "school.teamleider", []) == []


# -- the migration: existing rows get the single organisation of their type --------------------------------


def _migreer_tot(engine: Engine, revisie: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revisie)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def lege_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database without any schema yet (the migration test drives alembic itself)."""
    if request.param == "sqlite":
        eng = maak_engine(f"sqlite:///{tmp_path / 'migratie.db'}")
        yield eng
        eng.dispose()
        return
    if not postgres_bereikbaar():
        pytest.skip("PostgreSQL op 127.0.0.1:5432 antwoordt niet")
    naam = f"aanpak_migratie_{uuid.uuid4().hex[:10]}"
    admin = maak_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{naam}"'))
    eng = maak_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{naam}")
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)'))
    admin.dispose()


def test_migratie_0006_vult_de_organisatie_van_bestaande_rijen(lege_engine: Engine) -> None:
    _migreer_tot(lege_engine, "0005")
    nu = datetime(2026, 12, 1, 9, tzinfo=UTC)
    meta = MetaData()
    meta.reflect(lege_engine)
    t = meta.tables
    with lege_engine.begin() as conn:  # rows written the 0005 way: roles only
        conn.execute(
            insert(t["werkproces_versie"]).values(
                id=1, key="venlo_convenant", versie="2022.2", inhoud_hash="x", tekst="-", geladen_op=nu
            )
        )
        conn.execute(insert(t["jeugdige"]).values(id=1, identiteit_versleuteld=b"x", naam_hash="n", aangemaakt_op=nu))
        conn.execute(
            insert(t["casus"]).values(
                id=1, ref="C-MIGRATIE", jeugdige_id=1, werkproces_id=1, status="open", ave_niveau=2,
                casusregie="wijkteam.casusregisseur", procesregie="gemeente.procesregisseur", acuut=False,
                geopend_op=nu, versie=1,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["signaal"]).values(
                id=1, ref="S-MIGRATIE", jeugdige_id=1, casus_id=1, bron_rol="school.zorgcoordinator",
                bron_organisatie="school", categorieen=["verzuim"], acuut=False, leeftijdsgroep="12-15",
                zorg_versleuteld=b"x", melder_versleuteld=b"x", ontvangen_op=nu,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["stap"]).values(
                id=1, casus_id=1, stap_key="casusoverleg", volgnummer=1, status="open",
                eigenaar_rol="veilig_thuis.medewerker", acuut=False, gestart_op=nu, termijn_einde=nu,
                opgeschort_werkdagen=0, verlengd_met=0, escalatie_niveau=0, versie=1,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["overdracht"]).values(
                id=1, ref="O-MIGRATIE", casus_id=1, soort="casusregie", van_rol="school.zorgcoordinator",
                naar_rol="wijkteam.casusregisseur", status="aangeboden", aangeboden_op=nu, termijn_einde=nu,
                escalatie_niveau=0, versie=1,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["melding"]).values(
                id=1, sleutel="m1", casus_id=1, soort="escalatie", ontvanger_rol="jgz.teamleider", gegevens={},
                status="wachtend", pogingen=0, volgende_poging=nu, aangemaakt_op=nu,
            )
        )  # fmt: skip
    _migreer_tot(lege_engine, "head")
    with lege_engine.connect() as conn:
        casus = conn.execute(text("SELECT casusregie_organisatie, procesregie_organisatie FROM casus")).one()
        assert tuple(casus) == ("wijkteam-venlo", "gemeente-venlo")
        assert conn.scalar(text("SELECT melder_organisatie FROM signaal")) == "school-de-wissel"
        assert conn.scalar(text("SELECT bron_organisatie FROM signaal")) == "school"  # the type stays for reports
        assert conn.scalar(text("SELECT eigenaar_organisatie FROM stap")) == "veilig-thuis-limburg-noord"
        overdracht = conn.execute(text("SELECT van_organisatie, naar_organisatie FROM overdracht")).one()
        assert tuple(overdracht) == ("school-de-wissel", "wijkteam-venlo")
        assert conn.scalar(text("SELECT ontvanger_organisatie FROM melding")) == "jgz-limburg-noord"
    # The hard-coded mapping is the default register's single organisation per type (schools: the first).
    register = organisaties.laad_bestand(STANDAARD_ORGANISATIES, WP)
    from importlib import import_module

    migratie = import_module("migrations.versions.0006_organisaties")
    assert {o.key: register.van_type(o.key)[0] for o in WP.organisaties} == migratie.TYPE_NAAR_ORGANISATIE


# -- school B is not involved in school A's case ------------------------------------------------------------

SCHOOL = "school.zorgcoordinator"
WIJKTEAM = "wijkteam.casusregisseur"
WISSEL, BAKEN = "school-de-wissel", "school-het-baken"


def _naar_ave_regie(omg: Omgeving) -> str:
    casus = signaleer(omg, organisatie=WISSEL).casus_ref
    besluit(omg, casus, "interne_weging", "eigen_ondersteuning", SCHOOL)
    besluit(omg, casus, "informeren_grondslag", "wettelijke_grondslag", SCHOOL)
    return casus


def test_school_b_ziet_niets_van_de_casus_van_school_a(omg: Omgeving, tmp_path: Path) -> None:
    casus = _naar_ave_regie(omg)
    andere = Actor("b.coordinator", BAKEN, SCHOOL)
    # postvak: school A's coordinator has the open step, school B's has nothing
    assert [t.casus_ref for t in postvak(omg, rol=SCHOOL, organisatie=WISSEL)] == [casus]
    assert postvak(omg, rol=SCHOOL, organisatie=BAKEN) == []
    assert postvak(omg, organisatie=BAKEN) == []
    # notifications: outbox rows name the organisation, never school B; delivered files only in A's folder
    with omg.uow() as sessie:
        rijen = sessie.execute(select(Melding.ontvanger_organisatie, Melding.ontvanger_rol)).all()
    assert rijen
    assert all(o is not None for o, _ in rijen)
    assert {o for o, r in rijen if r.startswith("school.")} == {WISSEL}
    postvak_map = tmp_path / "postvak"
    alles = Kanalen((Kanaal("postvak", "postvak", frozenset({"alle"}), postvak_url(postvak_map)),), "test")
    verslag = bezorging.bezorg(omg, alles, Beleid(timeout=5.0, parallel=1, claim=120.0))
    assert verslag.verzonden == len(rijen)
    assert (postvak_map / WISSEL / SCHOOL).is_dir()
    assert not (postvak_map / BAKEN).exists()
    assert sorted(p.name for p in postvak_map.iterdir()) == sorted({o for o, _ in rijen if o})
    # inzage: refused as if the case did not exist — and logged, with the organisation
    with pytest.raises(NietGevonden) as fout:
        inzage.casus_inzien(omg, casus, andere, "casusoverleg")
    assert str(fout.value) == f"casus: casus '{casus}' bestaat niet"
    with omg.uow() as sessie:
        regel = sessie.scalars(select(Verwerking).order_by(Verwerking.volgnummer.desc())).first()
        assert regel is not None
        assert (regel.organisatie, regel.rol, regel.uitkomst, regel.reden) == (
            BAKEN,
            SCHOOL,
            "geweigerd",
            "niet_betrokken",
        )
    # the same role at school A reads what it brought in itself
    eigen = inzage.casus_inzien(omg, casus, Actor("a.mentor", WISSEL, SCHOOL), "casusoverleg")
    assert eigen.geweigerd is None
    assert eigen.getoond
    # grounds and decisions: school B carries nothing in the case
    with pytest.raises(DomeinFout) as geen_grond:
        grondslag.leg_vast(
            omg, grondslag.GrondslagIn(casus_ref=casus, soort="vitaal_belang", doel="casusoverleg"), andere
        )
    assert geen_grond.value.veld == "actor_rol"
    with pytest.raises(DomeinFout) as geen_besluit:
        neem_besluit(omg, BesluitIn(casus_ref=casus, stap="ave_regie_bepalen", uitkomst="geen_zorg"), andere)
    assert geen_besluit.value.veld == "actor_rol"


def test_een_doel_buiten_de_lijst_wordt_geweigerd(omg: Omgeving) -> None:
    casus = signaleer(omg, organisatie=WISSEL).casus_ref
    with pytest.raises(InvoerFout) as fout:
        inzage.casus_inzien(omg, casus, Actor("a.mentor", WISSEL, SCHOOL), "nieuwsgierig")
    assert fout.value.veld == "doel"
    # a purpose key another role may use is not this role's either
    with pytest.raises(InvoerFout):
        inzage.casus_inzien(omg, casus, Actor("a.mentor", WISSEL, SCHOOL), "veiligheid")


def test_twee_wijkteams_vragen_de_organisatie_in_het_regiebesluit(omg: Omgeving, tmp_path: Path) -> None:
    data = yaml.safe_load(STANDAARD_ORGANISATIES.read_text(encoding="utf-8"))
    data["organisaties"].append({"key": "wijkteam-blerick", "naam": "Wijkteam Blerick", "type": "wijkteam"})
    pad = tmp_path / "organisaties.yaml"
    pad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    omg = replace(omg, werkprocessen=Werkprocessen(STANDAARD_WERKPROCES, pad))
    casus = _naar_ave_regie(omg)
    regie = {"ave_fase": 2, "casusregie": WIJKTEAM, "regie_voorstel": "aanvaard"}
    with pytest.raises(InvoerFout) as fout:
        besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, **regie)
    assert fout.value.veld == "casusregie_organisatie"
    with pytest.raises(InvoerFout) as verkeerd:
        besluit(omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, casusregie_organisatie=BAKEN, **regie)
    assert verkeerd.value.veld == "casusregie_organisatie"
    toegepast = besluit(
        omg, casus, "ave_regie_bepalen", "lokaal", SCHOOL, casusregie_organisatie="wijkteam-blerick", **regie
    )
    [ref] = toegepast.overdrachten
    with omg.uow() as sessie:
        o = sessie.scalars(select(Overdracht).where(Overdracht.ref == ref)).one()
        assert (o.van_organisatie, o.naar_organisatie) == (WISSEL, "wijkteam-blerick")
    assert postvak(omg, rol=WIJKTEAM, organisatie="wijkteam-venlo") == []
    assert [t.overdracht_ref for t in postvak(omg, rol=WIJKTEAM, organisatie="wijkteam-blerick")] == [ref]
    # the other wijkteam's casusregisseur is not offered the handoff: for it, it does not exist
    with pytest.raises(NietGevonden):
        accepteer_overdracht(omg, ref, Actor("c.venlo", "wijkteam-venlo", WIJKTEAM))
    geaccepteerd = accepteer_overdracht(omg, ref, Actor("c.blerick", "wijkteam-blerick", WIJKTEAM))
    assert geaccepteerd.naar_rol == WIJKTEAM
    with omg.uow() as sessie:
        c = sessie.scalars(select(Casus).where(Casus.ref == casus)).one()
        assert (c.casusregie, c.casusregie_organisatie) == (WIJKTEAM, "wijkteam-blerick")
        eigenaars = set(
            sessie.execute(
                select(StapInstantie.eigenaar_organisatie, StapInstantie.eigenaar_rol).where(
                    StapInstantie.casus_id == c.id, StapInstantie.status == "open"
                )
            ).all()
        )
    assert ("wijkteam-venlo", WIJKTEAM) not in eigenaars
