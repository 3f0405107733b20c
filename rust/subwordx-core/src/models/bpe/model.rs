//! A trained BPE model and its encoder (`docs/bpe.md` §4.2–4.3).
//!
//! ## Encoding one piece
//!
//! The initial symbols of the piece are merged by rank: repeatedly the adjacent pair with the
//! lowest merge rank, the leftmost among equal ranks. Two implementations give the same result:
//!
//! * short pieces (the vast majority): an array of symbols plus the rank of each adjacent pair;
//!   each step scans for the minimum and updates the two neighbouring ranks (tiktoken's
//!   `byte_pair_merge`), O(n²) but with tiny constants;
//! * long pieces: a doubly linked list over the symbols and a binary heap of candidate merges
//!   `(rank, position)` with lazy invalidation (HF `tokenizers`' `Word::merge_all`), O(n log n), so
//!   a megabyte without whitespace encodes in milliseconds.
//!
//! Positions are indices into the initial symbol array; a merge keeps the left index, so index
//! order is left-to-right order and `(rank, index)` is exactly "lowest rank, then leftmost".
//!
//! Byte-level pieces are cached per thread (piece → ids, [`super::piece_cache`]): text repeats
//! its words, and a cache hit skips the merging entirely. The cache is thread-local, so a shared
//! model needs no lock. A byte-level piece too long for the cache (a run of kana and kanji
//! without punctuation, a minified file) is not merged at all but *found*, by longest matches
//! checked pairwise ([`super::backtrack`]): the same ids in linear time; a shorter one is
//! merged or found, whichever the thread measures to be faster on its text
//! ([`super::encoder_choice`]). Replaying the merges remains the fallback and the oracle.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::backtrack::Backtracker;
use super::encoder_choice::{run_planned, Encoder};
use super::pair_lookup::{pack, PairCache, PairFilter};
use super::piece_cache::{short_key, PieceCache};
use crate::models::index_tokens;
use crate::{Error, Result};

/// How a BPE model makes the initial symbols of a piece (`docs/bpe.md` §2).
// Each flag is an independent HF option of the same name.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BpeSettings {
    /// Byte-level (GPT-2): symbols are the piece's UTF-8 bytes as `bytes_to_unicode` chars.
    pub byte_level: bool,
    /// Classic: appended to the last symbol of a word (e.g. `</w>`).
    pub end_of_word_suffix: Option<String>,
    /// Classic: prepended to every symbol but the first (e.g. `##`).
    pub continuing_subword_prefix: Option<String>,
    /// The token that replaces a symbol not in the vocabulary (else it is dropped).
    pub unk_token: Option<String>,
    /// HF `ignore_merges`: a piece that is itself a token is that token, whatever the merges say.
    #[serde(default)]
    pub ignore_merges: bool,
    /// HF `byte_fallback` (classic): a char not in the vocabulary becomes its UTF-8 bytes as
    /// `<0xNN>` tokens when all of them exist.
    #[serde(default)]
    pub byte_fallback: bool,
    /// HF `fuse_unk`: consecutive unknown chars become one `unk_token`.
    #[serde(default)]
    pub fuse_unk: bool,
    /// tiktoken's rule: the merges are implied by the ranks (token ids): the adjacent pair whose
    /// concatenation has the lowest rank merges first. Set by [`BpeModel::from_ranks`].
    #[serde(default)]
    pub merges_from_ranks: bool,
    /// SentencePiece BPE's rule: every merge making the same token has the rank of the first of
    /// them, so among pairs that make the same token the leftmost merges first (SentencePiece
    /// merges the adjacent pair whose concatenation scores highest, leftmost among equals).
    /// The merges are listed by the rank of the token they make (`io::sentencepiece`).
    #[serde(default)]
    pub merges_by_result: bool,
}

