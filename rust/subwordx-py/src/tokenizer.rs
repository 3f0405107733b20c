//! `subwordx._core.Tokenizer` and the training entry points (BPE, WordPiece and Unigram).
//!
//! Conversions only: Python values in, core calls with the GIL released, numpy arrays out.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict, PyList};
use subwordx_core::corpus::{self, CountOptions, Utf8Errors, WordCounts};
use subwordx_core::io;
use subwordx_core::models::bpe::BpeTrainerConfig;
use subwordx_core::models::unigram::UnigramTrainerConfig;
use subwordx_core::models::wordpiece::{WordPieceSettings, WordPieceTrainerConfig};
use subwordx_core::normalize::{Normalizer, UnicodeForm};
use subwordx_core::pretokenize::{PreTokenizer, PrependScheme};
use subwordx_core::tokenizer::bert::bert_normalizer;
use subwordx_core::tokenizer::sampling::SampleOptions;
use subwordx_core::tokenizer::unigram::{counting_pre_tokenizer, unigram_normalizer};
use subwordx_core::tokenizer::{Encoding, SpecialPolicy, Tokenizer, TokenizerConfig};
use subwordx_core::Error;

use crate::blocking::{run_blocking, run_detached};
use crate::errors::to_py_err;
use crate::id_lists::IdInts;

/// Texts shorter than this are encoded without releasing the GIL: the round trip would cost more.
const DETACH_BYTES: usize = 4096;

/// An immutable tokenizer (see `subwordx.Tokenizer` for the documented API).
#[pyclass(frozen, name = "Tokenizer", module = "subwordx._core")]
pub struct PyTokenizer {
    inner: Tokenizer,
    /// The ints of the lists of ids it returns (shared with the tokenizers made from it,
    /// which have the same vocabulary).
    ints: Arc<IdInts>,
}

impl PyTokenizer {
    fn wrap(inner: Tokenizer) -> Self {
        let ints = Arc::new(IdInts::new(inner.vocab_size()));
        Self { inner, ints }
    }

    /// A tokenizer made from this one, with the same vocabulary.
    fn derived(&self, inner: Tokenizer) -> Self {
        Self {
            inner,
            ints: Arc::clone(&self.ints),
        }
    }
}

type Ids<'py> = Bound<'py, PyArray1<u32>>;
type Offsets<'py> = Bound<'py, PyArray2<i64>>;
/// ids, type ids, offsets, special-tokens mask, attention mask, word ids, sequence ids (-1 for
/// none), overflowing encodings.
type Detailed<'py> = (
    Ids<'py>,
    Ids<'py>,
    Offsets<'py>,
    Ids<'py>,
    Ids<'py>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Vec<Py<PyAny>>,
);

fn offsets_array<'py>(py: Python<'py>, offsets: &[(usize, usize)]) -> Offsets<'py> {
    let flat: Vec<i64> = offsets
        .iter()
        .flat_map(|&(s, e)| [s as i64, e as i64])
        .collect();
    Array2::from_shape_vec((offsets.len(), 2), flat)
        .expect("n x 2 values")
        .into_pyarray(py)
}

fn detailed(py: Python<'_>, enc: Encoding) -> PyResult<Detailed<'_>> {
    let opt =
        |v: &[Option<u32>]| -> Vec<i64> { v.iter().map(|x| x.map_or(-1, i64::from)).collect() };
    let offsets = offsets_array(py, &enc.offsets);
    let word_ids = opt(&enc.word_ids).into_pyarray(py);
    let sequence_ids = opt(&enc.sequence_ids).into_pyarray(py);
    let overflowing = enc
        .overflowing
        .into_iter()
        .map(|o| detailed(py, o).and_then(|t| t.into_pyobject(py).map(|b| b.unbind().into_any())))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((
        enc.ids.into_pyarray(py),
        enc.type_ids.into_pyarray(py),
        offsets,
        enc.special_tokens_mask.into_pyarray(py),
        enc.attention_mask.into_pyarray(py),
        word_ids,
        sequence_ids,
        overflowing,
    ))
}

/// The special-token policy of a call: `split` makes every special token plain text; else
/// `allowed` (ids) limits which are matched; else all are.
fn policy(split: bool, allowed: Option<&[u32]>) -> SpecialPolicy<'_> {
    match (split, allowed) {
        (true, _) => SpecialPolicy::None,
        (false, Some(ids)) => SpecialPolicy::Only(ids),
        (false, None) => SpecialPolicy::All,
    }
}

