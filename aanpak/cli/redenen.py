"""The Dutch wording of the fixed refusal reasons of an inzage, for the local CLI and its client mode alike."""

from __future__ import annotations

from models.privacy import Weigerreden

REDENEN = {
    Weigerreden.NIET_BETROKKEN.value: "uw rol is niet betrokken bij deze casus",
    Weigerreden.NIET_NODIG.value: "niet nodig voor uw taak (need-to-know)",
    Weigerreden.AVE_FASE.value: "pas in een hogere AVE-fase",
    Weigerreden.GEEN_GRONDSLAG.value: "geen toestemming of wettelijke grondslag voor dit doel",
    Weigerreden.BEPERKT.value: "de verwerking is beperkt (art. 18 AVG)",
}