/// A trained BPE model: vocabulary by id, merges by rank. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct BpeModel {
    settings: BpeSettings,
    vocab: Vec<String>,
    token_to_id: FxHashMap<String, u32>,
    merges: Vec<(u32, u32)>,
    /// (left, right) packed → (rank, merged id).
    merge_map: FxHashMap<u64, (u32, u32)>,
    /// The pairs of `merge_map`, filtered: most pairs asked about never merge, and the filter
    /// says so without a probe of the map ([`super::pair_lookup`]).
    pair_filter: PairFilter,
    /// Byte-level: id of each byte's symbol (`NONE` if the vocabulary lacks it).
    byte_ids: Box<[u32; 256]>,
    /// Byte-level with all 256 byte symbols: the merge of each byte pair, `(b1 << 8) | b2`. A
    /// piece's first round of pair lookups is then an array read, not a hash probe (the rank
    /// table of a tiktoken vocabulary holds every split of every token and misses the cache).
    byte_pairs: Box<[(u32, u32)]>,
    /// Classic: ids of a char as a word's first/middle/last/only symbol.
    char_ids: [FxHashMap<char, u32>; 4],
    unk_id: Option<u32>,
    /// Classic with `byte_fallback`: the id of each byte's `<0xNN>` token (`NONE` if absent).
    fallback_ids: Box<[u32; 256]>,
    /// `ignore_merges`: a piece's bytes (byte-level) or text (classic) → its token. Added tokens
    /// are not in it: the model never produces them from text.
    whole_pieces: WholePieces,
    /// Byte-level with all 256 byte symbols: the search that finds a long piece's encoding
    /// without replaying merges ([`super::backtrack`]). Built with the model (a quarter of a
    /// second for `o200k_base`), so no encode call stalls on it; shared by clones.
    backtracker: Arc<OnceLock<Option<Backtracker>>>,
    /// Identity of this model's contents for the thread-local cache.
    uid: u64,
    /// HF `dropout`: the probability BPE-dropout skips a merge when the tokenizer encodes
    /// ([`super::dropout`]); `None` (never `Some(0)`) is plain BPE.
    dropout: Option<f64>,
}

impl PartialEq for BpeModel {
    fn eq(&self, other: &Self) -> bool {
        self.settings == other.settings
            && self.vocab == other.vocab
            && self.merges == other.merges
            && self.dropout == other.dropout
    }
}

const NONE: u32 = u32::MAX;
/// Pieces up to this many symbols are merged by the array scan, longer ones by the heap.
const SHORT: usize = 48;
/// Byte-level pieces up to this many bytes go through the per-thread cache, then the array scan
/// or the search ([`super::encoder_choice`]); longer ones always through the search.
const CACHE_MAX_PIECE: usize = 256;

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// Pieces that are whole tokens (`ignore_merges`): short ones by packed key, the rest by bytes.
/// A piece longer than the longest token is no token, without a lookup (most pieces of Japanese
/// text, whose longer-piece lookups hashed and compared every piece's bytes).
#[derive(Clone, Debug, Default)]
struct WholePieces {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<Box<[u8]>, u32>,
    longest: usize,
}

impl WholePieces {
    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
        self.longest = 0;
    }

    fn insert(&mut self, bytes: &[u8], id: u32) {
        self.longest = self.longest.max(bytes.len());
        match short_key(bytes) {
            Some(k) => self.short.entry(k).or_insert(id),
            None => self.long.entry(bytes.into()).or_insert(id),
        };
    }

    #[inline]
    fn get(&self, bytes: &[u8]) -> Option<u32> {
        if bytes.len() > self.longest {
            return None;
        }
        match short_key(bytes) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(bytes).copied(),
        }
    }
}

thread_local! {
    static CACHE: RefCell<PieceCache> =
        RefCell::new(PieceCache::default());
}

/// The bytes a byte-level token stands for (`None` if a char is not one of the 256 byte chars).
pub(crate) fn t_bytes(token: &str) -> Option<Vec<u8>> {
    token
        .chars()
        .map(crate::pretokenize::unicode_to_byte)
        .collect()
}

/// One symbol during encoding: its id and the byte span of the piece it covers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sym {
    pub(crate) id: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// Token → id, refusing a token given twice; `what` names ids in the message ("ids", "ranks").
