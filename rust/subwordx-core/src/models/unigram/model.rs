//! The Unigram model: pieces with log-probabilities, a byte trie over them, and the encoder of
//! one pre-tokenized piece (`docs/unigram.md` §2).
//!
//! Encoding a piece builds its [`Lattice`]: at each char position every vocabulary piece that
//! starts there (found by one walk down the trie, so building is linear in the text times the
//! longest piece), plus, where no piece of exactly one char matched, an *unknown* edge of one
//! char scored `min_score - 10` (`SentencePiece`'s and HF's `kUnkPenalty`). The Viterbi path is
//! the encoding (plain encoding visits the same edges in the same order but keeps only the best
//! edge into each position, as `SentencePiece`'s optimized encoder does; n-best, sampling and
//! training use the stored [`Lattice`]); consecutive unknown chars become one unknown token (both libraries fuse them), or,
//! with `byte_fallback`, each unknown char becomes the `<0xXX>` pieces of its UTF-8 bytes.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::lattice::{Edge, Lattice, SplitMix64};
use crate::models::NONE;
use crate::{Error, Result};

/// Score penalty of an unknown char below the lowest piece score (`SentencePiece`'s
/// `kUnkPenalty`).
pub const UNK_PENALTY: f64 = 10.0;

/// A byte trie over the pieces: the root's children in a direct table, every other node's in a
/// sorted label list (CSR arrays).
#[derive(Clone, Debug, PartialEq, Default)]
struct Trie {
    root: Vec<u32>,
    /// Per node: the piece id it ends (or `NONE`) and the range of its children.
    value: Vec<u32>,
    child_start: Vec<u32>,
    labels: Vec<u8>,
    targets: Vec<u32>,
}

impl Trie {
    /// The trie of `pieces` (id, bytes), skipping empty ones.
    fn build<'a>(pieces: impl Iterator<Item = (u32, &'a [u8])>) -> Self {
        // Builder: children as sorted vectors.
        let mut kids: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut value: Vec<u32> = vec![NONE];
        for (id, bytes) in pieces {
            if bytes.is_empty() {
                continue;
            }
            let mut node = 0usize;
            for &b in bytes {
                node = match kids[node].binary_search_by_key(&b, |&(l, _)| l) {
                    Ok(i) => kids[node][i].1 as usize,
                    Err(i) => {
                        let new = kids.len() as u32;
                        kids[node].insert(i, (b, new));
                        kids.push(Vec::new());
                        value.push(NONE);
                        new as usize
                    }
                };
            }
            value[node] = id;
        }
        let mut root = vec![NONE; 256];
        for &(b, t) in &kids[0] {
            root[b as usize] = t;
        }
        let mut child_start = Vec::with_capacity(kids.len() + 1);
        let mut labels = Vec::new();
        let mut targets = Vec::new();
        for k in &kids {
            child_start.push(labels.len() as u32);
            for &(b, t) in k {
                labels.push(b);
                targets.push(t);
            }
        }
        child_start.push(labels.len() as u32);
        Trie {
            root,
            value,
            child_start,
            labels,
            targets,
        }
    }

    #[inline]
    fn child(&self, node: u32, b: u8) -> u32 {
        if node == 0 {
            return self.root.get(b as usize).copied().unwrap_or(NONE);
        }
        let s = self.child_start[node as usize] as usize;
        let e = self.child_start[node as usize + 1] as usize;
        let labels = &self.labels[s..e];
        if labels.len() <= 8 {
            for (i, &l) in labels.iter().enumerate() {
                if l == b {
                    return self.targets[s + i];
                }
                if l > b {
                    break;
                }
            }
            NONE
        } else {
            match labels.binary_search(&b) {
                Ok(i) => self.targets[s + i],
                Err(_) => NONE,
            }
        }
    }

    /// Calls `f(id, end)` for every piece that is a prefix of `text`, shortest first.
    #[inline]
    fn prefixes(&self, text: &[u8], mut f: impl FnMut(u32, usize)) {
        let mut node = 0u32;
        for (i, &b) in text.iter().enumerate() {
            node = self.child(node, b);
            if node == NONE {
                return;
            }
            let v = self.value[node as usize];
            if v != NONE {
                f(v, i + 1);
            }
        }
    }
}