#[pymethods]
impl PyTokenizer {
    /// The whole pipeline with every field (see `Detailed`).
    #[pyo3(signature = (text, pair=None, add_special_tokens=true, split_special_tokens=false, allowed_special=None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        pair: Option<&str>,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
    ) -> PyResult<Detailed<'py>> {
        let run = || {
            self.inner.encode_full(
                text,
                pair,
                add_special_tokens,
                policy(split_special_tokens, allowed_special.as_deref()),
                true,
            )
        };
        let enc = if text.len() < DETACH_BYTES {
            run().map_err(to_py_err)?
        } else {
            run_detached(py, run)?
        };
        detailed(py, enc)
    }

    /// The `n` best segmentations (Unigram), best first, with their scores.
    #[pyo3(signature = (text, n, add_special_tokens=true))]
    fn encode_nbest<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        n: usize,
        add_special_tokens: bool,
    ) -> PyResult<Vec<(Detailed<'py>, f64)>> {
        let list = run_detached(py, || self.inner.encode_nbest(text, n, add_special_tokens))?;
        list.into_iter()
            .map(|(enc, score)| Ok((detailed(py, enc)?, score)))
            .collect()
    }

    /// One segmentation drawn at random (Unigram sampling or BPE-dropout), seeded.
    #[pyo3(signature = (text, alpha, nbest_size, dropout, seed, add_special_tokens=true))]
    fn encode_sample<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        alpha: f64,
        nbest_size: i64,
        dropout: Option<f64>,
        seed: u64,
        add_special_tokens: bool,
    ) -> PyResult<Detailed<'py>> {
        let options = SampleOptions {
            alpha,
            nbest_size,
            dropout,
            seed,
        };
        let enc = run_detached(py, || {
            self.inner.encode_sample(text, &options, add_special_tokens)
        })?;
        detailed(py, enc)
    }

    /// Only the ids: no offsets, no strings.
    #[pyo3(signature = (text, add_special_tokens=true, split_special_tokens=false, allowed_special=None))]
    fn encode_ids<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
    ) -> PyResult<Ids<'py>> {
        let p = policy(split_special_tokens, allowed_special.as_deref());
        let ids = if text.len() < DETACH_BYTES {
            self.inner
                .encode_ids_with(text, add_special_tokens, p)
                .map_err(to_py_err)?
        } else {
            run_detached(py, || {
                self.inner.encode_ids_with(text, add_special_tokens, p)
            })?
        };
        Ok(ids.into_pyarray(py))
    }

    /// Only the ids, as a Python list (what tiktoken-style callers want).
    #[pyo3(signature = (text, add_special_tokens=true, split_special_tokens=false, allowed_special=None))]
    fn encode_ids_list<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let p = policy(split_special_tokens, allowed_special.as_deref());
        let ids = if text.len() < DETACH_BYTES {
            self.inner
                .encode_ids_with(text, add_special_tokens, p)
                .map_err(to_py_err)?
        } else {
            run_detached(py, || {
                self.inner.encode_ids_with(text, add_special_tokens, p)
            })?
        };
        self.ints.list(py, &ids)
    }

    #[pyo3(signature = (texts, pairs=None, add_special_tokens=true, split_special_tokens=false, allowed_special=None, threads=0))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        pairs: Option<Vec<PyBackedStr>>,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
        threads: usize,
    ) -> PyResult<Vec<Detailed<'py>>> {
        let encodings = run_detached(py, || {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            let pair_strs: Option<Vec<&str>> =
                pairs.as_ref().map(|p| p.iter().map(|t| &**t).collect());
            self.inner.encode_batch_full(
                &strs,
                pair_strs.as_deref(),
                add_special_tokens,
                policy(split_special_tokens, allowed_special.as_deref()),
                true,
                threads,
            )
        })?;
        encodings.into_iter().map(|e| detailed(py, e)).collect()
    }

    /// The ids of many texts as a list of lists.
    #[pyo3(signature = (texts, add_special_tokens=true, split_special_tokens=false, allowed_special=None, threads=0))]
    fn encode_batch_ids<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
        threads: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let batch = run_detached(py, || {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            self.inner.encode_batch_ids_with(
                &strs,
                add_special_tokens,
                policy(split_special_tokens, allowed_special.as_deref()),
                threads,
            )
        })?;
        self.ints.lists(py, &batch)
    }

    /// The ids of every text in one flat array, and where each text's ids start (`n + 1`
    /// offsets): two numpy arrays for the whole batch, however many texts.
    #[pyo3(signature = (texts, add_special_tokens=true, split_special_tokens=false, allowed_special=None, threads=0))]
    fn encode_batch_flat<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        add_special_tokens: bool,
        split_special_tokens: bool,
        allowed_special: Option<Vec<u32>>,
        threads: usize,
    ) -> PyResult<(Ids<'py>, Bound<'py, PyArray1<i64>>)> {
        let (flat, starts) = run_detached(py, || {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            let all = self.inner.encode_batch_ids_with(
                &strs,
                add_special_tokens,
                policy(split_special_tokens, allowed_special.as_deref()),
                threads,
            )?;
            let mut starts = Vec::with_capacity(all.len() + 1);
            starts.push(0i64);
            let mut flat = Vec::with_capacity(all.iter().map(Vec::len).sum());
            for ids in all {
                flat.extend_from_slice(&ids);
                starts.push(flat.len() as i64);
            }
            Ok((flat, starts))
        })?;
        Ok((flat.into_pyarray(py), starts.into_pyarray(py)))
    }

    /// The first special token spelled in `text` whose id is not in `allowed`.
    fn find_disallowed_special(&self, text: &str, allowed: Vec<u32>) -> Option<String> {
        self.inner
            .find_disallowed_special(text, &allowed)
            .map(str::to_owned)
    }

    #[pyo3(signature = (ids, skip_special_tokens=true))]
    fn decode(&self, py: Python<'_>, ids: Vec<u32>, skip_special_tokens: bool) -> PyResult<String> {
        run_detached(py, || self.inner.decode(&ids, skip_special_tokens))
    }

    #[pyo3(signature = (ids, skip_special_tokens=true))]
    fn decode_bytes<'py>(
        &self,
        py: Python<'py>,
        ids: Vec<u32>,
        skip_special_tokens: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = run_detached(py, || self.inner.decode_bytes(&ids, skip_special_tokens))?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        self.inner
            .vocab()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect()
    }

    fn merges(&self) -> Vec<(String, String)> {
        self.inner
            .merges()
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    fn model_kind(&self) -> &'static str {
        self.inner.model().kind()
    }

    /// `(content, id, special)` of each added token.
    fn added_tokens(&self) -> Vec<(String, u32, bool)> {
        self.inner
            .added_tokens()
            .iter()
            .map(|t| (t.content.clone(), t.id, t.special))
            .collect()
    }

    /// `(id, normalized)` of the added tokens that widen over whitespace (`lstrip` / `rstrip`):
    /// as in HF, their token string holds the whitespace they cover.
    fn stripping_added_ids(&self) -> Vec<(u32, bool)> {
        self.inner
            .added_tokens()
            .iter()
            .filter(|t| t.lstrip || t.rstrip)
            .map(|t| (t.id, t.normalized))
            .collect()
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id).map(str::to_owned)
    }

    fn to_native_json(&self) -> String {
        io::native::to_string(&self.inner)
    }

    fn to_hf_json(&self) -> String {
        io::hf_json::to_string(&self.inner)
    }

    fn to_vocab_merges(&self) -> PyResult<(String, String)> {
        io::vocab_merges::to_strings(&self.inner).map_err(to_py_err)
    }

    fn to_vocab_txt(&self) -> PyResult<String> {
        io::vocab_txt::to_string(&self.inner).map_err(to_py_err)
    }

    fn to_tiktoken(&self) -> PyResult<String> {
        io::tiktoken::to_string(&self.inner).map_err(to_py_err)
    }

    /// The SentencePiece `.model` bytes of a SentencePiece-shaped tokenizer.
    fn to_sentencepiece<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = io::sentencepiece::to_bytes(&self.inner).map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The normalizer's output for `text` (no alignment).
    fn normalize_str(&self, text: &str) -> String {
        self.inner.normalizer().normalize_str(text).into_owned()
    }

    /// A SentencePiece `.model` file's bytes.
    #[staticmethod]
    #[pyo3(signature = (data, source="<.model>"))]
    fn from_sentencepiece(py: Python<'_>, data: &[u8], source: &str) -> PyResult<Self> {
        let inner = run_detached(py, || io::sentencepiece::tokenizer_from_bytes(data, source))?;
        Ok(Self::wrap(inner))
    }

    /// The same tokenizer with truncation and padding given as HF JSON strings (`None`: off).
    #[pyo3(signature = (truncation=None, padding=None))]
    fn with_truncation_padding(
        &self,
        truncation: Option<&str>,
        padding: Option<&str>,
    ) -> PyResult<Self> {
        let parse = |s: Option<&str>| -> PyResult<serde_json::Value> {
            s.map_or(Ok(serde_json::Value::Null), |s| {
                serde_json::from_str(s).map_err(|e| to_py_err(Error::invalid(e.to_string())))
            })
        };
        let t =
            io::hf_json::read_truncation(&parse(truncation)?, "truncation").map_err(to_py_err)?;
        let p = io::hf_json::read_padding(&parse(padding)?, "padding").map_err(to_py_err)?;
        Ok(self.derived(self.inner.with_truncation_padding(t, p)))
    }

    /// The same tokenizer encoding with BPE-dropout `p` (`None`: plain BPE), its stream of
    /// seeds starting at `seed`.
    #[pyo3(signature = (p, seed=0))]
    fn with_dropout(&self, p: Option<f64>, seed: u64) -> PyResult<Self> {
        Ok(self.derived(self.inner.with_dropout(p, seed).map_err(to_py_err)?))
    }

    fn dropout(&self) -> Option<f64> {
        self.inner.dropout()
    }

    #[staticmethod]
    fn from_native_json(py: Python<'_>, data: &str) -> PyResult<Self> {
        let inner = run_detached(py, || {
            io::native::from_slice(data.as_bytes(), "<subwordx json>")
        })?;
        Ok(Self::wrap(inner))
    }

    #[staticmethod]
    #[pyo3(signature = (data, source="<tokenizer.json>"))]
    fn from_hf_json(py: Python<'_>, data: &str, source: &str) -> PyResult<Self> {
        let inner = run_detached(py, || io::hf_json::from_str(data, source))?;
        Ok(Self::wrap(inner))
    }

    /// BERT's `vocab.txt`; `lowercase` `None` guesses from the vocabulary.
    #[staticmethod]
    #[pyo3(signature = (data, lowercase=None, source="<vocab.txt>"))]
    fn from_vocab_txt(
        py: Python<'_>,
        data: &str,
        lowercase: Option<bool>,
        source: &str,
    ) -> PyResult<Self> {
        let inner = run_detached(py, || io::vocab_txt::from_str(data, lowercase, source))?;
        Ok(Self::wrap(inner))
    }

    #[staticmethod]
    fn from_vocab_merges(py: Python<'_>, vocab_json: &str, merges_txt: &str) -> PyResult<Self> {
        let inner = run_detached(py, || {
            io::vocab_merges::from_strs(vocab_json, merges_txt, None, "<vocab.json + merges.txt>")
        })?;
        Ok(Self::wrap(inner))
    }

    /// A tiktoken rank file: `name` (the encoding, e.g. the file stem) picks the pattern and
    /// special tokens unless given.
    #[staticmethod]
    #[pyo3(signature = (data, name, source, pattern=None, special_tokens=None))]
    fn from_tiktoken(
        py: Python<'_>,
        data: &[u8],
        name: &str,
        source: &str,
        pattern: Option<String>,
        special_tokens: Option<Vec<(String, u32)>>,
    ) -> PyResult<Self> {
        let options = io::tiktoken::TiktokenOptions {
            pattern,
            special_tokens,
        };
        let inner = run_detached(py, || {
            io::tiktoken::from_bytes(data, name, &options, source)
        })?;
        Ok(Self::wrap(inner))
    }
}

fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    match d.get_item(key)? {
        Some(v) => v.extract().map_err(Into::into),
        None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
            "settings lack {key:?}"
        ))),
    }
}

/// What to train: a model kind with its settings, and the normalizer and pre-tokenizer the words
/// are counted with.
enum Training {
    Bpe(TokenizerConfig),
    WordPiece {
        config: WordPieceTrainerConfig,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        post_processor: bool,
    },
    Unigram {
        config: UnigramTrainerConfig,
        nfkc: bool,
        normalizer: Normalizer,
        pre_tokenizer: PreTokenizer,
        prepend_scheme: PrependScheme,
    },
}

impl Training {
    /// Reads the settings dict built by `subwordx.tokenizer.train_bpe` / `train_wordpiece`
    /// (already validated there); `settings["model"]` picks the kind.
    fn from_settings(settings: &Bound<'_, PyDict>) -> PyResult<Self> {
        let kind: String = get(settings, "model")?;
        match kind.as_str() {
            "bpe" => Ok(Training::Bpe(bpe_config(settings)?)),
            "wordpiece" => {
                let pre: String = get(settings, "pre_tokenizer")?;
                let model = WordPieceSettings {
                    unk_token: get(settings, "unk_token")?,
                    continuing_subword_prefix: get(settings, "continuing_subword_prefix")?,
                    max_input_chars_per_word: get(settings, "max_input_chars_per_word")?,
                };
                Ok(Training::WordPiece {
                    config: WordPieceTrainerConfig {
                        vocab_size: get(settings, "vocab_size")?,
                        min_frequency: get(settings, "min_frequency")?,
                        special_tokens: get(settings, "special_tokens")?,
                        limit_alphabet: get(settings, "limit_alphabet")?,
                        max_piece_length: get(settings, "max_piece_length")?,
                        model,
                    },
                    normalizer: bert_normalizer(
                        get(settings, "lowercase")?,
                        get(settings, "strip_accents")?,
                    ),
                    pre_tokenizer: pre_tokenizer_named(&pre).map_err(to_py_err)?,
                    post_processor: get(settings, "post_processor")?,
                })
            }
            "unigram" => unigram_training(settings),
            other => Err(to_py_err(Error::invalid(format!(
                "unknown model kind {other:?}"
            )))),
        }
    }