/// The id of each byte's symbol in a byte-level vocabulary (`NONE` where absent).
fn byte_symbol_ids(token_to_id: &FxHashMap<String, u32>) -> Box<[u32; 256]> {
    let mut byte_ids = Box::new([NONE; 256]);
    let table = super::byte_chars();
    for b in 0..256 {
        let mut buf = [0u8; 4];
        if let Some(&id) = token_to_id.get(table[b].encode_utf8(&mut buf) as &str) {
            byte_ids[b] = id;
        }
    }
    byte_ids
}

/// The id of `unk_token`, which must be in the vocabulary.
fn unk_id_of(
    unk_token: Option<&str>,
    token_to_id: &FxHashMap<String, u32>,
    source_name: &str,
) -> Result<Option<u32>> {
    unk_token
        .map(|u| {
            token_to_id.get(u).copied().ok_or_else(|| {
                Error::corrupt(
                    source_name,
                    format!("unk_token {u:?} is not in the vocabulary"),
                )
            })
        })
        .transpose()
}

impl BpeModel {
    /// Builds a model from its vocabulary (by id) and merges (by rank), checking that they agree.
    /// `source_name` names the origin in [`Error::CorruptModel`].
    pub fn from_parts(
        vocab: Vec<String>,
        merges: Vec<(u32, u32)>,
        settings: BpeSettings,
        source_name: &str,
    ) -> Result<Self> {
        let corrupt = |reason: String| Error::corrupt(source_name, reason);
        let token_to_id = index_tokens(&vocab, "ids", source_name)?;
        let prefix = settings
            .continuing_subword_prefix
            .as_deref()
            .filter(|p| !p.is_empty());
        let mut merge_map = FxHashMap::default();
        merge_map.reserve(merges.len());
        // `merges_by_result`: the rank of the first merge making each token.
        let mut result_rank: FxHashMap<u32, u32> = FxHashMap::default();
        for (rank, &(l, r)) in merges.iter().enumerate() {
            let (Some(ls), Some(rs)) = (vocab.get(l as usize), vocab.get(r as usize)) else {
                return Err(corrupt(format!(
                    "merge {rank} refers to unknown id {}",
                    l.max(r)
                )));
            };
            let rs = prefix.and_then(|p| rs.strip_prefix(p)).unwrap_or(rs);
            let merged = format!("{ls}{rs}");
            let Some(&new) = token_to_id.get(&merged) else {
                return Err(corrupt(format!(
                    "merge {rank} ({ls:?}, {:?}) makes {merged:?}, which is not in the vocabulary",
                    vocab[r as usize]
                )));
            };
            let rank = if settings.merges_by_result {
                *result_rank.entry(new).or_insert(rank as u32)
            } else {
                rank as u32
            };
            // A repeated merge keeps its first (lowest) rank.
            merge_map.entry(pack(l, r)).or_insert((rank, new));
        }
        let mut byte_ids = Box::new([NONE; 256]);
        let mut char_ids: [FxHashMap<char, u32>; 4] = Default::default();
        if settings.byte_level {
            byte_ids = byte_symbol_ids(&token_to_id);
        } else {
            let p = prefix.unwrap_or("");
            let s = settings.end_of_word_suffix.as_deref().unwrap_or("");
            for (id, t) in vocab.iter().enumerate() {
                // forms: 0 first, 1 middle (P c), 2 last (P c S), 3 only (c S)
                let single = |x: &str| {
                    let mut it = x.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                };
                let id = id as u32;
                if let Some(c) = single(t) {
                    char_ids[0].insert(c, id);
                }
                if let Some(c) = t.strip_prefix(p).and_then(single) {
                    char_ids[1].insert(c, id);
                }
                if let Some(c) = t
                    .strip_prefix(p)
                    .and_then(|x| x.strip_suffix(s))
                    .and_then(single)
                {
                    char_ids[2].insert(c, id);
                }
                if let Some(c) = t.strip_suffix(s).and_then(single) {
                    char_ids[3].insert(c, id);
                }
            }
        }
        let unk_id = unk_id_of(settings.unk_token.as_deref(), &token_to_id, source_name)?;
        let mut model = Self {
            settings,
            vocab,
            token_to_id,
            merges,
            merge_map,
            pair_filter: PairFilter::default(),
            byte_ids,
            char_ids,
            unk_id,
            fallback_ids: Box::new([NONE; 256]),
            byte_pairs: Box::default(),
            whole_pieces: WholePieces::default(),
            backtracker: Arc::default(),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            dropout: None,
        };
        model.build_lookups(&[]);
        Ok(model)
    }

