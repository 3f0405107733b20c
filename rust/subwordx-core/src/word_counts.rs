//! Word counts that remember how they were counted, merge exactly, and travel as compact bytes.
//!
//! Training starts from word counts (docs/bpe.md §1, docs/wordpiece.md §3). [`corpus`] counts on
//! one machine; to count a corpus spread over many machines (a Dask cluster, `docs/dask.md`), each
//! machine counts its share and the shares are added up. This module holds what that needs:
//!
//! * [`CountSettings`]: the normalizer and the pre-tokenizer words were counted with. Counts made
//!   with different settings do not add up to anything meaningful, so [`CountedWords::merge`]
//!   refuses them, and a trainer given counts takes its normalizer and pre-tokenizer from them.
//! * [`CountedWords`]: settings plus [`WordCounts`]. Merging is exact addition of `u64` counts
//!   (checked: an overflow is an error, never a wrap), so it is commutative and associative and a
//!   tree reduction gives the same counts in any order and shape.
//! * A binary form ([`CountedWords::to_bytes`] / [`CountedWords::from_bytes`]) for pickling and
//!   files: far smaller than a pickled `dict`, the same bytes for the same counts, and validated
//!   field by field when read, so corrupt bytes are an [`Error::CorruptModel`], never a panic.
//!
//! ## The binary form (version 1)
//!
//! All integers are unsigned LEB128 varints (7 bits per byte, low bits first, at most 10 bytes)
//! except the checksum.
//!
//! ```text
//! magic      8 bytes  "SWXCOUNT"
//! version    1 byte   1
//! settings   varint length, then that many bytes of JSON (CountSettings::to_json)
//! words      varint n, then n entries in strictly increasing byte order of the words:
//!              varint shared   bytes shared with the previous word (0 for the first)
//!              varint len      bytes that follow
//!              len bytes       the rest of the word (the whole word is UTF-8, not empty)
//!              varint count    at least 1
//! checksum   8 bytes  FNV-1a 64 of every byte before it, little-endian
//! ```
//!
//! Sorting makes the bytes canonical and lets each word store only what differs from the one
//! before (front coding): sorted vocabularies share long prefixes, and most counts fit one byte.
//!
//! [`corpus`]: crate::corpus

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::corpus::{self, CountOptions, WordCounts};
use crate::normalize::{Normalizer, UnicodeForm};
use crate::pretokenize::PreTokenizer;
use crate::tokenizer::bert::bert_normalizer;
use crate::{Error, Progress, Result};

/// The first bytes of the binary form.
pub const MAGIC: &[u8; 8] = b"SWXCOUNT";
/// The version of the binary form this code writes (and the only one it reads).
pub const VERSION: u8 = 1;

/// The normalizer words were counted with: the two the trainers build.
#[derive(Clone, Debug)]
pub enum CountNormalizer {
    /// `train_bpe`'s: the Unicode form, then lowercase, then strip accents
    /// ([`Normalizer::from_flags`]).
    Standard {
        unicode: Option<UnicodeForm>,
        lowercase: bool,
        strip_accents: bool,
    },
    /// `train_wordpiece`'s: BERT's (clean text, spaces around CJK ideographs, strip accents,
    /// lowercase); `strip_accents: None` follows `lowercase`.
    Bert {
        lowercase: bool,
        strip_accents: Option<bool>,
    },
}

/// How words were counted: a normalizer and a named pre-tokenizer (`pretokenize::NAMED`).
///
/// Equality is by behaviour: BERT's `strip_accents: None` equals `Some(lowercase)`.
#[derive(Clone, Debug)]
pub struct CountSettings {
    pub normalizer: CountNormalizer,
    pub pre_tokenizer: String,
}

impl Default for CountSettings {
    /// `train_bpe`'s defaults: no normalization, the `bert` pre-tokenizer.
    fn default() -> Self {
        CountSettings {
            normalizer: CountNormalizer::Standard {
                unicode: None,
                lowercase: false,
                strip_accents: false,
            },
            pre_tokenizer: "bert".to_owned(),
        }
    }
}

