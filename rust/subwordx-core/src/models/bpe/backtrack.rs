//! Exact byte-level BPE by search instead of replay: longest matches, checked pairwise, with
//! backtracking.
//!
//! Replaying merges (the array scan of [`super::model`]) costs a merge-table lookup for every pair
//! each merge creates and a scan per merge: quadratic in the piece, and for a piece the cache
//! has never seen (a long run of kana and kanji, say) nearly every lookup misses the CPU cache.
//! The encoding can instead be *found*, one token at a time, because of two facts about the BPE
//! encoding of a byte string (the idea of GitHub's `bpe` crate, described in its README):
//!
//! 1. **Pairs decide.** Call tokens `a, b` *compatible* when the BPE encoding of `bytes(a) ++
//!    bytes(b)` is `[a, b]`. A token sequence whose adjacent pairs are all compatible is the BPE
//!    encoding of its bytes. (Each token's bytes evolve exactly as they would alone, merging in
//!    rank order, unless the pair across a boundary merges first; whether it does depends on the
//!    two tokens only, and [`Backtracker::compatible`] decides it by undoing the merges that built
//!    them, latest first, checking that the pair across the boundary at each stage never ranks
//!    below the merge that ends that stage.)
//! 2. **Prefixes are unique.** So a compatible sequence that reaches byte `pos` is *the*
//!    encoding of the first `pos` bytes, whichever way it was found: whether `pos` can be
//!    continued to the end depends on `pos` alone.
//!
//! The encoder takes the longest token at each position; when it is not compatible with the one
//! before, it tries that token's longest proper prefix token, and so on; when none fits it marks
//! the position dead and steps back one token. Every position is entered at most once with a
//! live prefix, so the work is linear in practice, and most pieces never step back at all.
//!
//! Fact 1 needs every token that may appear to be *monotone*: BPE of its own bytes gives the token
//! itself, by merges whose ranks rise from the leaves of the merge tree to its root (then a
//! token's merges happen in rank order). A token that is not never appears inside a longer piece
//! as the result of merges, so it is left out of the search; if the search still finds no
//! encoding (a piece whose true encoding needs such a token), the caller replays merges.

use super::model::BpeModel;
use super::pair_lookup::PairCache;
use super::prefix_trie::PrefixTrie;

const NONE: u32 = u32::MAX;

/// Slots of the per-thread compatibility memo, `2^MEMO_BITS` (8 bytes each: 512 KiB).
const MEMO_BITS: u32 = 16;

/// What one thread's searches remember between pieces (the cache of one model): a direct-mapped
/// memo of [`Backtracker::compatible`] (adjacent pairs recur from piece to piece; each slot packs
/// the pair, ids below 2^31, and the answer), and recent merge-table lookups.
pub(crate) struct SearchMemo {
    compatible: Box<[u64]>,
    pub(crate) pairs: PairCache,
}

impl Default for SearchMemo {
    fn default() -> Self {
        // u64::MAX would be the pair (2^31 - 1, u32::MAX), which is never asked: an empty slot.
        Self {
            compatible: vec![u64::MAX; 1 << MEMO_BITS].into_boxed_slice(),
            pairs: PairCache::default(),
        }
    }
}

impl SearchMemo {
    pub(crate) fn clear(&mut self) {
        self.compatible.fill(u64::MAX);
        self.pairs.clear();
    }
}

/// What the search knows of one token, in one 16-byte record: a step of the search reads a
/// token's length and, in a pair check, its merge, and the records of a 200k vocabulary are
/// megabytes, so fields in separate arrays cost a cache miss each.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(16))]
struct TokenInfo {
    /// The last merge that builds the token from two tokens; for a single byte, `[byte, _]`.
    made_from: [u32; 2],
    /// Rank of that merge plus one; 0 for a single byte, which no merge builds.
    order: u32,
    /// Bytes of the token (0: not in the search).
    len: u32,
}

/// The search's tables over one model's vocabulary (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct Backtracker {
    trie: PrefixTrie,
    /// By token id.
    info: Box<[TokenInfo]>,
    /// The longest token in the search that is a proper prefix of each token (`NONE` if none).
    shorter: Box<[u32]>,
    /// The merge rank of each two bytes, `(b1 << 8) | b2`: the deepest stages of a check are
    /// byte pairs, answered without the merge table.
    byte_pair_rank: Box<[u32]>,
}

