//! Normalizers: NFC/NFKC, lowercase, strip accents, with the alignment back to the input.
//!
//! A [`Normalizer`] applies, in this order (docs/bpe.md §1.2): Unicode NFC or NFKC; lowercase
//! (`str::to_lowercase`, which is Python's `str.lower()`: full case mappings, and the context rule
//! that lowers a word-final `Σ` to `ς`); strip accents (NFD, then drop every char of general
//! category Mn, as HF `StripAccents`). The result of strip accents stays decomposed.
//!
//! Two entry points:
//!
//! * [`Normalizer::normalize_str`] for counting: just the text, borrowing the input when nothing
//!   changes (identity normalizer, ASCII without uppercase, text already normalized), so the common
//!   case allocates nothing.
//! * [`Normalizer::normalize`] for encoding with offsets: the text and, for each of its bytes, the
//!   byte offset in the input of the char it came from ([`Normalized::origin`]).
//!
//! ## How the alignment is computed
//!
//! Normalization forms are not char-by-char maps: canonical ordering moves combining marks, and
//! composition fuses a starter with marks that follow it. They are, however, local to a *segment*: a
//! starter (canonical combining class 0) plus the non-starters after it. So each stage normalizes
//! segment by segment, and every output byte of a segment points at the segment's first input char.
//! Composition can still reach across a few segment boundaries (Hangul jamo `L` + `V`, starters whose
//! NFC quick-check is Maybe or No, Tibetan vowels that decompose to non-starters), so the
//! concatenated segments are compared with the whole-text result; on a mismatch, boundaries are kept
//! only before "stable" starters (quick-check Yes), and if even that differs the whole text is one
//! segment. The text is always the exact whole-text normalization; only the granularity of the
//! alignment degrades, never its correctness. Lowercasing is char by char (one char lowers to one or
//! more chars; `Σ` to `σ` or `ς`, both two bytes), so its alignment is exact.
//!
//! A span `start..end` of normalized bytes maps back with [`Normalized::source_range`]: it starts at
//! `origin[start]` and ends where the next char or segment starts (or at the end of the input), so a
//! token covers every input char its bytes came from.
//!
//! Cost: O(n) per stage; ASCII text takes a byte-level fast path.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{
    is_nfc_quick, is_nfd_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization,
};

/// Unicode normalization form applied first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnicodeForm {
    Nfc,
    Nfkc,
}

/// What to do to a line before pre-tokenization. The default changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalizer {
    pub unicode: Option<UnicodeForm>,
    pub lowercase: bool,
    pub strip_accents: bool,
}

/// A normalized text and, for each of its bytes, the byte offset in the input of the char it came
/// from (`origin.len() == text.len()`). Offsets are non-decreasing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub origin: Vec<u32>,
}

impl Normalized {
    /// The byte range of the input that the normalized bytes `start..end` came from; `input_len` is
    /// the input's length in bytes. The range starts at the origin of `start` and ends where the
    /// input char (or segment) of byte `end - 1` ends, so partial chars widen to whole ones.
    /// An empty range maps to an empty range at its origin.
    pub fn source_range(&self, start: usize, end: usize, input_len: usize) -> (usize, usize) {
        let at = |i: usize| self.origin.get(i).map_or(input_len, |&o| o as usize);
        let s = at(start);
        if end <= start {
            return (s, s);
        }
        let last = at(end - 1);
        // The first byte at or after `end` that comes from a later input char.
        let e = self.origin[end.min(self.origin.len())..]
            .iter()
            .find(|&&o| o as usize > last)
            .map_or(input_len, |&o| o as usize);
        (s, e)
    }
}

/// One normalization stage that can run segment by segment.
#[derive(Clone, Copy)]
enum Stage {
    Nfc,
    Nfkc,
    /// NFD, then drop general category Mn.
    StripAccents,
}

impl Stage {
    fn apply_into(self, text: &str, out: &mut String) {
        match self {
            Stage::Nfc => out.extend(text.nfc()),
            Stage::Nfkc => out.extend(text.nfkc()),
            Stage::StripAccents => out.extend(text.nfd().filter(|&c| !is_nonspacing_mark(c))),
        }
    }

