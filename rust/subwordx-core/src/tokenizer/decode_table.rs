//! Every token's bytes end to end: byte-level ids decode by copying, not by mapping chars.
//!
//! A byte-level token is stored as a string of the 256 byte chars, so decoding it maps each char
//! back to its byte; done per id, with a string lookup first, that was most of `decode`'s time.
//! The table holds what [`super::decoder::token_bytes`] gives for every id, made once, at the
//! first decode that wants it (`o200k_base`: 1.4 MB of bytes and 0.8 MB of offsets), and shared
//! by the tokenizer's clones, which have the same vocabulary.

use std::sync::{Arc, OnceLock};

use super::decoder::token_bytes;

/// The bytes of each id: token `i` is `bytes[ends[i - 1]..ends[i]]` (from 0 for the first).
#[derive(Debug)]
pub(crate) struct Table {
    ends: Vec<u32>,
    bytes: Vec<u8>,
}

impl Table {
    /// The bytes of `id`, `None` for an id outside the vocabulary.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&[u8]> {
        let i = id as usize;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.bytes[start..end])
    }
}

/// A tokenizer's table, made on first use. A cache: equal whatever it holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct DecodeTable(Arc<OnceLock<Option<Table>>>);

impl PartialEq for DecodeTable {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl DecodeTable {
    /// The table of a vocabulary of `size` ids whose tokens `token_of` gives; `None` when an id
    /// has no token or the bytes would not fit 32-bit offsets (then callers decode token by
    /// token).
    pub(crate) fn get<'a>(
        &self,
        size: usize,
        token_of: impl Fn(u32) -> Option<&'a str>,
    ) -> Option<&Table> {
        self.0
            .get_or_init(|| {
                let mut bytes = Vec::new();
                let mut ends = Vec::with_capacity(size);
                for id in 0..u32::try_from(size).ok()? {
                    token_bytes(token_of(id)?, &mut bytes);
                    ends.push(u32::try_from(bytes.len()).ok()?);
                }
                bytes.shrink_to_fit();
                Some(Table { ends, bytes })
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_each_tokens_bytes_and_refuses_gaps() {
        let vocab = ["a", "Ġb", "<|x|>", "漢"];
        let table = DecodeTable::default();
        let t = table
            .get(vocab.len(), |id| vocab.get(id as usize).copied())
            .expect("every id has a token");
        assert_eq!(t.get(0), Some(&b"a"[..]));
        assert_eq!(t.get(1), Some(&b" b"[..]));
        assert_eq!(t.get(2), Some(&b"<|x|>"[..]));
        // "漢" is not one of the byte chars: its own UTF-8, as the ByteLevel decoder does
        assert_eq!(t.get(3), Some("漢".as_bytes()));
        assert_eq!(t.get(4), None);
        let gaps = DecodeTable::default();
        assert!(gaps.get(3, |id| (id != 1).then_some("a")).is_none());
    }
}
