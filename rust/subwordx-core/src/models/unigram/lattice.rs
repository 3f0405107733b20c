//! The segmentation lattice of one text (`docs/unigram.md` §2), shared by the encoder and the
//! trainer.
//!
//! Positions are char boundaries `0..=n`. An edge ("node" in `SentencePiece`) is a vocabulary piece
//! (or an unknown char) covering chars `start..end` with a log-probability `score`. Edges are
//! added in order of their start position, so every pass below runs over positions: the forward
//! pass visits edges by start, the backward pass by start in reverse. Nothing is allocated per
//! edge; a `Lattice` is cleared and reused from text to text.
//!
//! * [`Lattice::viterbi`]: the best segmentation, `O(edges)`. Ties (equal path scores) go to the
//!   path whose last piece starts earliest (is longest), recursively from the end.
//! * [`Lattice::forward_backward`]: each edge's posterior probability and `log Z`, with
//!   log-sum-exp in a fixed order (the trainer's expected counts).
//! * [`Lattice::nbest`]: the `k` best segmentations, exact, best first: A* from the end whose
//!   heuristic is the exact best prefix score (as `SentencePiece`'s `NBest`); ties in the queue go
//!   to the hypothesis pushed first.
//! * [`Lattice::sample`]: one segmentation drawn with probability `∝ exp(alpha · score)` by
//!   forward filtering, backward sampling (exactly distributed; one uniform draw per piece).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One edge of the lattice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// The piece id (the unknown id for an unknown char).
    pub id: u32,
    /// First and one-past-last char positions.
    pub start: u32,
    pub end: u32,
    pub score: f64,
    /// True for an unknown char (no piece of one char matched there).
    pub unknown: bool,
}

/// The lattice of one text. Build with [`Lattice::reset`] and [`Lattice::push`].
#[derive(Clone, Debug, Default)]
pub struct Lattice {
    /// Number of char positions (`n`).
    len: usize,
    edges: Vec<Edge>,
    /// `first_edge[p]`: index of the first edge starting at `p` (`p ≤ n`, then `edges.len()`).
    first_edge: Vec<u32>,
    /// Edges grouped by end, filled lazily (n-best and sampling walk back from the end).
    by_end: Vec<u32>,
    by_end_first: Vec<u32>,
    scratch: Vec<f64>,
    scratch2: Vec<f64>,
}

/// `log(exp(a) + exp(b))`, exact for `-inf` inputs.
#[inline]
pub fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

/// A uniform draw source (`docs/unigram.md` §5): `SplitMix64`, the double from the top 53 bits.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A double uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A partial path of the n-best search: the suffix from `pos` to the end.
struct Hyp {
    /// Best prefix score to `pos` plus the suffix score (exact priority).
    fx: f64,
    /// Score of the suffix.
    gx: f64,
    pos: u32,
    /// Index of this hypothesis's edge and the next hypothesis (towards the end) in `arena`.
    seq: u32,
}

