//! The result of encoding, and what pipelines do to it: truncation and padding, as HF does them.
//!
//! An [`Encoding`] made by the fast ids-only path has `ids` alone (the other vectors empty);
//! everything else fills every vector, one entry per id.

use crate::{Error, Result};

/// The encoding of one text or pair of texts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoding {
    /// False for the ids-only fast path: then only `ids` is filled.
    pub detailed: bool,
    pub ids: Vec<u32>,
    /// Segment of each token (0 first text, 1 second; as the post-processor's template says).
    pub type_ids: Vec<u32>,
    /// `(start, end)` char offsets into the text the token came from; `(0, 0)` for tokens a
    /// post-processor added.
    pub offsets: Vec<(usize, usize)>,
    /// 1 for tokens the post-processor added (and padding).
    pub special_tokens_mask: Vec<u32>,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Vec<u32>,
    /// Index of the pre-tokenized word each token belongs to, per text; `None` for added ones.
    pub word_ids: Vec<Option<u32>>,
    /// Which text (0 or 1) each token came from; `None` for added ones.
    pub sequence_ids: Vec<Option<u32>>,
    /// The windows truncation cut off (see [`Truncation`]).
    pub overflowing: Vec<Encoding>,
}

impl Encoding {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// True when the vectors other than `ids` are filled.
    pub fn is_detailed(&self) -> bool {
        self.detailed
    }

    /// Tokens `start..end` (overflowing windows are not carried).
    fn slice(&self, start: usize, end: usize) -> Encoding {
        let d = self.is_detailed();
        let part = |v: &Vec<u32>| {
            if d {
                v[start..end].to_vec()
            } else {
                Vec::new()
            }
        };
        Encoding {
            detailed: d,
            ids: self.ids[start..end].to_vec(),
            type_ids: part(&self.type_ids),
            offsets: if d {
                self.offsets[start..end].to_vec()
            } else {
                Vec::new()
            },
            special_tokens_mask: part(&self.special_tokens_mask),
            attention_mask: part(&self.attention_mask),
            word_ids: if d {
                self.word_ids[start..end].to_vec()
            } else {
                Vec::new()
            },
            sequence_ids: if d {
                self.sequence_ids[start..end].to_vec()
            } else {
                Vec::new()
            },
            overflowing: Vec::new(),
        }
    }

    /// Appends `other` (its overflowing windows are dropped).
    pub fn extend(&mut self, other: &Encoding) {
        self.ids.extend_from_slice(&other.ids);
        if self.detailed && other.detailed {
            self.type_ids.extend_from_slice(&other.type_ids);
            self.offsets.extend_from_slice(&other.offsets);
            self.special_tokens_mask
                .extend_from_slice(&other.special_tokens_mask);
            self.attention_mask.extend_from_slice(&other.attention_mask);
            self.word_ids.extend_from_slice(&other.word_ids);
            self.sequence_ids.extend_from_slice(&other.sequence_ids);
        }
    }

    /// Sets every token's type id.
    pub fn set_type_id(&mut self, type_id: u32) {
        if self.is_detailed() {
            self.type_ids.iter_mut().for_each(|t| *t = type_id);
        }
        for o in &mut self.overflowing {
            o.set_type_id(type_id);
        }
    }

    /// Sets every token's sequence id.
    pub fn set_sequence_id(&mut self, seq: u32) {
        if self.is_detailed() {
            self.sequence_ids.iter_mut().for_each(|t| *t = Some(seq));
        }
        for o in &mut self.overflowing {
            o.set_sequence_id(seq);
        }
    }

    /// Keeps the first (or last, [`Direction::Left`]) `max_len` tokens; the rest goes to
    /// `overflowing` in windows of `max_len` that overlap by `stride` (HF's rule).
    pub fn truncate(&mut self, max_len: usize, stride: usize, direction: Direction) -> Result<()> {
        let len = self.len();
        if max_len >= len {
            return Ok(());
        }
        if max_len == 0 {
            let whole = std::mem::take(self);
            *self = whole.slice(0, 0);
            self.overflowing = vec![whole];
            return Ok(());
        }
        if stride >= max_len {
            return Err(Error::invalid(format!(
                "truncation stride {stride} must be smaller than the length {max_len}"
            )));
        }
        let step = max_len - stride;
        let mut ranges = Vec::new();
        match direction {
            Direction::Right => {
                let mut start = 0;
                loop {
                    let stop = (start + max_len).min(len);
                    ranges.push((start, stop));
                    if stop == len {
                        break;
                    }
                    start += step;
                }
            }
            Direction::Left => {
                let mut stop = len;
                loop {
                    let start = stop.saturating_sub(max_len);
                    ranges.push((start, stop));
                    if start == 0 {
                        break;
                    }
                    stop -= step;
                }
            }
        }
        let overflowing = ranges[1..].iter().map(|&(s, e)| self.slice(s, e)).collect();
        let (s, e) = ranges[0];
        *self = self.slice(s, e);
        self.overflowing = overflowing;
        Ok(())
    }

