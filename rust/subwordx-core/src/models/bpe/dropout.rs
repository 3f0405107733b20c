//! BPE-dropout (Provilkov et al. 2020): subword regularization for BPE models
//! (`docs/unigram.md` §5.3).
//!
//! The process is Hugging Face's (`Word::merge_all` with a dropout), so that a `tokenizer.json`
//! with `"dropout": p` draws its encodings from the distribution HF draws them from; only the
//! generator differs (HF's is unseeded, ours a seeded `SplitMix64`, so a seed reproduces an
//! encoding on either backend).
//!
//! From the initial symbols of [`BpeModel::encode_piece`], the adjacent pairs that are merges wait
//! in a queue ordered by `(rank, position of the left symbol)`. Each entry popped takes one draw
//! `u`: when `u < p` it is set aside; otherwise the set-aside entries go back into the queue and
//! the popped one is merged, unless it went stale (a side was merged away since it was queued),
//! and the pairs the merge forms with its neighbours are queued. The piece is done when the queue
//! is empty. `p = 1` leaves the initial symbols; `p = 0` is never asked for (it is plain BPE,
//! whose `ignore_merges` shortcut then applies, as in HF). Stale entries take draws too, as HF's
//! do, so both backends consume the generator identically.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::model::{BpeModel, Sym};
use crate::models::unigram::SplitMix64;

/// A queued merge: `(rank, position of the left symbol, merged id)`; the heap pops the lowest.
type Candidate = Reverse<(u32, usize, u32)>;

/// Appends the ids and byte spans of one piece encoded with BPE-dropout `p`.
pub fn encode_piece(
    model: &BpeModel,
    piece: &str,
    p: f64,
    rng: &mut SplitMix64,
    ids: &mut Vec<u32>,
    spans: &mut Vec<(usize, usize)>,
) {
    let mut syms: Vec<Sym> = model.initial_symbols(piece);
    let n = syms.len();
    // A linked list over `syms`; a symbol merged into its left neighbour gets `alive = false`.
    let mut alive = vec![true; n];
    let mut next: Vec<usize> = (1..=n).collect();
    let mut prev: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let candidate = |syms: &[Sym], left: usize, right: usize| -> Option<Candidate> {
        model
            .merge_of(syms[left].id, syms[right].id)
            .map(|(rank, id)| Reverse((rank, left, id)))
    };
    let mut queue: BinaryHeap<Candidate> =
        (1..n).filter_map(|i| candidate(&syms, i - 1, i)).collect();
    let mut set_aside: Vec<Candidate> = Vec::new();
    while let Some(top) = queue.pop() {
        if rng.next_f64() < p {
            set_aside.push(top);
            continue;
        }
        queue.extend(set_aside.drain(..));
        let Reverse((_, left, id)) = top;
        let right = next[left];
        if !alive[left] || right >= n {
            continue;
        }
        // Stale: the pair at `left` is no longer the one queued.
        if model
            .merge_of(syms[left].id, syms[right].id)
            .is_none_or(|(_, now)| now != id)
        {
            continue;
        }
        syms[left].id = id;
        syms[left].end = syms[right].end;
        alive[right] = false;
        next[left] = next[right];
        if next[left] < n {
            prev[next[left]] = Some(left);
        }
        if let Some(before) = prev[left] {
            queue.extend(candidate(&syms, before, left));
        }
        if next[left] < n {
            queue.extend(candidate(&syms, left, next[left]));
        }
    }
    for (s, _) in syms.iter().zip(&alive).filter(|(_, &a)| a) {
        ids.push(s.id);
        spans.push((s.start as usize, s.end as usize));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::bpe::BpeSettings;

    fn hello() -> BpeModel {
        let vocab: Vec<String> = ["h", "e", "l", "o", "he", "ll", "hell", "hello"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let merges = vec![(0, 1), (2, 2), (4, 5), (6, 3)];
        BpeModel::from_parts(vocab, merges, BpeSettings::default(), "test").unwrap()
    }

    fn encode(model: &BpeModel, p: f64, seed: u64) -> Vec<u32> {
        let (mut ids, mut spans) = (Vec::new(), Vec::new());
        encode_piece(
            model,
            "hello",
            p,
            &mut SplitMix64::new(seed),
            &mut ids,
            &mut spans,
        );
        ids
    }

    #[test]
    fn one_leaves_the_initial_symbols_and_a_tiny_p_merges_all() {
        let m = hello();
        assert_eq!(encode(&m, 1.0, 3), vec![0, 1, 2, 2, 3]);
        assert_eq!(encode(&m, 1e-12, 3), vec![7]);
    }

    #[test]
    fn a_seed_reproduces_and_seeds_differ() {
        let m = hello();
        let runs: Vec<Vec<u32>> = (0..64).map(|s| encode(&m, 0.5, s)).collect();
        assert_eq!(runs[9], encode(&m, 0.5, 9));
        let distinct: std::collections::HashSet<_> = runs.iter().collect();
        assert!(distinct.len() > 3, "{distinct:?}");
        // Whatever was dropped, the tokens spell the piece.
        for ids in &runs {
            let text: String = ids.iter().map(|&i| m.id_to_token(i).unwrap()).collect();
            assert_eq!(text, "hello");
        }
    }
}
