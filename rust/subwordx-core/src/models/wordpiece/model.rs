//! A WordPiece model and its encoder (`docs/wordpiece.md` §1–2).
//!
//! ## Encoding one word
//!
//! Greedy longest-match-first, as BERT's `WordpieceTokenizer` and HF `tokenizers` define it: from
//! the start of the word take the longest vocabulary token that is a prefix of the rest (written
//! with the continuing prefix `##` after the first), and go on after it; if some position has no
//! match, the whole word is the unknown token.
//!
//! The textbook loop tries every end from the right and looks each candidate string up in a hash
//! map (HF builds a fresh `String` with the prefix for each): quadratic in the word. Here the
//! longest match is found by walking a byte trie from the start position, remembering the last node
//! that ends a token; the walk stops where the trie does, so it is never longer than the longest
//! token. A word of `n` bytes costs `O(n · L)` for tokens of at most `L` bytes, linear in the word
//! (the Fast WordPiece paper's failure links would remove the `L`; with BERT's `L` ≈ 20 and words
//! that are mostly one token, the whole-word lookup below matters more). Two tries: one holds every
//! token (a word's first piece), one the continuing tokens without their prefix.
//!
//! A word that is a token as a whole (most words of running text in a 30k vocabulary) is found by
//! one hash lookup before any walking.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::models::index_tokens;
use crate::{Error, Result};

const NONE: u32 = u32::MAX;

/// How a WordPiece model reads a word (HF's model options of the same names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPieceSettings {
    /// The token of a word that cannot be covered (must be in the vocabulary).
    pub unk_token: String,
    /// Written before every piece that continues a word (`##`).
    pub continuing_subword_prefix: String,
    /// A word longer than this many chars is the unknown token (BERT: 100).
    pub max_input_chars_per_word: usize,
}

impl Default for WordPieceSettings {
    fn default() -> Self {
        Self {
            unk_token: "[UNK]".to_owned(),
            continuing_subword_prefix: "##".to_owned(),
            max_input_chars_per_word: 100,
        }
    }
}

/// A byte trie of tokens: the longest token that is a prefix of a byte string.
///
/// The root's children are an array (every walk starts there); deeper edges live in one hash map
/// keyed by `(node, byte)`, which keeps the structure small for a 30k–250k vocabulary.
#[derive(Clone, Debug)]
struct ByteTrie {
    root: Box<[u32; 256]>,
    edges: FxHashMap<u64, u32>,
    /// The token id that ends at each node (`NONE` if none); node 0 is the root.
    token: Vec<u32>,
}

impl ByteTrie {
    fn new() -> Self {
        Self {
            root: Box::new([NONE; 256]),
            edges: FxHashMap::default(),
            token: vec![NONE],
        }
    }

    #[inline]
    fn edge(node: u32, byte: u8) -> u64 {
        (u64::from(node) << 8) | u64::from(byte)
    }

    #[inline]
    fn child(&self, node: u32, byte: u8) -> u32 {
        if node == 0 {
            self.root[byte as usize]
        } else {
            self.edges
                .get(&Self::edge(node, byte))
                .copied()
                .unwrap_or(NONE)
        }
    }

    fn insert(&mut self, key: &[u8], id: u32) {
        let mut node = 0u32;
        for &b in key {
            let next = self.child(node, b);
            node = if next == NONE {
                let new = self.token.len() as u32;
                self.token.push(NONE);
                if node == 0 {
                    self.root[b as usize] = new;
                } else {
                    self.edges.insert(Self::edge(node, b), new);
                }
                new
            } else {
                next
            };
        }
        self.token[node as usize] = id;
    }

    /// The longest token that `bytes` starts with: `(its length in bytes, its id)`.
    #[inline]
    fn longest_prefix(&self, bytes: &[u8]) -> Option<(usize, u32)> {
        let mut node = 0u32;
        let mut best = None;
        for (i, &b) in bytes.iter().enumerate() {
            node = self.child(node, b);
            if node == NONE {
                break;
            }
            let t = self.token[node as usize];
            if t != NONE {
                best = Some((i + 1, t));
            }
        }
        best
    }
}

/// A WordPiece model: the vocabulary by id and its tries. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct WordPieceModel {
    settings: WordPieceSettings,
    vocab: Vec<String>,
    token_to_id: FxHashMap<String, u32>,
    unk_id: u32,
    /// Every token: a word's first piece.
    starts: ByteTrie,
    /// The continuing tokens without their prefix.
    continues: ByteTrie,
}