impl PartialEq for CountSettings {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for CountSettings {}

impl CountSettings {
    /// Settings after checking that the pre-tokenizer has a name and fits the normalizer (BERT's
    /// normalizer goes with the `bert` or `whitespace` pre-tokenizer, as in `train_wordpiece`).
    pub fn new(normalizer: CountNormalizer, pre_tokenizer: &str) -> Result<Self> {
        let pre = PreTokenizer::named(pre_tokenizer).ok_or_else(|| {
            let names: Vec<&str> = PreTokenizer::names().collect();
            Error::invalid(format!(
                "pre_tokenizer {pre_tokenizer:?} is not one of {}",
                names.join(", ")
            ))
        })?;
        if matches!(normalizer, CountNormalizer::Bert { .. }) && pre.is_byte_level() {
            return Err(Error::invalid(format!(
                "BERT's normalizer (WordPiece) goes with the bert or whitespace pre-tokenizer, \
                 not {pre_tokenizer:?}"
            )));
        }
        Ok(CountSettings {
            normalizer,
            pre_tokenizer: pre_tokenizer.to_owned(),
        })
    }

    /// The normalizer to count with.
    pub fn normalizer(&self) -> Normalizer {
        match self.normalizer {
            CountNormalizer::Standard {
                unicode,
                lowercase,
                strip_accents,
            } => Normalizer::from_flags(unicode, lowercase, strip_accents),
            CountNormalizer::Bert {
                lowercase,
                strip_accents,
            } => bert_normalizer(lowercase, strip_accents),
        }
    }

    /// The pre-tokenizer to count with.
    pub fn pre_tokenizer(&self) -> Result<PreTokenizer> {
        PreTokenizer::named(&self.pre_tokenizer).ok_or_else(|| {
            Error::invalid(format!("unknown pre-tokenizer {:?}", self.pre_tokenizer))
        })
    }

    /// What decides the counts, with BERT's `strip_accents: None` resolved.
    fn canonical(&self) -> (u8, Option<UnicodeForm>, bool, bool, &str) {
        match self.normalizer {
            CountNormalizer::Standard {
                unicode,
                lowercase,
                strip_accents,
            } => (0, unicode, lowercase, strip_accents, &self.pre_tokenizer),
            CountNormalizer::Bert {
                lowercase,
                strip_accents,
            } => (
                1,
                None,
                lowercase,
                strip_accents.unwrap_or(lowercase),
                &self.pre_tokenizer,
            ),
        }
    }

    /// The settings as compact JSON, keys in a fixed order (the Python reference writes the same
    /// bytes): `{"normalizer":"standard","unicode_normalization":null,"lowercase":false,
    /// "strip_accents":false,"pre_tokenizer":"bert"}` or `{"normalizer":"bert","lowercase":true,
    /// "strip_accents":null,"pre_tokenizer":"bert"}`.
    pub fn to_json(&self) -> String {
        let unicode = |u: Option<UnicodeForm>| match u {
            None => Value::Null,
            Some(UnicodeForm::Nfc) => json!("nfc"),
            Some(UnicodeForm::Nfkc) => json!("nfkc"),
        };
        // serde_json's map keeps insertion order only with `preserve_order`; write by hand.
        let pre = Value::String(self.pre_tokenizer.clone());
        match self.normalizer {
            CountNormalizer::Standard {
                unicode: u,
                lowercase,
                strip_accents,
            } => format!(
                "{{\"normalizer\":\"standard\",\"unicode_normalization\":{},\"lowercase\":{},\
                 \"strip_accents\":{},\"pre_tokenizer\":{}}}",
                unicode(u),
                lowercase,
                strip_accents,
                pre
            ),
            CountNormalizer::Bert {
                lowercase,
                strip_accents,
            } => format!(
                "{{\"normalizer\":\"bert\",\"lowercase\":{},\"strip_accents\":{},\
                 \"pre_tokenizer\":{}}}",
                lowercase,
                strip_accents.map_or(Value::Null, Value::Bool),
                pre
            ),
        }
    }