    /// Pads to `target` tokens (and every overflowing window too).
    pub fn pad(&mut self, target: usize, p: &Padding) {
        for o in &mut self.overflowing {
            o.pad(target, p);
        }
        let n = target.saturating_sub(self.len());
        if n == 0 {
            return;
        }
        let d = self.is_detailed();
        let fill = |v: &mut Vec<u32>, x: u32, left: bool| {
            if left {
                v.splice(0..0, std::iter::repeat_n(x, n));
            } else {
                v.extend(std::iter::repeat_n(x, n));
            }
        };
        let left = p.direction == Direction::Left;
        fill(&mut self.ids, p.pad_id, left);
        if d {
            fill(&mut self.type_ids, p.pad_type_id, left);
            fill(&mut self.special_tokens_mask, 1, left);
            fill(&mut self.attention_mask, 0, left);
            let pad_opt = |v: &mut Vec<Option<u32>>| {
                if left {
                    v.splice(0..0, std::iter::repeat_n(None, n));
                } else {
                    v.extend(std::iter::repeat_n(None, n));
                }
            };
            pad_opt(&mut self.word_ids);
            pad_opt(&mut self.sequence_ids);
            if left {
                self.offsets.splice(0..0, std::iter::repeat_n((0, 0), n));
            } else {
                self.offsets.extend(std::iter::repeat_n((0, 0), n));
            }
        }
    }
}

/// Which end truncation cuts, or padding fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Left,
    Right,
}

/// How a pair is shortened to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TruncationStrategy {
    /// Take from the longer text first (HF `longest_first`).
    LongestFirst,
    OnlyFirst,
    OnlySecond,
}

/// Truncation settings (HF's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// Length of the whole encoding, special tokens included.
    pub max_length: usize,
    pub stride: usize,
    pub strategy: TruncationStrategy,
    pub direction: Direction,
}

/// Truncates `a` (and `b`) so that together they hold at most `max_len` tokens (HF's
/// `truncate_encodings`).
pub fn truncate_pair(
    a: &mut Encoding,
    b: Option<&mut Encoding>,
    max_len: usize,
    t: &Truncation,
) -> Result<()> {
    let Some(b) = b else {
        if a.len() <= max_len {
            return Ok(());
        }
        return match t.strategy {
            TruncationStrategy::OnlySecond => Err(Error::invalid(
                "truncation only_second needs a pair of texts",
            )),
            _ => a.truncate(max_len, t.stride, t.direction),
        };
    };
    let total = a.len() + b.len();
    if total <= max_len {
        return Ok(());
    }
    let to_remove = total - max_len;
    match t.strategy {
        TruncationStrategy::LongestFirst => {
            let (n1, n2) = (a.len(), b.len());
            let swap = n1 > n2;
            let (mut short, mut long) = if swap { (n2, n1) } else { (n1, n2) };
            long = if short > max_len {
                short
            } else {
                long.min(short.max(max_len - short))
            };
            if short + long > max_len {
                short = max_len / 2;
                long = short + max_len % 2;
            }
            let (ta, tb) = if swap { (long, short) } else { (short, long) };
            a.truncate(ta, t.stride, t.direction)?;
            b.truncate(tb, t.stride, t.direction)
        }
        TruncationStrategy::OnlyFirst | TruncationStrategy::OnlySecond => {
            let target = if t.strategy == TruncationStrategy::OnlyFirst {
                a
            } else {
                b
            };
            if target.len() <= to_remove {
                return Err(Error::invalid(format!(
                    "truncation: the text to truncate has {} tokens, {to_remove} must go; \
                     use longest_first or a larger max_length",
                    target.len()
                )));
            }
            let keep = target.len() - to_remove;
            target.truncate(keep, t.stride, t.direction)
        }
    }
}

/// How encodings are padded (HF's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Padding {
    /// `None`: to the longest encoding of the batch; `Some(n)`: to `n` tokens.
    pub length: Option<usize>,
    pub pad_to_multiple_of: Option<usize>,
    pub pad_id: u32,
    pub pad_type_id: u32,
    pub pad_token: String,
    pub direction: Direction,
}

impl Padding {
    /// The length every encoding of a batch whose longest has `longest` tokens is padded to.
    pub fn target(&self, longest: usize) -> usize {
        let n = self.length.unwrap_or(longest);
        match self.pad_to_multiple_of {
            Some(m) if m > 0 && n % m != 0 => n + m - n % m,
            _ => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(n: u32) -> Encoding {
        Encoding {
            ids: (0..n).collect(),
            ..Encoding::default()
        }
    }

    #[test]
    fn stride_windows_as_hf() {
        let mut e = enc(14);
        e.truncate(5, 1, Direction::Right).unwrap();
        assert_eq!(e.ids, [0, 1, 2, 3, 4]);
        let o: Vec<Vec<u32>> = e.overflowing.iter().map(|o| o.ids.clone()).collect();
        assert_eq!(
            o,
            [vec![4, 5, 6, 7, 8], vec![8, 9, 10, 11, 12], vec![12, 13]]
        );
    }

    #[test]
    fn longest_first_as_hf() {
        let (mut a, mut b) = (enc(14), enc(11));
        let t = Truncation {
            max_length: 5,
            stride: 0,
            strategy: TruncationStrategy::LongestFirst,
            direction: Direction::Right,
        };
        truncate_pair(&mut a, Some(&mut b), 5, &t).unwrap();
        assert_eq!((a.len(), b.len()), (3, 2));
    }
}