    fn apply(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.apply_into(text, &mut out);
        out
    }

    /// True when `c` is a starter that no stage can combine with, reorder around, or decompose
    /// into non-starters: a safe place to cut the text.
    fn is_stable_boundary(self, c: char) -> bool {
        if canonical_combining_class(c) != 0 {
            return false;
        }
        let one = std::iter::once(c);
        let quick = match self {
            Stage::Nfc => is_nfc_quick(one),
            Stage::Nfkc => is_nfkc_quick(one),
            Stage::StripAccents => is_nfd_quick(one),
        };
        quick == IsNormalized::Yes
    }

    /// True when the stage leaves `text` unchanged, answered without allocating when possible.
    fn is_noop(self, text: &str) -> bool {
        if text.is_ascii() {
            return true;
        }
        match self {
            Stage::Nfc => is_nfc_quick(text.chars()) == IsNormalized::Yes,
            Stage::Nfkc => is_nfkc_quick(text.chars()) == IsNormalized::Yes,
            Stage::StripAccents => {
                is_nfd_quick(text.chars()) == IsNormalized::Yes
                    && !text.chars().any(is_nonspacing_mark)
            }
        }
    }
}

fn is_nonspacing_mark(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory};
    !c.is_ascii() && get_general_category(c) == GeneralCategory::NonspacingMark
}

/// Runs `stage` on `text` whose bytes come from `origin`, segment by segment (module docs).
fn apply_aligned(stage: Stage, text: &str, origin: &[u32]) -> (String, Vec<u32>) {
    let whole = stage.apply(text);
    // Try fine segments (starter + non-starters), then stable-starter segments, then one segment.
    for strict in [false, true] {
        let mut out = String::with_capacity(whole.len());
        let mut out_origin = Vec::with_capacity(whole.len());
        let mut seg_start = 0;
        let mut flush = |seg_start: usize, seg_end: usize, out: &mut String| {
            let before = out.len();
            stage.apply_into(&text[seg_start..seg_end], out);
            out_origin.resize(out.len(), origin[seg_start]);
            debug_assert!(out.len() >= before);
        };
        for (i, c) in text.char_indices().skip(1) {
            let boundary = if strict {
                stage.is_stable_boundary(c)
            } else {
                canonical_combining_class(c) == 0
            };
            if boundary {
                flush(seg_start, i, &mut out);
                seg_start = i;
            }
        }
        if !text.is_empty() {
            flush(seg_start, text.len(), &mut out);
        }
        if out == whole {
            return (out, out_origin);
        }
    }
    let first = origin.first().copied().unwrap_or(0);
    let n = whole.len();
    (whole, vec![first; n])
}

/// Lowercases `text` whose bytes come from `origin`. The text is `str::to_lowercase` (context-aware
/// final sigma); each char's share of it is the length of its char-wise lowercase, which is the same
/// except that `Σ` may become `ς` instead of `σ` (both two bytes).
fn lowercase_aligned(text: &str, origin: &[u32]) -> (String, Vec<u32>) {
    let lower = text.to_lowercase();
    let mut out_origin = Vec::with_capacity(lower.len());
    for (i, c) in text.char_indices() {
        let n: usize = c.to_lowercase().map(char::len_utf8).sum();
        out_origin.extend(std::iter::repeat_n(origin[i], n));
    }
    if out_origin.len() != lower.len() {
        // Cannot happen with std's case tables; degrade the alignment rather than panic.
        let first = origin.first().copied().unwrap_or(0);
        out_origin = vec![first; lower.len()];
    }
    (lower, out_origin)
}

/// Version-1 native files' normalizer settings.
pub type LegacyNormalizer = Normalizer;

impl Normalizer {
    /// The old subwordx settings: unicode form, then lowercase, then NFD + strip accents.
    pub fn from_flags(unicode: Option<UnicodeForm>, lowercase: bool, strip_accents: bool) -> Self {
        Self {
            unicode,
            lowercase,
            strip_accents,
        }
    }