    /// Reads [`CountSettings::to_json`]; anything else is an [`Error::InvalidArgument`] saying
    /// which key is wrong.
    pub fn from_json(data: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(data)
            .map_err(|e| Error::invalid(format!("count settings are not JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(Error::invalid("count settings must be a JSON object"));
        };
        let kind = str_key(&map, "normalizer")?;
        let (normalizer, keys): (CountNormalizer, &[&str]) = match kind {
            "standard" => {
                let unicode = match map.get("unicode_normalization") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) if s == "nfc" => Some(UnicodeForm::Nfc),
                    Some(Value::String(s)) if s == "nfkc" => Some(UnicodeForm::Nfkc),
                    Some(other) => {
                        return Err(Error::invalid(format!(
                            "unicode_normalization must be null, \"nfc\" or \"nfkc\", not {other}"
                        )))
                    }
                };
                let n = CountNormalizer::Standard {
                    unicode,
                    lowercase: bool_key(&map, "lowercase")?,
                    strip_accents: bool_key(&map, "strip_accents")?,
                };
                (
                    n,
                    &[
                        "normalizer",
                        "unicode_normalization",
                        "lowercase",
                        "strip_accents",
                        "pre_tokenizer",
                    ],
                )
            }
            "bert" => {
                let strip_accents = match map.get("strip_accents") {
                    None | Some(Value::Null) => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(other) => {
                        return Err(Error::invalid(format!(
                            "strip_accents must be true, false or null, not {other}"
                        )))
                    }
                };
                let n = CountNormalizer::Bert {
                    lowercase: bool_key(&map, "lowercase")?,
                    strip_accents,
                };
                (
                    n,
                    &["normalizer", "lowercase", "strip_accents", "pre_tokenizer"],
                )
            }
            other => {
                return Err(Error::invalid(format!(
                    "normalizer must be \"standard\" or \"bert\", not {other:?}"
                )))
            }
        };
        if let Some(k) = map.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(Error::invalid(format!(
                "unknown count setting {k:?} for the {kind} normalizer"
            )));
        }
        CountSettings::new(normalizer, str_key(&map, "pre_tokenizer")?)
    }
}

fn str_key<'a>(map: &'a Map<String, Value>, key: &str) -> Result<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid(format!("count settings lack the string {key:?}")))
}

fn bool_key(map: &Map<String, Value>, key: &str) -> Result<bool> {
    map.get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| Error::invalid(format!("count settings lack the boolean {key:?}")))
}

/// Word counts with the settings they were counted with (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedWords {
    settings: CountSettings,
    counts: WordCounts,
}

impl CountedWords {
    /// No words yet.
    pub fn new(settings: CountSettings) -> Self {
        CountedWords {
            settings,
            counts: WordCounts::new(),
        }
    }

    /// Counts taken as made with `settings` (zero counts are dropped).
    pub fn from_counts(settings: CountSettings, mut counts: WordCounts) -> Self {
        counts.counts.retain(|_, n| *n > 0);
        CountedWords { settings, counts }
    }

    pub fn settings(&self) -> &CountSettings {
        &self.settings
    }

    /// The bare counts (what the trainers read).
    pub fn counts(&self) -> &WordCounts {
        &self.counts
    }

    /// Counts the words of files, streamed on `options.threads` threads ([`corpus`]). Files
    /// without a word give empty counts (training on them is what fails).
    ///
    /// [`corpus`]: crate::corpus
    pub fn count_files(
        paths: &[PathBuf],
        settings: CountSettings,
        options: &CountOptions,
        progress: &Progress,
    ) -> Result<Self> {
        let pre_tokenizer = settings.pre_tokenizer()?;
        let counts = match corpus::count_words_in_files(
            paths,
            &settings.normalizer(),
            &pre_tokenizer,
            options,
            progress,
        ) {
            Err(Error::EmptyCorpus(_)) => WordCounts::new(),
            other => other?,
        };
        Ok(CountedWords { settings, counts })
    }

    /// Counts the words of `texts` (each one or more lines, split at `\n`) with a counter from
    /// [`CountedWords::counter`]. `threads == 1` counts on the calling thread, so that many
    /// callers (the threads of a Dask worker) run side by side instead of queueing for one
    /// shared single-thread pool; otherwise on `threads` threads (0 = all cores).
    pub fn add_texts<S: AsRef<str> + Sync>(
        &mut self,
        texts: &[S],
        counter: &(Normalizer, PreTokenizer),
        threads: usize,
    ) -> Result<()> {
        let (normalizer, pre_tokenizer) = counter;
        let part = if threads == 1 {
            let mut wc = WordCounts::new();
            for t in texts {
                wc.add_text(t.as_ref(), normalizer, pre_tokenizer);
            }
            wc
        } else {
            corpus::count_words_in_texts(texts, normalizer, pre_tokenizer, threads)
        };
        add_counts(&mut self.counts, part)
    }

    /// The normalizer and pre-tokenizer of these counts' settings, built once for
    /// [`CountedWords::add_texts`].
    pub fn counter(&self) -> Result<(Normalizer, PreTokenizer)> {
        Ok((self.settings.normalizer(), self.settings.pre_tokenizer()?))
    }

