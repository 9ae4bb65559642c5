"""The werkproces as a Mermaid flowchart: plain text, shown by the CLI and served by the API alike."""

from __future__ import annotations

from models.werkproces import Werkproces


def mermaid_diagram(wp: Werkproces) -> str:
    regels = ["flowchart TD", "    start([signaal]) --> " + wp.intake.stap]
    for stap in wp.stappen:
        regels.append(f'    {stap.key}["{stap.naam}<br/><small>{stap.eigenaar} · {stap.termijn.tekst()}</small>"]')
    for stap in wp.stappen:
        for u in stap.uitkomsten:
            for volgende in u.volgende:
                regels.append(f"    {stap.key} -->|{u.key}| {volgende}")
            if u.sluit_casus:
                regels.append(f"    {stap.key} -->|{u.key}| einde([casus gesloten])")
            elif not u.volgende:
                regels.append(f"    {stap.key} -->|{u.key}| einde_tak([einde tak])")
    if wp.intake.bij_match:
        regels.append(f"    match([match]) -.-> {wp.intake.bij_match}")
    if wp.stagnatie:
        regels.append(f"    stagnatie([stagnatie]) -.-> {wp.stagnatie.stap}")
    return "\n".join(regels)
