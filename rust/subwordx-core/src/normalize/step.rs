//! Each [`NormalizerStep`] twice: on the text alone (for counting), and on a [`Normalized`] with its
//! alignment (for offsets). The two must give the same text; the tests check it on every golden case.

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{
    is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick, IsNormalized, UnicodeNormalization,
};

use super::align::{Normalized, Rewriter};
use super::unicode::{for_each_change, Form};
use super::{NormalizerStep, ReplacePattern};

impl NormalizerStep {
    /// True when the step leaves every ASCII text unchanged.
    pub(super) fn is_noop_on_ascii(&self) -> bool {
        matches!(
            self,
            NormalizerStep::Nfc
                | NormalizerStep::Nfd
                | NormalizerStep::Nfkc
                | NormalizerStep::Nfkd
                | NormalizerStep::StripAccents
        )
    }

    /// False when the step can turn ASCII text into non-ASCII text.
    pub(super) fn keeps_ascii(&self) -> bool {
        match self {
            NormalizerStep::Replace { content, .. } => content.is_ascii(),
            NormalizerStep::Prepend(s) => s.is_ascii(),
            NormalizerStep::Precompiled(_) => false,
            _ => true,
        }
    }

    /// The step on `text` alone; `None` when it leaves `text` unchanged. `ascii` tells whether
    /// `text` is ASCII (known by the caller, so it is not scanned once per step).
    pub(super) fn apply_text(&self, text: &str, ascii: bool) -> Option<String> {
        match self {
            NormalizerStep::Nfc => unicode_text(text, ascii, Form::Nfc),
            NormalizerStep::Nfd => unicode_text(text, ascii, Form::Nfd),
            NormalizerStep::Nfkc => unicode_text(text, ascii, Form::Nfkc),
            NormalizerStep::Nfkd => unicode_text(text, ascii, Form::Nfkd),
            NormalizerStep::Lowercase => lowercase_text(text, ascii),
            NormalizerStep::StripAccents => {
                if ascii || !text.chars().any(is_mark) {
                    None
                } else {
                    Some(text.chars().filter(|&c| !is_mark(c)).collect())
                }
            }
            NormalizerStep::Strip { left, right } => {
                let kept = strip(text, *left, *right);
                (kept.len() != text.len()).then(|| text[kept].to_owned())
            }
            NormalizerStep::Replace { pattern, content } => {
                let mut out = String::new();
                let mut last = 0;
                let mut any = false;
                if !text.is_empty() {
                    pattern.for_each_match(text, |s, e| {
                        out.push_str(&text[last..s]);
                        out.push_str(content);
                        last = e;
                        any = true;
                    });
                }
                any.then(|| {
                    out.push_str(&text[last..]);
                    out
                })
            }
            NormalizerStep::Prepend(s) => (!text.is_empty()).then(|| format!("{s}{text}")),
            NormalizerStep::Precompiled(m) => m.normalize_text(text),
            NormalizerStep::Bert {
                clean_text,
                handle_chinese_chars,
                strip_accents,
                lowercase,
            } => {
                let mut cur: Option<String> = None;
                let update = |cur: &mut Option<String>, f: &dyn Fn(&str) -> Option<String>| {
                    let next = f(cur.as_deref().unwrap_or(text));
                    if next.is_some() {
                        *cur = next;
                    }
                };
                if *clean_text {
                    update(&mut cur, &|t| bert_clean_text(t));
                }
                if *handle_chinese_chars && !ascii {
                    update(&mut cur, &|t| {
                        t.chars().any(is_chinese_char).then(|| {
                            let mut out = String::with_capacity(t.len() + 16);
                            for c in t.chars() {
                                if is_chinese_char(c) {
                                    out.extend([' ', c, ' ']);
                                } else {
                                    out.push(c);
                                }
                            }
                            out
                        })
                    });
                }
                if strip_accents.unwrap_or(*lowercase) && !ascii {
                    update(&mut cur, &|t| {
                        decompose_and_drop_text(t, false, Form::Nfd, is_nonspacing_mark)
                    });
                }
                if *lowercase {
                    update(&mut cur, &|t| lowercase_text(t, ascii));
                }
                cur
            }
        }
    }

