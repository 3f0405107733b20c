//! Several segmentations of one text (`docs/unigram.md` §5): the n best with their scores, and
//! one drawn at random (subword regularization).
//!
//! The text goes through the pipeline as for [`Tokenizer::encode`] (added tokens, normalizer,
//! pre-tokenizer) but the pieces are first only collected; their lattices are joined into one
//! lattice of the whole text (no edge crosses a piece boundary), searched or sampled as a whole,
//! and the pipeline runs again emitting each piece's share of the chosen path, so offsets,
//! word ids and the post-processor are those of an ordinary encoding.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Encoding, PieceHook, SpecialPolicy, Tokenizer};
use crate::models::unigram::{Lattice, SplitMix64, UnigramModel};
use crate::models::Model;
use crate::{Error, Result};

/// How [`Tokenizer::encode_sample`] draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleOptions {
    /// Unigram: the inverse temperature; a path is drawn with probability `∝ exp(alpha·score)`.
    pub alpha: f64,
    /// Unigram: `< 0` draws from every segmentation; `0` or `1` is the Viterbi path; `k > 1`
    /// draws among the `k` best.
    pub nbest_size: i64,
    /// BPE: each merge is skipped with this probability (BPE-dropout); must be `None` for
    /// Unigram and set for BPE.
    pub dropout: Option<f64>,
    pub seed: u64,
}

/// The ids and byte spans of each piece of a text.
type Parts = Vec<(Vec<u32>, Vec<(usize, usize)>)>;

/// The pieces of one text, joined into one lattice.
struct Joined {
    pieces: Vec<String>,
    /// Per piece: its first char position in the lattice and its first entry in `bounds`.
    starts: Vec<(u32, usize)>,
    bounds: Vec<usize>,
    lattice: Lattice,
}

impl Joined {
    fn build(model: &UnigramModel, pieces: Vec<String>) -> Self {
        let total: usize = pieces.iter().map(|p| p.chars().count()).sum();
        let mut lattice = Lattice::new();
        lattice.reset(total);
        let mut bounds = Vec::new();
        let mut starts = Vec::with_capacity(pieces.len());
        let mut offset = 0u32;
        for p in &pieces {
            starts.push((offset, bounds.len()));
            model.push_edges(p, offset, &mut lattice, &mut bounds);
            offset += p.chars().count() as u32;
        }
        Joined {
            pieces,
            starts,
            bounds,
            lattice,
        }
    }

    /// The ids and spans of each piece along `path`.
    fn split(&self, model: &UnigramModel, path: &[u32]) -> Parts {
        let edges = self.lattice.edges();
        let mut out = Vec::with_capacity(self.pieces.len());
        let mut i = 0;
        for (k, piece) in self.pieces.iter().enumerate() {
            let (offset, base) = self.starts[k];
            let end = offset + piece.chars().count() as u32;
            let from = i;
            while i < path.len() && edges[path[i] as usize].end <= end {
                i += 1;
            }
            let mut ids = Vec::new();
            let mut spans = Vec::new();
            model.emit_path(
                &self.lattice,
                &path[from..i],
                piece,
                &self.bounds[base..],
                offset,
                &mut ids,
                Some(&mut spans),
            );
            out.push((ids, spans));
        }
        out
    }
}

impl Tokenizer {
    fn unigram_model(&self, what: &str) -> Result<&UnigramModel> {
        match &self.model {
            Model::Unigram(m) => Ok(m),
            other => Err(Error::invalid(format!(
                "{what} needs a Unigram model; this tokenizer's model is {}",
                other.kind()
            ))),
        }
    }

