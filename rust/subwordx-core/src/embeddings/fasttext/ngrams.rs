//! `fastText`'s subwords: a word's character n-grams hashed into buckets, byte for byte as
//! `fastText`'s `Dictionary::computeSubwords` and `Dictionary::hash` (`docs/fasttext.md`).
//!
//! The word is wrapped in `<` and `>`; every run of `min_n..=max_n` characters (UTF-8 characters:
//! a run never starts or ends inside a character) is an n-gram, except the lone `<` and `>` when
//! `min_n` is 1. Its id is `nwords + fnv1a(ngram) % bucket`. A vocabulary word's subwords are its
//! own id followed by its n-grams' ids, in order of start position then length, duplicates kept
//! (`fastText` keeps them: a repeated n-gram weighs twice in the mean). An unseen word has only
//! its n-grams. Cost: `O(len * (max_n - min_n + 1))` per word.

/// `fastText`'s 32-bit FNV-1a: `h ^= byte; h *= 16777619` from `2166136261`.
///
/// The quirk: `fastText`'s `hash` XORs `uint32_t(int8_t(c))`, a byte cast to a *signed* char and
/// then sign-extended, so every byte >= 0x80 (all of UTF-8 beyond ASCII) XORs `0xFFFFFF00 | b`
/// rather than `b` (facebookresearch/`fastText` `src/dictionary.cc`, `Dictionary::hash`; gensim's
/// `ft_hash_bytes` reproduces it the same way).
pub fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        // The signed-char quirk: i8 then sign-extend to 32 bits.
        h ^= i32::from(b as i8) as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// `fastText`'s end-of-sentence token (a word of every model the fasttext package trains).
pub const EOS: &str = "</s>";

/// Whether `b` continues a UTF-8 character (`10xxxxxx`).
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Pushes the ids of the character n-grams of `word` (not wrapped yet) onto `out`, as
/// `nwords + hash % bucket`. Nothing when `max_n == 0` or `bucket == 0`.
pub fn push_ngrams(
    word: &str,
    nwords: usize,
    min_n: usize,
    max_n: usize,
    bucket: usize,
    out: &mut Vec<u32>,
) {
    // fastText gives its end-of-sentence token no n-grams (`Dictionary::initNgrams` and
    // `getSubwords` skip `EOS`), in and out of the vocabulary.
    if max_n == 0 || bucket == 0 || word == EOS {
        return;
    }
    let mut wrapped = Vec::with_capacity(word.len() + 2);
    wrapped.push(b'<');
    wrapped.extend_from_slice(word.as_bytes());
    wrapped.push(b'>');
    let w = &wrapped;
    for i in 0..w.len() {
        if is_continuation(w[i]) {
            continue;
        }
        let mut j = i;
        let mut n = 1;
        while j < w.len() && n <= max_n {
            // One character: its first byte and every continuation byte after it.
            j += 1;
            while j < w.len() && is_continuation(w[j]) {
                j += 1;
            }
            // fastText leaves out the 1-grams "<" and ">" (only possible when min_n is 1).
            if n >= min_n && !(n == 1 && (i == 0 || j == w.len())) {
                let h = hash(&w[i..j]) as usize % bucket;
                // nwords + bucket rows fit in u32: the model checks it before training.
                out.push((nwords + h) as u32);
            }
            n += 1;
        }
    }
}

/// The subwords of every vocabulary word, flattened: word `i`'s ids are
/// `ids[offsets[i]..offsets[i + 1]]`, its own id first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subwords {
    pub ids: Vec<u32>,
    pub offsets: Vec<usize>,
}

impl Subwords {
    /// The subwords of `words` (the vocabulary, in id order).
    pub fn new(words: &[String], min_n: usize, max_n: usize, bucket: usize) -> Self {
        let mut ids = Vec::new();
        let mut offsets = Vec::with_capacity(words.len() + 1);
        offsets.push(0);
        for (i, w) in words.iter().enumerate() {
            ids.push(i as u32);
            push_ngrams(w, words.len(), min_n, max_n, bucket, &mut ids);
            offsets.push(ids.len());
        }
        Self { ids, offsets }
    }

    /// Word `i`'s subword ids.
    pub fn of(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i]..self.offsets[i + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a written out for the test, with the sign extension spelled as a mask.
    fn expected_hash(s: &[u8]) -> u32 {
        let mut h: u32 = 0x811C_9DC5;
        for &b in s {
            let x = if b >= 0x80 {
                0xFFFF_FF00 | u32::from(b)
            } else {
                u32::from(b)
            };
            h = (h ^ x).wrapping_mul(0x0100_0193);
        }
        h
    }

    #[test]
    fn hash_has_the_signed_char_quirk() {
        for s in ["", "a", "<wh", "été", "日本語", "\u{1F600}>", "<naïve>"] {
            assert_eq!(hash(s.as_bytes()), expected_hash(s.as_bytes()), "{s}");
        }
        // Plain FNV-1a of ASCII (no bytes >= 0x80): the published test vector.
        assert_eq!(hash(b"a"), 0xE40C_292C);
        // A non-ASCII byte differs from plain FNV-1a.
        let plain = (0x811C_9DC5u32 ^ 0xC3).wrapping_mul(0x0100_0193);
        assert_ne!(hash(&[0xC3]), plain);
    }

    fn grams(word: &str, min_n: usize, max_n: usize) -> Vec<String> {
        // Enumerate n-grams the slow way, by characters, for comparison.
        let chars: Vec<char> = format!("<{word}>").chars().collect();
        let mut out = Vec::new();
        for i in 0..chars.len() {
            for n in 1..=max_n {
                if i + n > chars.len() {
                    break;
                }
                if n >= min_n && !(n == 1 && (i == 0 || i + n == chars.len())) {
                    out.push(chars[i..i + n].iter().collect());
                }
            }
        }
        out
    }

    #[test]
    fn ngrams_follow_characters_not_bytes() {
        for (word, lo, hi) in [("where", 3, 6), ("日本語", 1, 3), ("a", 1, 2), ("né", 2, 4)] {
            let mut got = Vec::new();
            push_ngrams(word, 10, lo, hi, 1000, &mut got);
            let want: Vec<u32> = grams(word, lo, hi)
                .iter()
                .map(|g| 10 + hash(g.as_bytes()) % 1000)
                .collect();
            assert_eq!(got, want, "{word}");
        }
        let mut none = Vec::new();
        push_ngrams("word", 10, 3, 0, 1000, &mut none);
        push_ngrams(EOS, 10, 3, 6, 1000, &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn subwords_start_with_the_word() {
        let words = vec!["ab".to_owned(), "c".to_owned()];
        let s = Subwords::new(&words, 3, 6, 100);
        assert_eq!(s.of(0)[0], 0);
        assert_eq!(s.of(1)[0], 1);
        // "<ab>": <ab, ab>, <ab> ; "<c>": <c>, only 3-grams and up.
        assert_eq!(s.of(0).len(), 4);
        assert_eq!(s.of(1).len(), 2);
    }
}