    /// The step on `cur` with its alignment; `None` when it changes neither text nor alignment.
    pub(super) fn apply_aligned(&self, cur: &Normalized) -> Option<Normalized> {
        let text = cur.text.as_str();
        match self {
            NormalizerStep::Nfc => unicode_aligned(cur, Form::Nfc),
            NormalizerStep::Nfd => unicode_aligned(cur, Form::Nfd),
            NormalizerStep::Nfkc => unicode_aligned(cur, Form::Nfkc),
            NormalizerStep::Nfkd => unicode_aligned(cur, Form::Nfkd),
            NormalizerStep::Lowercase => lowercase_aligned(cur),
            NormalizerStep::StripAccents => filter_map_aligned(cur, |c| (!is_mark(c)).then_some(c)),
            NormalizerStep::Strip { left, right } => {
                // Stripping keeps every other char with its own alignment. (HF attaches the
                // trailing removal to the last kept char only for ASCII text, by comparing a char
                // index with a byte length; either way nothing after it is read.)
                let kept = strip(text, *left, *right);
                if kept.len() == text.len() {
                    return None;
                }
                let mut out = Normalized::with_capacity(kept.len());
                out.push_slice(cur, kept);
                Some(out)
            }
            NormalizerStep::Replace { pattern, content } => replace_aligned(cur, pattern, content),
            NormalizerStep::Precompiled(m) => m.normalize_aligned(cur),
            NormalizerStep::Prepend(s) => {
                // HF: transform the first char into `s` + that char: the first char of `s` replaces
                // it, the rest of `s` and the char itself are inserted after it, so all align to the
                // first char. Prepending "" inserts the char at the very start: aligned to nothing.
                let first = text.chars().next()?;
                let mut rw = Rewriter::new(cur);
                let mut chars = s.chars();
                if let Some(c0) = chars.next() {
                    rw.apply(c0, 0);
                }
                for c in chars {
                    rw.apply(c, 1);
                }
                rw.apply(first, 1);
                rw.copy_rest(first.len_utf8());
                Some(rw.finish())
            }
            NormalizerStep::Bert {
                clean_text,
                handle_chinese_chars,
                strip_accents,
                lowercase,
            } => {
                let mut cur_owned: Option<Normalized> = None;
                let mut update = |f: &dyn Fn(&Normalized) -> Option<Normalized>| {
                    let next = f(cur_owned.as_ref().unwrap_or(cur));
                    if next.is_some() {
                        cur_owned = next;
                    }
                };
                if *clean_text {
                    // HF: filter out NUL, U+FFFD and controls, then map whitespace to ' '; every
                    // kept char keeps its own alignment.
                    update(&|n| filter_map_aligned(n, bert_clean_char));
                }
                if *handle_chinese_chars {
                    // HF: (' ', 0), (c, 1), (' ', 1): the three chars align to the ideograph.
                    update(&|n| {
                        if n.text.is_ascii() || !n.text.chars().any(is_chinese_char) {
                            return None;
                        }
                        let mut out = Normalized::with_capacity(n.text.len() + 16);
                        for (i, c) in n.text.char_indices() {
                            let a = n.align[i];
                            if is_chinese_char(c) {
                                out.push(' ', a);
                                out.push(c, a);
                                out.push(' ', a);
                            } else {
                                out.push(c, a);
                            }
                        }
                        Some(out)
                    });
                }
                if strip_accents.unwrap_or(*lowercase) {
                    update(&|n| decompose_and_drop_aligned(n, Form::Nfd, is_nonspacing_mark));
                }
                if *lowercase {
                    update(&lowercase_aligned);
                }
                cur_owned
            }
        }
    }
}

impl ReplacePattern {
    /// Calls `f(start, end)` for each match in `text`, left to right, without overlaps.
    pub(super) fn for_each_match(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match self {
            ReplacePattern::String(s) => {
                for (i, m) in text.match_indices(s.as_str()) {
                    f(i, i + m.len());
                }
            }
            ReplacePattern::Regex(re) => re.for_each_match(text, f),
        }
    }
}

