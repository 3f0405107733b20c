//! NFC, NFD, NFKC and NFKD as a stream of `(char, change)` pairs for the
//! [`Rewriter`](super::align::Rewriter), with the same changes as HF's
//! `unicode-normalization-alignments`.
//!
//! The algorithm is UAX #15's, in two stages:
//!
//! 1. **Decompose** each input char (canonically, or with compatibility mappings for NFK*). The
//!    first piece of a char replaces it (change 0); each further piece is inserted (change 1).
//!    Every maximal run of non-starters (canonical combining class != 0) is then put in canonical
//!    order by a *stable* sort on the class; a piece keeps its change when it moves, so the
//!    alignment stays positional.
//! 2. **Compose** (NFC, NFKC): a starter absorbs each later char it composes with, unless that char
//!    is blocked (a char of the same or higher class, or any starter, came between). The composite
//!    gets the change `composee + absorbed - 1`: absorbing a replacing char (0) removes one more
//!    input char, absorbing an inserted one (1) removes nothing.
//!
//! The char tables (decompositions, classes, compositions) are the `unicode-normalization` crate's;
//! HF's fork of it has Unicode 9 tables, so chars assigned later may differ (they are rare in text).
//!
//! Cost: O(n). A run of non-starters is buffered until the next starter, sorted with a counting sort
//! on the class when it is long and out of order, and composed in one pass: a line of 100k
//! combining marks costs 100k steps (the old segment-by-segment alignment was quadratic there).

use unicode_normalization::char::{
    canonical_combining_class, compose, decompose_canonical, decompose_compatible,
};

/// A Unicode normalization form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl Form {
    fn compatibility(self) -> bool {
        matches!(self, Form::Nfkc | Form::Nfkd)
    }

    fn composes(self) -> bool {
        matches!(self, Form::Nfc | Form::Nfkc)
    }
}

/// A decomposed piece: canonical combining class, char, change.
type Piece = (u8, char, isize);

/// Normalizes `text` to `form`, calling `emit(char, change)` for each output char in order.
pub(super) fn for_each_change(text: &str, form: Form, mut emit: impl FnMut(char, isize)) {
    let mut composer = Composer::default();
    // The pieces since the last starter (that starter first, when there is one).
    let mut run: Vec<Piece> = Vec::new();
    let mut scratch: Vec<Piece> = Vec::new();
    let mut flush =
        |run: &mut Vec<Piece>, composer: &mut Composer, emit: &mut dyn FnMut(char, isize)| {
            canonical_order(run, &mut scratch);
            for &(ccc, c, change) in run.iter() {
                if form.composes() {
                    composer.push(c, change, ccc, emit);
                } else {
                    emit(c, change);
                }
            }
            run.clear();
        };
    for ch in text.chars() {
        if (ch as u32) < 0xA0 {
            // No decomposition, class 0, in every form.
            flush(&mut run, &mut composer, &mut emit);
            run.push((0, ch, 0));
            continue;
        }
        let mut change = 0;
        let mut piece = |d: char| {
            let ccc = canonical_combining_class(d);
            if ccc == 0 {
                flush(&mut run, &mut composer, &mut emit);
            }
            run.push((ccc, d, change));
            change = 1;
        };
        if form.compatibility() {
            decompose_compatible(ch, &mut piece);
        } else {
            decompose_canonical(ch, &mut piece);
        }
    }
    flush(&mut run, &mut composer, &mut emit);
    composer.finish(&mut emit);
}

