//! SentencePiece's precompiled normalization charsmap (`normalizer_spec.precompiled_charsmap` of a
//! `.model` file; HF's `Precompiled` normalizer), read, applied and built.
//!
//! ## Format
//!
//! `[trie_size: u32 LE][trie: trie_size / 4 units, u32 LE][normalized: NUL-terminated strings]`.
//! The trie is a Darts-clone double array mapping source byte strings to offsets into
//! `normalized`. A unit holds: `label = unit & (0x8000_0000 | 0xff)`, `has_leaf = unit >> 8 & 1`,
//! `value = unit & 0x7fff_ffff` (in a leaf unit, whose bit 31 makes its label match no byte), and
//! `offset = (unit >> 10) << ((unit & (1 << 9)) >> 6)`. From node `p`, the child on byte `c` is at
//! `p ^ offset(p) ^ c` and matches when its label is `c`; the value of a key ending at `p` is at
//! `p ^ offset(p)` (label 0).
//!
//! ## Normalizing (SentencePiece `normalizer.cc`, `NormalizePrefix`)
//!
//! At each position the *longest* key that is a prefix of the rest of the text is replaced by its
//! string (which may be empty: the source is deleted); with no key, one char passes through. Keys
//! are bytes; a match that would end inside a UTF-8 char is not taken (SentencePiece's files never
//! have one). SentencePiece turns a malformed UTF-8 byte into U+FFFD; a Rust `&str` / Python `str`
//! is always valid UTF-8, so that case cannot arise here.
//!
//! Alignment, as HF's `Precompiled` (through the `transform` protocol of [`super`]): a
//! replacement of `k` chars by `m` chars writes its first `min(k, m)` chars each over one source
//! char, the rest as insertions (aligned to the last source char) when `m > k`, and its last char
//! also removes the `k - m` extra source chars when `m < k`; a deletion writes nothing.
//!
//! ## Building ([`Charsmap::build`], [`Charsmap::nfkc`])
//!
//! A map from source strings to replacements compiles into the same format: a byte trie placed
//! into a double array greedily (each node's children block at the first free base that no other
//! node uses, so a child's label check identifies its parent), strings deduplicated in the blob.
//! [`Charsmap::nfkc`] maps every code point whose NFKC form differs from itself to that form,
//! one code point at a time: SentencePiece's `nmt_nfkc` rules are a superset (they also fold
//! whitespace and drop controls, and compose some multi-char sequences); ours compose nothing
//! across chars (`e` + U+0301 stays two chars). What matters is that SentencePiece and subwordx
//! apply the same charsmap, so a saved model normalizes identically in both.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;

use super::align::{Normalized, Rewriter};

/// A compiled charsmap: the file's bytes and their parsed views.
#[derive(Clone)]
pub struct Charsmap {
    /// The bytes as stored in a `.model` / tokenizer.json (kept to save them unchanged).
    raw: Arc<[u8]>,
    trie: Box<[u32]>,
    /// Byte range of the normalized-strings blob in `raw`.
    blob_start: usize,
}

impl PartialEq for Charsmap {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl fmt::Debug for Charsmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Charsmap({} trie units, {} bytes of strings)",
            self.trie.len(),
            self.raw.len() - self.blob_start
        )
    }
}

const LEAF_BIT: u32 = 1 << 31;
/// Offsets at or above this need the shifted encoding; the builder refuses them.
const MAX_OFFSET: usize = 1 << 21;

#[inline]
fn label(unit: u32) -> u32 {
    unit & (LEAF_BIT | 0xff)
}
#[inline]
fn has_leaf(unit: u32) -> bool {
    (unit >> 8) & 1 == 1
}
#[inline]
fn value(unit: u32) -> u32 {
    unit & !LEAF_BIT
}
#[inline]
fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & (1 << 9)) >> 6)) as usize
}

