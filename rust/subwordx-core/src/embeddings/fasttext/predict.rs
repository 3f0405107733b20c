//! Prediction and evaluation of a classifier, as the fasttext package predicts
//! (`docs/fasttext.md`, "Supervised classification: prediction").
//!
//! * `h` is the mean of the line's input rows, summed in order in f32 and scaled by `1 / n`
//!   (`fastText`'s `Model::computeHidden`); dot products are summed in order too, so a model
//!   scores a line here exactly as the fasttext package does, up to the last bits of `exp`.
//! * **Scores.** Softmax: the probabilities; one-vs-all and negative sampling: the sigmoid table of
//!   each label's score; hierarchical softmax: a depth-first search of the label tree that adds
//!   `std_log` of each branch probability (the exact sigmoid), pruned below the threshold and below
//!   the k-th best score found so far (`HierarchicalSoftmaxLoss::dfs`).
//! * **The k best** with probability `>= threshold` are kept and ranked by `std_log(p)`, best first;
//!   equal scores are ordered exactly as `fastText` orders them (its heap of the k best, run by
//!   libstdc++'s heap algorithms, which the fasttext package is built with). A prediction's
//!   probability is `exp(std_log(p))`, i.e. `p + 1e-5` as the fasttext package
//!   reports it ([`super::loss::std_log`]).
//! * **Evaluation** ([`Meter`]) is `fastText`'s `Meter`: over the lines with at least one known
//!   label and one input row, `precision = correct / predicted`, `recall = correct / gold`,
//!   per label and in total, a prediction being correct when the line has that label.

use std::path::PathBuf;

use rayon::prelude::*;

use super::dictionary::split_example;
use super::loss::{std_log, Loss, Tables};
use super::supervised::Supervised;
use crate::corpus::Utf8Errors;
use crate::embeddings::huffman::Huffman;
use crate::embeddings::shared_matrix::prefetch_row;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// One predicted label: its id and its reported probability.
pub type Prediction = (u32, f32);

/// The k best `(score, label)` seen, kept exactly as `fastText` keeps them: a binary heap under
/// its comparison `a.score > b.score` (the root is the worst kept), driven by libstdc++'s
/// `push_heap` / `pop_heap` / `sort_heap` algorithms (`Loss::findKBest`, `dfs`, `predict`). Equal
/// scores are thus ordered as the fasttext package (built with libstdc++) orders them, which
/// matters for ties: the sigmoid table of one-vs-all and negative sampling gives many.
struct TopK {
    k: usize,
    heap: Vec<(f32, u32)>,
}

/// `fastText`'s `comparePairs`: `l.first > r.first`.
fn greater(a: (f32, u32), b: (f32, u32)) -> bool {
    a.0 > b.0
}

/// libstdc++'s `__push_heap`: moves `value` up from `hole` towards `top`.
fn sift_up(v: &mut [(f32, u32)], mut hole: usize, top: usize, value: (f32, u32)) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !greater(v[parent], value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

/// libstdc++'s `__adjust_heap` over `v[..len]`, filling `hole` with `value`.
fn adjust(v: &mut [(f32, u32)], mut hole: usize, len: usize, value: (f32, u32)) {
    let top = hole;
    let mut child = hole;
    while len >= 2 && child < (len - 1) / 2 {
        child = 2 * (child + 1);
        if greater(v[child], v[child - 1]) {
            child -= 1;
        }
        v[hole] = v[child];
        hole = child;
    }
    if len >= 2 && len % 2 == 0 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[hole] = v[child - 1];
        hole = child - 1;
    }
    sift_up(v, hole, top, value);
}

