"""The normalizer settings subwordx trains with, as HF normalizer components.

A normalizer applies up to three steps, always in this order, each exactly as HF ``tokenizers``
defines it (the components live in :mod:`subwordx.reference.pipeline.normalizers`):

1. **Unicode normalization**: ``NFC`` or ``NFKC``.
2. **Lowercasing**: HF ``Lowercase``, char by char (so a word-final ``Σ`` becomes ``σ``, not the
   ``ς`` of ``str.lower()``: a tokenizer must normalize the same way when it trains and when it
   encodes, and HF encodes this way).
3. **Accent stripping**: ``NFD`` then ``StripAccents`` (every combining mark dropped).

With no step set the text is returned unchanged. Offsets follow HF's alignment: each normalized
char maps back to the span of input chars it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from subwordx.reference.pipeline import normalizers as hf
from subwordx.reference.pipeline.alignment import NormalizedText

__all__ = ["Normalizer", "UnicodeForm"]

UnicodeForm = Literal["nfc", "nfkc"]

Span = tuple[int, int]


@dataclass(frozen=True)
class Normalizer:
    """The normalization steps to apply, in the fixed order unicode → lowercase → strip accents.

    Example:
        >>> Normalizer(unicode="nfkc", lowercase=True, strip_accents=True).normalize("Ｃafé")
        'cafe'
    """

    unicode: UnicodeForm | None = None
    lowercase: bool = False
    strip_accents: bool = False

    def __post_init__(self) -> None:
        if self.unicode not in (None, "nfc", "nfkc"):
            # Imported here so that this module can be read on its own.
            from subwordx.errors import ConfigError

            raise ConfigError(f"unknown unicode normalization {self.unicode!r} (nfc, nfkc or None)")

    @property
    def is_identity(self) -> bool:
        """True when no step is set, so that the text is returned unchanged."""
        return self.unicode is None and not self.lowercase and not self.strip_accents

    def steps(self) -> list[hf.Normalizer]:
        """The HF components, in order."""
        out: list[hf.Normalizer] = []
        if self.unicode is not None:
            out.append(hf.NFC() if self.unicode == "nfc" else hf.NFKC())
        if self.lowercase:
            out.append(hf.Lowercase())
        if self.strip_accents:
            out += [hf.NFD(), hf.StripAccents()]
        return out

    def normalize(self, text: str) -> str:
        """Normalize ``text``."""
        if self.is_identity:
            return text
        return hf.Sequence(self.steps()).normalize_str(text)

    def normalize_with_spans(self, text: str) -> tuple[str, list[Span]]:
        """Normalize ``text``; also give, per output char, the span of input chars it came from
        (HF's alignment).

        Example:
            >>> Normalizer(unicode="nfkc").normalize_with_spans("aｶﾞ")
            ('aガ', [(0, 1), (1, 3)])
        """
        normalized = NormalizedText(text)
        hf.Sequence(self.steps()).normalize(normalized)
        spans = [
            normalized.normalized_to_original(i, i + 1) or (0, 0)
            for i in range(len(normalized.normalized))
        ]
        return normalized.normalized, spans

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        """Normalize ``text``; also give, per output char, the index of the input char it came from.

        Example:
            >>> Normalizer(lowercase=True).normalize_with_offsets("Aİ")
            ('ai̇', [0, 1, 1])
        """
        normalized, spans = self.normalize_with_spans(text)
        return normalized, [start for start, _ in spans]