    /// Adds `other` (exact; an error if the settings differ or a count overflows 64 bits).
    pub fn merge(&mut self, other: &CountedWords) -> Result<()> {
        self.check_same_settings(other)?;
        self.counts.counts.reserve(other.len() / 4);
        for (w, &n) in &other.counts.counts {
            if let Some(c) = self.counts.counts.get_mut(w.as_str()) {
                *c = c.checked_add(n).ok_or_else(|| overflow(w))?;
            } else {
                self.counts.counts.insert(w.clone(), n);
            }
        }
        Ok(())
    }

    /// The sum of `parts` (at least one), copying only the largest.
    pub fn sum(parts: &[&CountedWords]) -> Result<CountedWords> {
        let (largest, _) = parts
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| p.len())
            .ok_or_else(|| Error::invalid("nothing to add up"))?;
        let mut total = parts[largest].clone();
        for (i, p) in parts.iter().enumerate() {
            if i != largest {
                total.merge(p)?;
            }
        }
        Ok(total)
    }

    /// An error unless `other` was counted the same way.
    pub fn check_same_settings(&self, other: &CountedWords) -> Result<()> {
        if self.settings == other.settings {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "cannot add word counts made with different settings: {} and {}",
                self.settings.to_json(),
                other.settings.to_json()
            )))
        }
    }

    /// Drops the words seen fewer than `min_count` times.
    pub fn prune(&mut self, min_count: u64) {
        if min_count > 1 {
            self.counts.counts.retain(|_, n| *n >= min_count);
        }
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The sum of all counts (128 bits: it cannot overflow).
    pub fn total(&self) -> u128 {
        self.counts.counts.values().map(|&n| u128::from(n)).sum()
    }

    pub fn get(&self, word: &str) -> Option<u64> {
        self.counts.counts.get(word).copied()
    }

    /// The `n` most frequent words (all when `None`), by count, highest first; equal counts in
    /// increasing code point order of the words.
    pub fn most_common(&self, n: Option<usize>) -> Vec<(&str, u64)> {
        let mut all: Vec<(&str, u64)> = self
            .counts
            .counts
            .iter()
            .map(|(w, &c)| (w.as_str(), c))
            .collect();
        let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
        if let Some(n) = n {
            if n < all.len() {
                if n == 0 {
                    return Vec::new();
                }
                all.select_nth_unstable_by(n - 1, order);
                all.truncate(n);
            }
        }
        all.sort_unstable_by(order);
        all
    }

    /// The binary form (module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut words: Vec<(&str, u64)> = self
            .counts
            .counts
            .iter()
            .map(|(w, &c)| (w.as_str(), c))
            .collect();
        words.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut out = Encoder::new(words.len() * 8);
        for (w, c) in words {
            out.push(w.as_bytes(), c);
        }
        out.finish(&self.settings)
    }

    /// Reads the binary form; `source` names it in errors (a path, or `"<bytes>"`).
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Self> {
        let mut d = Decoder::new(bytes, source)?;
        let mut counts = WordCounts::new();
        counts.counts.reserve(d.remaining as usize);
        while d.advance()? {
            let text = std::str::from_utf8(&d.word)
                .map_err(|_| d.bad(&format!("word {} is not UTF-8", d.index - 1)))?;
            counts.counts.insert(text.to_owned(), d.count);
        }
        Ok(CountedWords {
            settings: d.settings,
            counts,
        })
    }

    /// Adds up counts given in the binary form into the binary form, without building a map:
    /// the words of each part are sorted, so one k-way merge of the parts gives the sorted
    /// words of the sum (the merge step of an external sort). Each part is validated as
    /// [`CountedWords::from_bytes`] validates it; all must have the same settings.
    ///
    /// Cost: one pass over the parts' bytes and O(k) word comparisons per output word for `k`
    /// parts (a Dask tree reduction adds up `split_every` parts at a time, 8 by default).
    /// Memory: the output; no per-word allocation.
    pub fn merge_binary(parts: &[&[u8]], source: &str) -> Result<Vec<u8>> {
        let mut decoders = parts
            .iter()
            .map(|p| Decoder::new(p, source))
            .collect::<Result<Vec<_>>>()?;
        let Some(first) = decoders.first() else {
            return Err(Error::invalid("nothing to add up"));
        };
        let settings = first.settings.clone();
        if let Some(other) = decoders.iter().find(|d| d.settings != settings) {
            return Err(Error::invalid(format!(
                "cannot add word counts made with different settings: {} and {}",
                settings.to_json(),
                other.settings.to_json()
            )));
        }
        let capacity = parts.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut out = Encoder::new(capacity);
        // `live` holds the parts with a current word, each already advanced to it.
        let mut live = Vec::with_capacity(decoders.len());
        for (i, d) in decoders.iter_mut().enumerate() {
            if d.advance()? {
                live.push(i);
            }
        }
        let mut word: Vec<u8> = Vec::new();
        while !live.is_empty() {
            let smallest = live
                .iter()
                .map(|&i| decoders[i].word.as_slice())
                .min()
                .expect("live parts");
            word.clear();
            word.extend_from_slice(smallest);
            let mut total: u64 = 0;
            let mut k = 0;
            while k < live.len() {
                let d = &mut decoders[live[k]];
                if d.word == word {
                    total = total
                        .checked_add(d.count)
                        .ok_or_else(|| overflow(&String::from_utf8_lossy(&word)))?;
                    if !d.advance()? {
                        live.swap_remove(k);
                        continue;
                    }
                }
                k += 1;
            }
            out.push(&word, total);
        }
        Ok(out.finish(&settings))
    }

    /// Saves the binary form atomically ([`crate::io::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::io::write_atomic(path, &self.to_bytes())
    }

    /// Loads what [`CountedWords::save`] wrote.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = crate::corpus::read_file(path)?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }
}