    /// The HF JSON of this normalizer (`null` for identity).
    pub fn to_hf_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut parts = Vec::new();
        match self.unicode {
            Some(UnicodeForm::Nfc) => parts.push(json!({"type": "NFC"})),
            Some(UnicodeForm::Nfkc) => parts.push(json!({"type": "NFKC"})),
            None => {}
        }
        if self.lowercase {
            parts.push(json!({"type": "Lowercase"}));
        }
        if self.strip_accents {
            parts.push(json!({"type": "NFD"}));
            parts.push(json!({"type": "StripAccents"}));
        }
        match parts.len() {
            0 => serde_json::Value::Null,
            1 => parts.remove(0),
            _ => json!({"type": "Sequence", "normalizers": parts}),
        }
    }

    /// Reads HF JSON.
    pub fn from_hf_json(v: &serde_json::Value, source: &str) -> crate::Result<Self> {
        let mut n = Normalizer::default();
        fn walk(v: &serde_json::Value, n: &mut Normalizer, source: &str) -> crate::Result<()> {
            let t = v.get("type").and_then(serde_json::Value::as_str).unwrap_or("?");
            match t {
                "Sequence" => {
                    for p in v.get("normalizers").and_then(serde_json::Value::as_array).into_iter().flatten() {
                        walk(p, n, source)?;
                    }
                }
                "NFC" => n.unicode = Some(UnicodeForm::Nfc),
                "NFKC" => n.unicode = Some(UnicodeForm::Nfkc),
                "Lowercase" => n.lowercase = true,
                "NFD" => {}
                "StripAccents" => n.strip_accents = true,
                other => return Err(crate::Error::corrupt(source, format!("unsupported normalizer {other}"))),
            }
            Ok(())
        }
        if !v.is_null() {
            walk(v, &mut n, source)?;
        }
        Ok(n)
    }

    /// True when `normalize` returns its input unchanged.
    pub fn is_identity(&self) -> bool {
        self.unicode.is_none() && !self.lowercase && !self.strip_accents
    }

    fn unicode_stage(&self) -> Option<Stage> {
        self.unicode.map(|u| match u {
            UnicodeForm::Nfc => Stage::Nfc,
            UnicodeForm::Nfkc => Stage::Nfkc,
        })
    }

    /// The normalized text without alignment (for counting). Borrows `text` when it is unchanged.
    pub fn normalize_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.is_identity() {
            return Cow::Borrowed(text);
        }
        if text.is_ascii() {
            // NFC, NFKC and strip accents leave ASCII alone; lowercasing is the ASCII one.
            if self.lowercase && text.bytes().any(|b| b.is_ascii_uppercase()) {
                return Cow::Owned(text.to_ascii_lowercase());
            }
            return Cow::Borrowed(text);
        }
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        if let Some(stage) = self.unicode_stage() {
            if !stage.is_noop(&cur) {
                cur = Cow::Owned(stage.apply(&cur));
            }
        }
        if self.lowercase {
            let lower = cur.to_lowercase();
            if lower != *cur {
                cur = Cow::Owned(lower);
            }
        }
        if self.strip_accents && !Stage::StripAccents.is_noop(&cur) {
            cur = Cow::Owned(Stage::StripAccents.apply(&cur));
        }
        cur
    }

    /// The normalized text with its alignment to `text` (for offsets).
    pub fn normalize(&self, text: &str) -> Normalized {
        if text.is_ascii() {
            // One output byte per input byte (ASCII lowercasing keeps lengths).
            let text = match self.normalize_str(text) {
                Cow::Borrowed(t) => t.to_owned(),
                Cow::Owned(t) => t,
            };
            let origin = (0..text.len() as u32).collect();
            return Normalized { text, origin };
        }
        let mut cur = text.to_owned();
        let mut origin: Vec<u32> = text
            .char_indices()
            .flat_map(|(i, c)| std::iter::repeat_n(i as u32, c.len_utf8()))
            .collect();
        if let Some(stage) = self.unicode_stage() {
            if !stage.is_noop(&cur) {
                (cur, origin) = apply_aligned(stage, &cur, &origin);
            }
        }
        if self.lowercase {
            (cur, origin) = lowercase_aligned(&cur, &origin);
        }
        if self.strip_accents && !Stage::StripAccents.is_noop(&cur) {
            (cur, origin) = apply_aligned(Stage::StripAccents, &cur, &origin);
        }
        Normalized { text: cur, origin }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(unicode: Option<UnicodeForm>, lowercase: bool, strip_accents: bool) -> Normalizer {
        Normalizer {
            unicode,
            lowercase,
            strip_accents,
        }
    }

    #[test]
    fn identity_and_ascii_borrow() {
        let n = Normalizer::default();
        assert!(matches!(n.normalize_str("Héllo"), Cow::Borrowed("Héllo")));
        let n = norm(Some(UnicodeForm::Nfkc), true, true);
        assert!(matches!(n.normalize_str("hello world"), Cow::Borrowed(_)));
        assert_eq!(n.normalize_str("Hello"), "hello");
        let nfc = norm(Some(UnicodeForm::Nfc), false, false);
        assert!(matches!(nfc.normalize_str("déjà vu"), Cow::Borrowed(_)));
    }

    #[test]
    fn each_stage() {
        let nfc = norm(Some(UnicodeForm::Nfc), false, false);
        assert_eq!(nfc.normalize_str("e\u{301}"), "é");
        let nfkc = norm(Some(UnicodeForm::Nfkc), false, false);
        assert_eq!(nfkc.normalize_str("ﬁ①Ａ"), "fi1A");
        let lower = norm(None, true, false);
        assert_eq!(lower.normalize_str("ΌΣΟΣ ΣΑ İ"), "όσος σα i\u{307}");
        let strip = norm(None, false, true);
        assert_eq!(strip.normalize_str("Crème Brûlée ñ"), "Creme Brulee n");
        let all = norm(Some(UnicodeForm::Nfkc), true, true);
        assert_eq!(all.normalize_str("ÉCOLE ﬁ"), "ecole fi");
    }

    /// `normalize` agrees with `normalize_str`, and origins are valid, non-decreasing offsets.
    #[test]
    fn aligned_text_equals_plain_text() {
        let inputs = [
            "",
            "abc",
            "ÉCOLE Straße ﬁ ΌΣΟΣ",
            "e\u{301}\u{316}x \u{301}lead",
            "\u{1100}\u{1161}\u{11a8} 한국어",
            "\u{f71}\u{f73}x\u{334}\u{f73}",
            "Å Ω K ǅ ẞ İ",
            "😀 中文 ｶﾞ ﾞ",
        ];
        for unicode in [None, Some(UnicodeForm::Nfc), Some(UnicodeForm::Nfkc)] {
            for lowercase in [false, true] {
                for strip in [false, true] {
                    let n = norm(unicode, lowercase, strip);
                    for s in inputs {
                        let a = n.normalize(s);
                        assert_eq!(a.text, n.normalize_str(s), "{n:?} {s:?}");
                        assert_eq!(a.origin.len(), a.text.len());
                        assert!(a.origin.windows(2).all(|w| w[0] <= w[1]));
                        assert!(
                            a.origin.iter().all(|&o| s.is_char_boundary(o as usize)),
                            "{n:?} {s:?} {a:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn alignment_points_at_source_chars() {
        let n = norm(Some(UnicodeForm::Nfc), true, false);
        let s = "Ae\u{301}ﬁ";
        let a = n.normalize(s);
        assert_eq!(a.text, "aéﬁ");
        // a <- A(0); é <- e(1) with its mark; ﬁ (NFC keeps it) <- 4.
        assert_eq!(a.origin, [0, 1, 1, 4, 4, 4]);
        assert_eq!(a.source_range(1, 3, s.len()), (1, 4));
        assert_eq!(a.source_range(3, 6, s.len()), (4, 7));
        // Half of é's bytes still covers the whole source segment.
        assert_eq!(a.source_range(1, 2, s.len()), (1, 4));
        let strip = norm(None, false, true).normalize("né!");
        assert_eq!(strip.text, "ne!");
        assert_eq!(strip.origin, [0, 1, 3]);
    }
}