impl Charsmap {
    /// Parses a charsmap; an error says what is wrong. An empty `bytes` is not a charsmap (a
    /// normalizer without one is the identity: use no step).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let Some(head) = bytes.get(..4) else {
            return Err(format!(
                "precompiled charsmap of {} bytes has no trie size",
                bytes.len()
            ));
        };
        let size = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if size % 4 != 0 || size > bytes.len() - 4 || size == 0 {
            return Err(format!(
                "precompiled charsmap: trie size {size} does not fit its {} bytes",
                bytes.len()
            ));
        }
        let trie: Box<[u32]> = bytes[4..4 + size]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Charsmap {
            raw: bytes.into(),
            trie,
            blob_start: 4 + size,
        })
    }

    /// The bytes, as read or built.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn blob(&self) -> &[u8] {
        &self.raw[self.blob_start..]
    }

    /// The longest key that is a prefix of `text` (ending on a char boundary): its length in bytes
    /// and its replacement. Darts' `commonPrefixSearch`, keeping the longest result.
    pub fn longest_match<'a>(&'a self, text: &str) -> Option<(usize, &'a str)> {
        let key = text.as_bytes();
        let trie = &self.trie;
        let mut pos = offset(*trie.first()?);
        let mut best: Option<(usize, u32)> = None;
        for (i, &b) in key.iter().enumerate() {
            pos ^= usize::from(b);
            let Some(&unit) = trie.get(pos) else { break };
            if label(unit) != u32::from(b) {
                break;
            }
            pos ^= offset(unit);
            if has_leaf(unit) && text.is_char_boundary(i + 1) {
                if let Some(&leaf) = trie.get(pos) {
                    best = Some((i + 1, value(leaf)));
                }
            }
        }
        let (len, v) = best?;
        let blob = self.blob();
        let start = v as usize;
        let rest = blob.get(start..)?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        // A replacement that is not UTF-8 (never in a real file) is no match: the text passes.
        std::str::from_utf8(&rest[..end]).ok().map(|s| (len, s))
    }

    /// Calls `f(source_start, source_end, replacement)` for each match and each unmatched char
    /// (its own text) of `text`, left to right.
    fn for_each_piece<'a>(&'a self, text: &'a str, mut f: impl FnMut(usize, usize, &'a str)) {
        let mut pos = 0;
        while pos < text.len() {
            let rest = &text[pos..];
            if let Some((n, repl)) = self.longest_match(rest) {
                f(pos, pos + n, repl);
                pos += n;
            } else {
                let n = rest.chars().next().map_or(1, char::len_utf8);
                f(pos, pos + n, &rest[..n]);
                pos += n;
            }
        }
    }

    /// The normalized text; `None` when unchanged.
    pub fn normalize_text(&self, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        self.for_each_piece(text, |s, e, repl| {
            changed |= repl != &text[s..e];
            out.push_str(repl);
        });
        changed.then_some(out)
    }

    /// The normalized text with its alignment (module docs); `None` when unchanged.
    pub(super) fn normalize_aligned(&self, cur: &Normalized) -> Option<Normalized> {
        let text = cur.text.as_str();
        let mut rw = Rewriter::new(cur);
        let mut changed = false;
        self.for_each_piece(text, |s, e, repl| {
            let src = &text[s..e];
            if repl == src {
                for c in src.chars() {
                    rw.apply(c, 0);
                }
                return;
            }
            changed = true;
            let old = src.chars().count();
            let new = repl.chars().count();
            if new == 0 {
                rw.skip(old);
                return;
            }
            for (k, c) in repl.chars().enumerate() {
                let change = if new >= old {
                    isize::from(k >= old)
                } else if k + 1 == new {
                    -((old - new) as isize)
                } else {
                    0
                };
                rw.apply(c, change);
            }
        });
        changed.then(|| rw.finish())
    }

    /// Compiles `rules` (source → replacement; sources non-empty) into a charsmap. Fails when
    /// the double array would need offsets of 2^21 units or more (far beyond Unicode-sized maps).
    pub fn build(rules: &BTreeMap<String, String>) -> Result<Self, String> {
        // The byte trie: children by label, the blob offset of a key ending here.
        struct Node {
            children: BTreeMap<u8, usize>,
            value: Option<u32>,
        }
        let mut nodes = vec![Node {
            children: BTreeMap::new(),
            value: None,
        }];
        let mut blob: Vec<u8> = Vec::new();
        let mut offsets: FxHashMap<&str, u32> = FxHashMap::default();
        for (src, dst) in rules {
            if src.is_empty() {
                return Err("a charsmap rule has an empty source".into());
            }
            if dst.as_bytes().contains(&0) {
                return Err(format!("the replacement of {src:?} contains NUL"));
            }
            let v = if let Some(&v) = offsets.get(dst.as_str()) {
                v
            } else {
                let v = u32::try_from(blob.len())
                    .ok()
                    .filter(|&v| v < LEAF_BIT)
                    .ok_or("charsmap strings exceed 2 GiB")?;
                blob.extend_from_slice(dst.as_bytes());
                blob.push(0);
                offsets.insert(dst, v);
                v
            };
            let mut n = 0;
            for &b in src.as_bytes() {
                n = if let Some(&c) = nodes[n].children.get(&b) {
                    c
                } else {
                    nodes.push(Node {
                        children: BTreeMap::new(),
                        value: None,
                    });
                    let c = nodes.len() - 1;
                    nodes[n].children.insert(b, c);
                    c
                };
            }
            nodes[n].value = Some(v);
        }
        // Place the nodes breadth first. `units[p]` of a free slot stays `LEAF_BIT`: its label
        // matches no byte.
        let mut units: Vec<u32> = vec![LEAF_BIT; 256];
        let mut used: Vec<bool> = vec![false; 256];
        let mut used_base: Vec<bool> = vec![false; 256];
        used[0] = true;
        units[0] = 0;
        let mut first_free = 1;
        let mut queue = std::collections::VecDeque::from([(0usize, 0usize)]);
        while let Some((node, pos)) = queue.pop_front() {
            let mut labels: Vec<usize> = Vec::new();
            if nodes[node].value.is_some() {
                labels.push(0);
            }
            labels.extend(nodes[node].children.keys().map(|&b| usize::from(b)));
            if labels.is_empty() {
                continue;
            }
            while first_free < used.len() && used[first_free] {
                first_free += 1;
            }
            let c0 = labels[0];
            let mut free = first_free;
            let base = loop {
                let base = free ^ c0;
                let fits = |p: usize| p >= used.len() || !used[p];
                if base != 0
                    && (base >= used_base.len() || !used_base[base])
                    && labels.iter().all(|&c| fits(base ^ c))
                {
                    break base;
                }
                free += 1;
                while free < used.len() && used[free] {
                    free += 1;
                }
            };
            let need = (base | 0xff) + 1;
            if need > MAX_OFFSET {
                return Err("the charsmap trie needs more than 2^21 units".into());
            }
            if need > units.len() {
                units.resize(need, LEAF_BIT);
                used.resize(need, false);
                used_base.resize(need, false);
            }
            used_base[base] = true;
            let off = pos ^ base;
            units[pos] = (units[pos] & 0xff) | ((off as u32) << 10);
            if let Some(v) = nodes[node].value {
                units[pos] |= 1 << 8;
                units[base] = v | LEAF_BIT;
                used[base] = true;
            }
            for (&b, &child) in &nodes[node].children {
                let p = base ^ usize::from(b);
                units[p] = u32::from(b);
                used[p] = true;
                queue.push_back((child, p));
            }
        }
        // Whole blocks of 256 units: SentencePiece refuses a trie whose size in bytes is not a
        // multiple of 1024 (Darts' block size).
        let size = u32::try_from(units.len() * 4).map_err(|_| "charsmap too large")?;
        let mut bytes = Vec::with_capacity(4 + units.len() * 4 + blob.len());
        bytes.extend_from_slice(&size.to_le_bytes());
        for u in &units {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        bytes.extend_from_slice(&blob);
        Charsmap::from_bytes(&bytes)
    }

    /// Every code point whose NFKC form differs from itself, mapped to that form (module docs).
    /// Built once per process.
    pub fn nfkc() -> Arc<Charsmap> {
        static NFKC: OnceLock<Arc<Charsmap>> = OnceLock::new();
        NFKC.get_or_init(|| {
            use unicode_normalization::UnicodeNormalization;
            let mut rules = BTreeMap::new();
            for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
                let mut buf = [0u8; 4];
                let s: &str = c.encode_utf8(&mut buf);
                if unicode_normalization::is_nfkc_quick(std::iter::once(c))
                    == unicode_normalization::IsNormalized::Yes
                {
                    continue;
                }
                let n: String = s.nfkc().collect();
                if n != s {
                    rules.insert(s.to_owned(), n);
                }
            }
            // Unicode-sized maps fit (a few thousand keys of at most four bytes).
            Arc::new(Charsmap::build(&rules).unwrap_or_else(|e| unreachable!("NFKC charsmap: {e}")))
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Charsmap {
        let rules: BTreeMap<String, String> = pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        Charsmap::build(&rules).unwrap()
    }

    #[test]
    fn longest_prefix_wins_and_unmatched_passes() {
        let m = map(&[
            ("a", "A"),
            ("ab", "X"),
            ("abc", ""),
            ("é", "e"),
            ("ｱ", "ア"),
        ]);
        assert_eq!(m.normalize_text("abcabxa").unwrap(), "XxA");
        assert_eq!(m.normalize_text("éｱz").unwrap(), "eアz");
        assert_eq!(m.normalize_text("zzz"), None);
        assert_eq!(m.longest_match("abd"), Some((2, "X")));
        assert_eq!(m.longest_match("q"), None);
    }

    #[test]
    fn alignment_covers_the_replaced_span() {
        let m = map(&[("ab", "XYZ"), ("c", "")]);
        let n = m.normalize_aligned(&Normalized::identity("abcd")).unwrap();
        assert_eq!(n.text, "XYZd");
        assert_eq!(n.align, [(0, 1), (1, 2), (1, 2), (3, 4)]);
    }

    #[test]
    fn corrupt_charsmaps_are_errors_and_lookups_stay_in_bounds() {
        assert!(Charsmap::from_bytes(b"").is_err());
        assert!(Charsmap::from_bytes(&[8, 0, 0, 0, 1, 2, 3]).is_err());
        assert!(Charsmap::from_bytes(&[3, 0, 0, 0, 1, 2, 3]).is_err());
        // A trie whose offsets point anywhere: lookups never panic.
        let mut bytes = 8u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(&0x0000_0161u32.to_le_bytes());
        bytes.extend_from_slice(b"zz");
        let m = Charsmap::from_bytes(&bytes).unwrap();
        for t in ["a", "abc", "\u{10ffff}", ""] {
            let _ = m.normalize_text(t);
        }
    }

    #[test]
    fn hf_json_round_trip() {
        use crate::normalize::{Normalizer, NormalizerStep};
        let m = Arc::new(map(&[("ｱ", "ア"), ("\u{3000}", " ")]));
        let n = Normalizer::new(vec![
            NormalizerStep::Precompiled(m),
            NormalizerStep::Lowercase,
        ]);
        let v = n.to_hf_json();
        assert_eq!(v["normalizers"][0]["type"], "Precompiled");
        let back = Normalizer::from_hf_json(&v, "t").unwrap();
        assert_eq!(back, n);
        assert_eq!(back.normalize_str("ｱ\u{3000}B"), "ア b");
        // An empty charsmap is the identity, as in HF.
        let empty = serde_json::json!({"type": "Precompiled", "precompiled_charsmap": ""});
        assert!(Normalizer::from_hf_json(&empty, "t").unwrap().is_identity());
    }

    #[test]
    fn nfkc_charsmap_maps_single_code_points() {
        let m = Charsmap::nfkc();
        assert_eq!(m.normalize_text("ﬁ①Ａｶ").unwrap(), "fi1Aカ");
        assert_eq!(m.normalize_text("abc"), None);
        // No composition across chars.
        assert_eq!(m.normalize_text("e\u{301}"), None);
        assert_eq!(Charsmap::from_bytes(m.as_bytes()).unwrap(), *m);
    }
}