/// libstdc++'s `pop_heap` over `v[..len]`: the root moves to `len - 1`.
fn pop(v: &mut [(f32, u32)], len: usize) {
    if len > 1 {
        let value = v[len - 1];
        v[len - 1] = v[0];
        adjust(v, 0, len - 1, value);
    }
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: Vec::with_capacity(k.saturating_add(1).min(1 << 16)),
        }
    }

    /// `fastText`'s pruning test: full, and `score` below the root (the worst kept).
    fn below_worst(&self, score: f32) -> bool {
        self.heap.len() == self.k && score < self.heap[0].0
    }

    /// `push_back`, `push_heap`, and `pop_heap` + `pop_back` past k.
    fn push(&mut self, score: f32, label: u32) {
        self.heap.push((score, label));
        let last = self.heap.len() - 1;
        let value = self.heap[last];
        sift_up(&mut self.heap, last, 0, value);
        if self.heap.len() > self.k {
            let n = self.heap.len();
            pop(&mut self.heap, n);
            self.heap.pop();
        }
    }

    /// `sort_heap` (best first), as `(label, exp(score))`.
    fn into_predictions(mut self) -> Vec<Prediction> {
        let mut len = self.heap.len();
        while len > 1 {
            pop(&mut self.heap, len);
            len -= 1;
        }
        self.heap.into_iter().map(|(s, l)| (l, s.exp())).collect()
    }
}

/// The label tree of hierarchical softmax, as children of each inner node (node `nlabels + a` is
/// inner node `a`, row `a` of `wo`; the root is the last).
struct Tree {
    /// `(left, right)` of inner node `a`: the child reached with code 0 and with code 1.
    children: Vec<(u32, u32)>,
}

impl Tree {
    fn new(counts: &[u64]) -> Self {
        let v = counts.len();
        let huffman = Huffman::new(counts);
        let mut children = vec![(0u32, 0u32); v.saturating_sub(1)];
        for leaf in 0..v {
            let points = huffman.point(leaf);
            let codes = huffman.code(leaf);
            for d in 0..points.len() {
                let next = if d + 1 < points.len() {
                    v as u32 + points[d + 1]
                } else {
                    leaf as u32
                };
                let c = &mut children[points[d] as usize];
                if codes[d] == 0 {
                    c.0 = next;
                } else {
                    c.1 = next;
                }
            }
        }
        Self { children }
    }
}

/// What one evaluation counted, per label (`fastText`'s `Meter`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meter {
    /// Lines evaluated (with a known label and an input row).
    pub examples: u64,
    /// Per label: occurrences among the gold labels of the lines.
    pub gold: Vec<u64>,
    /// Per label: times predicted.
    pub predicted: Vec<u64>,
    /// Per label: times predicted for a line that has it.
    pub predicted_gold: Vec<u64>,
}

impl Meter {
    fn new(nlabels: usize) -> Self {
        Self {
            examples: 0,
            gold: vec![0; nlabels],
            predicted: vec![0; nlabels],
            predicted_gold: vec![0; nlabels],
        }
    }

    /// `fastText`'s `Meter::log`.
    fn log(&mut self, labels: &[u32], predictions: &[Prediction]) {
        self.examples += 1;
        for &(p, _) in predictions {
            self.predicted[p as usize] += 1;
            if labels.contains(&p) {
                self.predicted_gold[p as usize] += 1;
            }
        }
        for &l in labels {
            self.gold[l as usize] += 1;
        }
    }

    fn merge(mut self, other: &Meter) -> Meter {
        self.examples += other.examples;
        for (a, b) in [
            (&mut self.gold, &other.gold),
            (&mut self.predicted, &other.predicted),
            (&mut self.predicted_gold, &other.predicted_gold),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self
    }

    /// `correct / predicted` over every label (NaN when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(
            self.predicted_gold.iter().sum(),
            self.predicted.iter().sum(),
        )
    }

    /// `correct / gold` over every label (NaN without gold labels).
    pub fn recall(&self) -> f64 {
        ratio(self.predicted_gold.iter().sum(), self.gold.iter().sum())
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// A model ready to predict: the tables and, for hierarchical softmax, the label tree.
pub struct Predictor<'a> {
    model: &'a Supervised,
    tables: Tables,
    tree: Option<Tree>,
}

impl<'a> Predictor<'a> {
    /// Checks the model once (its fields are public) and builds what prediction needs.
    pub fn new(model: &'a Supervised) -> Result<Self> {
        model.check()?;
        let tree = (model.config.loss == Loss::Hs).then(|| Tree::new(&model.dict.labels.counts));
        Ok(Self {
            model,
            tables: Tables::new(),
            tree,
        })
    }

    fn dim(&self) -> usize {
        self.model.config.dim
    }