    /// The pre-tokenized pieces of `text`, as the pipeline cuts them.
    fn collect_pieces(&self, text: &str) -> Vec<String> {
        let pieces = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&pieces);
        let hook: PieceHook<'_> = Box::new(
            move |p: &str, _: &mut Vec<u32>, _: &mut Vec<(usize, usize)>| {
                sink.borrow_mut().push(p.to_owned());
            },
        );
        self.encode_sequence_hooked(text, SpecialPolicy::All, false, Some(hook));
        Rc::try_unwrap(pieces).map_or_else(|rc| rc.borrow().clone(), RefCell::into_inner)
    }

    /// Runs the pipeline emitting the given ids and spans for the pieces, in order.
    fn replay(&self, text: &str, parts: Parts, add_special_tokens: bool) -> Encoding {
        let mut it = parts.into_iter();
        let hook: PieceHook<'_> = Box::new(
            move |_: &str, ids: &mut Vec<u32>, spans: &mut Vec<(usize, usize)>| {
                if let Some((i, s)) = it.next() {
                    ids.extend(i);
                    spans.extend(s);
                }
            },
        );
        let enc = self.encode_sequence_hooked(text, SpecialPolicy::All, true, Some(hook));
        self.process_one(enc, None, add_special_tokens)
    }

    /// The `n` best segmentations of `text` (special tokens in it matched), best first, each
    /// with its score (the sum of its pieces' log-probabilities). Exact: A* search over the
    /// whole text's lattice (`docs/unigram.md` §5). Needs a Unigram model.
    pub fn encode_nbest(
        &self,
        text: &str,
        n: usize,
        add_special_tokens: bool,
    ) -> Result<Vec<(Encoding, f64)>> {
        let model = self.unigram_model("n-best encoding")?;
        let mut joined = Joined::build(model, self.collect_pieces(text));
        if joined.pieces.is_empty() {
            return Ok(if n == 0 {
                Vec::new()
            } else {
                vec![(self.replay(text, Vec::new(), add_special_tokens), 0.0)]
            });
        }
        let paths = joined.lattice.nbest(n);
        Ok(paths
            .into_iter()
            .map(|(path, score)| {
                let parts = joined.split(model, &path);
                (self.replay(text, parts, add_special_tokens), score)
            })
            .collect())
    }

    /// One segmentation of `text` drawn at random (`docs/unigram.md` §5), reproducible from
    /// `options.seed`. Unigram: from the whole lattice with probability `∝ exp(alpha·score)`
    /// (`nbest_size < 0`), among the `nbest_size` best (`> 1`), or the Viterbi path (`0`, `1`).
    /// BPE: BPE-dropout with `options.dropout`. WordPiece has no sampling: an error.
    pub fn encode_sample(
        &self,
        text: &str,
        options: &SampleOptions,
        add_special_tokens: bool,
    ) -> Result<Encoding> {
        let mut rng = SplitMix64::new(options.seed);
        if let Model::Bpe(bpe) = &self.model {
            let Some(p) = options.dropout else {
                return Err(Error::invalid(
                    "sampling a BPE model is BPE-dropout: give dropout=p (0 <= p <= 1)",
                ));
            };
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::invalid(format!(
                    "dropout must be in [0, 1], got {p}"
                )));
            }
            // `p = 0` is plain BPE (its `ignore_merges` shortcut included), as in HF.
            let hook: PieceHook<'_> = Box::new(
                move |piece: &str, ids: &mut Vec<u32>, spans: &mut Vec<(usize, usize)>| {
                    if p == 0.0 {
                        bpe.encode_piece_with_spans(piece, ids, spans);
                    } else {
                        crate::models::bpe::dropout::encode_piece(
                            bpe, piece, p, &mut rng, ids, spans,
                        );
                    }
                },
            );
            let enc = self.encode_sequence_hooked(text, SpecialPolicy::All, true, Some(hook));
            return Ok(self.process_one(enc, None, add_special_tokens));
        }
        let model = self.unigram_model("sampling")?;
        if options.dropout.is_some() {
            return Err(Error::invalid(
                "dropout is for BPE models; a Unigram model samples with alpha and nbest_size",
            ));
        }
        if !options.alpha.is_finite() || options.alpha < 0.0 {
            return Err(Error::invalid(format!(
                "alpha must be a finite number >= 0, got {}",
                options.alpha
            )));
        }
        let mut joined = Joined::build(model, self.collect_pieces(text));
        if joined.pieces.is_empty() {
            return Ok(self.replay(text, Vec::new(), add_special_tokens));
        }
        let path = match options.nbest_size {
            k if k < 0 => joined.lattice.sample(options.alpha, &mut rng),
            0 | 1 => joined.lattice.viterbi().map(|(p, _)| p),
            k => {
                let list = joined.lattice.nbest(k as usize);
                choose(&list, options.alpha, &mut rng)
            }
        };
        let parts = path.map_or_else(Vec::new, |p| joined.split(model, &p));
        Ok(self.replay(text, parts, add_special_tokens))
    }
}

/// One of the n-best paths, drawn with probability `∝ exp(alpha · score)` by one uniform draw
/// (the first whose cumulative probability exceeds it).
fn choose(list: &[(Vec<u32>, f64)], alpha: f64, rng: &mut SplitMix64) -> Option<Vec<u32>> {
    let top = list.first()?.1 * alpha;
    let weights: Vec<f64> = list.iter().map(|(_, s)| (s * alpha - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let u = rng.next_f64() * total;
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if u < acc {
            return Some(list[i].0.clone());
        }
    }
    list.last().map(|l| l.0.clone())
}