/// True when the quick check (UAX #15) proves `text` already in `form`.
fn is_normalized(text: &str, form: Form) -> bool {
    let quick = match form {
        Form::Nfc => is_nfc_quick(text.chars()),
        Form::Nfd => is_nfd_quick(text.chars()),
        Form::Nfkc => is_nfkc_quick(text.chars()),
        Form::Nfkd => is_nfkd_quick(text.chars()),
    };
    quick == IsNormalized::Yes
}

fn unicode_text(text: &str, ascii: bool, form: Form) -> Option<String> {
    if ascii || is_normalized(text, form) {
        return None;
    }
    let out: String = match form {
        Form::Nfc => text.nfc().collect(),
        Form::Nfd => text.nfd().collect(),
        Form::Nfkc => text.nfkc().collect(),
        Form::Nfkd => text.nfkd().collect(),
    };
    (out != text).then_some(out)
}

fn unicode_aligned(cur: &Normalized, form: Form) -> Option<Normalized> {
    // Text already in `form` comes out of the rewrite as each char replacing itself (a char
    // decomposed and recomposed sums its changes back to 0; marks already in canonical order do
    // not move), so nothing changes: skip it. `unicode::tests` checks this on random text.
    if cur.text.is_ascii() || is_normalized(&cur.text, form) {
        return None;
    }
    let mut rw = Rewriter::new(cur);
    for_each_change(&cur.text, form, |c, change| rw.apply(c, change));
    Some(rw.finish())
}

/// NFD or NFKD, then drop the chars `drop` selects: two HF steps (`NFD`, `StripAccents`; or
/// Bert's strip accents) in one pass, with the same result.
pub(super) fn decompose_and_drop_text(
    text: &str,
    ascii: bool,
    form: Form,
    drop: fn(char) -> bool,
) -> Option<String> {
    if ascii || (is_normalized(text, form) && !text.chars().any(drop)) {
        return None;
    }
    let out: String = if form == Form::Nfkd {
        text.nfkd().filter(|&c| !drop(c)).collect()
    } else {
        text.nfd().filter(|&c| !drop(c)).collect()
    };
    (out != text).then_some(out)
}

/// [`decompose_and_drop_text`] with the alignment: the decomposition's rewrite, where dropped
/// chars still move the cursor but are not written (HF's filter keeps each other char's range).
pub(super) fn decompose_and_drop_aligned(
    cur: &Normalized,
    form: Form,
    drop: fn(char) -> bool,
) -> Option<Normalized> {
    if cur.text.is_ascii() {
        return None;
    }
    if is_normalized(&cur.text, form) {
        return filter_map_aligned(cur, |c| (!drop(c)).then_some(c));
    }
    let mut rw = Rewriter::new(cur);
    for_each_change(&cur.text, form, |c, change| {
        rw.apply_kept(c, change, !drop(c));
    });
    Some(rw.finish())
}

/// True when `c` lowercases to itself (`char::to_lowercase`, one char).
fn lowercases_to_itself(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    let mut l = c.to_lowercase();
    l.next() == Some(c) && l.next().is_none()
}

/// HF `Lowercase`: char by char with `char::to_lowercase` (full mappings, no context: a final `Σ`
/// becomes `σ`, unlike `str::to_lowercase` and Python's `str.lower()`).
fn lowercase_text(text: &str, ascii: bool) -> Option<String> {
    if ascii {
        return text
            .bytes()
            .any(|b| b.is_ascii_uppercase())
            .then(|| text.to_ascii_lowercase());
    }
    if text.chars().all(lowercases_to_itself) {
        return None;
    }
    if text.contains('Σ') {
        Some(text.chars().flat_map(char::to_lowercase).collect())
    } else {
        // The final-sigma rule is the only context in `str::to_lowercase`; without `Σ` it is the
        // char-by-char mapping, and faster.
        Some(text.to_lowercase())
    }
}