    /// `h`: the mean of the input rows, summed in order (`fastText`'s `computeHidden`).
    fn hidden(&self, inputs: &[u32], h: &mut [f32]) {
        let dim = self.dim();
        h.fill(0.0);
        // The rows are scattered over a matrix far larger than the caches: ask for all of them
        // first, so their cache misses overlap instead of queueing behind the sums.
        for &r in inputs {
            if let Some(row) = self.model.wi.get(r as usize * dim..) {
                prefetch_row(row.as_ptr(), dim);
            }
        }
        for &r in inputs {
            let row = &self.model.wi[r as usize * dim..(r as usize + 1) * dim];
            for (x, y) in h.iter_mut().zip(row) {
                *x += *y;
            }
        }
        if !inputs.is_empty() {
            let inv = (1.0f64 / inputs.len() as f64) as f32;
            for x in h.iter_mut() {
                *x *= inv;
            }
        }
    }

    /// `wo[t] . h`, summed in order (`DenseMatrix::dotRow`).
    fn score(&self, t: usize, h: &[f32]) -> f32 {
        let dim = self.dim();
        self.model.wo[t * dim..(t + 1) * dim]
            .iter()
            .zip(h)
            .fold(0.0f32, |acc, (a, b)| acc + a * b)
    }

    /// The k best labels (`k >= 1`) of an encoded line with probability `>= threshold`, best
    /// first. A line without input rows has no prediction.
    pub fn predict_inputs(&self, inputs: &[u32], k: usize, threshold: f32) -> Vec<Prediction> {
        if inputs.is_empty() || k == 0 {
            return Vec::new();
        }
        let nlabels = self.model.dict.labels.len();
        let mut h = vec![0.0f32; self.dim()];
        self.hidden(inputs, &mut h);
        let mut top = TopK::new(k.min(nlabels));
        if let Some(tree) = &self.tree {
            let root = if nlabels == 1 { 0 } else { 2 * nlabels - 2 };
            self.dfs(tree, root, 0.0, std_log(threshold), &h, &mut top);
            return top.into_predictions();
        }
        let mut output: Vec<f32> = (0..nlabels).map(|t| self.score(t, &h)).collect();
        if self.model.config.loss == Loss::Softmax {
            let max = output.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut z = 0.0f32;
            for o in &mut output {
                *o = f64::from(*o - max).exp() as f32;
                z += *o;
            }
            for o in &mut output {
                *o /= z;
            }
        } else {
            for o in &mut output {
                *o = self.tables.sigmoid(*o);
            }
        }
        for (t, &p) in output.iter().enumerate() {
            if p < threshold {
                continue;
            }
            let s = std_log(p);
            if top.below_worst(s) {
                continue;
            }
            top.push(s, t as u32);
        }
        top.into_predictions()
    }

    /// `HierarchicalSoftmaxLoss::dfs`: node `< nlabels` is a leaf (a label).
    fn dfs(&self, tree: &Tree, node: usize, score: f32, floor: f32, h: &[f32], top: &mut TopK) {
        if score < floor || top.below_worst(score) {
            return;
        }
        let nlabels = self.model.dict.labels.len();
        if node < nlabels {
            top.push(score, node as u32);
            return;
        }
        let f = self.score(node - nlabels, h);
        // fastText: `f = 1. / (1 + std::exp(-f))`, exp in f32, the division in f64.
        let f = (1.0f64 / f64::from(1.0f32 + (-f).exp())) as f32;
        let (left, right) = tree.children[node - nlabels];
        self.dfs(tree, left as usize, score + std_log(1.0 - f), floor, h, top);
        self.dfs(tree, right as usize, score + std_log(f), floor, h, top);
    }

