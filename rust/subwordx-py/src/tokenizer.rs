//! `subwordx._core.Tokenizer` and the BPE training entry points.
//!
//! Conversions only: Python values in, core calls with the GIL released, numpy arrays out.

use std::collections::HashMap;
use std::path::PathBuf;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;
use subwordx_core::corpus::{self, CountOptions, Utf8Errors, WordCounts};
use subwordx_core::io;
use subwordx_core::models::bpe::BpeTrainerConfig;
use subwordx_core::normalize::{Normalizer, UnicodeForm};
use subwordx_core::pretokenize::{PreTokenizer, SplitPattern};
use subwordx_core::tokenizer::{Encoding, TemplatePiece, Tokenizer, TokenizerConfig};
use subwordx_core::Error;

use crate::blocking::{run_blocking, run_detached};
use crate::errors::to_py_err;

/// Texts shorter than this are encoded without releasing the GIL: the round trip would cost more.
const DETACH_BYTES: usize = 4096;

/// An immutable trained tokenizer (see `subwordx.Tokenizer` for the documented API).
#[pyclass(frozen, name = "Tokenizer", module = "subwordx._core")]
pub struct PyTokenizer {
    inner: Tokenizer,
}

type Ids<'py> = Bound<'py, PyArray1<u32>>;
type Offsets<'py> = Bound<'py, PyArray2<i64>>;

fn to_numpy(py: Python<'_>, enc: Encoding) -> (Ids<'_>, Offsets<'_>) {
    let n = enc.offsets.len();
    let flat: Vec<i64> = enc
        .offsets
        .iter()
        .flat_map(|&(s, e)| [s as i64, e as i64])
        .collect();
    let offsets = Array2::from_shape_vec((n, 2), flat).expect("n x 2 values");
    (enc.ids.into_pyarray(py), offsets.into_pyarray(py))
}

#[pymethods]
impl PyTokenizer {
    #[pyo3(signature = (text, add_special_tokens=true, split_special_tokens=false))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        add_special_tokens: bool,
        split_special_tokens: bool,
    ) -> (Ids<'py>, Offsets<'py>) {
        let run = || {
            self.inner
                .encode_with_options(text, add_special_tokens, split_special_tokens)
        };
        let enc = if text.len() < DETACH_BYTES {
            run()
        } else {
            py.detach(run)
        };
        to_numpy(py, enc)
    }

    #[pyo3(signature = (text, add_special_tokens=true))]
    fn encode_ids<'py>(&self, py: Python<'py>, text: &str, add_special_tokens: bool) -> Ids<'py> {
        let ids = if text.len() < DETACH_BYTES {
            self.inner.encode_ids(text, add_special_tokens)
        } else {
            py.detach(|| self.inner.encode_ids(text, add_special_tokens))
        };
        ids.into_pyarray(py)
    }

    #[pyo3(signature = (texts, add_special_tokens=true, split_special_tokens=false, threads=0))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        add_special_tokens: bool,
        split_special_tokens: bool,
        threads: usize,
    ) -> PyResult<Vec<(Ids<'py>, Offsets<'py>)>> {
        let encodings = run_detached(py, || {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            Ok(self.inner.encode_batch_with_options(
                &strs,
                add_special_tokens,
                split_special_tokens,
                threads,
            ))
        })?;
        Ok(encodings.into_iter().map(|e| to_numpy(py, e)).collect())
    }

    /// The ids of every text in one flat array, and where each text's ids start (`n + 1`
    /// offsets): two numpy arrays for the whole batch, however many texts.
    #[pyo3(signature = (texts, add_special_tokens=true, threads=0))]
    fn encode_batch_flat<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        add_special_tokens: bool,
        threads: usize,
    ) -> PyResult<(Ids<'py>, Bound<'py, PyArray1<i64>>)> {
        let (flat, starts) = run_detached(py, || {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            let all = self
                .inner
                .encode_batch_ids(&strs, add_special_tokens, threads);
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

    #[pyo3(signature = (ids, skip_special_tokens=true))]
    fn decode(&self, py: Python<'_>, ids: Vec<u32>, skip_special_tokens: bool) -> PyResult<String> {
        run_detached(py, || self.inner.decode(&ids, skip_special_tokens))
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

    #[staticmethod]
    fn from_native_json(py: Python<'_>, data: &str) -> PyResult<Self> {
        let inner = run_detached(py, || {
            io::native::from_slice(data.as_bytes(), "<subwordx json>")
        })?;
        Ok(Self { inner })
    }

    #[staticmethod]
    fn from_hf_json(py: Python<'_>, data: &str) -> PyResult<Self> {
        let inner = run_detached(py, || io::hf_json::from_str(data, "<tokenizer.json>"))?;
        Ok(Self { inner })
    }

    #[staticmethod]
    fn from_vocab_merges(py: Python<'_>, vocab_json: &str, merges_txt: &str) -> PyResult<Self> {
        let inner = run_detached(py, || {
            io::vocab_merges::from_strs(vocab_json, merges_txt, None, "<vocab.json + merges.txt>")
        })?;
        Ok(Self { inner })
    }
}

/// Reads the settings dict built by `subwordx.tokenizer.train_bpe` (already validated there).
fn config_from_settings(settings: &Bound<'_, PyDict>) -> PyResult<TokenizerConfig> {
    fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
        match d.get_item(key)? {
            Some(v) => v.extract().map_err(Into::into),
            None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "settings lack {key:?}"
            ))),
        }
    }
    let unicode: Option<String> = get(settings, "unicode_normalization")?;
    let unicode = match unicode.as_deref() {
        None => None,
        Some("nfc") => Some(UnicodeForm::Nfc),
        Some("nfkc") => Some(UnicodeForm::Nfkc),
        Some(other) => {
            return Err(to_py_err(Error::invalid(format!(
                "unknown unicode normalization {other:?}"
            ))))
        }
    };
    let normalizer = Normalizer::from_flags(
        unicode,
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
        template: template.map(|t| t.iter().map(|s| TemplatePiece::parse(s)).collect()),
    })
}