/// Writes the binary form: words pushed in strictly increasing byte order.
struct Encoder {
    entries: Vec<u8>,
    n: u64,
    prev: Vec<u8>,
}

impl Encoder {
    fn new(capacity: usize) -> Self {
        Encoder {
            entries: Vec::with_capacity(capacity),
            n: 0,
            prev: Vec::new(),
        }
    }

    fn push(&mut self, word: &[u8], count: u64) {
        debug_assert!(
            self.n == 0 || word > self.prev.as_slice(),
            "words out of order"
        );
        let shared = self
            .prev
            .iter()
            .zip(word)
            .take_while(|(a, b)| a == b)
            .count();
        put_varint(&mut self.entries, shared as u64);
        put_varint(&mut self.entries, (word.len() - shared) as u64);
        self.entries.extend_from_slice(&word[shared..]);
        put_varint(&mut self.entries, count);
        self.prev.truncate(shared);
        self.prev.extend_from_slice(&word[shared..]);
        self.n += 1;
    }

    fn finish(self, settings: &CountSettings) -> Vec<u8> {
        let settings = settings.to_json();
        let mut out = Vec::with_capacity(self.entries.len() + settings.len() + 40);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        put_varint(&mut out, settings.len() as u64);
        out.extend_from_slice(settings.as_bytes());
        put_varint(&mut out, self.n);
        out.extend_from_slice(&self.entries);
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}

/// Reads the binary form one word at a time, checking everything (module docs) as it goes.
struct Decoder<'a> {
    r: Reader<'a>,
    settings: CountSettings,
    /// Words not read yet.
    remaining: u64,
    /// Words read so far.
    index: u64,
    /// The current word (checked to be UTF-8) and its count.
    word: Vec<u8>,
    count: u64,
    prev: Vec<u8>,
}