impl PartialEq for WordPieceModel {
    fn eq(&self, other: &Self) -> bool {
        // The tries and the index are functions of these.
        self.settings == other.settings && self.vocab == other.vocab
    }
}

impl WordPieceModel {
    /// A model from its vocabulary (tokens by id); `source_name` names the file in errors.
    pub fn from_parts(
        vocab: Vec<String>,
        settings: WordPieceSettings,
        source_name: &str,
    ) -> Result<Self> {
        let token_to_id = index_tokens(&vocab, "ids", source_name)?;
        let unk_id = *token_to_id.get(&settings.unk_token).ok_or_else(|| {
            Error::corrupt(
                source_name,
                format!(
                    "the unknown token {:?} is not in the vocabulary",
                    settings.unk_token
                ),
            )
        })?;
        let prefix = settings.continuing_subword_prefix.as_str();
        let mut starts = ByteTrie::new();
        let mut continues = ByteTrie::new();
        for (id, t) in vocab.iter().enumerate() {
            let id = id as u32;
            if !t.is_empty() {
                starts.insert(t.as_bytes(), id);
            }
            if let Some(rest) = t.strip_prefix(prefix) {
                // The prefix alone never matches: a continuation covers at least one char.
                if !rest.is_empty() {
                    continues.insert(rest.as_bytes(), id);
                }
            }
        }
        Ok(Self {
            settings,
            vocab,
            token_to_id,
            unk_id,
            starts,
            continues,
        })
    }