/// A Unigram model.
#[derive(Clone, Debug, PartialEq)]
pub struct UnigramModel {
    vocab: Vec<String>,
    scores: Vec<f64>,
    token_to_id: FxHashMap<String, u32>,
    trie: Trie,
    unk_id: Option<u32>,
    byte_fallback: bool,
    /// `<0xXX>` piece ids (all 256 present when `byte_fallback` can be used), else empty.
    byte_ids: Vec<u32>,
    min_score: f64,
    /// Ids never matched in text (added tokens).
    excluded: Vec<u32>,
    /// Ids never matched in text whatever the added tokens: a SentencePiece model's control,
    /// byte and unused pieces ([`UnigramModel::with_reserved`]).
    reserved: Vec<u32>,
    /// Viterbi path scores summed in single precision ([`UnigramModel::with_float32_sums`]).
    float32_sums: bool,
}

/// Per-thread buffers of the encoder: char boundaries, best score into each position and the
/// edge that gives it.
#[derive(Default)]
struct Scratch {
    bounds: Vec<usize>,
    best: Vec<f64>,
    back: Vec<Edge>,
    path: Vec<Edge>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl UnigramModel {
    /// A model of `pieces` (token, log-probability) in id order. `unk_id` is the id of the
    /// unknown token (an unknown char is dropped when `None`); `byte_fallback` spells unknown
    /// chars as their `<0xXX>` byte pieces (when all 256 exist). Errors: a piece listed twice, an
    /// empty vocabulary, a non-finite score, `unk_id` out of range.
    pub fn new(
        pieces: Vec<(String, f64)>,
        unk_id: Option<u32>,
        byte_fallback: bool,
    ) -> Result<Self> {
        let source = "<unigram model>";
        if pieces.is_empty() {
            return Err(Error::corrupt(source, "the vocabulary is empty"));
        }
        if let Some(u) = unk_id {
            if u as usize >= pieces.len() {
                return Err(Error::corrupt(
                    source,
                    format!("unk_id {u} is beyond the {} pieces", pieces.len()),
                ));
            }
        }
        let mut vocab = Vec::with_capacity(pieces.len());
        let mut scores = Vec::with_capacity(pieces.len());
        for (p, s) in pieces {
            if !s.is_finite() {
                return Err(Error::corrupt(
                    source,
                    format!("piece {p:?} has a non-finite score {s}"),
                ));
            }
            vocab.push(p);
            scores.push(s);
        }
        let token_to_id = crate::models::index_tokens(&vocab, "ids", source)?;
        let mut byte_ids = Vec::with_capacity(256);
        for b in 0..=255u8 {
            if let Some(&id) = token_to_id.get(&format!("<0x{b:02X}>")) {
                byte_ids.push(id);
            } else {
                byte_ids.clear();
                break;
            }
        }
        let min_score = scores.iter().copied().fold(f64::INFINITY, f64::min);
        let mut m = Self {
            vocab,
            scores,
            token_to_id,
            trie: Trie::default(),
            unk_id,
            byte_fallback,
            byte_ids,
            min_score,
            excluded: Vec::new(),
            reserved: Vec::new(),
            float32_sums: false,
        };
        m.build_trie();
        Ok(m)
    }

    fn build_trie(&mut self) {
        let unk = self.unk_id.unwrap_or(NONE);
        let (excluded, reserved) = (&self.excluded, &self.reserved);
        self.trie = Trie::build(
            self.vocab
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    let i = *i as u32;
                    i != unk
                        && excluded.binary_search(&i).is_err()
                        && reserved.binary_search(&i).is_err()
                })
                .map(|(i, p)| (i as u32, p.as_bytes())),
        );
    }

    /// The same model, never matching `added` ids in text (the added vocabulary splits them out).
    #[must_use]
    pub fn with_added_tokens(mut self, added: &[u32]) -> Self {
        let mut ex = added.to_vec();
        ex.sort_unstable();
        ex.dedup();
        if ex != self.excluded {
            self.excluded = ex;
            self.build_trie();
        }
        self
    }

    /// The same model with `reserved` ids never matched in text and left out of the lowest score
    /// (so of the unknown char's score): `SentencePiece` builds its lattice and its `min_score`
    /// from `NORMAL` pieces only, so a `.model`'s control (`<s>`), byte (`<0xXX>`) and unused
    /// pieces are reserved.
    #[must_use]
    pub fn with_reserved(mut self, reserved: &[u32]) -> Self {
        let mut r = reserved.to_vec();
        r.sort_unstable();
        r.dedup();
        if r == self.reserved {
            return self;
        }
        self.reserved = r;
        let reserved = &self.reserved;
        self.min_score = self
            .scores
            .iter()
            .enumerate()
            .filter(|&(i, _)| reserved.binary_search(&(i as u32)).is_err())
            .map(|(_, &s)| s)
            .fold(f64::INFINITY, f64::min);
        if !self.min_score.is_finite() {
            self.min_score = 0.0;
        }
        self.build_trie();
        self
    }

    /// The same model summing Viterbi path scores in single precision, as `SentencePiece` does
    /// (its scores are `float`): two segmentations that tie there need not tie in `f64`, and a
    /// `.model` must give `SentencePiece`'s ids.
    #[must_use]
    pub fn with_float32_sums(mut self, on: bool) -> Self {
        self.float32_sums = on;
        self
    }
    pub fn float32_sums(&self) -> bool {
        self.float32_sums
    }

    /// The reserved ids ([`UnigramModel::with_reserved`]), sorted.
    pub fn reserved(&self) -> &[u32] {
        &self.reserved
    }
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }
    pub fn unk_id(&self) -> Option<u32> {
        self.unk_id
    }
    pub fn byte_fallback(&self) -> bool {
        self.byte_fallback
    }
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.token_to_id.get(token).copied()
    }
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.vocab.get(id as usize).map(String::as_str)
    }
    /// The score an unknown char gets: the lowest piece score minus [`UNK_PENALTY`].
    pub fn unk_score(&self) -> f64 {
        self.min_score - UNK_PENALTY
    }

    /// Adds the edges of `text` to `lattice`, its chars numbered from `offset`; `bounds` gets the
    /// byte offset of each char boundary of `text` (`chars + 1` entries) appended.
    pub fn push_edges(
        &self,
        text: &str,
        offset: u32,
        lattice: &mut Lattice,
        bounds: &mut Vec<usize>,
    ) {
        let bytes = text.as_bytes();
        let unk_score = self.unk_score();
        let base = bounds.len();
        for (i, _) in text.char_indices() {
            bounds.push(i);
        }
        bounds.push(bytes.len());
        let n = bounds.len() - base - 1;
        for c in 0..n {
            let start = bounds[base + c];
            let next = bounds[base + c + 1];
            let mut single = false;
            let pos = offset + c as u32;
            self.trie.prefixes(&bytes[start..], |id, len| {
                let end_byte = start + len;
                // Advance to the char index of `end_byte` (monotone within one start).
                // The char index of the match's end (a piece is whole chars: it is a boundary).
                let mut e = c + 1;
                while bounds[base + e] < end_byte {
                    e += 1;
                }
                if end_byte == next {
                    single = true;
                }
                lattice.push(Edge {
                    id,
                    start: pos,
                    end: offset + e as u32,
                    score: self.scores[id as usize],
                    unknown: false,
                });
            });
            if !single {
                lattice.push(Edge {
                    id: self.unk_id.unwrap_or(NONE),
                    start: pos,
                    end: pos + 1,
                    score: unk_score,
                    unknown: true,
                });
            }
        }
    }

    /// Appends the ids of a path (edge indices of `lattice`, in order) over `text` (char
    /// boundaries `bounds`, numbered from `offset`), fusing consecutive unknown chars or spelling
    /// them as bytes; `spans` gets byte spans in `text` when given.
    pub fn emit_path(
        &self,
        lattice: &Lattice,
        path: &[u32],
        text: &str,
        bounds: &[usize],
        offset: u32,
        ids: &mut Vec<u32>,
        spans: Option<&mut Vec<(usize, usize)>>,
    ) {
        let edges = lattice.edges();
        self.emit_edges(
            path.iter().map(|&i| &edges[i as usize]),
            text,
            bounds,
            offset,
            ids,
            spans,
        );
    }

    /// [`UnigramModel::emit_path`] for the edges of a path themselves.
    fn emit_edges<'e>(
        &self,
        path: impl Iterator<Item = &'e Edge>,
        text: &str,
        bounds: &[usize],
        offset: u32,
        ids: &mut Vec<u32>,
        mut spans: Option<&mut Vec<(usize, usize)>>,
    ) {
        let mut prev_unknown = false;
        for e in path {
            let s = bounds[(e.start - offset) as usize];
            let t = bounds[(e.end - offset) as usize];
            if e.unknown {
                if self.byte_fallback && !self.byte_ids.is_empty() {
                    for &b in &text.as_bytes()[s..t] {
                        ids.push(self.byte_ids[b as usize]);
                        if let Some(sp) = spans.as_deref_mut() {
                            sp.push((s, t));
                        }
                    }
                    prev_unknown = false;
                    continue;
                }
                let Some(unk) = self.unk_id else {
                    prev_unknown = false;
                    continue;
                };
                if prev_unknown {
                    if let Some(sp) = spans.as_deref_mut() {
                        if let Some(last) = sp.last_mut() {
                            last.1 = t;
                        }
                    }
                    continue;
                }
                ids.push(unk);
                if let Some(sp) = spans.as_deref_mut() {
                    sp.push((s, t));
                }
                prev_unknown = true;
            } else {
                ids.push(e.id);
                if let Some(sp) = spans.as_deref_mut() {
                    sp.push((s, t));
                }
                prev_unknown = false;
            }
        }
    }

    /// The Viterbi path without storing the lattice: the same edges in the same order as
    /// [`UnigramModel::push_edges`] and the same strict `>` as [`Lattice::viterbi`] (so the same
    /// path and tie-break), keeping only the best edge into each position.
    fn encode_inner(
        &self,
        piece: &str,
        ids: &mut Vec<u32>,
        spans: Option<&mut Vec<(usize, usize)>>,
    ) {
        if piece.is_empty() {
            return;
        }
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let Scratch {
                bounds,
                best,
                back,
                path,
            } = &mut *guard;
            let bytes = piece.as_bytes();
            bounds.clear();
            bounds.extend(piece.char_indices().map(|(i, _)| i));
            bounds.push(bytes.len());
            let n = bounds.len() - 1;
            best.clear();
            best.resize(n + 1, f64::NEG_INFINITY);
            best[0] = 0.0;
            let none = Edge {
                id: NONE,
                start: 0,
                end: 0,
                score: 0.0,
                unknown: false,
            };
            back.clear();
            back.resize(n + 1, none);
            let unk_score = self.unk_score();
            for c in 0..n {
                let here = best[c];
                let start = bounds[c];
                let next = bounds[c + 1];
                let mut single = false;
                self.trie.prefixes(&bytes[start..], |id, len| {
                    let end_byte = start + len;
                    let mut e = c + 1;
                    while bounds[e] < end_byte {
                        e += 1;
                    }
                    single |= end_byte == next;
                    let score = self.scores[id as usize];
                    let sum = self.sum(here, score);
                    if sum > best[e] {
                        best[e] = sum;
                        back[e] = Edge {
                            id,
                            start: c as u32,
                            end: e as u32,
                            score,
                            unknown: false,
                        };
                    }
                });
                if !single && self.sum(here, unk_score) > best[c + 1] {
                    best[c + 1] = self.sum(here, unk_score);
                    back[c + 1] = Edge {
                        id: self.unk_id.unwrap_or(NONE),
                        start: c as u32,
                        end: c as u32 + 1,
                        score: unk_score,
                        unknown: true,
                    };
                }
            }
            path.clear();
            let mut p = n;
            while p > 0 {
                let e = back[p];
                path.push(e);
                p = e.start as usize;
            }
            path.reverse();
            self.emit_edges(path.iter(), piece, bounds, 0, ids, spans);
        });
    }

    /// A path score plus an edge's, in the precision the model sums in.
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // single precision is the point
    fn sum(&self, path: f64, edge: f64) -> f64 {
        if self.float32_sums {
            f64::from(path as f32 + edge as f32)
        } else {
            path + edge
        }
    }

    /// Appends the ids of the Viterbi segmentation of `piece`.
    pub fn encode_piece(&self, piece: &str, out: &mut Vec<u32>) {
        self.encode_inner(piece, out, None);
    }

    /// [`UnigramModel::encode_piece`] with the byte span of each id in `piece`.
    pub fn encode_piece_with_spans(
        &self,
        piece: &str,
        ids: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        self.encode_inner(piece, ids, Some(spans));
    }

    /// Appends the ids of one segmentation of `piece` drawn with probability
    /// `∝ exp(alpha · score)` (`docs/unigram.md` §5).
    pub fn sample_piece(
        &self,
        piece: &str,
        alpha: f64,
        rng: &mut SplitMix64,
        ids: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        if piece.is_empty() {
            return;
        }
        let mut lattice = Lattice::new();
        let mut bounds = Vec::new();
        lattice.reset(piece.chars().count());
        self.push_edges(piece, 0, &mut lattice, &mut bounds);
        if let Some(path) = lattice.sample(alpha, rng) {
            self.emit_path(&lattice, &path, piece, &bounds, 0, ids, Some(spans));
        }
    }

    /// The Viterbi pieces of `word` as strings with the path score (for tests and the trainer).
    pub fn segment(&self, word: &str) -> (Vec<String>, f64) {
        let mut lattice = Lattice::new();
        let mut bounds = Vec::new();
        lattice.reset(word.chars().count());
        self.push_edges(word, 0, &mut lattice, &mut bounds);
        let Some((path, score)) = lattice.viterbi() else {
            return (Vec::new(), 0.0);
        };
        let mut ids = Vec::new();
        self.emit_path(&lattice, &path, word, &bounds, 0, &mut ids, None);
        (
            ids.iter()
                .map(|&i| self.vocab.get(i as usize).cloned().unwrap_or_default())
                .collect(),
            score,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(pieces: &[(&str, f64)], unk: Option<u32>, bf: bool) -> UnigramModel {
        UnigramModel::new(
            pieces.iter().map(|(p, s)| ((*p).to_owned(), *s)).collect(),
            unk,
            bf,
        )
        .unwrap()
    }

    #[test]
    fn viterbi_prefers_the_better_path() {
        let m = model(
            &[
                ("<unk>", 0.0),
                ("a", -1.0),
                ("b", -1.0),
                ("ab", -1.5),
                ("abc", -5.0),
                ("c", -2.0),
            ],
            Some(0),
            false,
        );
        let mut ids = Vec::new();
        m.encode_piece("abc", &mut ids);
        assert_eq!(ids, vec![3, 5]);
    }

    #[test]
    fn unknowns_are_fused_with_spans() {
        let m = model(&[("<unk>", 0.0), ("a", -1.0)], Some(0), false);
        let mut ids = Vec::new();
        let mut spans = Vec::new();
        m.encode_piece_with_spans("aéxa", &mut ids, &mut spans);
        assert_eq!(ids, vec![1, 0, 1]);
        assert_eq!(spans, vec![(0, 1), (1, 4), (4, 5)]);
    }

    #[test]
    fn byte_fallback_spells_bytes() {
        let mut pieces: Vec<(String, f64)> = vec![("<unk>".into(), 0.0), ("a".into(), -1.0)];
        for b in 0..=255u8 {
            pieces.push((format!("<0x{b:02X}>"), -20.0));
        }
        let m = UnigramModel::new(pieces, Some(0), true).unwrap();
        let mut ids = Vec::new();
        m.encode_piece("aé", &mut ids);
        assert_eq!(ids, vec![1, 2 + 0xC3, 2 + 0xA9]);
    }

    #[test]
    fn the_direct_encoder_follows_the_lattice() {
        let m = model(
            &[
                ("<unk>", 0.0),
                ("a", -1.0),
                ("b", -1.0),
                ("ab", -2.0),
                ("ba", -2.0),
                ("bab", -3.0),
                ("é", -1.5),
            ],
            Some(0),
            false,
        );
        for w in ["abab", "babab", "aébxa", "xxab", "ba", "ééa", "abba"] {
            let mut lattice = Lattice::new();
            let mut bounds = Vec::new();
            lattice.reset(w.chars().count());
            m.push_edges(w, 0, &mut lattice, &mut bounds);
            let (path, _) = lattice.viterbi().unwrap();
            let mut want = Vec::new();
            let mut want_spans = Vec::new();
            m.emit_path(
                &lattice,
                &path,
                w,
                &bounds,
                0,
                &mut want,
                Some(&mut want_spans),
            );
            let mut got = Vec::new();
            let mut spans = Vec::new();
            m.encode_piece_with_spans(w, &mut got, &mut spans);
            assert_eq!((got, spans), (want, want_spans), "{w}");
        }
    }

    #[test]
    fn bad_models_are_errors() {
        assert!(UnigramModel::new(vec![], None, false).is_err());
        assert!(UnigramModel::new(vec![("a".into(), 0.0)], Some(3), false).is_err());
        assert!(UnigramModel::new(vec![("a".into(), f64::NAN)], None, false).is_err());
        assert!(
            UnigramModel::new(vec![("a".into(), 0.0), ("a".into(), 1.0)], None, false).is_err()
        );
    }
}
