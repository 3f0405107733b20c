//! BPE-dropout (Provilkov et al. 2020): subword regularization for BPE models
//! (`docs/unigram.md` §5.3).
//!
//! Encoding starts from the same initial symbols as [`BpeModel::encode_piece`]. At each step every
//! adjacent pair that is a merge is a candidate; the candidates are visited left to right and each
//! one is dropped when a uniform draw falls below `p` (one draw per candidate, in that order). The
//! kept candidate of the lowest rank (the leftmost among equal ranks) is merged; the encoding ends
//! when no candidate is kept. `p = 0` is ordinary BPE; `p = 1` leaves the initial symbols.
//! Quadratic in the piece, which is fine for words; the draws come from the caller's seeded
//! generator, so a seed reproduces the encoding.

use super::model::{BpeModel, Sym};
use crate::models::unigram::SplitMix64;

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
    loop {
        let mut best: Option<(u32, usize, u32)> = None;
        for i in 0..syms.len().saturating_sub(1) {
            let Some((rank, id)) = model.merge_of(syms[i].id, syms[i + 1].id) else {
                continue;
            };
            if rng.next_f64() < p {
                continue;
            }
            if best.is_none_or(|(r, _, _)| rank < r) {
                best = Some((rank, i, id));
            }
        }
        let Some((_, i, id)) = best else { break };
        syms[i] = Sym {
            id,
            start: syms[i].start,
            end: syms[i + 1].end,
        };
        syms.remove(i + 1);
    }
    for s in syms {
        ids.push(s.id);
        spans.push((s.start as usize, s.end as usize));
    }
}
