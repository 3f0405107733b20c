//! The per-thread cache of encoded pieces: piece bytes -> ids.
//!
//! Text repeats its words, and a hit skips the merging (or the search) entirely. Two layouts,
//! because pieces come in two kinds:
//!
//! * **Short pieces** (at most 15 bytes, at most [`INLINE_IDS`] ids: most English words) are keyed
//!   by their bytes packed into one `u128` ([`short_key`]) with the ids inline: one probe, no
//!   pointer to follow.
//! * **Longer pieces** (a Japanese clause is thirty bytes and more) live in two arenas, one of
//!   bytes and one of ids, indexed by a hash of the bytes. Text in such scripts rarely repeats
//!   a clause, so most of these pieces are inserted and never asked again: an insert must cost
//!   little. Boxing each piece's bytes and ids cost two allocations per piece, and freeing them
//!   all when the cache was emptied; perf put that at a sixth of the time of a first pass over
//!   Japanese text.
//!
//! The cache belongs to one model at a time (its `uid`): a thread that encodes with another
//! model empties it first.

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::backtrack::SearchMemo;
use super::encoder_choice::EncoderChoice;

/// Up to this many ids of a short piece are stored inline; a short piece with more goes to the
/// arenas.
pub(crate) const INLINE_IDS: usize = 7;
/// Pieces held before the cache empties itself (it never evicts one by one: the working set
/// of a text is its vocabulary, and a cache that overflows is cheaper to restart than to
/// manage).
const CAPACITY: usize = 1 << 16;

/// A piece of at most 15 bytes packed into one integer (its bytes, then its length in the last
/// byte): a hash key compared in one instruction, with no pointer to follow.
#[inline]
pub(crate) fn short_key(bytes: &[u8]) -> Option<u128> {
    if bytes.len() > 15 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..bytes.len()].copy_from_slice(bytes);
    k[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(k))
}

/// Where a longer piece's bytes and ids lie in the arenas.
#[derive(Clone, Copy)]
struct Span {
    bytes_at: u32,
    bytes_len: u32,
    ids_at: u32,
    ids_len: u32,
}

/// The cache of one thread (see the module docs), and what else the thread keeps of one model:
/// the search's memo and the measurements that choose between the encoders.
#[derive(Default)]
pub(crate) struct PieceCache {
    uid: u64,
    short: FxHashMap<u128, ([u32; INLINE_IDS], u8)>,
    /// Hash of a longer piece's bytes -> its span. Two pieces with one hash: the first keeps the
    /// entry, the second is not cached (a lookup compares the bytes).
    long: FxHashMap<u64, Span>,
    long_bytes: Vec<u8>,
    long_ids: Vec<u32>,
    pub(crate) search: SearchMemo,
    pub(crate) choice: EncoderChoice,
}

impl PieceCache {
    /// Empties the cache if it belongs to another model than `uid`.
    pub(crate) fn own(&mut self, uid: u64) {
        if self.uid != uid {
            self.clear();
            self.search.clear();
            self.choice.clear();
            self.uid = uid;
        }
    }

    /// Whether the cache holds `uid`'s pieces.
    #[inline]
    pub(crate) fn belongs_to(&self, uid: u64) -> bool {
        self.uid == uid
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
        self.long_bytes.clear();
        self.long_ids.clear();
    }

    #[inline]
    fn hash(bytes: &[u8]) -> u64 {
        FxBuildHasher.hash_one(bytes)
    }

    /// Appends the cached ids of `bytes` (whose [`short_key`] is `key`) to `out`; false if
    /// absent.
    #[inline]
    pub(crate) fn get(&self, key: Option<u128>, bytes: &[u8], out: &mut Vec<u32>) -> bool {
        if let Some(k) = key {
            if let Some((ids, n)) = self.short.get(&k) {
                out.extend_from_slice(&ids[..*n as usize]);
                return true;
            }
        }
        if self.long.is_empty() {
            return false;
        }
        match self.long.get(&Self::hash(bytes)) {
            Some(s) if self.bytes_of(*s) == bytes => {
                let at = s.ids_at as usize;
                out.extend_from_slice(&self.long_ids[at..at + s.ids_len as usize]);
                true
            }
            _ => false,
        }
    }

    fn bytes_of(&self, s: Span) -> &[u8] {
        let at = s.bytes_at as usize;
        &self.long_bytes[at..at + s.bytes_len as usize]
    }

    /// Caches the ids of a piece (the cache belongs to the model: see [`PieceCache::own`]).
    pub(crate) fn insert(&mut self, key: Option<u128>, bytes: &[u8], ids: &[u32]) {
        if self.short.len() + self.long.len() >= CAPACITY {
            self.clear();
        }
        match key {
            Some(k) if ids.len() <= INLINE_IDS => {
                let mut inline = [0u32; INLINE_IDS];
                inline[..ids.len()].copy_from_slice(ids);
                self.short.insert(k, (inline, ids.len() as u8));
            }
            _ => {
                let (Ok(bytes_at), Ok(ids_at)) = (
                    u32::try_from(self.long_bytes.len()),
                    u32::try_from(self.long_ids.len()),
                ) else {
                    // Over 4 GB of cached pieces (never, at this capacity): start again.
                    self.clear();
                    return;
                };
                let span = Span {
                    bytes_at,
                    bytes_len: bytes.len() as u32,
                    ids_at,
                    ids_len: ids.len() as u32,
                };
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    self.long.entry(Self::hash(bytes))
                {
                    slot.insert(span);
                    self.long_bytes.extend_from_slice(bytes);
                    self.long_ids.extend_from_slice(ids);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_pieces_round_trip() {
        let mut cache = PieceCache::default();
        cache.own(1);
        let long_piece = "吾輩は猫である。名前はまだ無い。".as_bytes();
        let pieces: [(&[u8], Vec<u32>); 4] = [
            (b"hello", vec![1, 2]),
            (b"a piece of 16 by", vec![3]),
            (b"short, many ids", (0..12).collect()),
            (long_piece, (100..140).collect()),
        ];
        for (bytes, ids) in &pieces {
            let mut out = vec![9];
            assert!(!cache.get(short_key(bytes), bytes, &mut out));
            assert_eq!(out, [9]);
            cache.insert(short_key(bytes), bytes, ids);
        }
        for (bytes, ids) in &pieces {
            let mut out = vec![9];
            assert!(cache.get(short_key(bytes), bytes, &mut out));
            assert_eq!(out[1..], ids[..]);
        }
        // A piece of the same length that is not cached.
        let mut other = long_piece.to_vec();
        other[3] ^= 1;
        assert!(!cache.get(None, &other, &mut Vec::new()));
        // Another model's pieces are gone.
        cache.own(2);
        assert!(!cache.get(None, long_piece, &mut Vec::new()));
        assert!(!cache.get(short_key(b"hello"), b"hello", &mut Vec::new()));
    }
}