    /// A byte-level model from tiktoken ranks: `tokens[rank]` is the token of that rank (as
    /// byte chars). Every split of a token into two tokens is a merge of the token's rank, so
    /// merging by these ranks is tiktoken's `byte_pair_merge`; a piece that is a token is that
    /// token (`ignore_merges`), as in tiktoken. [`BpeModel::merges`] are then derived (the split
    /// that BPE with the lower ranks reaches, as HF's tiktoken converter does), for export.
    pub fn from_ranks(
        tokens: Vec<String>,
        unk_token: Option<String>,
        source_name: &str,
    ) -> Result<Self> {
        let token_to_id = index_tokens(&tokens, "ranks", source_name)?;
        let mut merge_map = FxHashMap::default();
        for (id, t) in tokens.iter().enumerate() {
            for (k, _) in t.char_indices().skip(1) {
                if let (Some(&l), Some(&r)) = (token_to_id.get(&t[..k]), token_to_id.get(&t[k..])) {
                    merge_map.insert(pack(l, r), (id as u32, id as u32));
                }
            }
        }
        let byte_ids = byte_symbol_ids(&token_to_id);
        let settings = BpeSettings {
            byte_level: true,
            ignore_merges: true,
            merges_from_ranks: true,
            unk_token,
            ..BpeSettings::default()
        };
        let unk_id = unk_id_of(settings.unk_token.as_deref(), &token_to_id, source_name)?;
        let mut model = Self {
            settings,
            vocab: tokens,
            token_to_id,
            merges: Vec::new(),
            merge_map,
            pair_filter: PairFilter::default(),
            byte_ids,
            char_ids: Default::default(),
            unk_id,
            fallback_ids: Box::new([NONE; 256]),
            byte_pairs: Box::default(),
            whole_pieces: WholePieces::default(),
            backtracker: Arc::default(),
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            dropout: None,
        };
        model.merges = model.derive_merges();
        model.build_lookups(&[]);
        Ok(model)
    }

    /// The merges implied by ranks: each multi-symbol token's two halves when BPE with the merges
    /// of lower rank reaches exactly two symbols (HF's tiktoken converter does the same).
    fn derive_merges(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for (id, t) in self.vocab.iter().enumerate() {
            if t.chars().nth(1).is_none() {
                continue;
            }
            let rank = id as u32;
            let Some(bytes) = t_bytes(t) else { continue };
            let mut syms: Vec<Sym> = bytes
                .iter()
                .map(|&b| Sym {
                    id: self.byte_ids[b as usize],
                    start: 0,
                    end: 0,
                })
                .collect();
            if syms.iter().any(|s| s.id == NONE) {
                continue;
            }
            // Merge only with lower ranks.
            loop {
                let mut best = (NONE, 0);
                for i in 0..syms.len().saturating_sub(1) {
                    let (r, _) = self.rank(syms[i].id, syms[i + 1].id);
                    if r < rank && r < best.0 {
                        best = (r, i);
                    }
                }
                if best.0 == NONE || syms.len() <= 2 {
                    break;
                }
                let (r, at) = best;
                syms[at].id = r;
                syms.remove(at + 1);
            }
            if let [l, r] = syms.as_slice() {
                out.push((l.id, r.id));
            }
        }
        out
    }

    /// Marks `added` ids as added tokens (never produced from text) and rebuilds the lookups that
    /// depend on which ids those are.
    #[must_use]
    pub fn with_added_tokens(mut self, added: &[u32]) -> Self {
        self.build_lookups(added);
        self.uid = NEXT_UID.fetch_add(1, Ordering::Relaxed);
        self
    }