    pub fn settings(&self) -> &WordPieceSettings {
        &self.settings
    }

    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }

    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.token_to_id.get(token).copied()
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.vocab.get(id as usize).map(String::as_str)
    }

    pub fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// True when the word has more chars than the model reads.
    #[inline]
    fn too_long(&self, word: &str) -> bool {
        let max = self.settings.max_input_chars_per_word;
        // A char is at least one byte: a word of at most `max` bytes has at most `max` chars.
        word.len() > max && word.chars().count() > max
    }

    /// The pieces of `word` as `(id, end byte)`, or `false` if some position has no match (the
    /// pieces already pushed are then left for the caller to drop).
    #[inline]
    fn segment(&self, word: &str, mut push: impl FnMut(u32, usize, usize)) -> bool {
        let bytes = word.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            let trie = if start == 0 {
                &self.starts
            } else {
                &self.continues
            };
            match trie.longest_prefix(&bytes[start..]) {
                Some((len, id)) => {
                    // A token is valid UTF-8 and so is the word: a whole-token match that starts
                    // on a char boundary also ends on one.
                    push(id, start, start + len);
                    start += len;
                }
                None => return false,
            }
        }
        true
    }

    /// Appends the ids of one word.
    #[inline]
    pub fn encode_piece(&self, word: &str, out: &mut Vec<u32>) {
        if word.is_empty() {
            return;
        }
        if self.too_long(word) {
            out.push(self.unk_id);
            return;
        }
        if let Some(&id) = self.token_to_id.get(word) {
            out.push(id);
            return;
        }
        let mark = out.len();
        if !self.segment(word, |id, _, _| out.push(id)) {
            out.truncate(mark);
            out.push(self.unk_id);
        }
    }

    /// Appends the ids of one word and the byte span of the word that each covers.
    pub fn encode_piece_with_spans(
        &self,
        word: &str,
        ids: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        if word.is_empty() {
            return;
        }
        if self.too_long(word) {
            ids.push(self.unk_id);
            spans.push((0, word.len()));
            return;
        }
        let mark = ids.len();
        let ok = self.segment(word, |id, s, e| {
            ids.push(id);
            spans.push((s, e));
        });
        if !ok {
            ids.truncate(mark);
            spans.truncate(mark);
            ids.push(self.unk_id);
            spans.push((0, word.len()));
        }
    }

    /// The tokens of one word (for tests and the CLI): greedy longest match, or the unknown token.
    pub fn tokenize(&self, word: &str) -> Vec<&str> {
        let mut ids = Vec::new();
        self.encode_piece(word, &mut ids);
        ids.iter()
            .map(|&i| self.vocab[i as usize].as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(tokens: &[&str]) -> WordPieceModel {
        let vocab = tokens.iter().map(|s| (*s).to_owned()).collect();
        WordPieceModel::from_parts(vocab, WordPieceSettings::default(), "<test>").unwrap()
    }

    /// The textbook loop of `docs/wordpiece.md` §2, to compare the tries with.
    fn greedy<'a>(m: &'a WordPieceModel, word: &str) -> Vec<&'a str> {
        if word.chars().count() > m.settings.max_input_chars_per_word {
            return vec!["[UNK]"];
        }
        let chars: Vec<char> = word.chars().collect();
        let mut out = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut found = None;
            for end in (start + 1..=chars.len()).rev() {
                let s: String = chars[start..end].iter().collect();
                let s = if start == 0 { s } else { format!("##{s}") };
                if let Some(id) = m.token_to_id(&s) {
                    found = Some((end, id));
                    break;
                }
            }
            match found {
                Some((end, id)) => {
                    out.push(m.id_to_token(id).unwrap());
                    start = end;
                }
                None => return vec!["[UNK]"],
            }
        }
        out
    }

    #[test]
    fn longest_match_first() {
        let m = model(&[
            "[UNK]", "un", "##aff", "##able", "una", "##ffa", "##ble", "aff",
        ]);
        assert_eq!(m.tokenize("unaffable"), ["una", "##ffa", "##ble"]);
        // Greedy, not best: "una" is longer than "un", so "##ble" follows.
        assert_eq!(m.tokenize("unable"), ["una", "##ble"]);
        assert_eq!(m.tokenize("affable"), ["aff", "##able"]);
        // "x" has no piece: the whole word is unknown, not "un" + [UNK].
        assert_eq!(m.tokenize("unx"), ["[UNK]"]);
        // A continuation never matches at a word's start.
        assert_eq!(m.tokenize("able"), ["[UNK]"]);
    }

    #[test]
    fn spans_are_bytes_of_the_word() {
        let m = model(&["[UNK]", "é", "##t", "##é"]);
        let (mut ids, mut spans) = (Vec::new(), Vec::new());
        m.encode_piece_with_spans("été", &mut ids, &mut spans);
        assert_eq!(spans, [(0, 2), (2, 3), (3, 5)]);
        ids.clear();
        spans.clear();
        m.encode_piece_with_spans("éx", &mut ids, &mut spans);
        assert_eq!(
            (ids.as_slice(), spans.as_slice()),
            (&[0][..], &[(0, 3)][..])
        );
    }

    #[test]
    fn long_words_are_unknown_even_when_in_the_vocabulary() {
        let long = "a".repeat(101);
        let m = model(&["[UNK]", "a", "##a", &long]);
        assert_eq!(m.tokenize(&long), ["[UNK]"]);
        assert_eq!(m.tokenize(&"a".repeat(100)).len(), 100);
    }

    #[test]
    fn a_long_word_costs_linear_time() {
        let m = WordPieceModel::from_parts(
            ["[UNK]", "a", "##a", "##aa", "##aaa"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            WordPieceSettings {
                max_input_chars_per_word: usize::MAX,
                ..WordPieceSettings::default()
            },
            "<test>",
        )
        .unwrap();
        let word = "a".repeat(1_000_000);
        let mut ids = Vec::new();
        m.encode_piece(&word, &mut ids);
        assert_eq!(ids.len(), 1 + (999_999 / 3));
    }

    #[test]
    fn unknown_token_must_exist() {
        let err =
            WordPieceModel::from_parts(vec!["a".into()], WordPieceSettings::default(), "v.txt")
                .unwrap_err();
        assert!(err.to_string().contains("[UNK]"), "{err}");
    }

    #[test]
    fn tries_agree_with_the_textbook_loop() {
        let m = model(&[
            "[UNK]", "a", "b", "ab", "abc", "##a", "##b", "##c", "##bc", "##cab", "c", "ca",
            "##ab", "ü", "##ü", "##üb",
        ]);
        let alphabet = ['a', 'b', 'c', 'ü', 'x'];
        let mut words = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for w in &words {
                for c in alphabet {
                    next.push(format!("{w}{c}"));
                }
            }
            words.extend(next.iter().cloned());
            words.dedup();
            if words.len() > 4000 {
                break;
            }
        }
        for w in words.iter().filter(|w| !w.is_empty()) {
            assert_eq!(m.tokenize(w), greedy(&m, w), "{w}");
        }
    }
}