impl<'a> Decoder<'a> {
    /// Checks the header, the checksum and the settings, and stands before the first word.
    fn new(bytes: &'a [u8], source: &'a str) -> Result<Self> {
        let bad = |reason: String| Error::corrupt(source, format!("word counts: {reason}"));
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad("not subwordx word counts (no SWXCOUNT header)".into()));
        }
        let Some(&version) = bytes.get(MAGIC.len()) else {
            return Err(bad("truncated after the header".into()));
        };
        if version != VERSION {
            return Err(bad(format!(
                "version {version} is not supported (this subwordx reads version {VERSION})"
            )));
        }
        if bytes.len() < MAGIC.len() + 1 + 8 {
            return Err(bad("truncated".into()));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
        if fnv1a(body) != stored {
            return Err(bad("checksum mismatch (truncated or damaged bytes)".into()));
        }
        let mut r = Reader {
            bytes: body,
            pos: MAGIC.len() + 1,
            source,
        };
        let settings_len = r.len_varint("settings length")?;
        let settings = std::str::from_utf8(r.take(settings_len, "settings")?)
            .map_err(|_| bad("settings are not UTF-8".into()))?;
        let settings = CountSettings::from_json(settings).map_err(|e| bad(e.to_string()))?;
        let n = r.varint("word count")?;
        // Every entry takes at least 3 bytes: never trust (or reserve for) more than that.
        if n > ((body.len() - r.pos) / 3) as u64 {
            return Err(bad(format!("{n} words cannot fit in {} bytes", body.len())));
        }
        Ok(Decoder {
            r,
            settings,
            remaining: n,
            index: 0,
            word: Vec::new(),
            count: 0,
            prev: Vec::new(),
        })
    }

    fn bad(&self, reason: &str) -> Error {
        Error::corrupt(self.r.source, format!("word counts: {reason}"))
    }

    /// Reads the next word into `word` and `count`; false (after checking that no byte is
    /// left) when there is none.
    fn advance(&mut self) -> Result<bool> {
        if self.remaining == 0 {
            if self.r.pos != self.r.bytes.len() {
                return Err(self.bad(&format!(
                    "{} bytes after the last word",
                    self.r.bytes.len() - self.r.pos
                )));
            }
            return Ok(false);
        }
        let i = self.index;
        std::mem::swap(&mut self.prev, &mut self.word);
        let shared = self.r.len_varint("shared prefix")?;
        if shared > self.prev.len() {
            return Err(self.bad(&format!(
                "word {i} shares {shared} bytes with a word of {}",
                self.prev.len()
            )));
        }
        let rest = self.r.len_varint("word length")?;
        self.word.clear();
        self.word.extend_from_slice(&self.prev[..shared]);
        self.word.extend_from_slice(self.r.take(rest, "word")?);
        self.count = self.r.varint("count")?;
        if self.word.is_empty() {
            return Err(self.bad(&format!("word {i} is empty")));
        }
        if i > 0 && self.word <= self.prev {
            return Err(self.bad(&format!("word {i} is out of order or repeated")));
        }
        if self.count == 0 {
            return Err(self.bad(&format!("word {i} has count 0")));
        }
        if std::str::from_utf8(&self.word).is_err() {
            return Err(self.bad(&format!("word {i} is not UTF-8")));
        }
        self.index += 1;
        self.remaining -= 1;
        Ok(true)
    }
}

fn overflow(word: &str) -> Error {
    Error::invalid(format!(
        "the count of {word:?} overflows 64 bits when the counts are added"
    ))
}

/// Adds `part` into `into` (iterating over the smaller map), checking for overflow.
fn add_counts(into: &mut WordCounts, mut part: WordCounts) -> Result<()> {
    if part.len() > into.len() {
        std::mem::swap(into, &mut part);
    }
    for (w, n) in part.counts {
        if let Some(c) = into.counts.get_mut(w.as_str()) {
            *c = c.checked_add(n).ok_or_else(|| overflow(&w))?;
        } else {
            into.counts.insert(w, n);
        }
    }
    Ok(())
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// FNV-1a, 64 bits: a cheap check that the bytes are the ones written.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A cursor over the body of the binary form; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    source: &'a str,
}