    fn build_lookups(&mut self, added: &[u32]) {
        let is_added = |id: u32| added.contains(&id);
        let merges_before = self.merge_map.len();
        if self.settings.merges_from_ranks {
            // tiktoken keeps special tokens out of the ranks: no merge may make one.
            self.merge_map.retain(|_, &mut (_, new)| !is_added(new));
        }
        let merges_changed = self.merge_map.len() != merges_before;
        self.pair_filter = PairFilter::new(self.merge_map.keys().copied());
        self.whole_pieces.clear();
        if self.settings.ignore_merges {
            for (id, t) in self.vocab.iter().enumerate() {
                if is_added(id as u32) {
                    continue;
                }
                let key = if self.settings.byte_level {
                    match t_bytes(t) {
                        Some(b) => b,
                        None => continue,
                    }
                } else {
                    t.as_bytes().to_vec()
                };
                self.whole_pieces.insert(&key, id as u32);
            }
        }
        self.byte_pairs = if self.settings.byte_level && self.byte_ids.iter().all(|&id| id != NONE)
        {
            (0..1usize << 16)
                .map(|k| self.rank(self.byte_ids[k >> 8], self.byte_ids[k & 0xff]))
                .collect()
        } else {
            Box::default()
        };
        // The search depends on the merges only.
        if merges_changed {
            self.backtracker = Arc::default();
        }
        self.backtracker();
        *self.fallback_ids = [NONE; 256];
        if self.settings.byte_fallback {
            for b in 0..256usize {
                if let Some(&id) = self.token_to_id.get(&format!("<0x{b:02X}>")) {
                    self.fallback_ids[b] = id;
                }
            }
        }
    }

    /// The same model with another unk token (which must be in the vocabulary).
    pub fn with_unk_token(&self, unk_token: Option<String>) -> Result<Self> {
        let settings = BpeSettings {
            unk_token,
            ..self.settings.clone()
        };
        let unk_id = match &settings.unk_token {
            None => None,
            Some(u) => Some(*self.token_to_id.get(u).ok_or_else(|| {
                Error::invalid(format!("unk_token {u:?} is not in the vocabulary"))
            })?),
        };

        Ok(Self {
            settings,
            unk_id,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            ..self.clone()
        })
    }