fn lowercase_aligned(cur: &Normalized) -> Option<Normalized> {
    let text = cur.text.as_str();
    if text.is_ascii() {
        // One byte to one byte: the alignment stays.
        let lower = lowercase_text(text, true)?;
        return Some(Normalized {
            text: lower,
            align: cur.align.clone(),
        });
    }
    if text.chars().all(lowercases_to_itself) {
        return None;
    }
    // HF: the first char of a char's lowercase replaces it (its range), the others are inserted
    // right after it (the range of the char before the cursor: it again).
    let mut out = Normalized::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        for l in c.to_lowercase() {
            out.push(l, cur.align[i]);
        }
    }
    Some(out)
}

/// HF `filter` and `map` in one: each char mapped to `Some(c)` is kept (as `c`) with its own
/// alignment, the others are dropped. `None` when nothing changes.
fn filter_map_aligned(cur: &Normalized, f: impl Fn(char) -> Option<char>) -> Option<Normalized> {
    if !cur.text.chars().any(|c| f(c) != Some(c)) {
        return None;
    }
    let mut out = Normalized::with_capacity(cur.text.len());
    for (i, c) in cur.text.char_indices() {
        if let Some(m) = f(c) {
            out.push(m, cur.align[i]);
        }
    }
    Some(out)
}

/// The byte range `Strip` keeps: without leading and/or trailing `char::is_whitespace` chars.
fn strip(text: &str, left: bool, right: bool) -> std::ops::Range<usize> {
    let start = if left {
        text.len() - text.trim_start().len()
    } else {
        0
    };
    let end = if right {
        text.trim_end().len().max(start)
    } else {
        text.len()
    };
    start..end
}

/// HF `NormalizedString::replace`: text outside matches keeps its alignment; every char of the
/// replacement aligns to the last char of the match (for an empty match, the char before it, or
/// nothing at the start of the text).
fn replace_aligned(
    cur: &Normalized,
    pattern: &ReplacePattern,
    content: &str,
) -> Option<Normalized> {
    let text = cur.text.as_str();
    if text.is_empty() {
        // HF finds no match in an empty string, even for a pattern that matches "".
        return None;
    }
    let mut out = Normalized::with_capacity(text.len());
    let mut last = 0;
    let mut any = false;
    pattern.for_each_match(text, |s, e| {
        out.push_slice(cur, last..s);
        let a = if e == 0 { (0, 0) } else { cur.align[e - 1] };
        for c in content.chars() {
            out.push(c, a);
        }
        last = e;
        any = true;
    });
    if !any {
        return None;
    }
    out.push_slice(cur, last..text.len());
    Some(out)
}

/// General category Mark (Mn, Mc, Me): what HF `StripAccents` drops.
pub(super) fn is_mark(c: char) -> bool {
    !c.is_ascii() && is_combining_mark(c)
}

fn is_nonspacing_mark(c: char) -> bool {
    !c.is_ascii() && get_general_category(c) == GeneralCategory::NonspacingMark
}

/// HF Bert `clean_text` on one char: `None` to drop it, `Some(' ')` for whitespace.
fn bert_clean_char(c: char) -> Option<char> {
    if c == '\0' || c == '\u{fffd}' || is_bert_control(c) {
        None
    } else if matches!(c, '\t' | '\n' | '\r') || c.is_whitespace() {
        Some(' ')
    } else {
        Some(c)
    }
}

fn bert_clean_text(text: &str) -> Option<String> {
    if !text.chars().any(|c| bert_clean_char(c) != Some(c)) {
        return None;
    }
    Some(text.chars().filter_map(bert_clean_char).collect())
}

/// HF Bert's control chars: general category Cc, Cf or Co, except tab, newline and carriage return
/// (which count as whitespace).
fn is_bert_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::PrivateUse
    )
}

/// HF Bert's "Chinese" chars: the CJK Unified Ideographs blocks and extensions, and the CJK
/// compatibility ideographs (not Hangul, kana or CJK punctuation).
fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}