/// Stable sort of `run` by combining class. The run holds at most one starter, first, so this puts
/// its non-starters in canonical order.
fn canonical_order(run: &mut Vec<Piece>, scratch: &mut Vec<Piece>) {
    if run.windows(2).all(|w| w[0].0 <= w[1].0) {
        return;
    }
    if run.len() <= 32 {
        run.sort_by_key(|p| p.0);
        return;
    }
    // Counting sort: linear in the run, stable.
    let mut start = [0usize; 257];
    for p in run.iter() {
        start[p.0 as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    scratch.clear();
    scratch.resize(run.len(), (0, '\0', 0));
    for &p in run.iter() {
        let slot = &mut start[p.0 as usize];
        scratch[*slot] = p;
        *slot += 1;
    }
    std::mem::swap(run, scratch);
}

/// Canonical composition over the decomposed stream (UAX #15 D117), one char at a time.
#[derive(Default)]
struct Composer {
    /// The last starter, which later chars may compose with, and its change.
    starter: Option<(char, isize)>,
    /// Chars after the starter that did not compose with it, waiting to be emitted after it.
    pending: Vec<(char, isize)>,
    /// The class of the last pending char (`None` when nothing is pending).
    last_class: Option<u8>,
}

impl Composer {
    fn push(&mut self, c: char, change: isize, ccc: u8, emit: &mut dyn FnMut(char, isize)) {
        let Some((k, k_change)) = self.starter else {
            // Non-starters before any starter pass straight through.
            if ccc == 0 {
                self.starter = Some((c, change));
            } else {
                emit(c, change);
            }
            return;
        };
        // `c` is blocked from the starter when a pending char has the same or a higher class.
        let blocked = self.last_class.is_some_and(|last| last >= ccc);
        if !blocked {
            if let Some(composite) = compose(k, c) {
                self.starter = Some((composite, k_change + change - 1));
                return;
            }
        }
        if ccc == 0 {
            // A new starter: everything before it is final.
            emit(k, k_change);
            for (p, p_change) in self.pending.drain(..) {
                emit(p, p_change);
            }
            self.last_class = None;
            self.starter = Some((c, change));
        } else {
            self.pending.push((c, change));
            self.last_class = Some(ccc);
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(char, isize)) {
        if let Some((k, k_change)) = self.starter.take() {
            emit(k, k_change);
        }
        for (p, p_change) in self.pending.drain(..) {
            emit(p, p_change);
        }
        self.last_class = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn changes(text: &str, form: Form) -> Vec<(char, isize)> {
        let mut out = Vec::new();
        for_each_change(text, form, |c, ch| out.push((c, ch)));
        out
    }

    #[test]
    fn changes_as_hf_reports_them() {
        // Composition removes the absorbed char: ｶ + ﾞ -> ガ replaces ｶ and removes ﾞ.
        assert_eq!(changes("aｶﾞ", Form::Nfkc), [('a', 0), ('ガ', -1)]);
        // Decomposition inserts: ﬁ -> f replaces, i is new.
        assert_eq!(changes("ﬁ", Form::Nfkc), [('f', 0), ('i', 1)]);
        // Hangul L V T compose into one syllable that removes two chars.
        assert_eq!(changes("\u{1100}\u{1161}\u{11a8}", Form::Nfc), [('각', -2)]);
        // Reordering moves pieces with their changes: ṩ + U+0316 (class 220) under NFD.
        assert_eq!(
            changes("\u{1e69}\u{316}", Form::Nfd),
            [('s', 0), ('\u{323}', 1), ('\u{316}', 0), ('\u{307}', 1)]
        );
        // ǅ under NFKC: D, then ž composed from two inserted pieces stays inserted.
        assert_eq!(changes("ǅ", Form::Nfkc), [('D', 0), ('ž', 1)]);
    }

    /// Short strings over chars that stress reordering, blocking, Hangul and compatibility
    /// mappings.
    fn random_strings(n: usize) -> Vec<String> {
        let alphabet: Vec<char> = "aeEs\u{1100}\u{1161}\u{11a8}가\u{300}\u{301}\u{316}\u{323}\u{307}\u{334}\u{f71}\u{f72}\u{f73}\u{344}ｶﾞﾟ\u{3099}ﬁǅ\u{1e69}Å\u{b47}\u{b3e}éǖḉ\u{327}\u{308} ".chars().collect();
        let mut state = 0x2545_f491_u32;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut s = String::new();
            for _ in 0..(state % 9) {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                s.push(alphabet[state as usize % alphabet.len()]);
            }
            state = state.wrapping_add(0x9e37_79b9);
            out.push(s);
        }
        out
    }

    /// The text is the `unicode-normalization` crate's.
    #[test]
    fn text_matches_the_crate() {
        for s in random_strings(3000) {
            for form in [Form::Nfc, Form::Nfd, Form::Nfkc, Form::Nfkd] {
                let ours: String = changes(&s, form).into_iter().map(|p| p.0).collect();
                let theirs: String = match form {
                    Form::Nfc => s.nfc().collect(),
                    Form::Nfd => s.nfd().collect(),
                    Form::Nfkc => s.nfkc().collect(),
                    Form::Nfkd => s.nfkd().collect(),
                };
                assert_eq!(ours, theirs, "{form:?} {s:?}");
            }
        }
    }

    /// Text that passes the quick check for a form comes out as each char replacing itself (the
    /// aligned path skips such text).
    #[test]
    fn normalized_text_is_rewritten_in_place() {
        use unicode_normalization::IsNormalized::Yes;
        use unicode_normalization::{is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick};
        let mut checked = 0;
        for s in random_strings(4000) {
            for form in [Form::Nfc, Form::Nfd, Form::Nfkc, Form::Nfkd] {
                // Both the string and its normal form (which always passes or is Maybe).
                let normal: String = changes(&s, form).into_iter().map(|p| p.0).collect();
                for t in [&s, &normal] {
                    let quick = match form {
                        Form::Nfc => is_nfc_quick(t.chars()),
                        Form::Nfd => is_nfd_quick(t.chars()),
                        Form::Nfkc => is_nfkc_quick(t.chars()),
                        Form::Nfkd => is_nfkd_quick(t.chars()),
                    };
                    if quick == Yes {
                        let same: Vec<(char, isize)> = t.chars().map(|c| (c, 0)).collect();
                        assert_eq!(changes(t, form), same, "{form:?} {t:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn long_runs_sort_stably() {
        let mut s = String::from("a");
        for i in 0..100 {
            s.push(if i % 2 == 0 { '\u{301}' } else { '\u{316}' });
        }
        let ours: String = changes(&s, Form::Nfd).into_iter().map(|p| p.0).collect();
        assert_eq!(ours, s.nfd().collect::<String>());
    }
}
