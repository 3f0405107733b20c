//! Merge lookups by pair, made cheap: a filter that answers "never merges" without touching
//! the merge table, and a per-thread cache of recent answers.
//!
//! Both encoders ask "what do tokens `l, r` merge into, at which rank?" over and over: replay
//! for every pair each merge creates, the search for every stage of a pair check. Counted on
//! the first pass over the Japanese and Chinese benchmark texts with `cl100k_base` and
//! `o200k_base`, **97-99% of the pairs the search asks about never merge**, and most of the
//! pairs replay asks about do not either. The merge table of a 200k vocabulary holds every
//! split of every token (446,189 pairs for `o200k_base`), megabytes that miss the CPU caches,
//! and a hash map probe costs two misses (control bytes, then the bucket).
//!
//! * [`PairFilter`]: a Bloom filter over the pairs that merge, one byte per pair (512 KiB for
//!   `o200k_base`). "Never merges" is certain; "may merge" (every pair that does, and a few
//!   percent of the rest) goes on to the cache and the table. One probe of one word.
//! * [`PairCache`]: a direct-mapped cache of recent answers, key and answer in one 16-byte slot,
//!   for the pairs of one language that recur from piece to piece.
//!
//! Measured (`benches/RESULTS.md`, "A filter in front of the merge table; search or replay,
//! chosen by measurement"): the filter made replay's first pass over Japanese and Chinese
//! 17-25% faster.

use super::model::BpeModel;

const NONE: u32 = u32::MAX;

/// A pair's key: left in the high half. No pair of ids below `u32::MAX` packs to `u64::MAX`.
#[inline]
pub(crate) fn pack(l: u32, r: u32) -> u64 {
    (u64::from(l) << 32) | u64::from(r)
}

/// Bits of filter per pair that merges: two bits set per pair, in one 64-bit word, give about
/// 5% false "may merge" at this density. Measured at 4, 8 and 16: the same within the noise.
const FILTER_BITS_PER_PAIR: usize = 8;

/// A Bloom filter over the pairs that merge (see the module docs): each pair sets two bits of
/// one word, so a probe reads one word.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairFilter {
    words: Box<[u64]>,
    /// `64 - log2(words)`: the top bits of the pair's hash pick its word.
    shift: u32,
}

impl PairFilter {
    /// The filter of `pairs` (keys by [`pack`]).
    pub(crate) fn new(pairs: impl ExactSizeIterator<Item = u64>) -> Self {
        let words = (pairs.len() * FILTER_BITS_PER_PAIR / 64)
            .max(1)
            .next_power_of_two();
        let mut filter = Self {
            words: vec![0; words].into_boxed_slice(),
            shift: 64 - words.trailing_zeros(),
        };
        for key in pairs {
            let (word, bits) = filter.bits_of(key);
            filter.words[word] |= bits;
        }
        filter
    }

    #[inline]
    fn bits_of(&self, key: u64) -> (usize, u64) {
        let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // `checked_shr`: a filter of one word has shift 64.
        let word = h.checked_shr(self.shift).unwrap_or(0) as usize;
        (word, (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63)))
    }

    /// False when the pair certainly never merges; true when it may (an empty filter, before
    /// [`PairFilter::new`], says true to everything).
    #[inline]
    pub(crate) fn may_merge(&self, l: u32, r: u32) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let (word, bits) = self.bits_of(pack(l, r));
        self.words[word] & bits == bits
    }
}

/// Slots of the per-thread pair cache, `2^PAIR_BITS` (16 bytes each: 256 KiB, inside L2).
const PAIR_BITS: u32 = 14;

/// A direct-mapped cache of merge lookups `(left, right) -> (rank, token)`, absent pairs
/// included, behind the filter and in front of the merge table (see the module docs).
pub(crate) struct PairCache {
    /// `(key, rank, token)`; key `u64::MAX` is an empty slot.
    slots: Box<[(u64, u32, u32)]>,
}

impl Default for PairCache {
    fn default() -> Self {
        Self {
            slots: vec![(u64::MAX, NONE, NONE); 1 << PAIR_BITS].into_boxed_slice(),
        }
    }
}

impl PairCache {
    pub(crate) fn clear(&mut self) {
        self.slots.fill((u64::MAX, NONE, NONE));
    }

    /// `model.rank(l, r)`: from the filter when the pair never merges, else from the cache when
    /// it holds the pair, else from the merge table.
    #[inline]
    pub(crate) fn rank(&mut self, model: &BpeModel, l: u32, r: u32) -> (u32, u32) {
        if !model.pair_filter().may_merge(l, r) {
            return (NONE, NONE);
        }
        let key = pack(l, r);
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_BITS)) as usize;
        let (k, rank, id) = self.slots[slot];
        if k == key {
            return (rank, id);
        }
        let value = model.rank_in_table(l, r);
        self.slots[slot] = (key, value.0, value.1);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet;

    /// Never a false "never merges"; few false "may merge".
    #[test]
    fn filter_has_no_false_negatives() {
        let mut x: u64 = 3;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 40) as u32
        };
        let pairs: FxHashSet<u64> = (0..20_000).map(|_| pack(next(), next())).collect();
        let filter = PairFilter::new(pairs.iter().copied());
        for &p in &pairs {
            assert!(filter.may_merge((p >> 32) as u32, p as u32));
        }
        let trials = 100_000;
        let false_positives = (0..trials)
            .map(|_| (next(), next()))
            .filter(|&(l, r)| !pairs.contains(&pack(l, r)) && filter.may_merge(l, r))
            .count();
        assert!(
            false_positives < trials / 10,
            "{false_positives} false positives in {trials}"
        );
        // One word, and none: still no false negatives.
        let tiny = PairFilter::new([pack(1, 2)].into_iter());
        assert!(tiny.may_merge(1, 2));
        assert!(PairFilter::default().may_merge(5, 6));
    }
}