    fn normalizer(&self) -> &Normalizer {
        match self {
            Training::Bpe(c) => &c.normalizer,
            Training::WordPiece { normalizer, .. } | Training::Unigram { normalizer, .. } => {
                normalizer
            }
        }
    }

    fn pre_tokenizer(&self) -> &PreTokenizer {
        match self {
            Training::Bpe(c) => &c.pre_tokenizer,
            Training::WordPiece { pre_tokenizer, .. } | Training::Unigram { pre_tokenizer, .. } => {
                pre_tokenizer
            }
        }
    }

    fn train(
        &self,
        counts: &WordCounts,
        progress: &subwordx_core::Progress,
    ) -> subwordx_core::Result<Tokenizer> {
        match self {
            Training::Bpe(c) => Tokenizer::train(counts, c, progress),
            Training::WordPiece {
                config,
                normalizer,
                pre_tokenizer,
                post_processor,
            } => Tokenizer::train_wordpiece(
                counts,
                config,
                normalizer.clone(),
                pre_tokenizer.clone(),
                *post_processor,
                progress,
            ),
            Training::Unigram {
                config,
                nfkc,
                prepend_scheme,
                ..
            } => Tokenizer::train_unigram(counts, config, *nfkc, *prepend_scheme, progress),
        }
    }
}

