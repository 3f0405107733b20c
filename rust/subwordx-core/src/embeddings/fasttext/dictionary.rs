//! The dictionary of `fastText`'s classifier: words and labels, and how a line of text becomes the
//! input rows and label ids of one example (`docs/fasttext.md`, "Supervised classification").
//!
//! * **Tokens** are the whitespace-separated pieces of a line (`char::is_whitespace`, the corpus
//!   reader's rule; `fastText` splits on ASCII whitespace and NUL only). A line that ends with
//!   `\n` gets one more token, `</s>`, as `fastText`'s `readWord` adds it; the last line of a file
//!   without a final newline does not.
//! * **Labels** are the tokens that start with the label prefix (`__label__`), anywhere in the
//!   line. Every other token, `</s>` included, is a word.
//! * **Counting** ([`count_files`]) counts every token; words below `min_count` and labels below
//!   `min_count_label` are dropped. Both lists are ordered by count descending; `fastText` sorts
//!   with an unstable sort, we break ties by the token (byte order), so the order is specified.
//! * **Encoding** ([`Dictionary::encode_line`], `fastText`'s `Dictionary::getLine`): a known word
//!   adds its row (and, with `max_n > 0`, the rows of its character n-grams); an unknown word adds
//!   only its n-gram rows; a known label adds its id; an unknown label adds nothing. Every word,
//!   known or not, also adds its hash to the list that word n-grams are built from
//!   ([`word_ngram_rows`]). Every token counts towards the learning-rate schedule.
//!
//! An encoded example is stored as one "sentence" of the embedding engine's [`Part`]:
//! `[ntokens, nlabels, label ids..., input rows...]`, so the engine's job queue, threads and
//! schedule serve the classifier unchanged (a [`DOC_HEADER`]-entry header).

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::ngrams::{hash, push_ngrams, Subwords, EOS};
use crate::corpus::chunks::{Boundary, ChunkReader};
use crate::corpus::files::{decode, total_bytes, whole_files};
use crate::corpus::{Utf8Errors, CHUNK_BYTES};
use crate::embeddings::jobs::Part;
use crate::embeddings::vocab::{Vocab, VocabConfig};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Entries before the ids of an encoded example: its token count and its label count.
pub const DOC_HEADER: usize = 2;

/// The multiplier of `fastText`'s word n-gram hash (`Dictionary::addWordNgrams`).
const WORD_NGRAM_PRIME: u64 = 116_049_371;

/// What the input rows of a line are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Longest word n-gram (1: words only).
    pub word_ngrams: usize,
    /// Character n-gram lengths (`max_n == 0`: none).
    pub min_n: usize,
    pub max_n: usize,
    /// Rows that word and character n-grams hash into (after the word rows).
    pub bucket: usize,
}

/// Words and labels of a classifier, with the features that encode a line.
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// Words, `</s>` included, in `fastText`'s order (count descending).
    pub words: Vocab,
    /// Labels (prefix included), count descending.
    pub labels: Vocab,
    /// Tokens of the training corpus (words, labels and `</s>`, kept or not): the `ntokens` of
    /// `fastText`'s `.bin`.
    pub ntokens: u64,
    /// Tokens starting with this are labels.
    pub label_prefix: String,
    pub features: Features,
    /// Each word's own row then its character n-gram rows (only used when `max_n > 0`).
    subwords: Subwords,
}

impl Dictionary {
    /// A dictionary from its parts (checked: no token both a word and a label, and
    /// `nwords + bucket` rows addressable by `fastText`'s `int32` ids).
    pub fn new(
        words: Vocab,
        labels: Vocab,
        ntokens: u64,
        label_prefix: String,
        features: Features,
    ) -> Result<Self> {
        if label_prefix.is_empty() || label_prefix.contains(char::is_whitespace) {
            return Err(Error::invalid(format!(
                "the label prefix must be a non-empty token without whitespace, not {label_prefix:?}"
            )));
        }
        if let Some(w) = labels.words.iter().find(|l| words.index.contains_key(*l)) {
            return Err(Error::invalid(format!("{w:?} is both a word and a label")));
        }
        if words.len().saturating_add(features.bucket) > i32::MAX as usize
            || labels.len() > i32::MAX as usize
        {
            return Err(Error::invalid(format!(
                "{} words + bucket={} rows exceed fastText's limit of {}",
                words.len(),
                features.bucket,
                i32::MAX
            )));
        }
        let subwords = if features.max_n > 0 {
            Subwords::new(
                &words.words,
                features.min_n,
                features.max_n,
                features.bucket,
            )
        } else {
            Subwords::default()
        };
        Ok(Self {
            words,
            labels,
            ntokens,
            label_prefix,
            features,
            subwords,
        })
    }

