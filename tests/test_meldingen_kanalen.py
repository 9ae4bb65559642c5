"""Channel configuration: apprise YAML with secrets from the environment, clear errors, and coverage of roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aanpak.cli.meldingen import meldingen_app
from aanpak.config import STANDAARD_WERKPROCES
from aanpak.meldingen import kanalen as kanaalconfig
from aanpak.meldingen.dekking import dekking, mogelijke_ontvangers
from aanpak.meldingen.kanalen import KanaalFout
from models.werkproces import laad_bestand

GEHEIM = "s3cr3t-Wachtwoord-717"


def tekst(uitvoer: str) -> str:
    """The console wraps long lines; compare on words."""
    return " ".join(uitvoer.split())


def test_secrets_from_the_environment_and_a_secret_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(GEHEIM + "\n", encoding="utf-8")
    tekst = """
version: 1
urls:
  - "json://hook:${WEBHOOK_WACHTWOORD}@127.0.0.1:8080/meldingen":
      tag: wijkteam, gemeente.procesregisseur
  - "mailto://mail:${SMTP_WACHTWOORD}@127.0.0.1:2525?from=aanpak@venlo.example&to=school@example.org":
      tag: school
  - "json://127.0.0.1:8081/audit":
      tag: wijkteam
"""
    omgeving = {"WEBHOOK_WACHTWOORD": GEHEIM, "SMTP_WACHTWOORD_FILE": str(tmp_path / "token")}
    k = kanaalconfig.lees(tekst, "kanalen.yaml", omgeving)
    assert [c.id for c in k.kanalen] == ["gemeente.procesregisseur+wijkteam/json", "school/mailto", "wijkteam/json"]
    assert all(GEHEIM in c.url for c in k.kanalen[:2])
    assert GEHEIM not in repr(k)  # ids and reprs never carry the URL
    assert [c.id for c in k.voor("wijkteam.casusregisseur", "wijkteam")] == [
        "gemeente.procesregisseur+wijkteam/json",
        "wijkteam/json",
    ]
    assert [c.id for c in k.voor("gemeente.procesregisseur", "gemeente")] == ["gemeente.procesregisseur+wijkteam/json"]
    assert k.voor("politie.wijkagent", "politie") == []


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("urls:\n  - json://a:\n   tag: [x\n", "geen geldige YAML (regel"),
        ("- json://127.0.0.1/\n", "verwacht een apprise YAML-configuratie"),
        ("urls: []\n", "'urls:' ontbreekt of is leeg"),
        ("include: [x.yaml]\nurls: [json://127.0.0.1/]\n", "onbekende sleutel(s) include"),
        ('urls:\n  - "bestaatniet://${GEHEIM_X}@host/":\n      tag: school\n', "urls[0] (bestaatniet://…) is geen"),
        ('urls:\n  - "json://127.0.0.1/":\n      tag: school\n  - "json://${ONTBREEKT}@h/"\n', "ONTBREEKT"),
        ('urls:\n  - "json://u:${GEHEIM_X}@127.0.0.1/"\n', "urls[0] (json://…) heeft geen tag"),
        ("urls:\n  - json://127.0.0.1/: 5\n", "urls[0]: de opties moeten een mapping"),
    ],
)
def test_an_unusable_configuration_gives_a_clear_error(tekst: str, verwacht: str) -> None:
    with pytest.raises(KanaalFout) as fout:
        kanaalconfig.lees(tekst, "/etc/aanpak/kanalen.yaml", {"GEHEIM_X": GEHEIM})
    bericht = str(fout.value)
    assert bericht.startswith("kanaalconfiguratie /etc/aanpak/kanalen.yaml: ")
    assert verwacht in bericht
    assert GEHEIM not in bericht


def test_a_missing_file_and_the_embedded_default(tmp_path: Path) -> None:
    with pytest.raises(KanaalFout, match="kan het bestand niet lezen"):
        kanaalconfig.laad(tmp_path / "weg.yaml")
    ingebouwd = kanaalconfig.laad(None)
    assert [k.id for k in ingebouwd.kanalen] == ["postvak"]
    assert ingebouwd.voor("om.officier")  # every role reaches the local mailbox folder


def test_a_role_without_channel_is_a_configuration_error() -> None:
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    alle = {r.key for r in wp.rollen}
    assert mogelijke_ontvangers(wp) == alle  # melders and casusregie can be any role
    organisaties = sorted({r.organisatie for r in wp.rollen} - {"politie"})
    tekst = "urls:\n" + "".join(f'  - "json://127.0.0.1/{o}":\n      tag: {o}\n' for o in organisaties)
    tekst += '  - "json://127.0.0.1/typo":\n      tag: politie.wijkagnet\n'
    d = dekking(wp, kanaalconfig.lees(tekst, "k.yaml", {}))
    assert d.zonder_kanaal == tuple(sorted(r for r in alle if r.startswith("politie.")))
    assert d.onbekende_tags == ("politie.wijkagnet",)


def test_cli_controleer_reports_roles_without_channel_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    organisaties = sorted({r.organisatie for r in wp.rollen})
    goed = tmp_path / "goed.yaml"
    # Two schools in the register: a channel tagged "school" would tell every school; each is named by its key.
    tags = [o for o in organisaties if o != "school"] + ["school-de-wissel", "school-het-baken"]
    goed.write_text(
        "urls:\n" + "".join(f'  - "json://127.0.0.1/{o}":\n      tag: {o}\n' for o in tags), encoding="utf-8"
    )
    uitslag = runner.invoke(meldingen_app, ["controleer", "--bestand", str(goed)])
    assert uitslag.exit_code == 0, uitslag.output
    assert "In orde" in tekst(uitslag.output)

    half = tmp_path / "half.yaml"
    half.write_text('urls:\n  - "json://127.0.0.1/s":\n      tag: school\n', encoding="utf-8")
    uitslag = runner.invoke(meldingen_app, ["controleer", "--bestand", str(half)])
    assert uitslag.exit_code == 1
    assert "geen kanaal voor rol(len)" in tekst(uitslag.output)
    assert "wijkteam.casusregisseur" in tekst(uitslag.output)

    kapot = tmp_path / "kapot.yaml"
    kapot.write_text("urls: [\n", encoding="utf-8")
    uitslag = runner.invoke(meldingen_app, ["controleer", "--bestand", str(kapot)])
    assert uitslag.exit_code == 1
    assert "kapot.yaml" in "".join(uitslag.output.split())  # a long temporary path may wrap inside the name
    assert "geen geldige YAML" in tekst(uitslag.output)


def test_the_example_from_the_docs_is_usable() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "meldingen.md").read_text(encoding="utf-8")
    voorbeeld = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    namen = ["SMTP_WACHTWOORD", "WIJKTEAM_HOOK_TOKEN", "TEAMS_HOST", "TEAMS_WORKFLOW", "TEAMS_SIGNATUUR"]
    omgeving = {n: "x" + n.lower().replace("_", "") for n in namen}
    omgeving["TEAMS_HOST"] = "prod-00.westeurope.logic.azure.com"
    omgeving["SLACK_TOKEN"] = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    k = kanaalconfig.lees(voorbeeld, "docs/meldingen.md", omgeving)
    wp, _ = laad_bestand(STANDAARD_WERKPROCES)
    assert len(k.kanalen) == 5
    assert dekking(wp, k).zonder_kanaal == ()
