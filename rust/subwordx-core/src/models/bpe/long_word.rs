//! A word too long to rewrite whole at every merge (a megabyte of text without whitespace is one
//! word to a whitespace pre-tokenizer).
//!
//! The trainer rewrites an ordinary word from scratch when a merge touches it: cheap for words of
//! a few symbols, but for one word of `n` symbols every merge would cost `O(n)` and training
//! `O(n × merges)` (21 s for 1 MB of random letters at 2,400 merges). A long word is instead a
//! doubly linked list over its original positions, with an index from each pair to the positions
//! where it starts. A merge visits only the positions of its pair, in left-to-right order (a merge
//! keeps the left position, so original positions stay in text order), and reports each pair it
//! removes or creates; the cost is that of the occurrences, not of the word.
//!
//! Index entries go stale (a position merged away, or whose neighbour changed); a position is
//! checked when it is visited, so stale entries cost a check and nothing else.

use rustc_hash::FxHashMap;

const NONE: u32 = u32::MAX;

#[inline]
fn pack(l: u32, r: u32) -> u64 {
    (u64::from(l) << 32) | u64::from(r)
}

/// A long word: symbols at original positions, linked left to right.
pub(super) struct LongWord {
    /// The symbol at each position (`NONE` once merged into its left neighbour).
    sym: Vec<u32>,
    prev: Vec<u32>,
    next: Vec<u32>,
    /// Pair → the positions of its left symbol (possibly stale, unordered, repeated).
    starts: FxHashMap<u64, Vec<u32>>,
}

impl LongWord {
    pub(super) fn new(symbols: &[u32]) -> Self {
        let n = symbols.len() as u32;
        let mut starts: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (i, p) in symbols.windows(2).enumerate() {
            starts.entry(pack(p[0], p[1])).or_default().push(i as u32);
        }
        Self {
            sym: symbols.to_vec(),
            prev: (0..n).map(|i| if i == 0 { NONE } else { i - 1 }).collect(),
            next: (0..n)
                .map(|i| if i + 1 == n { NONE } else { i + 1 })
                .collect(),
            starts,
        }
    }

    /// Replaces every `(a, b)` by `new`, left to right (`a a a` becomes `new a`), calling
    /// `change(pair, +1 | -1)` for each adjacent pair removed or created. Returns whether the pair
    /// occurred.
    pub(super) fn merge(
        &mut self,
        a: u32,
        b: u32,
        new: u32,
        mut change: impl FnMut(u64, i64),
    ) -> bool {
        let Some(mut positions) = self.starts.remove(&pack(a, b)) else {
            return false;
        };
        positions.sort_unstable();
        positions.dedup();
        let mut merged = false;
        for p in positions {
            let pi = p as usize;
            if self.sym[pi] != a {
                continue;
            }
            let q = self.next[pi];
            if q == NONE || self.sym[q as usize] != b {
                continue;
            }
            merged = true;
            let left = self.prev[pi];
            let right = self.next[q as usize];
            if left != NONE {
                let x = self.sym[left as usize];
                change(pack(x, a), -1);
                change(pack(x, new), 1);
                self.starts.entry(pack(x, new)).or_default().push(left);
            }
            change(pack(a, b), -1);
            if right != NONE {
                let y = self.sym[right as usize];
                change(pack(b, y), -1);
                change(pack(new, y), 1);
                self.starts.entry(pack(new, y)).or_default().push(p);
                self.prev[right as usize] = p;
            }
            self.sym[pi] = new;
            self.next[pi] = right;
            self.sym[q as usize] = NONE;
        }
        merged
    }

    /// The symbols left to right (for tests).
    #[cfg(test)]
    pub(super) fn symbols(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut i = 0u32;
        while i != NONE && (i as usize) < self.sym.len() {
            out.push(self.sym[i as usize]);
            i = self.next[i as usize];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain left-to-right rewrite the trainer uses for ordinary words.
    fn rewrite(w: &[u32], a: u32, b: u32, new: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < w.len() {
            if i + 1 < w.len() && w[i] == a && w[i + 1] == b {
                out.push(new);
                i += 2;
            } else {
                out.push(w[i]);
                i += 1;
            }
        }
        out
    }

    fn pair_counts(w: &[u32]) -> FxHashMap<u64, i64> {
        let mut m = FxHashMap::default();
        for p in w.windows(2) {
            *m.entry(pack(p[0], p[1])).or_insert(0) += 1;
        }
        m
    }

    #[test]
    fn merges_and_pair_changes_equal_a_full_rewrite() {
        // A small alphabet makes repeats (a a a) and overlapping merges common.
        let mut state = 12345u64;
        let mut rand = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50 {
            let len = 1 + (rand() % 300) as usize;
            let mut plain: Vec<u32> = (0..len).map(|_| (rand() % 3) as u32).collect();
            let mut long = LongWord::new(&plain);
            for next_symbol in 3..43 {
                let counts = pair_counts(&plain);
                let Some(&key) = counts.keys().nth((rand() as usize) % counts.len().max(1)) else {
                    break;
                };
                let (a, b) = ((key >> 32) as u32, key as u32);
                let mut deltas: FxHashMap<u64, i64> = FxHashMap::default();
                let hit = long.merge(a, b, next_symbol, |k, d| *deltas.entry(k).or_insert(0) += d);
                let after = rewrite(&plain, a, b, next_symbol);
                assert!(hit);
                let mut want = pair_counts(&after);
                for (k, v) in &counts {
                    *want.entry(*k).or_insert(0) -= v;
                }
                want.retain(|_, v| *v != 0);
                deltas.retain(|_, v| *v != 0);
                assert_eq!(deltas, want);
                plain = after;
                assert_eq!(long.symbols(), plain);
            }
        }
    }
}