impl Backtracker {
    /// The search for a byte-level model whose 256 byte symbols are all in its vocabulary
    /// (`byte_ids`, by byte). `None` for a vocabulary of 2^31 ids or more (the memo packs ids).
    ///
    /// A token is in the search when some merge `(l, r)` makes it from two tokens in the search,
    /// both built by merges of lower rank, and the bytes of `l` and `r` become `l` and `r`
    /// before that merge (the stages of [`Backtracker::compatible`] hold up to its rank): then
    /// BPE of the token's own bytes gives the token, in rank order. Merges are visited by rank,
    /// so a token's halves are decided before it.
    pub(crate) fn new(model: &BpeModel, byte_ids: &[u32; 256]) -> Option<Self> {
        let vocab = model.vocab();
        let n = vocab.len();
        if n >= 1 << 31 || byte_ids.contains(&NONE) {
            return None;
        }
        let mut search = Self {
            trie: PrefixTrie::new(0, std::iter::empty())?.0,
            info: vec![
                TokenInfo {
                    made_from: [NONE, NONE],
                    order: 0,
                    len: 0,
                };
                n
            ]
            .into_boxed_slice(),
            shorter: Box::default(),
            byte_pair_rank: (0..1usize << 16)
                .map(|k| model.rank(byte_ids[k >> 8], byte_ids[k & 0xff]).0)
                .collect(),
        };
        for (b, &id) in byte_ids.iter().enumerate() {
            search.info[id as usize] = TokenInfo {
                made_from: [b as u32, NONE],
                order: 0,
                len: 1,
            };
        }
        // tiktoken ranks: each merge was derived by BPE of the token's own bytes with the lower
        // ranks, which reached exactly `l, r` (`BpeModel::from_ranks`): the stages hold.
        let derived = model.settings().merges_from_ranks;
        let mut pairs = PairCache::default();
        for &(l, r) in model.merges() {
            let (rank, id) = model.rank(l, r);
            let (li, ri, i) = (l as usize, r as usize, id as usize);
            let (left, right) = (search.info[li], search.info[ri]);
            if rank == NONE
                || search.info[i].len != 0
                || left.len == 0
                || right.len == 0
                || left.order > rank
                || right.order > rank
                || !(derived || search.stages_hold(l, r, rank, |x, y| pairs.rank(model, x, y).0))
            {
                continue;
            }
            search.info[i] = TokenInfo {
                made_from: [l, r],
                order: rank + 1,
                len: left.len + right.len,
            };
        }
        let bytes: Vec<Option<Vec<u8>>> = (0..n)
            .map(|id| {
                (search.info[id].len != 0)
                    .then(|| super::token_bytes(&vocab[id]))
                    .flatten()
            })
            .collect();
        let (trie, shorter) = PrefixTrie::new(
            n,
            bytes
                .iter()
                .enumerate()
                .filter_map(|(id, b)| Some((b.as_deref()?, id as u32))),
        )?;
        search.trie = trie;
        search.shorter = shorter;
        Some(search)
    }

    /// Bytes of a token in the search.
    pub(crate) fn token_len(&self, id: u32) -> usize {
        self.info[id as usize].len as usize
    }

    /// Whether the pair across the boundary of `a, b` (tokens in the search) never merges before
    /// a merge of rank `limit` would, while the merges that built `a` and `b` are undone, latest
    /// first (the higher rank; the right one among equal ranks, which merges after the left).
    /// At each stage the pair across the boundary must not merge before the merge that ends
    /// the stage: not at a lower rank, and, when that merge is on the right, not at an equal
    /// rank either (the leftmost merges first).
    fn stages_hold(
        &self,
        mut a: u32,
        mut b: u32,
        mut limit: u32,
        mut rank_of: impl FnMut(u32, u32) -> u32,
    ) -> bool {
        loop {
            let (ia, ib) = (&self.info[a as usize], &self.info[b as usize]);
            let bytes = ia.order == 0 && ib.order == 0;
            let rank = if bytes {
                self.byte_pair_rank[((ia.made_from[0] << 8) | ib.made_from[0]) as usize]
            } else {
                rank_of(a, b)
            };
            if rank < limit {
                return false;
            }
            if bytes {
                return true;
            }
            if ia.order > ib.order {
                limit = ia.order - 1;
                a = ia.made_from[1];
            } else {
                limit = ib.order;
                b = ib.made_from[0];
            }
        }
    }