    pub fn settings(&self) -> &BpeSettings {
        &self.settings
    }
    /// The BPE-dropout probability the tokenizer encodes with, if any.
    pub fn dropout(&self) -> Option<f64> {
        self.dropout
    }
    /// The same model encoding with BPE-dropout `p` (`None` or `0`: plain BPE). `p` outside
    /// `[0, 1]` is an [`Error::InvalidArgument`].
    pub fn with_dropout(&self, p: Option<f64>) -> Result<Self> {
        if let Some(p) = p {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::invalid(format!(
                    "dropout must be in [0, 1], got {p}"
                )));
            }
        }
        Ok(Self {
            dropout: p.filter(|&p| p > 0.0),
            ..self.clone()
        })
    }
    pub fn is_byte_level(&self) -> bool {
        self.settings.byte_level
    }
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }
    /// The vocabulary in id order.
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }
    /// The merges as `(left id, right id)` in rank order.
    pub fn merges(&self) -> &[(u32, u32)] {
        &self.merges
    }
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.token_to_id.get(token).copied()
    }
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.vocab.get(id as usize).map(String::as_str)
    }
    /// The search that finds pieces' encodings, when the model has one.
    pub(crate) fn backtracker(&self) -> Option<&Backtracker> {
        self.backtracker
            .get_or_init(|| {
                let s = &self.settings;
                let eligible = s.byte_level
                    && !s.merges_by_result
                    && s.continuing_subword_prefix.is_none()
                    && s.end_of_word_suffix.is_none()
                    && !self.merge_map.is_empty();
                if eligible {
                    Backtracker::new(self, &self.byte_ids)
                } else {
                    None
                }
            })
            .as_ref()
    }
    /// Rank and result of merging `left` with `right`, if it is a merge.
    pub fn merge_of(&self, left: u32, right: u32) -> Option<(u32, u32)> {
        self.merge_map.get(&pack(left, right)).copied()
    }

    /// Encodes one word (pre-tokenized piece) into ids.
    pub fn encode_word(&self, word: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.encode_piece(word, &mut out);
        out
    }

    /// The token of the whole piece under `ignore_merges`.
    #[inline]
    fn whole_piece(&self, piece: &str) -> Option<u32> {
        if self.settings.ignore_merges {
            self.whole_pieces.get(piece.as_bytes())
        } else {
            None
        }
    }

    /// Appends the ids of one piece to `out`.
    pub fn encode_piece(&self, piece: &str, out: &mut Vec<u32>) {
        if let Some(id) = self.whole_piece(piece) {
            out.push(id);
            return;
        }
        if !self.settings.byte_level {
            let mut syms = self.initial_symbols(piece);
            self.merge(&mut syms);
            out.extend(syms.iter().map(|s| s.id));
            return;
        }
        let bytes = piece.as_bytes();
        let key = short_key(bytes);
        let cached = bytes.len() <= CACHE_MAX_PIECE;
        if cached {
            let hit = CACHE.with(|c| {
                let c = c.borrow();
                c.belongs_to(self.uid) && c.get(key, bytes, out)
            });
            if hit {
                return;
            }
        }
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let c = &mut *c;
            c.own(self.uid);
            let start = out.len();
            self.encode_byte_piece(piece, out, c);
            if cached {
                c.insert(key, bytes, &out[start..]);
            }
        });
    }

    /// Appends the ids of a byte-level piece that the cache does not hold. A long piece is found
    /// by the search when the model has one and it succeeds; a short one goes to the search or
    /// to replaying the merges, whichever this thread has measured to be faster on its text
    /// ([`super::encoder_choice`]); replay is the fallback of both.
    ///
    /// Measured (`benches/RESULTS.md`, "Search or replay"): on pieces of a few kilobytes the
    /// search is 1.4-1.9x faster than the heap replay; on short pieces either may win.
    fn encode_byte_piece(&self, piece: &str, out: &mut Vec<u32>, cache: &mut PieceCache) {
        let Some(search) = self.backtracker() else {
            self.replay_merges(piece, out, &mut cache.search.pairs);
            return;
        };
        let bytes = piece.as_bytes();
        if piece.len() > CACHE_MAX_PIECE {
            if !search.encode(self, bytes, out, &mut cache.search) {
                self.replay_merges(piece, out, &mut cache.search.pairs);
            }
            return;
        }
        let plan = cache.choice.plan();
        let memo = &mut cache.search;
        run_planned(&mut cache.choice, plan, bytes.len(), || {
            if plan.encoder == Encoder::Replay || !search.encode(self, bytes, out, memo) {
                self.merge_short_bytes(bytes, out, &mut memo.pairs);
            }
        });
    }

    /// Appends the ids of one piece by replaying the merges (no search, no piece cache).
    pub(crate) fn replay_merges(&self, piece: &str, out: &mut Vec<u32>, pairs: &mut PairCache) {
        if self.settings.byte_level && piece.len() <= CACHE_MAX_PIECE {
            self.merge_short_bytes(piece.as_bytes(), out, pairs);
        } else {
            let mut syms = self.initial_symbols(piece);
            self.merge(&mut syms);
            out.extend(syms.iter().map(|s| s.id));
        }
    }

    /// Appends the ids of one piece and, for each, the byte span `[start, end)` it covers in the
    /// piece.
    pub fn encode_piece_with_spans(
        &self,
        piece: &str,
        ids: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        if let Some(id) = self.whole_piece(piece) {
            ids.push(id);
            spans.push((0, piece.len()));
            return;
        }
        let search = if piece.len() > CACHE_MAX_PIECE {
            self.backtracker()
        } else {
            None
        };
        if let Some(search) = search {
            let start = ids.len();
            let found = CACHE.with(|c| {
                let mut c = c.borrow_mut();
                c.own(self.uid);
                search.encode(self, piece.as_bytes(), ids, &mut c.search)
            });
            if found {
                let mut at = 0;
                for &id in &ids[start..] {
                    let end = at + search.token_len(id);
                    spans.push((at, end));
                    at = end;
                }
                return;
            }
        }
        let mut syms = self.initial_symbols(piece);
        self.merge(&mut syms);
        for s in syms {
            ids.push(s.id);
            spans.push((s.start as usize, s.end as usize));
        }
    }

    /// The initial symbols of a piece (`docs/bpe.md` §2, §4.2), with HF's handling of symbols not
    /// in the vocabulary: `<0xNN>` byte tokens under `byte_fallback`, else `unk_token` (runs fused
    /// into one under `fuse_unk`), else dropped. As in HF, a pending unknown run is emitted only
    /// when a known symbol or the end follows, so byte-fallback tokens can precede it.
    pub(crate) fn initial_symbols(&self, piece: &str) -> Vec<Sym> {
        let mut syms = Vec::with_capacity(piece.len());
        if self.settings.byte_level {
            for (i, b) in piece.bytes().enumerate() {
                let id = self.byte_ids[b as usize];
                let id = if id == NONE {
                    self.unk_id.unwrap_or(NONE)
                } else {
                    id
                };
                if id != NONE {
                    syms.push(Sym {
                        id,
                        start: i as u32,
                        end: i as u32 + 1,
                    });
                }
            }
            return syms;
        }
        let mut pending_unk: Option<Sym> = None;
        let mut it = piece.char_indices().peekable();
        let mut first = true;
        while let Some((i, c)) = it.next() {
            let last = it.peek().is_none();
            let form = match (first, last) {
                (true, false) => 0,
                (false, false) => 1,
                (false, true) => 2,
                (true, true) => 3,
            };
            first = false;
            let (start, end) = (i as u32, (i + c.len_utf8()) as u32);
            if let Some(&id) = self.char_ids[form].get(&c) {
                if let Some(u) = pending_unk.take() {
                    syms.push(u);
                }
                syms.push(Sym { id, start, end });
                continue;
            }
            if self.settings.byte_fallback {
                let mut buf = [0u8; 4];
                let bytes = c.encode_utf8(&mut buf).as_bytes();
                if bytes.iter().all(|&b| self.fallback_ids[b as usize] != NONE) {
                    for (k, &b) in bytes.iter().enumerate() {
                        let at = start + k as u32;
                        syms.push(Sym {
                            id: self.fallback_ids[b as usize],
                            start: at,
                            end: at + 1,
                        });
                    }
                    continue;
                }
            }
            if let Some(unk) = self.unk_id {
                pending_unk = match pending_unk {
                    Some(u) if self.settings.fuse_unk => Some(Sym { end, ..u }),
                    Some(u) => {
                        syms.push(u);
                        Some(Sym {
                            id: unk,
                            start,
                            end,
                        })
                    }
                    None => Some(Sym {
                        id: unk,
                        start,
                        end,
                    }),
                };
            }
        }
        if let Some(u) = pending_unk {
            syms.push(u);
        }
        syms
    }

    /// [`BpeModel::merge_short`] for a byte-level piece of at most [`CACHE_MAX_PIECE`] bytes, on
    /// the stack: the same merges in the same order (lowest rank, then leftmost), no allocation.
    fn merge_short_bytes(&self, bytes: &[u8], out: &mut Vec<u32>, pairs: &mut PairCache) {
        let mut ids = [0u32; CACHE_MAX_PIECE];
        let mut len = 0;
        for &b in bytes {
            let id = self.byte_ids[b as usize];
            let id = if id == NONE {
                self.unk_id.unwrap_or(NONE)
            } else {
                id
            };
            if id != NONE {
                ids[len] = id;
                len += 1;
            }
        }
        // ranks[i]: the merge of ids[i], ids[i + 1].
        let mut ranks = [(NONE, NONE); CACHE_MAX_PIECE];
        if len == bytes.len() && !self.byte_pairs.is_empty() {
            for (i, w) in bytes.windows(2).enumerate() {
                ranks[i] = self.byte_pairs[(usize::from(w[0]) << 8) | usize::from(w[1])];
            }
        } else {
            for i in 0..len.saturating_sub(1) {
                ranks[i] = pairs.rank(self, ids[i], ids[i + 1]);
            }
        }
        while len > 1 {
            let mut best = NONE;
            let mut at = 0;
            for (i, &(r, _)) in ranks[..len - 1].iter().enumerate() {
                if r < best {
                    best = r;
                    at = i;
                }
            }
            if best == NONE {
                break;
            }
            ids[at] = ranks[at].1;
            ids.copy_within(at + 2..len, at + 1);
            ranks.copy_within(at + 1..len - 1, at);
            len -= 1;
            if at + 1 < len {
                ranks[at] = pairs.rank(self, ids[at], ids[at + 1]);
            }
            if at > 0 {
                ranks[at - 1] = pairs.rank(self, ids[at - 1], ids[at]);
            }
        }
        out.extend_from_slice(&ids[..len]);
    }

    fn merge(&self, syms: &mut Vec<Sym>) {
        if syms.len() < 2 || self.merge_map.is_empty() {
            return;
        }
        if syms.len() <= SHORT {
            self.merge_short(syms);
        } else {
            self.merge_long(syms);
        }
    }

    /// `(rank, merged id)` of the pair, `(NONE, NONE)` if it never merges.
    #[inline]
    pub(crate) fn rank(&self, l: u32, r: u32) -> (u32, u32) {
        if self.pair_filter.may_merge(l, r) {
            self.rank_in_table(l, r)
        } else {
            (NONE, NONE)
        }
    }

    /// [`BpeModel::rank`] without the filter.
    #[inline]
    pub(crate) fn rank_in_table(&self, l: u32, r: u32) -> (u32, u32) {
        self.merge_map
            .get(&pack(l, r))
            .copied()
            .unwrap_or((NONE, NONE))
    }

    /// The filter in front of the merge table ([`super::pair_lookup`]).
    #[inline]
    pub(crate) fn pair_filter(&self) -> &PairFilter {
        &self.pair_filter
    }

    /// Array scan: `ranks[i]` is the merge of `syms[i], syms[i + 1]`.
    fn merge_short(&self, syms: &mut Vec<Sym>) {
        let mut ranks: Vec<(u32, u32)> = syms
            .windows(2)
            .map(|w| self.rank(w[0].id, w[1].id))
            .collect();
        loop {
            let mut best = NONE;
            let mut at = 0;
            for (i, &(r, _)) in ranks.iter().enumerate() {
                if r < best {
                    best = r;
                    at = i;
                }
            }
            if best == NONE {
                break;
            }
            let new = ranks[at].1;
            syms[at] = Sym {
                id: new,
                start: syms[at].start,
                end: syms[at + 1].end,
            };
            syms.remove(at + 1);
            ranks.remove(at);
            if at < ranks.len() {
                ranks[at] = self.rank(syms[at].id, syms[at + 1].id);
            }
            if at > 0 {
                ranks[at - 1] = self.rank(syms[at - 1].id, syms[at].id);
            }
        }
    }

    /// Linked list + heap of `(rank, position)` candidates with lazy invalidation.
    fn merge_long(&self, syms: &mut Vec<Sym>) {
        let n = syms.len();
        let mut next: Vec<u32> = (1..=n as u32).collect();
        let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
        next[n - 1] = NONE;
        let mut alive = vec![true; n];
        let mut heap: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
        for i in 0..n - 1 {
            let (r, _) = self.rank(syms[i].id, syms[i + 1].id);
            if r != NONE {
                heap.push(Reverse((r, i as u32)));
            }
        }
        while let Some(Reverse((rank, pos))) = heap.pop() {
            let p = pos as usize;
            if !alive[p] || next[p] == NONE {
                continue;
            }
            let q = next[p] as usize;
            let (r, new) = self.rank(syms[p].id, syms[q].id);
            if r != rank {
                continue; // stale: the pair at p changed since this candidate was pushed
            }
            syms[p].id = new;
            syms[p].end = syms[q].end;
            alive[q] = false;
            next[p] = next[q];
            if next[q] != NONE {
                prev[next[q] as usize] = pos;
                let (r2, _) = self.rank(new, syms[next[q] as usize].id);
                if r2 != NONE {
                    heap.push(Reverse((r2, pos)));
                }
            }
            if prev[p] != NONE {
                let (r0, _) = self.rank(syms[prev[p] as usize].id, new);
                if r0 != NONE {
                    heap.push(Reverse((r0, prev[p])));
                }
            }
        }
        let mut out = 0;
        for i in 0..n {
            if alive[i] {
                syms[out] = syms[i];
                out += 1;
            }
        }
        syms.truncate(out);
    }
}