/// The settings dict of `subwordx.unigram.train_unigram` (validated there).
fn unigram_training(settings: &Bound<'_, PyDict>) -> PyResult<Training> {
    let nfkc: bool = get(settings, "nfkc")?;
    let scheme: String = get(settings, "prepend_scheme")?;
    let prepend_scheme = match scheme.as_str() {
        "always" => PrependScheme::Always,
        "first" => PrependScheme::First,
        other => {
            return Err(to_py_err(Error::invalid(format!(
                "prepend_scheme must be \"always\" or \"first\", not {other:?}"
            ))))
        }
    };
    let config = UnigramTrainerConfig {
        vocab_size: get(settings, "vocab_size")?,
        special_tokens: get(settings, "special_tokens")?,
        unk_token: get(settings, "unk_token")?,
        seed_size: get(settings, "seed_size")?,
        max_piece_length: get(settings, "max_piece_length")?,
        shrinking_factor: get(settings, "shrinking_factor")?,
        num_sub_iterations: get(settings, "num_sub_iterations")?,
        character_coverage: get(settings, "character_coverage")?,
        split_by_number: get(settings, "split_by_number")?,
        split_digits: get(settings, "split_digits")?,
        split_by_script: get(settings, "split_by_script")?,
        threads: get(settings, "threads")?,
    };
    Ok(Training::Unigram {
        config,
        nfkc,
        normalizer: unigram_normalizer(prepend_scheme, nfkc),
        pre_tokenizer: counting_pre_tokenizer(prepend_scheme).map_err(to_py_err)?,
        prepend_scheme,
    })
}

