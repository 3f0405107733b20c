//! What the pair-merging trainers (BPE, WordPiece) share: pairs of symbol ids packed in one
//! integer, the pair counts of a corpus with the words each pair occurs in, the left-to-right
//! merge of a pair in one word, and a binary max-heap whose order needs the vocabulary.
//!
//! The two trainers differ in what they rank pairs by (frequency; the likelihood score) and so in
//! their heap entries and their `better`; everything here is the same for both.

use std::ops::AddAssign;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// A pair of symbol ids in one integer (left in the high half): one hash, one compare.
#[inline]
pub(crate) fn pack(l: u32, r: u32) -> u64 {
    (u64::from(l) << 32) | u64::from(r)
}

#[inline]
pub(crate) fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// The count of a pair and the words it occurs in (possibly with stale or repeated entries, which
/// the merge steps tolerate: they sort, dedup and skip words without the pair).
#[derive(Default)]
pub(crate) struct PairStat<C> {
    pub count: C,
    pub words: Vec<u32>,
}

/// Pair counts and word lists of all words (each weighted by its count), computed in parallel
/// chunks and summed; word lists come out sorted, whatever the order of the chunks.
pub(crate) fn count_pairs<C>(words: &[Vec<u32>], counts: &[C]) -> FxHashMap<u64, PairStat<C>>
where
    C: Copy + Default + AddAssign + Send + Sync,
{
    const CHUNK: usize = 4096;
    let merge = |mut a: FxHashMap<u64, PairStat<C>>, b: FxHashMap<u64, PairStat<C>>| {
        for (k, v) in b {
            let st = a.entry(k).or_default();
            st.count += v.count;
            st.words.extend(v.words);
        }
        a
    };
    let mut stats = words
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut m: FxHashMap<u64, PairStat<C>> = FxHashMap::default();
            for (j, w) in chunk.iter().enumerate() {
                let wi = (ci * CHUNK + j) as u32;
                let c = counts[wi as usize];
                for p in w.windows(2) {
                    let st = m.entry(pack(p[0], p[1])).or_default();
                    st.count += c;
                    if st.words.last() != Some(&wi) {
                        st.words.push(wi);
                    }
                }
            }
            m
        })
        .reduce(FxHashMap::default, |a, b| {
            if a.len() < b.len() {
                merge(b, a)
            } else {
                merge(a, b)
            }
        });
    stats
        .par_iter_mut()
        .for_each(|(_, v)| v.words.sort_unstable());
    stats
}

/// Applies `(a, b) -> new` to `word` left to right (`a a a` becomes `new a`); returns how many
/// times it applied.
#[inline]
pub(crate) fn merge_word(word: &mut Vec<u32>, a: u32, b: u32, new: u32) -> u64 {
    let n = word.len();
    let (mut i, mut out, mut merged) = (0, 0, 0);
    while i < n {
        if i + 1 < n && word[i] == a && word[i + 1] == b {
            word[out] = new;
            i += 2;
            merged += 1;
        } else {
            word[out] = word[i];
            i += 1;
        }
        out += 1;
    }
    word.truncate(out);
    merged
}

/// A binary max-heap ordered by a `better(a, b)` that needs more than the entries (the symbols'
/// strings for tie-breaks), which `std::collections::BinaryHeap` cannot borrow.
pub(crate) struct Heap<E> {
    items: Vec<E>,
}

impl<E: Copy> Heap<E> {
    pub(crate) fn from_vec(items: Vec<E>, better: &impl Fn(&E, &E) -> bool) -> Self {
        let mut h = Self { items };
        for i in (0..h.items.len() / 2).rev() {
            h.sift_down(i, better);
        }
        h
    }

    /// The best entry, without taking it.
    pub(crate) fn peek(&self) -> Option<E> {
        self.items.first().copied()
    }

    pub(crate) fn push(&mut self, e: E, better: &impl Fn(&E, &E) -> bool) {
        self.items.push(e);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if better(&self.items[i], &self.items[parent]) {
                self.items.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    pub(crate) fn pop(&mut self, better: &impl Fn(&E, &E) -> bool) -> Option<E> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        self.sift_down(0, better);
        Some(top)
    }

    fn sift_down(&mut self, mut i: usize, better: &impl Fn(&E, &E) -> bool) {
        let n = self.items.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && better(&self.items[r], &self.items[l]) {
                r
            } else {
                l
            };
            if better(&self.items[c], &self.items[i]) {
                self.items.swap(i, c);
                i = c;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heap_pops_in_order_and_pairs_count_every_position() {
        let by_value = |a: &u32, b: &u32| a > b;
        let mut h = Heap::from_vec(vec![3, 9, 1, 7], &by_value);
        h.push(8, &by_value);
        let mut out = Vec::new();
        while let Some(x) = h.pop(&by_value) {
            out.push(x);
        }
        assert_eq!(out, [9, 8, 7, 3, 1]);
        let stats = count_pairs(&[vec![1, 1, 1], vec![2, 1, 1]], &[2u64, 5]);
        assert_eq!(stats[&pack(1, 1)].count, 2 * 2 + 5);
        assert_eq!(stats[&pack(1, 1)].words, [0, 1]);
        let mut w = vec![1, 1, 1, 1, 1];
        assert_eq!(merge_word(&mut w, 1, 1, 7), 2);
        assert_eq!(w, [7, 7, 1]);
    }
}