fn pre_tokenizer_named(name: &str) -> subwordx_core::Result<PreTokenizer> {
    Ok(match name {
        "whitespace" => PreTokenizer::Whitespace,
        "bert" => PreTokenizer::Bert,
        "gpt2" => PreTokenizer::ByteLevel(SplitPattern::Gpt2),
        "cl100k" => PreTokenizer::ByteLevel(SplitPattern::Cl100k),
        "o200k" => PreTokenizer::ByteLevel(SplitPattern::O200k),
        other => return Err(Error::invalid(format!("unknown pre-tokenizer {other:?}"))),
    })
}

/// Trains from files: streamed and counted on `threads` threads, then merged.
#[pyfunction]
#[pyo3(signature = (paths, settings, threads=0, errors="strict", progress=None))]
pub fn train_bpe_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    settings: &Bound<'_, PyDict>,
    threads: usize,
    errors: &str,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let config = config_from_settings(settings)?;
    let options = CountOptions {
        threads,
        errors: errors.parse::<Utf8Errors>().map_err(to_py_err)?,
    };
    let inner = run_blocking(py, progress.as_ref(), |p| {
        let counts = corpus::count_words_in_files(
            &paths,
            &config.normalizer,
            &config.pre_tokenizer,
            &options,
            p,
        )?;
        Tokenizer::train(&counts, &config, p)
    })?;
    Ok(PyTokenizer { inner })
}

/// Trains from an iterator of string batches (lists of str), each counted in parallel.
#[pyfunction]
#[pyo3(signature = (batches, settings, threads=0, progress=None))]
pub fn train_bpe_texts(
    py: Python<'_>,
    batches: &Bound<'_, PyAny>,
    settings: &Bound<'_, PyDict>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let config = config_from_settings(settings)?;
    let mut counts = WordCounts::new();
    for batch in batches.try_iter()? {
        let texts: Vec<PyBackedStr> = batch?.extract()?;
        let part = py.detach(|| {
            let strs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            corpus::count_words_in_texts(&strs, &config.normalizer, &config.pre_tokenizer, threads)
        });
        counts.merge(part);
        py.check_signals()?;
    }
    let inner = run_blocking(py, progress.as_ref(), |p| {
        Tokenizer::train(&counts, &config, p)
    })?;
    Ok(PyTokenizer { inner })
}

/// Trains from pre-counted words.
#[pyfunction]
#[pyo3(signature = (counts, settings, progress=None))]
pub fn train_bpe_counts(
    py: Python<'_>,
    counts: HashMap<String, u64>,
    settings: &Bound<'_, PyDict>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyTokenizer> {
    let config = config_from_settings(settings)?;
    let inner = run_blocking(py, progress.as_ref(), |p| {
        let mut wc = WordCounts::new();
        for (w, n) in &counts {
            wc.add(w, *n);
        }
        Tokenizer::train(&wc, &config, p)
    })?;
    Ok(PyTokenizer { inner })
}