fn bpe_config(settings: &Bound<'_, PyDict>) -> PyResult<TokenizerConfig> {
    let unicode: Option<String> = get(settings, "unicode_normalization")?;
    let normalizer = Normalizer::from_flags(
        match unicode.as_deref() {
            None => None,
            Some("nfc") => Some(UnicodeForm::Nfc),
            Some("nfkc") => Some(UnicodeForm::Nfkc),
            Some(other) => {
                return Err(to_py_err(Error::invalid(format!(
                    "unknown unicode normalization {other:?}"
                ))))
            }
        },
        get(settings, "lowercase")?,
        get(settings, "strip_accents")?,
    );
    let pre: String = get(settings, "pre_tokenizer")?;
    let pre_tokenizer = pre_tokenizer_named(&pre).map_err(to_py_err)?;
    let template: Option<Vec<String>> = get(settings, "template")?;
    let trainer = BpeTrainerConfig {
        vocab_size: get(settings, "vocab_size")?,
        min_frequency: get(settings, "min_frequency")?,
        special_tokens: get(settings, "special_tokens")?,
        limit_alphabet: get(settings, "limit_alphabet")?,
        max_token_length: get(settings, "max_token_length")?,
        end_of_word_suffix: get(settings, "end_of_word_suffix")?,
        continuing_subword_prefix: get(settings, "continuing_subword_prefix")?,
        byte_level: get(settings, "byte_level")?,
    };
    Ok(TokenizerConfig {
        trainer,
        normalizer,
        pre_tokenizer,
        unk_token: get(settings, "unk_token")?,
        template,
    })
}

fn pre_tokenizer_named(name: &str) -> subwordx_core::Result<PreTokenizer> {
    PreTokenizer::named(name)
        .ok_or_else(|| Error::invalid(format!("unknown pre-tokenizer {name:?}")))
}

/// Trains from files: streamed and counted on `threads` threads, then merged.
#[pyfunction]
#[pyo3(signature = (paths, settings, threads=0, errors="strict", progress=None))]
pub fn train_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    settings: &Bound<'_, PyDict>,
    threads: usize,
    errors: &str,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let training = Training::from_settings(settings)?;
    let options = CountOptions {
        threads,
        errors: errors.parse::<Utf8Errors>().map_err(to_py_err)?,
    };
    let inner = run_blocking(py, progress.as_ref(), |p| {
        let counts = corpus::count_words_in_files(
            &paths,
            training.normalizer(),
            training.pre_tokenizer(),
            &options,
            p,
        )?;
        training.train(&counts, p)
    })?;
    Ok(PyTokenizer::wrap(inner))
}

/// Trains from an iterator of string batches (lists of str), each counted in parallel.
#[pyfunction]
#[pyo3(signature = (batches, settings, threads=0, progress=None))]
pub fn train_texts(
    py: Python<'_>,
    batches: &Bound<'_, PyAny>,
    settings: &Bound<'_, PyDict>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let training = Training::from_settings(settings)?;
    let mut counts = WordCounts::new();
    for batch in batches.try_iter()? {
        let texts: Vec<PyBackedStr> = batch?.extract()?;
        let part = py.detach(|| {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            corpus::count_words_in_texts(
                &strs,
                training.normalizer(),
                training.pre_tokenizer(),
                threads,
            )
        });
        counts.merge(part);
        py.check_signals()?;
    }
    let inner = run_blocking(py, progress.as_ref(), |p| training.train(&counts, p))?;
    Ok(PyTokenizer::wrap(inner))
}

/// Trains from pre-counted words.
#[pyfunction]
#[pyo3(signature = (counts, settings, progress=None))]
pub fn train_counts(
    py: Python<'_>,
    counts: HashMap<String, u64>,
    settings: &Bound<'_, PyDict>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let training = Training::from_settings(settings)?;
    let inner = run_blocking(py, progress.as_ref(), |p| {
        let mut wc = WordCounts::new();
        for (w, n) in &counts {
            wc.add(w, *n);
        }
        training.train(&wc, p)
    })?;
    Ok(PyTokenizer::wrap(inner))
}

/// Trains from a `WordCounts` (read in place, not copied). The caller puts the counts' normalizer
/// and pre-tokenizer in `settings` (`subwordx.word_counts`), so the tokenizer encodes as counted.
#[pyfunction]
#[pyo3(signature = (counts, settings, progress=None))]
pub fn train_word_counts(
    py: Python<'_>,
    counts: &Bound<'_, crate::word_counts::PyWordCounts>,
    settings: &Bound<'_, PyDict>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let training = Training::from_settings(settings)?;
    let counts = counts.get().inner().counts();
    let inner = run_blocking(py, progress.as_ref(), |p| training.train(counts, p))?;
    Ok(PyTokenizer::wrap(inner))
}