    /// Rows of the input matrix: the words, then the buckets.
    pub fn input_rows(&self) -> usize {
        self.words.len() + self.features.bucket
    }

    /// Whether `token` names a label (`fastText`'s `getType`: it starts with the prefix).
    pub fn is_label(&self, token: &str) -> bool {
        token.starts_with(self.label_prefix.as_str())
    }

    /// Encodes one line (`fastText`'s `getLine`): its input rows into `inputs` and its known
    /// labels into `labels` (both cleared first); `eos` adds the `</s>` token a `\n` stands for.
    /// Returns the number of tokens read (for the learning-rate schedule).
    pub fn encode_line(
        &self,
        line: &str,
        eos: bool,
        inputs: &mut Vec<u32>,
        labels: &mut Vec<u32>,
        hashes: &mut Vec<u32>,
    ) -> u64 {
        inputs.clear();
        labels.clear();
        hashes.clear();
        let mut ntokens = 0u64;
        let tokens = line.split_whitespace().chain(eos.then_some(EOS));
        for token in tokens {
            ntokens += 1;
            if let Some(id) = self.words.get(token) {
                if self.features.max_n == 0 {
                    inputs.push(id);
                } else {
                    inputs.extend_from_slice(self.subwords.of(id as usize));
                }
                hashes.push(hash(token.as_bytes()));
            } else if let Some(id) = self.labels.get(token) {
                labels.push(id);
            } else if !self.is_label(token) {
                // An unknown word: its character n-grams (none for `</s>`) and its hash.
                let f = &self.features;
                push_ngrams(token, self.words.len(), f.min_n, f.max_n, f.bucket, inputs);
                hashes.push(hash(token.as_bytes()));
            }
        }
        word_ngram_rows(
            hashes,
            self.features.word_ngrams,
            self.words.len(),
            self.features.bucket,
            inputs,
        );
        ntokens
    }

    /// Reads and encodes the lines of `paths` (in order; chunks of lines encoded on `threads`
    /// threads) as examples `[ntokens, nlabels, labels..., inputs...]`, one [`Part`] per chunk.
    pub fn read_examples(
        &self,
        paths: &[PathBuf],
        errors: Utf8Errors,
        threads: usize,
        progress: &Progress,
    ) -> Result<Vec<Part>> {
        let ranges = whole_files(paths)?;
        progress.start_stage("reading examples", total_bytes(paths)?);
        let reader = ChunkReader::new(&ranges, Boundary::Line, CHUNK_BYTES);
        let encode = |(i, chunk): (usize, Result<crate::corpus::chunks::Chunk>)| {
            progress.check()?;
            let chunk = chunk?;
            let text = decode(
                &chunk.bytes,
                errors,
                &ranges[chunk.range].path,
                chunk.offset,
            )?;
            let mut part = Part::default();
            let (mut inputs, mut labels, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
            for line in text.split_inclusive('\n') {
                let (body, eos) = match line.strip_suffix('\n') {
                    Some(body) => (body, true),
                    None => (line, false),
                };
                let n = self.encode_line(body, eos, &mut inputs, &mut labels, &mut hashes);
                push_example(&mut part, n, &labels, &inputs)?;
            }
            progress.advance(chunk.bytes.len() as u64);
            Ok((i, part))
        };
        let mut parts: Vec<(usize, Part)> = crate::parallel::install(threads, || {
            reader
                .enumerate()
                .par_bridge()
                .map(encode)
                .collect::<Result<Vec<_>>>()
        })??;
        parts.sort_unstable_by_key(|p| p.0);
        Ok(parts.into_iter().map(|p| p.1).collect())
    }
}

/// Appends one encoded example to `part`.
pub fn push_example(part: &mut Part, ntokens: u64, labels: &[u32], inputs: &[u32]) -> Result<()> {
    let need = DOC_HEADER + labels.len() + inputs.len();
    part.ids.try_reserve(need).map_err(|_| {
        Error::invalid(format!(
            "not enough memory to hold the encoded examples ({} ids so far)",
            part.ids.len()
        ))
    })?;
    // A line is at most MAX_LINE_BYTES (256 MiB) long, so its counts fit in u32.
    part.ids.push(ntokens as u32);
    part.ids.push(labels.len() as u32);
    part.ids.extend_from_slice(labels);
    part.ids.extend_from_slice(inputs);
    part.end_sentence();
    Ok(())
}

/// An encoded example's parts: `(ntokens, labels, inputs)`.
pub fn split_example(example: &[u32]) -> (u64, &[u32], &[u32]) {
    let ntokens = u64::from(example[0]);
    let nlabels = example[1] as usize;
    let (labels, inputs) = example[DOC_HEADER..].split_at(nlabels);
    (ntokens, labels, inputs)
}

/// Appends the rows of the word n-grams (lengths `2..=n`) of a line whose words hash to
/// `hashes`, exactly as `fastText`'s `Dictionary::addWordNgrams`:
/// `h = hash(w_i); h = h * 116049371 + hash(w_j)` for `j = i+1 ..`, in `u64` arithmetic
/// (wrapping), row `nwords + h % bucket`.
///
/// The quirk: `fastText` keeps the hashes in a `std::vector<int32_t>`, so each 32-bit hash is
/// *sign-extended* to 64 bits when it enters the `uint64_t` arithmetic (facebookresearch/fastText
/// `src/dictionary.cc`, `Dictionary::addWordNgrams` and `getLine`'s `word_hashes`). Without it
/// half the bigrams of a model would read the wrong row.
pub fn word_ngram_rows(hashes: &[u32], n: usize, nwords: usize, bucket: usize, out: &mut Vec<u32>) {
    if n <= 1 || bucket == 0 {
        return;
    }
    // The sign extension: u32 -> i32 -> i64 -> u64.
    let widen = |h: u32| i64::from(h as i32) as u64;
    for (i, &first) in hashes.iter().enumerate() {
        let mut h = widen(first);
        for &next in &hashes[i + 1..hashes.len().min(i + n)] {
            h = h.wrapping_mul(WORD_NGRAM_PRIME).wrapping_add(widen(next));
            // nwords + bucket fits in u32: `Dictionary::new` checks it.
            out.push((nwords as u64 + h % bucket as u64) as u32);
        }
    }
}

/// Token counts of a corpus: every token (words, labels and one `</s>` per `\n`).
#[derive(Debug, Default)]
struct TokenCounts {
    counts: FxHashMap<String, u64>,
    ntokens: u64,
}

impl TokenCounts {
    fn add(&mut self, token: &str) {
        self.ntokens += 1;
        if let Some(c) = self.counts.get_mut(token) {
            *c += 1;
        } else {
            self.counts.insert(token.to_owned(), 1);
        }
    }

