//! The normalized text with its alignment, and the cursor that rewrites it the way HF's
//! `NormalizedString::transform` does (module docs of [`super`], "Alignment").

/// A normalized text and, for each of its bytes, the byte range `(start, end)` of the input it
/// aligns to (`align.len() == text.len()`; every byte of a char has the same range).
///
/// This is HF's `NormalizedString` alignment: see the module docs of [`super`] for how each step
/// moves it. Offsets are `u32`: inputs are lines or documents, far below 4 GiB; a longer input
/// gets saturated (wrong, never out-of-bounds) offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub align: Vec<(u32, u32)>,
}

impl Normalized {
    /// `text` unchanged: each byte aligns to the input char it belongs to.
    pub fn identity(text: &str) -> Self {
        let to32 = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let align = if text.is_ascii() {
            (0..text.len()).map(|i| (to32(i), to32(i + 1))).collect()
        } else {
            let mut align = Vec::with_capacity(text.len());
            for (i, c) in text.char_indices() {
                let n = c.len_utf8();
                align.extend(std::iter::repeat_n((to32(i), to32(i + n)), n));
            }
            align
        };
        Normalized {
            text: text.to_owned(),
            align,
        }
    }

    pub(super) fn with_capacity(bytes: usize) -> Self {
        Normalized {
            text: String::with_capacity(bytes),
            align: Vec::with_capacity(bytes),
        }
    }

    /// Appends `c`, every byte of it aligned to `a`.
    pub(super) fn push(&mut self, c: char, a: (u32, u32)) {
        self.text.push(c);
        self.align.extend(std::iter::repeat_n(a, c.len_utf8()));
    }

    /// Appends the bytes `range` of `src` with their alignment (a char-aligned range).
    pub(super) fn push_slice(&mut self, src: &Normalized, range: std::ops::Range<usize>) {
        self.text.push_str(&src.text[range.clone()]);
        self.align.extend_from_slice(&src.align[range]);
    }

    /// The byte range of the input that the normalized bytes `start..end` came from; `input_len`
    /// is the input's length in bytes.
    ///
    /// HF's rule (`NormalizedString::convert_offsets`): from the start of the first byte's range to
    /// the end of the last byte's range. An empty span maps to an empty range where its byte's
    /// range starts (at the end of the last range when it is past the text), and on an empty text
    /// to the whole input, as HF does.
    pub fn source_range(&self, start: usize, end: usize, input_len: usize) -> (usize, usize) {
        let Some(last) = self.align.last() else {
            return (0, input_len);
        };
        let end = end.min(self.align.len());
        if end <= start {
            let at = self.align.get(start).map_or(last.1, |a| a.0) as usize;
            return (at, at);
        }
        (self.align[start].0 as usize, self.align[end - 1].1 as usize)
    }
}

/// Rewrites a [`Normalized`] with the `(char, change)` protocol of HF's `transform`, keeping a cursor
/// on the chars of the text being rewritten:
///
/// * `change <= 0`: the char replaces the char under the cursor and takes its alignment; the cursor
///   moves past it and past `-change` more chars (removed).
/// * `change > 0`: the char is inserted; it takes the alignment of the char just before the cursor,
///   or `(0, 0)` at the very start of the text. The cursor stays.
///
/// The alignment is thus positional: a step that reorders chars (canonical ordering) does not carry
/// their alignments along, exactly as in HF.
pub(super) struct Rewriter<'a> {
    src: &'a Normalized,
    /// Byte offset of the cursor in `src.text`; always on a char boundary, at most its length.
    pos: usize,
    out: Normalized,
}

impl<'a> Rewriter<'a> {
    pub(super) fn new(src: &'a Normalized) -> Self {
        Rewriter {
            src,
            pos: 0,
            out: Normalized::with_capacity(src.text.len() + src.text.len() / 8),
        }
    }

    pub(super) fn apply(&mut self, c: char, change: isize) {
        self.apply_kept(c, change, true);
    }

    /// [`Rewriter::apply`], writing `c` only when `keep` (a filter fused into the rewrite: the
    /// cursor moves the same, the other chars keep their ranges).
    pub(super) fn apply_kept(&mut self, c: char, change: isize, keep: bool) {
        if change > 0 {
            if !keep {
                return;
            }
            let a = if self.pos == 0 {
                (0, 0)
            } else {
                self.src.align[self.pos - 1]
            };
            self.out.push(c, a);
        } else {
            if keep {
                // Past the end HF would panic; no step here gets there, but stay sane anyway.
                let a = match self.src.align.get(self.pos) {
                    Some(&a) => a,
                    None => self.src.align.last().map_or((0, 0), |&(_, e)| (e, e)),
                };
                self.out.push(c, a);
            }
            self.skip(1 + change.unsigned_abs());
        }
    }

    /// Moves the cursor past `n` chars (fewer at the end of the text).
    pub(super) fn skip(&mut self, n: usize) {
        let rest = &self.src.text[self.pos..];
        self.pos += rest.chars().take(n).map(char::len_utf8).sum::<usize>();
    }

    /// Appends `src.text[from..]` unchanged, with its own alignment (what lies outside HF's
    /// `transform_range`).
    pub(super) fn copy_rest(&mut self, from: usize) {
        self.out.push_slice(self.src, from..self.src.text.len());
    }

    pub(super) fn finish(self) -> Normalized {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_aligns_each_byte_to_its_char() {
        let n = Normalized::identity("aé");
        assert_eq!(n.align, [(0, 1), (1, 3), (1, 3)]);
        assert_eq!(n.source_range(1, 3, 3), (1, 3));
        assert_eq!(n.source_range(0, 2, 3), (0, 3));
        assert_eq!(n.source_range(3, 3, 3), (3, 3));
        assert_eq!(Normalized::identity("").source_range(0, 0, 5), (0, 5));
    }

    #[test]
    fn rewriter_follows_hf_transform() {
        // HF's own test (`transform_range_single_bytes`, "removing in the middle"): on
        // "Hello friend", replace chars 3..10 by ('_', 0), ('F', 0), ('R', -2) after skipping 2.
        let src = Normalized::identity("Hello friend");
        let mut rw = Rewriter::new(&src);
        for c in "Hel".chars() {
            rw.apply(c, 0);
        }
        rw.skip(2);
        rw.apply('_', 0);
        rw.apply('F', 0);
        rw.apply('R', -2);
        rw.copy_rest(10);
        let out = rw.finish();
        assert_eq!(out.text, "Hel_FRnd");
        let starts: Vec<u32> = out.align.iter().map(|a| a.0).collect();
        assert_eq!(starts, [0, 1, 2, 5, 6, 7, 10, 11]);
        // An insertion at the very start aligns to nothing.
        let mut rw = Rewriter::new(&src);
        rw.apply('>', 1);
        assert_eq!(rw.finish().align, [(0, 0)]);
    }
}