    /// Predicts one line of text (`eos`: it ended with `\n`, adding `</s>`).
    pub fn predict_line(&self, line: &str, eos: bool, k: usize, threshold: f32) -> Vec<Prediction> {
        let (mut inputs, mut labels, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
        self.model
            .dict
            .encode_line(line, eos, &mut inputs, &mut labels, &mut hashes);
        self.predict_inputs(&inputs, k, threshold)
    }

    /// Predicts each of `lines` on `threads` threads (0 = all cores). A line that ends with
    /// `\n` gets `</s>`, as a line read from a file does.
    pub fn predict_lines<S: AsRef<str> + Sync>(
        &self,
        lines: &[S],
        k: usize,
        threshold: f32,
        threads: usize,
    ) -> Result<Vec<Vec<Prediction>>> {
        check_k(k)?;
        crate::parallel::install(threads, || {
            lines
                .par_iter()
                .map(|l| {
                    let l = l.as_ref();
                    match l.strip_suffix('\n') {
                        Some(body) => self.predict_line(body, true, k, threshold),
                        None => self.predict_line(l, false, k, threshold),
                    }
                })
                .collect()
        })
    }

    /// Predicts every line of `paths`, in order (one entry per line, empty for a line with no
    /// input row).
    pub fn predict_files(
        &self,
        paths: &[PathBuf],
        k: usize,
        threshold: f32,
        errors: Utf8Errors,
        threads: usize,
        progress: &Progress,
    ) -> Result<Vec<Vec<Prediction>>> {
        check_k(k)?;
        let parts = self
            .model
            .dict
            .read_examples(paths, errors, threads, progress)?;
        crate::parallel::install(threads, || {
            parts
                .par_iter()
                .flat_map_iter(|p| {
                    let mut begin = 0;
                    p.ends.iter().map(move |&end| {
                        let (_, _, inputs) = split_example(&p.ids[begin..end]);
                        begin = end;
                        self.predict_inputs(inputs, k, threshold)
                    })
                })
                .collect()
        })
    }

    /// Evaluates on labelled `lines` (see [`Predictor::predict_lines`] for `\n`).
    pub fn test_lines<S: AsRef<str> + Sync>(
        &self,
        lines: &[S],
        k: usize,
        threshold: f32,
        threads: usize,
    ) -> Result<Meter> {
        check_k(k)?;
        let nlabels = self.model.dict.labels.len();
        crate::parallel::install(threads, || {
            lines
                .par_iter()
                .fold(
                    || Meter::new(nlabels),
                    |mut meter, l| {
                        let l = l.as_ref();
                        let (body, eos) = match l.strip_suffix('\n') {
                            Some(body) => (body, true),
                            None => (l, false),
                        };
                        let (mut inputs, mut labels, mut hashes) =
                            (Vec::new(), Vec::new(), Vec::new());
                        self.model.dict.encode_line(
                            body,
                            eos,
                            &mut inputs,
                            &mut labels,
                            &mut hashes,
                        );
                        if !labels.is_empty() && !inputs.is_empty() {
                            let p = self.predict_inputs(&inputs, k, threshold);
                            meter.log(&labels, &p);
                        }
                        meter
                    },
                )
                .reduce(|| Meter::new(nlabels), |a, b| a.merge(&b))
        })
    }

    /// Evaluates on the labelled lines of `paths` (`fastText`'s `test`).
    pub fn test_files(
        &self,
        paths: &[PathBuf],
        k: usize,
        threshold: f32,
        errors: Utf8Errors,
        threads: usize,
        progress: &Progress,
    ) -> Result<Meter> {
        check_k(k)?;
        let nlabels = self.model.dict.labels.len();
        let parts = self
            .model
            .dict
            .read_examples(paths, errors, threads, progress)?;
        crate::parallel::install(threads, || {
            parts
                .par_iter()
                .fold(
                    || Meter::new(nlabels),
                    |mut meter, p| {
                        let mut begin = 0;
                        for &end in &p.ends {
                            let (_, labels, inputs) = split_example(&p.ids[begin..end]);
                            begin = end;
                            if !labels.is_empty() && !inputs.is_empty() {
                                let pr = self.predict_inputs(inputs, k, threshold);
                                meter.log(labels, &pr);
                            }
                        }
                        meter
                    },
                )
                .reduce(|| Meter::new(nlabels), |a, b| a.merge(&b))
        })
    }

    /// The mean of the input rows of `line` (with `</s>` when `eos`), zero without any
    /// (`fastText`'s `getSentenceVector` for supervised models).
    pub fn sentence_vector(&self, line: &str, eos: bool) -> Vec<f32> {
        let (mut inputs, mut labels, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
        self.model
            .dict
            .encode_line(line, eos, &mut inputs, &mut labels, &mut hashes);
        let mut h = vec![0.0f32; self.dim()];
        self.hidden(&inputs, &mut h);
        h
    }
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(Error::invalid(
            "k must be at least 1 (or -1 for every label)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::dictionary::{split_counts, Dictionary};
    use super::super::supervised::SupervisedConfig;
    use super::*;

    fn model(loss: Loss) -> Supervised {
        let (words, labels, n) = split_counts(
            [
                ("x".to_owned(), 4),
                ("y".to_owned(), 3),
                ("__label__a".to_owned(), 3),
                ("__label__b".to_owned(), 2),
                ("__label__c".to_owned(), 1),
            ],
            13,
            "__label__",
            1,
            0,
        )
        .unwrap();
        let config = SupervisedConfig {
            dim: 2,
            loss,
            ..SupervisedConfig::default()
        };
        let dict =
            Dictionary::new(words, labels, n, "__label__".into(), config.features()).unwrap();
        // x = (1, 0), y = (0, 1); labels score h . wo[t].
        let wi = vec![1.0, 0.0, 0.0, 1.0];
        let wo = vec![2.0, 0.0, 0.0, 2.0, 1.0, 1.0];
        Supervised::from_parts(dict, config, wi, wo).unwrap()
    }

    #[test]
    fn softmax_ranks_and_reports_p_plus_1e5() {
        let m = model(Loss::Softmax);
        let p = Predictor::new(&m).unwrap();
        // h = (1, 0): scores 2, 0, 1.
        let out = p.predict_line("x", false, 3, 0.0);
        let e = [2f64.exp(), 1.0, 1f64.exp()];
        let z: f64 = e.iter().sum();
        assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), [0, 2, 1]);
        for (label, prob) in &out {
            let want = e[*label as usize] / z + 1e-5;
            assert!(
                (f64::from(*prob) - want).abs() < 1e-6,
                "{label} {prob} {want}"
            );
        }
        // h = (0.5, 0.5): a tie of all three at score 1, kept as fastText's heap keeps them.
        let out = p.predict_line("x y", false, 2, 0.0);
        assert_eq!(out.len(), 2);
        // Threshold, k, unknown words, nothing to predict from.
        assert_eq!(p.predict_line("x", false, 3, 0.5).len(), 1);
        assert!(p.predict_line("zz", false, 1, 0.0).is_empty());
        assert!(p.predict_lines(&["x"], 0, 0.0, 1).is_err());
    }

    #[test]
    fn every_loss_predicts_a_sensible_best_label() {
        for loss in [Loss::Softmax, Loss::Hs, Loss::Ns, Loss::Ova] {
            let m = model(loss);
            let p = Predictor::new(&m).unwrap();
            let all = p.predict_line("y", false, 3, 0.0);
            assert_eq!(all.len(), 3, "{loss:?}");
            assert!(all.windows(2).all(|w| w[0].1 >= w[1].1), "{loss:?}");
            if loss != Loss::Hs {
                // h = (0, 1): label b (score 2) is best.
                assert_eq!(all[0].0, 1, "{loss:?}");
            }
        }
    }

    #[test]
    fn hs_probabilities_sum_to_one() {
        let m = model(Loss::Hs);
        let p = Predictor::new(&m).unwrap();
        let all = p.predict_line("x y", true, 3, 0.0);
        let total: f64 = all.iter().map(|x| f64::from(x.1) - 1e-5).sum();
        assert!((total - 1.0).abs() < 1e-4, "{all:?}");
    }

    #[test]
    fn meter_counts_like_fasttext() {
        let mut m = Meter::new(3);
        m.log(&[0, 1], &[(0, 0.9)]);
        m.log(&[2], &[(1, 0.6)]);
        assert_eq!(m.examples, 2);
        assert_eq!(m.gold, [1, 1, 1]);
        assert_eq!(m.predicted, [1, 1, 0]);
        assert_eq!(m.predicted_gold, [1, 0, 0]);
        assert!((m.precision() - 0.5).abs() < 1e-12);
        assert!((m.recall() - 1.0 / 3.0).abs() < 1e-12);
    }
}