impl<'a> Reader<'a> {
    fn varint(&mut self, what: &str) -> Result<u64> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(Error::corrupt(
                    self.source,
                    format!("word counts: truncated in the {what}"),
                ));
            };
            self.pos += 1;
            let low = u64::from(b & 0x7f);
            if shift == 63 && low > 1 {
                break;
            }
            v |= low << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Error::corrupt(
            self.source,
            format!("word counts: the {what} is not a 64-bit varint"),
        ))
    }

    /// A varint used as a length within the bytes.
    fn len_varint(&mut self, what: &str) -> Result<usize> {
        let v = self.varint(what)?;
        usize::try_from(v)
            .ok()
            .filter(|&n| n <= self.bytes.len())
            .ok_or_else(|| {
                Error::corrupt(
                    self.source,
                    format!("word counts: {what} {v} is longer than the bytes"),
                )
            })
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(Error::corrupt(
                self.source,
                format!("word counts: truncated in the {what}"),
            ));
        };
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pre: &str) -> CountSettings {
        CountSettings::new(
            CountNormalizer::Standard {
                unicode: None,
                lowercase: false,
                strip_accents: false,
            },
            pre,
        )
        .expect("settings")
    }

    fn counted(pairs: &[(&str, u64)], pre: &str) -> CountedWords {
        let mut wc = WordCounts::new();
        for &(w, n) in pairs {
            wc.add(w, n);
        }
        CountedWords::from_counts(settings(pre), wc)
    }

    #[test]
    fn round_trips_through_bytes() {
        let c = counted(
            &[
                ("low", 5),
                ("lower", 2),
                ("lowest", 1),
                ("中文", 300),
                ("ĠHello", u64::MAX),
                ("a", 127),
                ("b", 128),
            ],
            "gpt2",
        );
        let bytes = c.to_bytes();
        assert_eq!(&bytes[..8], MAGIC);
        let back = CountedWords::from_bytes(&bytes, "<bytes>").expect("round trip");
        assert_eq!(back, c);
        assert_eq!(back.to_bytes(), bytes, "canonical bytes");
        let empty = CountedWords::new(settings("bert"));
        assert_eq!(
            CountedWords::from_bytes(&empty.to_bytes(), "x").expect("empty"),
            empty
        );
    }

    #[test]
    fn bert_settings_round_trip_and_compare_by_behaviour() {
        for strip in [None, Some(true), Some(false)] {
            let s = CountSettings::new(
                CountNormalizer::Bert {
                    lowercase: true,
                    strip_accents: strip,
                },
                "whitespace",
            )
            .expect("settings");
            let back = CountSettings::from_json(&s.to_json()).expect("json");
            assert_eq!(back.to_json(), s.to_json());
        }
        let a = CountSettings::new(
            CountNormalizer::Bert {
                lowercase: true,
                strip_accents: None,
            },
            "bert",
        )
        .expect("a");
        let b = CountSettings::new(
            CountNormalizer::Bert {
                lowercase: true,
                strip_accents: Some(true),
            },
            "bert",
        )
        .expect("b");
        assert_eq!(a, b);
        assert_ne!(a, CountSettings::default());
        assert!(CountSettings::new(
            CountNormalizer::Bert {
                lowercase: true,
                strip_accents: None
            },
            "gpt2"
        )
        .is_err());
        assert!(CountSettings::new(CountSettings::default().normalizer, "nope").is_err());
        for bad in [
            "[]",
            "{}",
            r#"{"normalizer":"x","pre_tokenizer":"bert"}"#,
            r#"{"normalizer":"standard","unicode_normalization":null,"lowercase":false,"strip_accents":false,"pre_tokenizer":"bert","extra":1}"#,
            r#"{"normalizer":"standard","unicode_normalization":"nfd","lowercase":false,"strip_accents":false,"pre_tokenizer":"bert"}"#,
        ] {
            assert!(
                matches!(
                    CountSettings::from_json(bad),
                    Err(Error::InvalidArgument(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn merge_is_exact_and_checks_settings() {
        let mut a = counted(&[("x", 1), ("y", 2)], "bert");
        let b = counted(&[("y", 3), ("z", 4)], "bert");
        a.merge(&b).expect("merge");
        assert_eq!(a, counted(&[("x", 1), ("y", 5), ("z", 4)], "bert"));
        let sum = CountedWords::sum(&[&b, &b, &a]).expect("sum");
        assert_eq!(sum.get("y"), Some(11));
        assert_eq!(sum.total(), 1 + 11 + 12);
        assert!(matches!(
            a.merge(&counted(&[("x", 1)], "gpt2")),
            Err(Error::InvalidArgument(_))
        ));
        let mut big = counted(&[("x", u64::MAX)], "bert");
        assert!(matches!(
            big.merge(&counted(&[("x", 1)], "bert")),
            Err(Error::InvalidArgument(m)) if m.contains("overflows")
        ));
    }

    #[test]
    fn merging_the_binary_form_equals_adding() {
        let a = counted(&[("a", 1), ("ab", 2), ("abc", 3), ("z", 1)], "bert");
        let b = counted(&[("ab", 5), ("b", 1), ("中", 7)], "bert");
        let c = counted(&[], "bert");
        let d = counted(&[("z", u64::MAX - 1)], "bert");
        let parts = [a.to_bytes(), b.to_bytes(), c.to_bytes(), d.to_bytes()];
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let merged = CountedWords::merge_binary(&refs, "<bytes>").expect("merge");
        let sum = CountedWords::sum(&[&a, &b, &c, &d]).expect("sum");
        assert_eq!(merged, sum.to_bytes(), "the same canonical bytes");
        assert_eq!(
            CountedWords::merge_binary(&refs[..1], "x").expect("one"),
            parts[0]
        );
        let over = counted(&[("z", 2)], "bert").to_bytes();
        assert!(matches!(
            CountedWords::merge_binary(&[&parts[3], &over], "x"),
            Err(Error::InvalidArgument(m)) if m.contains("overflows")
        ));
        let other = counted(&[("a", 1)], "gpt2").to_bytes();
        assert!(matches!(
            CountedWords::merge_binary(&[&parts[0], &other], "x"),
            Err(Error::InvalidArgument(m)) if m.contains("different settings")
        ));
        assert!(matches!(
            CountedWords::merge_binary(&[&parts[0], &parts[1][..parts[1].len() - 1]], "x"),
            Err(Error::CorruptModel { .. })
        ));
        assert!(CountedWords::merge_binary(&[], "x").is_err());
    }

    #[test]
    fn most_common_breaks_ties_by_word() {
        let c = counted(&[("b", 2), ("a", 2), ("c", 5), ("d", 1)], "bert");
        assert_eq!(
            c.most_common(None),
            [("c", 5), ("a", 2), ("b", 2), ("d", 1)]
        );
        assert_eq!(c.most_common(Some(2)), [("c", 5), ("a", 2)]);
        assert!(c.most_common(Some(0)).is_empty());
        assert_eq!(c.most_common(Some(10)).len(), 4);
    }

    #[test]
    fn texts_count_like_the_corpus_counter() {
        let texts = ["Hello, world!\nhello again", "", "world\r\n  x"];
        let mut one = CountedWords::new(settings("gpt2"));
        let counter = one.counter().expect("counter");
        one.add_texts(&texts, &counter, 1).expect("one thread");
        let mut many = CountedWords::new(settings("gpt2"));
        many.add_texts(&texts, &counter, 0).expect("all cores");
        assert_eq!(one, many);
        let direct = corpus::count_words_in_texts(&texts, &counter.0, &counter.1, 2);
        assert_eq!(one.counts(), &direct);
    }

    #[test]
    fn corrupt_bytes_are_errors_never_panics() {
        let c = counted(&[("alpha", 3), ("alphabet", 1), ("beta", 70000)], "bert");
        let good = c.to_bytes();
        // Every truncation and every single-byte change is rejected (the checksum catches
        // changes; the structure is still checked field by field behind it).
        for cut in 0..good.len() {
            assert!(matches!(
                CountedWords::from_bytes(&good[..cut], "<bytes>"),
                Err(Error::CorruptModel { .. })
            ));
        }
        for i in 0..good.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut b = good.clone();
                b[i] ^= flip;
                assert!(
                    CountedWords::from_bytes(&b, "<bytes>").is_err(),
                    "byte {i} ^ {flip}"
                );
            }
        }
        // Structurally wrong bodies with a valid checksum.
        let seal = |mut body: Vec<u8>| {
            let s = fnv1a(&body);
            body.extend_from_slice(&s.to_le_bytes());
            body
        };
        let head = |n_words: u64| {
            let mut b = MAGIC.to_vec();
            b.push(VERSION);
            let s = settings("bert").to_json();
            put_varint(&mut b, s.len() as u64);
            b.extend_from_slice(s.as_bytes());
            put_varint(&mut b, n_words);
            b
        };
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (seal(head(u64::MAX)), "cannot fit"),
            (seal([head(1), vec![0, 0, 1]].concat()), "empty"),
            (seal([head(1), vec![0, 1, b'a', 0]].concat()), "count 0"),
            (
                seal([head(2), vec![0, 1, b'b', 1, 0, 1, b'a', 1]].concat()),
                "out of order",
            ),
            (
                seal([head(2), vec![0, 1, b'a', 1, 1, 0, 1]].concat()),
                "out of order",
            ),
            (seal([head(1), vec![3, 1, b'a', 1]].concat()), "shares"),
            (seal([head(1), vec![0, 1, 0xff, 1]].concat()), "UTF-8"),
            (seal([head(1), vec![0, 1, b'a', 1, 9]].concat()), "after"),
            (
                seal([head(1), vec![0, 1, b'a'], vec![0xff; 11]].concat()),
                "varint",
            ),
            (seal([b"SWXCOUNT".as_slice(), &[2]].concat()), "version 2"),
        ];
        for (bytes, want) in cases {
            match CountedWords::from_bytes(&bytes, "<bytes>") {
                Err(Error::CorruptModel { reason, .. }) => {
                    assert!(reason.contains(want), "{reason:?} lacks {want:?}");
                }
                other => panic!("expected a corrupt-model error with {want:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn save_and_load() {
        let dir = std::env::temp_dir().join(format!("subwordx-wc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("counts.swxc");
        let c = counted(&[("a", 1), ("b", 2)], "whitespace");
        c.save(&path).expect("save");
        assert_eq!(CountedWords::load(&path).expect("load"), c);
        assert!(matches!(
            CountedWords::load(&dir.join("missing")),
            Err(Error::FileNotFound { .. })
        ));
        std::fs::write(&path, b"SWXCOUNT\x01garbage!").expect("write");
        match CountedWords::load(&path) {
            Err(Error::CorruptModel { source_name, .. }) => assert!(source_name.contains("counts")),
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