    /// Whether BPE encodes `bytes(a) ++ bytes(b)` as `[a, b]`: no merge across the boundary,
    /// ever.
    #[inline]
    fn compatible(&self, model: &BpeModel, a: u32, b: u32, memo: &mut SearchMemo) -> bool {
        let pair = (u64::from(a) << 32) | u64::from(b);
        let slot = (pair.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - MEMO_BITS)) as usize;
        let seen = memo.compatible[slot];
        if seen >> 1 == pair {
            return seen & 1 == 1;
        }
        let pairs = &mut memo.pairs;
        let answer = self.stages_hold(a, b, NONE, |x, y| pairs.rank(model, x, y).0);
        memo.compatible[slot] = (pair << 1) | u64::from(answer);
        answer
    }

    /// Appends the BPE encoding of `bytes` to `out` and returns true; or returns false, leaving
    /// `out` as it was, when the encoding needs a token outside the search.
    pub(crate) fn encode(
        &self,
        model: &BpeModel,
        bytes: &[u8],
        out: &mut Vec<u32>,
        memo: &mut SearchMemo,
    ) -> bool {
        let n = bytes.len();
        let start = out.len();
        // Positions from which no encoding reaches the end; allocated at the first step back.
        let mut dead: Vec<u64> = Vec::new();
        let is_dead =
            |dead: &[u64], p: usize| !dead.is_empty() && (dead[p >> 6] >> (p & 63)) & 1 == 1;
        let mut pos = 0;
        let mut candidate = self.trie.longest(bytes);
        while pos < n {
            let last = (out.len() > start).then(|| out[out.len() - 1]);
            let mut t = candidate;
            while t != NONE {
                let end = pos + self.info[t as usize].len as usize;
                if !is_dead(&dead, end) && last.is_none_or(|l| self.compatible(model, l, t, memo)) {
                    break;
                }
                t = self.shorter[t as usize];
            }
            if t != NONE {
                out.push(t);
                pos += self.info[t as usize].len as usize;
                candidate = self.trie.longest(&bytes[pos..]);
                continue;
            }
            // Nothing fits here: `pos` is dead. Step back one token and try shorter ones there.
            if dead.is_empty() {
                dead = vec![0; n / 64 + 1];
            }
            dead[pos >> 6] |= 1 << (pos & 63);
            let Some(l) = last else {
                out.truncate(start);
                return false;
            };
            out.pop();
            pos -= self.info[l as usize].len as usize;
            candidate = self.shorter[l as usize];
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::bpe::BpeSettings;
    use crate::models::unigram::SplitMix64;

    /// The byte-level token (GPT-2 chars) of some bytes.
    fn token(bytes: &[u8]) -> String {
        let table = super::super::byte_chars();
        bytes.iter().map(|&b| table[b as usize]).collect()
    }

    /// Every piece of `texts` encodes the same by search as by replaying merges; returns how
    /// many pieces the search found (the rest fell back to replay, which is allowed).
    fn agrees_with_replay(model: &BpeModel, texts: &[String]) -> usize {
        let search = model
            .backtracker()
            .expect("a byte-level model has the search");
        let mut memo = SearchMemo::default();
        let mut pairs = PairCache::default();
        let mut found = 0;
        for text in texts {
            let (mut by_search, mut by_replay) = (Vec::new(), Vec::new());
            model.replay_merges(text, &mut by_replay, &mut pairs);
            if search.encode(model, text.as_bytes(), &mut by_search, &mut memo) {
                assert_eq!(by_search, by_replay, "{text:?}");
                found += 1;
            } else {
                assert!(by_search.is_empty());
            }
        }
        found
    }

    /// Random text over a few ASCII letters and multi-byte chars, so that tokens overlap a lot.
    fn random_texts(rng: &mut SplitMix64, count: usize) -> Vec<String> {
        let alphabet = ["a", "b", "c", "ab", " ", "é", "漢", "字"];
        (0..count)
            .map(|_| {
                let len = 1 + (rng.next_f64() * 40.0) as usize;
                (0..len)
                    .map(|_| alphabet[(rng.next_f64() * alphabet.len() as f64) as usize])
                    .collect()
            })
            .collect()
    }

    /// Random multi-byte tokens cut from random text.
    fn random_tokens(rng: &mut SplitMix64, count: usize) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for text in random_texts(rng, count) {
            let b = text.as_bytes();
            let start = (rng.next_f64() * b.len() as f64) as usize;
            let len = 2 + (rng.next_f64() * 6.0) as usize;
            let t = b[start..(start + len).min(b.len())].to_vec();
            if t.len() >= 2 && !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// tiktoken-style ranks in random order: tokens may rank below their parts, so some are
    /// not monotone (left out of the search) and some pieces fall back to replay.
    #[test]
    fn search_equals_replay_on_random_ranks() {
        let mut rng = SplitMix64::new(7);
        let mut total_found = 0;
        for _ in 0..30 {
            let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
            tokens.extend(random_tokens(&mut rng, 120));
            // Shuffle (Fisher-Yates): the ranks are the new positions.
            for i in (1..tokens.len()).rev() {
                let j = (rng.next_f64() * (i + 1) as f64) as usize;
                tokens.swap(i, j);
            }
            let names = tokens.iter().map(|t| token(t)).collect();
            let model = BpeModel::from_ranks(names, None, "test").unwrap();
            total_found += agrees_with_replay(&model, &random_texts(&mut rng, 200));
        }
        assert!(
            total_found > 1000,
            "the search found only {total_found} pieces"
        );
    }

    /// Merge lists in random order, some merges unreachable.
    #[test]
    fn search_equals_replay_on_random_merges() {
        let mut rng = SplitMix64::new(11);
        let mut total_found = 0;
        for _ in 0..30 {
            let mut vocab: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
            let mut merges: Vec<(u32, u32)> = Vec::new();
            // Merge random pairs of the letters' tokens and of what they made.
            let mut pool: Vec<u32> = "abc é漢".bytes().map(u32::from).collect();
            for _ in 0..150 {
                let pick =
                    |rng: &mut SplitMix64| pool[(rng.next_f64() * pool.len() as f64) as usize];
                let (l, r) = (pick(&mut rng), pick(&mut rng));
                let joined = [vocab[l as usize].clone(), vocab[r as usize].clone()].concat();
                if joined.len() > 9 || merges.contains(&(l, r)) {
                    continue;
                }
                let id = if let Some(i) = vocab.iter().position(|t| *t == joined) {
                    i as u32
                } else {
                    vocab.push(joined);
                    vocab.len() as u32 - 1
                };
                merges.push((l, r));
                pool.push(id);
            }
            for i in (1..merges.len()).rev() {
                if rng.next_f64() < 0.3 {
                    let j = (rng.next_f64() * (i + 1) as f64) as usize;
                    merges.swap(i, j);
                }
            }
            let settings = BpeSettings {
                byte_level: true,
                ..BpeSettings::default()
            };
            let names = vocab.iter().map(|t| token(t)).collect();
            let model = BpeModel::from_parts(names, merges, settings, "test").unwrap();
            total_found += agrees_with_replay(&model, &random_texts(&mut rng, 200));
        }
        assert!(
            total_found > 3000,
            "the search found only {total_found} pieces"
        );
    }

    /// The real `cl100k_base` and `o200k_base` on English, Japanese and Chinese pieces: the
    /// search finds every piece, as replay does.
    #[test]
    fn search_equals_replay_on_openai_vocabularies() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
        let corpora = [
            "corpora/wagahaiwa_nekodearu.txt",
            "corpora/zh/chinese",
            "corpora/botchan.txt",
        ];
        for name in ["cl100k_base", "o200k_base"] {
            let path = format!("{shared}/tokenizers/openai/{name}.tiktoken");
            let tok = crate::tokenizer::Tokenizer::load(&path)
                .unwrap_or_else(|e| panic!("{path} (../shared is needed): {e}"));
            let model = tok.model().as_bpe().unwrap();
            for corpus in corpora {
                let path = format!("{shared}/{corpus}");
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                let text = &text[..text.floor_char_boundary(300_000)];
                let mut pieces = Vec::new();
                tok.pre_tokenizer()
                    .for_each_piece(text, |a, b| pieces.push(text[a..b].to_string()));
                pieces.sort_unstable();
                pieces.dedup();
                let found = agrees_with_replay(model, &pieces);
                assert_eq!(found, pieces.len(), "{name} {corpus}");
            }
        }
    }
}