    fn merge(mut self, other: TokenCounts) -> TokenCounts {
        let (mut big, small) = if self.counts.len() >= other.counts.len() {
            (std::mem::take(&mut self), other)
        } else {
            (other, self)
        };
        big.ntokens += small.ntokens;
        for (w, n) in small.counts {
            *big.counts.entry(w).or_insert(0) += n;
        }
        big
    }
}

/// Counts the tokens of `paths` on `threads` threads and splits them into words (count at least
/// `min_count`) and labels (at least `min_count_label`). Returns `(words, labels, ntokens)`.
///
/// Errors: [`Error::EmptyCorpus`] when no label or no word remains.
pub fn count_files(
    paths: &[PathBuf],
    label_prefix: &str,
    min_count: u64,
    min_count_label: u64,
    errors: Utf8Errors,
    threads: usize,
    progress: &Progress,
) -> Result<(Vocab, Vocab, u64)> {
    if paths.is_empty() {
        return Err(Error::EmptyCorpus("no input files were given".into()));
    }
    progress.start_stage("counting words and labels", total_bytes(paths)?);
    let ranges = whole_files(paths)?;
    let reader = ChunkReader::new(&ranges, Boundary::Line, CHUNK_BYTES);
    let count = |mut tc: TokenCounts, chunk: Result<crate::corpus::chunks::Chunk>| {
        progress.check()?;
        let chunk = chunk?;
        let text = decode(
            &chunk.bytes,
            errors,
            &ranges[chunk.range].path,
            chunk.offset,
        )?;
        for line in text.split_inclusive('\n') {
            let (body, eos) = match line.strip_suffix('\n') {
                Some(body) => (body, true),
                None => (line, false),
            };
            for token in body.split_whitespace() {
                tc.add(token);
            }
            if eos {
                tc.add(EOS);
            }
        }
        progress.advance(chunk.bytes.len() as u64);
        Ok(tc)
    };
    let counts: TokenCounts = crate::parallel::install(threads, || {
        reader
            .par_bridge()
            .try_fold(TokenCounts::default, count)
            .try_reduce(TokenCounts::default, |a, b| Ok(a.merge(b)))
    })??;
    split_counts(
        counts.counts,
        counts.ntokens,
        label_prefix,
        min_count,
        min_count_label,
    )
}

/// Splits token counts into words and labels (see [`count_files`]).
pub fn split_counts(
    counts: impl IntoIterator<Item = (String, u64)>,
    ntokens: u64,
    label_prefix: &str,
    min_count: u64,
    min_count_label: u64,
) -> Result<(Vocab, Vocab, u64)> {
    let (labels, words): (Vec<_>, Vec<_>) = counts
        .into_iter()
        .partition(|(w, _)| w.starts_with(label_prefix));
    let labels: Vec<_> = labels
        .into_iter()
        .filter(|&(_, n)| n >= min_count_label)
        .collect();
    if labels.is_empty() {
        return Err(Error::EmptyCorpus(format!(
            "no line has a label (a token starting with {label_prefix:?}) seen at least \
             min_count_label={min_count_label} times"
        )));
    }
    let words: Vec<_> = words.into_iter().filter(|&(_, n)| n >= min_count).collect();
    if words.is_empty() {
        return Err(Error::EmptyCorpus(format!(
            "no word occurs at least min_count={min_count} times"
        )));
    }
    let all = VocabConfig {
        min_count: 0,
        ..VocabConfig::default()
    };
    Ok((
        Vocab::from_counts(words, &all)?,
        Vocab::from_counts(labels, &all)?,
        ntokens,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(features: Features) -> Dictionary {
        let (words, labels, ntokens) = split_counts(
            [
                ("a".to_owned(), 3),
                ("b".to_owned(), 2),
                (EOS.to_owned(), 2),
                ("__label__x".to_owned(), 2),
                ("__label__y".to_owned(), 1),
            ],
            10,
            "__label__",
            1,
            0,
        )
        .unwrap();
        Dictionary::new(words, labels, ntokens, "__label__".into(), features).unwrap()
    }

    const PLAIN: Features = Features {
        word_ngrams: 1,
        min_n: 0,
        max_n: 0,
        bucket: 0,
    };

    #[test]
    fn order_and_encoding() {
        let d = dict(PLAIN);
        // Ties (b and </s>, both 2) by byte order: "</s>" < "b".
        assert_eq!(d.words.words, ["a", "</s>", "b"]);
        assert_eq!(d.labels.words, ["__label__x", "__label__y"]);
        let (mut i, mut l, mut h) = (Vec::new(), Vec::new(), Vec::new());
        let n = d.encode_line("b __label__y zz a __label__q", true, &mut i, &mut l, &mut h);
        assert_eq!(n, 6);
        assert_eq!(i, [2, 0, 1]);
        assert_eq!(l, [1]);
        // Four words hashed (zz unknown, </s>), the labels not.
        assert_eq!(h.len(), 4);
        let n = d.encode_line("", false, &mut i, &mut l, &mut h);
        assert_eq!((n, i.len(), l.len()), (0, 0, 0));
    }

    #[test]
    fn word_ngrams_sign_extend() {
        // A hash >= 2^31 is sign-extended: the first step is (h | 0xFFFFFFFF00000000) * p + h2.
        let (h1, h2) = (0x8000_0001u32, 7u32);
        let mut out = Vec::new();
        word_ngram_rows(&[h1, h2], 2, 5, 1000, &mut out);
        let wide = 0xFFFF_FFFF_8000_0001u64;
        let want = wide.wrapping_mul(WORD_NGRAM_PRIME).wrapping_add(7) % 1000;
        assert_eq!(out, [5 + want as u32]);
        // n = 3 over four words: (0,1) (0,1,2) (1,2) (1,2,3) (2,3).
        out.clear();
        word_ngram_rows(&[1, 2, 3, 4], 3, 0, 1 << 30, &mut out);
        let p = WORD_NGRAM_PRIME;
        assert_eq!(
            out,
            [
                p + 2,
                (p + 2) * p + 3,
                2 * p + 3,
                (2 * p + 3) * p + 4,
                3 * p + 4
            ]
            .map(|x| (x % (1 << 30)) as u32)
        );
    }

    #[test]
    fn char_ngrams_of_known_and_unknown_words() {
        let d = dict(Features {
            word_ngrams: 2,
            min_n: 2,
            max_n: 3,
            bucket: 100,
        });
        let (mut i, mut l, mut h) = (Vec::new(), Vec::new(), Vec::new());
        d.encode_line("a zz", true, &mut i, &mut l, &mut h);
        let mut want = d.subwords.of(0).to_vec();
        push_ngrams("zz", 3, 2, 3, 100, &mut want);
        // </s>: its own row only.
        want.push(1);
        word_ngram_rows(&h, 2, 3, 100, &mut want);
        assert_eq!(i, want);
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn no_labels_is_an_empty_corpus() {
        let e = split_counts([("a".to_owned(), 1)], 1, "__label__", 1, 0).unwrap_err();
        assert!(matches!(e, Error::EmptyCorpus(_)), "{e}");
    }
}