impl PartialEq for Hyp {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Hyp {}
impl PartialOrd for Hyp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Hyp {
    /// The higher `fx` first; equal: the one pushed first (smaller `seq`).
    fn cmp(&self, other: &Self) -> Ordering {
        self.fx
            .total_cmp(&other.fx)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The most hypotheses one n-best search keeps (a guard against lattices with astronomically many
/// near-equal paths; SentencePiece bounds its agenda similarly).
const MAX_HYPOTHESES: usize = 1 << 22;

impl Lattice {
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the lattice for a text of `len` chars.
    pub fn reset(&mut self, len: usize) {
        self.len = len;
        self.edges.clear();
        self.first_edge.clear();
        self.by_end.clear();
        self.by_end_first.clear();
    }

    /// Number of char positions.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Adds an edge; edges must come in non-decreasing `start` order and `end ≤ len`.
    #[inline]
    pub fn push(&mut self, edge: Edge) {
        debug_assert!(edge.start < edge.end && edge.end as usize <= self.len);
        while self.first_edge.len() <= edge.start as usize {
            self.first_edge.push(self.edges.len() as u32);
        }
        self.edges.push(edge);
    }

    /// Closes the start index (called by every pass; idempotent).
    fn seal(&mut self) {
        while self.first_edge.len() <= self.len + 1 {
            self.first_edge.push(self.edges.len() as u32);
        }
    }

    #[inline]
    fn starting_at(&self, p: usize) -> std::ops::Range<usize> {
        self.first_edge[p] as usize..self.first_edge[p + 1] as usize
    }

    /// Groups edges by end (stable: in the order they were pushed).
    fn index_ends(&mut self) {
        if !self.by_end_first.is_empty() {
            return;
        }
        let mut counts = vec![0u32; self.len + 2];
        for e in &self.edges {
            counts[e.end as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut fill = counts.clone();
        self.by_end = vec![0; self.edges.len()];
        for (i, e) in self.edges.iter().enumerate() {
            let slot = &mut fill[e.end as usize];
            self.by_end[*slot as usize] = i as u32;
            *slot += 1;
        }
        self.by_end_first = counts;
    }

    fn ending_at(&self, p: usize) -> &[u32] {
        &self.by_end[self.by_end_first[p] as usize..self.by_end_first[p + 1] as usize]
    }

    /// The best path's edges (indices into [`Lattice::edges`], in text order) and its score;
    /// `None` when no path covers the text.
    pub fn viterbi(&mut self) -> Option<(Vec<u32>, f64)> {
        self.seal();
        let n = self.len;
        let mut best = std::mem::take(&mut self.scratch);
        best.clear();
        best.resize(n + 1, f64::NEG_INFINITY);
        best[0] = 0.0;
        let mut back = vec![u32::MAX; n + 1];
        for p in 0..n {
            if best[p] == f64::NEG_INFINITY {
                continue;
            }
            for i in self.starting_at(p) {
                let e = &self.edges[i];
                let s = best[p] + e.score;
                let end = e.end as usize;
                // Strict: among equal scores the edge seen first (earliest start) stays.
                if s > best[end] {
                    best[end] = s;
                    back[end] = i as u32;
                }
            }
        }
        let total = best[n];
        self.scratch = best;
        if n > 0 && back[n] == u32::MAX {
            return None;
        }
        let mut path = Vec::new();
        let mut p = n;
        while p > 0 {
            let i = back[p];
            path.push(i);
            p = self.edges[i as usize].start as usize;
        }
        path.reverse();
        Some((path, total))
    }

    /// Forward-backward: calls `f(edge, posterior)` for every edge in push order and returns
    /// `log Z` (the log of the sum of the probabilities of all paths); `-inf` when no path.
    pub fn forward_backward(&mut self, mut f: impl FnMut(&Edge, f64)) -> f64 {
        self.seal();
        let n = self.len;
        let mut alpha = std::mem::take(&mut self.scratch);
        let mut beta = std::mem::take(&mut self.scratch2);
        alpha.clear();
        alpha.resize(n + 1, f64::NEG_INFINITY);
        beta.clear();
        beta.resize(n + 1, f64::NEG_INFINITY);
        alpha[0] = 0.0;
        for p in 0..n {
            let a = alpha[p];
            if a == f64::NEG_INFINITY {
                continue;
            }
            for i in self.starting_at(p) {
                let e = &self.edges[i];
                let end = e.end as usize;
                alpha[end] = log_add(alpha[end], a + e.score);
            }
        }
        beta[n] = 0.0;
        for p in (0..n).rev() {
            let mut b = f64::NEG_INFINITY;
            for i in self.starting_at(p) {
                let e = &self.edges[i];
                b = log_add(b, e.score + beta[e.end as usize]);
            }
            beta[p] = b;
        }
        let z = alpha[n];
        if z != f64::NEG_INFINITY {
            for e in &self.edges {
                let post = (alpha[e.start as usize] + e.score + beta[e.end as usize] - z).exp();
                f(e, post);
            }
        }
        self.scratch = alpha;
        self.scratch2 = beta;
        z
    }

    /// The `k` best paths, best first, each as edge indices in text order with its score. Fewer
    /// when the lattice has fewer paths.
    pub fn nbest(&mut self, k: usize) -> Vec<(Vec<u32>, f64)> {
        if k == 0 {
            return Vec::new();
        }
        self.seal();
        self.index_ends();
        let n = self.len;
        // Best prefix score to each position (the exact A* heuristic).
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        best[0] = 0.0;
        for p in 0..n {
            if best[p] == f64::NEG_INFINITY {
                continue;
            }
            for i in self.starting_at(p) {
                let e = &self.edges[i];
                let s = best[p] + e.score;
                if s > best[e.end as usize] {
                    best[e.end as usize] = s;
                }
            }
        }
        let mut out = Vec::new();
        if best[n] == f64::NEG_INFINITY {
            return out;
        }
        // arena[seq] = (edge, next seq) for the suffix chain of each hypothesis.
        let mut arena: Vec<(u32, u32)> = vec![(u32::MAX, u32::MAX)];
        let mut heap = BinaryHeap::new();
        heap.push(Hyp {
            fx: best[n],
            gx: 0.0,
            pos: n as u32,
            seq: 0,
        });
        while let Some(h) = heap.pop() {
            if h.pos == 0 {
                let mut path = Vec::new();
                let mut s = h.seq;
                while arena[s as usize].0 != u32::MAX {
                    path.push(arena[s as usize].0);
                    s = arena[s as usize].1;
                }
                out.push((path, h.gx));
                if out.len() == k {
                    break;
                }
                continue;
            }
            if arena.len() > MAX_HYPOTHESES {
                break;
            }
            for &i in self.ending_at(h.pos as usize) {
                let e = &self.edges[i as usize];
                let prefix = best[e.start as usize];
                if prefix == f64::NEG_INFINITY {
                    continue;
                }
                let gx = h.gx + e.score;
                let seq = arena.len() as u32;
                arena.push((i, h.seq));
                heap.push(Hyp {
                    fx: prefix + gx,
                    gx,
                    pos: e.start,
                    seq,
                });
            }
        }
        out
    }

    /// One path drawn with probability `exp(alpha · score(path)) / Σ exp(alpha · score)`:
    /// forward sums of `alpha · score`, then from the end, at each position, the edge ending
    /// there is chosen by one uniform draw `u`: the first edge (in push order) whose cumulative
    /// probability exceeds `u`. `None` when no path.
    pub fn sample(&mut self, alpha: f64, rng: &mut SplitMix64) -> Option<Vec<u32>> {
        self.seal();
        self.index_ends();
        let n = self.len;
        let mut fwd = vec![f64::NEG_INFINITY; n + 1];
        fwd[0] = 0.0;
        for p in 0..n {
            let a = fwd[p];
            if a == f64::NEG_INFINITY {
                continue;
            }
            for i in self.starting_at(p) {
                let e = &self.edges[i];
                let end = e.end as usize;
                fwd[end] = log_add(fwd[end], a + alpha * e.score);
            }
        }
        if fwd[n] == f64::NEG_INFINITY {
            return None;
        }
        let mut path = Vec::new();
        let mut p = n;
        while p > 0 {
            let u = rng.next_f64();
            let mut acc = 0.0;
            let mut chosen = u32::MAX;
            let mut last_ok = u32::MAX;
            for &i in self.ending_at(p) {
                let e = &self.edges[i as usize];
                let prev = fwd[e.start as usize];
                if prev == f64::NEG_INFINITY {
                    continue;
                }
                last_ok = i;
                acc += (prev + alpha * e.score - fwd[p]).exp();
                if u < acc {
                    chosen = i;
                    break;
                }
            }
            // Rounding can leave the sum a hair below 1: the last reachable edge takes the rest.
            if chosen == u32::MAX {
                chosen = last_ok;
            }
            if chosen == u32::MAX {
                return None;
            }
            path.push(chosen);
            p = self.edges[chosen as usize].start as usize;
        }
        path.reverse();
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(id: u32, start: u32, end: u32, score: f64) -> Edge {
        Edge {
            id,
            start,
            end,
            score,
            unknown: false,
        }
    }

    /// "ab": a, b, ab.
    fn small() -> Lattice {
        let mut l = Lattice::new();
        l.reset(2);
        l.push(edge(0, 0, 1, -1.0));
        l.push(edge(2, 0, 2, -2.5));
        l.push(edge(1, 1, 2, -1.0));
        l
    }

    #[test]
    fn viterbi_and_nbest_agree() {
        let mut l = small();
        let (path, s) = l.viterbi().unwrap();
        assert_eq!(path, vec![0, 2]);
        assert!((s + 2.0).abs() < 1e-12);
        let nb = l.nbest(5);
        assert_eq!(nb.len(), 2);
        assert_eq!(nb[0].0, vec![0, 2]);
        assert_eq!(nb[1].0, vec![1]);
        assert!((nb[1].1 + 2.5).abs() < 1e-12);
    }

    #[test]
    fn posteriors_sum_to_one_per_position() {
        let mut l = small();
        let mut post = [0.0; 3];
        let z = l.forward_backward(|e, p| post[e.id as usize] += p);
        let expect = ((-2.0f64).exp() + (-2.5f64).exp()).ln();
        assert!((z - expect).abs() < 1e-12);
        assert!((post[0] + post[2] - 1.0).abs() < 1e-12);
        assert!((post[0] - post[1]).abs() < 1e-12);
    }

    #[test]
    fn sampling_is_seeded() {
        let mut l = small();
        let mut r1 = SplitMix64::new(7);
        let mut r2 = SplitMix64::new(7);
        for _ in 0..20 {
            assert_eq!(l.sample(1.0, &mut r1), l.sample(1.0, &mut r2));
        }
    }
}
