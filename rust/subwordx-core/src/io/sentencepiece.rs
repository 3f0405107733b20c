//! SentencePiece `.model` files (`docs/sentencepiece.md`): the `ModelProto` protobuf, read and
//! written without the sentencepiece or protobuf packages, and mapped onto the pipeline.
//!
//! ## The file
//!
//! `ModelProto` (field numbers of sentencepiece's `src/sentencepiece_model.proto`): `pieces` (1,
//! each `piece` 1, `score` 2, `type` 3), `trainer_spec` (2), `normalizer_spec` (3),
//! `self_test_data` (4), `denormalizer_spec` (5). [`ModelProto::parse`] gives a typed description
//! ([`ModelProto`], [`TrainerSpec`], [`NormalizerSpec`], [`SpmPiece`]); every field it does not
//! type is kept as it was ([`Field`]s in `other`), and [`ModelProto::to_bytes`] writes the fields
//! in field-number order as protobuf does, so a file written by SentencePiece saves back
//! byte for byte. Field presence is kept (`Option`), with proto2 defaults in the accessors.
//!
//! ## The pipeline ([`tokenizer_from_model`])
//!
//! * Normalizer ([`spm_normalizer`]): `Precompiled` (the charsmap, when there is one), then
//!   SentencePiece's whitespace handling as `Replace` steps: `remove_extra_whitespaces` drops
//!   leading spaces and collapses runs; `add_dummy_prefix` prepends `▁` (appends it under
//!   `treat_whitespace_as_suffix`); `escape_whitespaces` turns spaces into `▁`; trailing spaces
//!   (`▁`s once escaped, the dummy prefix included) are dropped, as `normalizer.cc` does.
//! * User-defined symbols: added tokens matched on the normalized text (SentencePiece matches
//!   them whole in the normalized text, before the model).
//! * Pre-tokenizer: `Metaspace(split, prepend never)` splits before each `▁` when no mergeable
//!   piece has a `▁` after its start (then no merge can cross one: the same result, and the
//!   per-word work of the model); otherwise none.
//! * BPE model: pieces in id order; the merges of each `NORMAL` piece are all its splits into two
//!   `NORMAL` pieces, listed by the piece's score (highest first) and sharing its rank
//!   (`merges_by_result`), so the pair making the best-scoring piece merges first, the leftmost
//!   among equals: SentencePiece's `bpe_model.cc`. Unknown chars: `<unk>`, runs fused
//!   (`sentencepiece_processor.cc`), or `<0xXX>` pieces under `byte_fallback`.
//! * Control pieces (`<s>`, `</s>`) are in the vocabulary but never produced from text.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::protobuf::{self, Field};
use crate::models::bpe::{BpeModel, BpeSettings};
use crate::models::unigram::UnigramModel;
use crate::models::Model;
use crate::normalize::{Charsmap, Normalizer, NormalizerStep, ReplacePattern};
use crate::pretokenize::{PatternSource, PreTokenizer, PreTokenizerStep, PrependScheme};
use crate::tokenizer::{AddedToken, Decoder, Tokenizer, TokenizerParts};
use crate::{Error, Result};

/// SentencePiece's whitespace symbol, U+2581.
pub const SPACE: char = '\u{2581}';
/// What SentencePiece decodes an unknown piece to (`TrainerSpec.unk_surface`'s default).
pub const UNK_SURFACE: &str = " \u{2047} ";

/// `ModelProto.SentencePiece.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl PieceType {
    fn from_i32(v: i32) -> Option<Self> {
        Some(match v {
            1 => PieceType::Normal,
            2 => PieceType::Unknown,
            3 => PieceType::Control,
            4 => PieceType::UserDefined,
            5 => PieceType::Unused,
            6 => PieceType::Byte,
            _ => return None,
        })
    }
    pub fn to_i32(self) -> i32 {
        match self {
            PieceType::Normal => 1,
            PieceType::Unknown => 2,
            PieceType::Control => 3,
            PieceType::UserDefined => 4,
            PieceType::Unused => 5,
            PieceType::Byte => 6,
        }
    }
    /// The name SentencePiece's proto gives the type (`NORMAL`, ...).
    pub fn name(self) -> &'static str {
        match self {
            PieceType::Normal => "NORMAL",
            PieceType::Unknown => "UNKNOWN",
            PieceType::Control => "CONTROL",
            PieceType::UserDefined => "USER_DEFINED",
            PieceType::Unused => "UNUSED",
            PieceType::Byte => "BYTE",
        }
    }
}

/// `TrainerSpec.ModelType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelType {
    Unigram,
    Bpe,
    Word,
    Char,
}

impl ModelType {
    /// The enum's value on the wire.
    pub fn to_i32(self) -> i32 {
        match self {
            ModelType::Unigram => 1,
            ModelType::Bpe => 2,
            ModelType::Word => 3,
            ModelType::Char => 4,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ModelType::Unigram => "UNIGRAM",
            ModelType::Bpe => "BPE",
            ModelType::Word => "WORD",
            ModelType::Char => "CHAR",
        }
    }
}

/// One piece: its text, score and type (absent score/type read as 0 / `NORMAL`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpmPiece {
    pub piece: String,
    pub score: Option<f32>,
    pub kind: Option<PieceType>,
    pub other: Vec<Field>,
}

impl SpmPiece {
    pub fn new(piece: impl Into<String>, score: f32, kind: PieceType) -> Self {
        SpmPiece {
            piece: piece.into(),
            score: Some(score),
            kind: Some(kind),
            other: Vec::new(),
        }
    }
    pub fn score(&self) -> f32 {
        self.score.unwrap_or(0.0)
    }
    pub fn kind(&self) -> PieceType {
        self.kind.unwrap_or(PieceType::Normal)
    }
}

/// The typed part of `TrainerSpec`; every other field is kept in `other`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainerSpec {
    pub model_type: Option<i32>,
    pub vocab_size: Option<i32>,
    pub split_by_whitespace: Option<bool>,
    pub treat_whitespace_as_suffix: Option<bool>,
    pub split_digits: Option<bool>,
    pub control_symbols: Vec<String>,
    pub user_defined_symbols: Vec<String>,
    pub byte_fallback: Option<bool>,
    pub unk_id: Option<i32>,
    pub bos_id: Option<i32>,
    pub eos_id: Option<i32>,
    pub pad_id: Option<i32>,
    pub unk_surface: Option<String>,
    pub unk_piece: Option<String>,
    pub bos_piece: Option<String>,
    pub eos_piece: Option<String>,
    pub pad_piece: Option<String>,
    pub other: Vec<Field>,
}

impl TrainerSpec {
    /// The model type (proto default `UNIGRAM`); `Err` names an unknown value.
    pub fn model_type(&self) -> std::result::Result<ModelType, i32> {
        match self.model_type.unwrap_or(1) {
            1 => Ok(ModelType::Unigram),
            2 => Ok(ModelType::Bpe),
            3 => Ok(ModelType::Word),
            4 => Ok(ModelType::Char),
            v => Err(v),
        }
    }
    pub fn byte_fallback(&self) -> bool {
        self.byte_fallback.unwrap_or(false)
    }
    pub fn treat_whitespace_as_suffix(&self) -> bool {
        self.treat_whitespace_as_suffix.unwrap_or(false)
    }
    pub fn split_digits(&self) -> bool {
        self.split_digits.unwrap_or(false)
    }
    pub fn split_by_whitespace(&self) -> bool {
        self.split_by_whitespace.unwrap_or(true)
    }
    pub fn unk_id(&self) -> i32 {
        self.unk_id.unwrap_or(0)
    }
    pub fn bos_id(&self) -> i32 {
        self.bos_id.unwrap_or(1)
    }
    pub fn eos_id(&self) -> i32 {
        self.eos_id.unwrap_or(2)
    }
    pub fn pad_id(&self) -> i32 {
        self.pad_id.unwrap_or(-1)
    }
}

/// `NormalizerSpec` (also the `denormalizer_spec`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NormalizerSpec {
    pub name: Option<String>,
    pub precompiled_charsmap: Option<Vec<u8>>,
    pub add_dummy_prefix: Option<bool>,
    pub remove_extra_whitespaces: Option<bool>,
    pub escape_whitespaces: Option<bool>,
    pub normalization_rule_tsv: Option<String>,
    pub other: Vec<Field>,
}

impl NormalizerSpec {
    pub fn add_dummy_prefix(&self) -> bool {
        self.add_dummy_prefix.unwrap_or(true)
    }
    pub fn remove_extra_whitespaces(&self) -> bool {
        self.remove_extra_whitespaces.unwrap_or(true)
    }
    pub fn escape_whitespaces(&self) -> bool {
        self.escape_whitespaces.unwrap_or(true)
    }
    /// The charsmap, if the spec has a non-empty one.
    pub fn charsmap(&self) -> Option<&[u8]> {
        self.precompiled_charsmap
            .as_deref()
            .filter(|b| !b.is_empty())
    }
}

/// A whole `.model` file, typed (module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelProto {
    pub pieces: Vec<SpmPiece>,
    pub trainer_spec: Option<TrainerSpec>,
    pub normalizer_spec: Option<NormalizerSpec>,
    pub self_test_data: Option<Vec<u8>>,
    pub denormalizer_spec: Option<NormalizerSpec>,
    pub other: Vec<Field>,
}

fn sorted(mut fields: Vec<Field>) -> Vec<Field> {
    // Stable: repeated fields keep their order.
    fields.sort_by_key(|f| f.number);
    fields
}

fn parse_piece(bytes: &[u8]) -> std::result::Result<SpmPiece, String> {
    let mut p = SpmPiece {
        piece: String::new(),
        score: None,
        kind: None,
        other: Vec::new(),
    };
    let mut has_piece = false;
    for f in protobuf::parse(bytes)? {
        match f.number {
            1 => {
                p.piece = f.as_string()?;
                has_piece = true;
            }
            2 => p.score = Some(f.as_f32()?),
            3 => {
                let v = f.as_i32()?;
                p.kind = Some(PieceType::from_i32(v).ok_or(format!("unknown piece type {v}"))?);
            }
            _ => p.other.push(f),
        }
    }
    if !has_piece {
        return Err("a piece has no text".into());
    }
    Ok(p)
}

fn piece_fields(p: &SpmPiece) -> Vec<Field> {
    let mut f = vec![Field::bytes(1, p.piece.as_bytes())];
    if let Some(s) = p.score {
        f.push(Field::float(2, s));
    }
    if let Some(k) = p.kind {
        f.push(Field::int32(3, k.to_i32()));
    }
    f.extend(p.other.iter().cloned());
    sorted(f)
}

fn parse_trainer(bytes: &[u8]) -> std::result::Result<TrainerSpec, String> {
    let mut t = TrainerSpec::default();
    for f in protobuf::parse(bytes)? {
        match f.number {
            3 => t.model_type = Some(f.as_i32()?),
            4 => t.vocab_size = Some(f.as_i32()?),
            22 => t.split_by_whitespace = Some(f.as_bool()?),
            24 => t.treat_whitespace_as_suffix = Some(f.as_bool()?),
            25 => t.split_digits = Some(f.as_bool()?),
            30 => t.control_symbols.push(f.as_string()?),
            31 => t.user_defined_symbols.push(f.as_string()?),
            35 => t.byte_fallback = Some(f.as_bool()?),
            40 => t.unk_id = Some(f.as_i32()?),
            41 => t.bos_id = Some(f.as_i32()?),
            42 => t.eos_id = Some(f.as_i32()?),
            43 => t.pad_id = Some(f.as_i32()?),
            44 => t.unk_surface = Some(f.as_string()?),
            45 => t.unk_piece = Some(f.as_string()?),
            46 => t.bos_piece = Some(f.as_string()?),
            47 => t.eos_piece = Some(f.as_string()?),
            48 => t.pad_piece = Some(f.as_string()?),
            _ => t.other.push(f),
        }
    }
    Ok(t)
}

fn trainer_fields(t: &TrainerSpec) -> Vec<Field> {
    let mut f = t.other.clone();
    let int = |f: &mut Vec<Field>, n: u32, v: Option<i32>| {
        if let Some(v) = v {
            f.push(Field::int32(n, v));
        }
    };
    let flag = |f: &mut Vec<Field>, n: u32, v: Option<bool>| {
        if let Some(v) = v {
            f.push(Field::bool(n, v));
        }
    };
    let text = |f: &mut Vec<Field>, n: u32, v: &Option<String>| {
        if let Some(v) = v {
            f.push(Field::bytes(n, v.as_bytes()));
        }
    };
    int(&mut f, 3, t.model_type);
    int(&mut f, 4, t.vocab_size);
    flag(&mut f, 22, t.split_by_whitespace);
    flag(&mut f, 24, t.treat_whitespace_as_suffix);
    flag(&mut f, 25, t.split_digits);
    f.extend(
        t.control_symbols
            .iter()
            .map(|s| Field::bytes(30, s.as_bytes())),
    );
    f.extend(
        t.user_defined_symbols
            .iter()
            .map(|s| Field::bytes(31, s.as_bytes())),
    );
    flag(&mut f, 35, t.byte_fallback);
    int(&mut f, 40, t.unk_id);
    int(&mut f, 41, t.bos_id);
    int(&mut f, 42, t.eos_id);
    int(&mut f, 43, t.pad_id);
    text(&mut f, 44, &t.unk_surface);
    text(&mut f, 45, &t.unk_piece);
    text(&mut f, 46, &t.bos_piece);
    text(&mut f, 47, &t.eos_piece);
    text(&mut f, 48, &t.pad_piece);
    sorted(f)
}

fn parse_normalizer(bytes: &[u8]) -> std::result::Result<NormalizerSpec, String> {
    let mut n = NormalizerSpec::default();
    for f in protobuf::parse(bytes)? {
        match f.number {
            1 => n.name = Some(f.as_string()?),
            2 => n.precompiled_charsmap = Some(f.as_bytes()?.to_vec()),
            3 => n.add_dummy_prefix = Some(f.as_bool()?),
            4 => n.remove_extra_whitespaces = Some(f.as_bool()?),
            5 => n.escape_whitespaces = Some(f.as_bool()?),
            6 => n.normalization_rule_tsv = Some(f.as_string()?),
            _ => n.other.push(f),
        }
    }
    Ok(n)
}

fn normalizer_fields(n: &NormalizerSpec) -> Vec<Field> {
    let mut f = n.other.clone();
    if let Some(v) = &n.name {
        f.push(Field::bytes(1, v.as_bytes()));
    }
    if let Some(v) = &n.precompiled_charsmap {
        f.push(Field::bytes(2, v.clone()));
    }
    for (num, v) in [
        (3, n.add_dummy_prefix),
        (4, n.remove_extra_whitespaces),
        (5, n.escape_whitespaces),
    ] {
        if let Some(v) = v {
            f.push(Field::bool(num, v));
        }
    }
    if let Some(v) = &n.normalization_rule_tsv {
        f.push(Field::bytes(6, v.as_bytes()));
    }
    sorted(f)
}

impl ModelProto {
    /// Parses a `.model` file; `source` names it in [`Error::CorruptModel`].
    pub fn parse(bytes: &[u8], source: &str) -> Result<Self> {
        Self::parse_inner(bytes)
            .map_err(|e| Error::corrupt(source, format!("not a valid SentencePiece model: {e}")))
    }

    fn parse_inner(bytes: &[u8]) -> std::result::Result<Self, String> {
        let mut m = ModelProto::default();
        for f in protobuf::parse(bytes)? {
            match f.number {
                1 => {
                    let p = parse_piece(f.as_bytes()?)
                        .map_err(|e| format!("piece {}: {e}", m.pieces.len()))?;
                    m.pieces.push(p);
                }
                2 => {
                    m.trainer_spec = Some(
                        parse_trainer(f.as_bytes()?).map_err(|e| format!("trainer_spec: {e}"))?,
                    );
                }
                3 => {
                    m.normalizer_spec = Some(
                        parse_normalizer(f.as_bytes()?)
                            .map_err(|e| format!("normalizer_spec: {e}"))?,
                    );
                }
                4 => m.self_test_data = Some(f.as_bytes()?.to_vec()),
                5 => {
                    m.denormalizer_spec = Some(
                        parse_normalizer(f.as_bytes()?)
                            .map_err(|e| format!("denormalizer_spec: {e}"))?,
                    );
                }
                _ => m.other.push(f),
            }
        }
        if m.pieces.is_empty() {
            return Err("it has no pieces".into());
        }
        Ok(m)
    }

    /// The file's bytes: fields in field-number order (module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut f = self.other.clone();
        for p in &self.pieces {
            f.push(Field::bytes(1, protobuf::encode(&piece_fields(p))));
        }
        if let Some(t) = &self.trainer_spec {
            f.push(Field::bytes(2, protobuf::encode(&trainer_fields(t))));
        }
        if let Some(n) = &self.normalizer_spec {
            f.push(Field::bytes(3, protobuf::encode(&normalizer_fields(n))));
        }
        if let Some(d) = &self.self_test_data {
            f.push(Field::bytes(4, d.clone()));
        }
        if let Some(n) = &self.denormalizer_spec {
            f.push(Field::bytes(5, protobuf::encode(&normalizer_fields(n))));
        }
        protobuf::encode(&sorted(f))
    }

    pub fn trainer(&self) -> TrainerSpec {
        self.trainer_spec.clone().unwrap_or_default()
    }
    pub fn normalizer(&self) -> NormalizerSpec {
        self.normalizer_spec.clone().unwrap_or_default()
    }
}

/// A `.model` file: by extension, or a file that starts with a piece (`0x0a`, a length, the
/// piece's own `0x0a` tag) and parses as a `ModelProto`.
pub fn looks_like_model(path: &Path, bytes: &[u8]) -> bool {
    if path.extension().is_some_and(|e| e == "model") {
        return true;
    }
    let mut pos = 1;
    while bytes.get(pos).is_some_and(|&b| b & 0x80 != 0) {
        pos += 1;
    }
    bytes.first() == Some(&0x0a)
        && bytes.get(pos + 1) == Some(&0x0a)
        && ModelProto::parse(bytes, "").is_ok()
}

/// SentencePiece's normalization as pipeline steps (module docs): the charsmap, then the
/// whitespace handling of `normalizer.cc`.
// The flags are SentencePiece's own spec fields of the same names, independent of each other.
#[allow(clippy::fn_params_excessive_bools)]
pub fn spm_normalizer(
    charsmap: Option<Arc<Charsmap>>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
    treat_whitespace_as_suffix: bool,
) -> Normalizer {
    let regex = |p: &str| {
        ReplacePattern::regex(p).unwrap_or_else(|_| unreachable!("fixed pattern {p} compiles"))
    };
    let mut steps = Vec::new();
    if let Some(m) = charsmap {
        steps.push(NormalizerStep::Precompiled(m));
    }
    if remove_extra_whitespaces {
        // Leading spaces go; a run of spaces becomes one (only `' '`, as SentencePiece).
        steps.push(NormalizerStep::Replace {
            pattern: regex(r"\A +"),
            content: String::new(),
        });
        steps.push(NormalizerStep::Replace {
            pattern: regex(r" {2,}"),
            content: " ".into(),
        });
    }
    let space = if escape_whitespaces {
        SPACE.to_string()
    } else {
        " ".to_owned()
    };
    if add_dummy_prefix && !treat_whitespace_as_suffix {
        steps.push(NormalizerStep::Prepend(space.clone()));
    }
    if escape_whitespaces {
        steps.push(NormalizerStep::Replace {
            pattern: ReplacePattern::String(" ".into()),
            content: space.clone(),
        });
    }
    if remove_extra_whitespaces {
        // SentencePiece drops trailing (escaped) spaces last, a dummy prefix included.
        let pattern = if escape_whitespaces {
            format!("{SPACE}+\\z")
        } else {
            r" +\z".to_owned()
        };
        steps.push(NormalizerStep::Replace {
            pattern: regex(&pattern),
            content: String::new(),
        });
    }
    if add_dummy_prefix && treat_whitespace_as_suffix {
        // Appended to a non-empty text (`Replace` leaves an empty text alone).
        steps.push(NormalizerStep::Replace {
            pattern: regex(r"\z"),
            content: space,
        });
    }
    Normalizer::new(steps)
}

/// The decoder of a SentencePiece pipeline: `▁` → space, byte pieces → bytes, the dummy prefix's
/// space dropped, then the unknown piece shown as `unk_surface` (SentencePiece's ` ⁇ `; a literal
/// `<unk>` typed in the text decodes to it too).
pub fn spm_decoder(add_dummy_prefix: bool, suffix: bool, unk: &str, unk_surface: &str) -> Decoder {
    let mut parts = vec![
        Decoder::Replace {
            pattern: PatternSource::String(SPACE.to_string()),
            content: " ".into(),
        },
        Decoder::ByteFallback,
        Decoder::Fuse,
    ];
    // SentencePiece drops the dummy prefix's space when decoding, but keeps a dummy suffix's.
    if add_dummy_prefix && !suffix {
        parts.push(Decoder::Strip {
            content: ' ',
            start: 1,
            stop: 0,
        });
    }
    parts.push(Decoder::Replace {
        pattern: PatternSource::String(unk.to_owned()),
        content: unk_surface.to_owned(),
    });
    Decoder::Sequence(parts)
}

/// Cuts a normalized text before each `▁` (a `Metaspace` that adds no prefix), as
/// `SentencePiece`'s pieces never cross one.
pub fn metaspace_split() -> PreTokenizer {
    PreTokenizer::new(vec![PreTokenizerStep::Metaspace {
        replacement: SPACE,
        prepend_scheme: PrependScheme::Never,
        split: true,
    }])
    .unwrap_or_else(|_| unreachable!("one Metaspace step is valid"))
}

/// What every model type shares: the normalizer, pre-tokenizer, added tokens and decoder of a
/// `.model` file, and its checked pieces.
pub struct SpmPipeline {
    pub normalizer: Normalizer,
    pub pre_tokenizer: PreTokenizer,
    pub added_tokens: Vec<AddedToken>,
    pub decoder: Decoder,
    pub unk_id: u32,
    pub byte_fallback: bool,
}

/// Checks the pieces and builds [`SpmPipeline`] (`split_ok`: the model never merges across a
/// `▁` that is not a piece's first char).
pub fn spm_pipeline(m: &ModelProto, source: &str) -> Result<SpmPipeline> {
    let corrupt = |r: String| Error::corrupt(source, r);
    let t = m.trainer();
    let n = m.normalizer();
    let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
    let mut unk = None;
    let mut added_tokens = Vec::new();
    for (i, p) in m.pieces.iter().enumerate() {
        if p.piece.is_empty() {
            return Err(corrupt(format!("piece {i} is empty")));
        }
        if let Some(j) = seen.insert(&p.piece, i) {
            return Err(corrupt(format!(
                "pieces {j} and {i} are both {:?}",
                p.piece
            )));
        }
        match p.kind() {
            PieceType::Unknown => {
                if unk.is_some() {
                    return Err(corrupt("more than one UNKNOWN piece".into()));
                }
                unk = Some(i as u32);
            }
            PieceType::UserDefined => added_tokens.push(AddedToken {
                content: p.piece.clone(),
                id: i as u32,
                special: false,
                single_word: false,
                lstrip: false,
                rstrip: false,
                normalized: true,
            }),
            _ => {}
        }
    }
    let unk_id = unk.ok_or_else(|| corrupt("no UNKNOWN piece (<unk>)".into()))?;
    let charsmap = match n.charsmap() {
        Some(b) => Some(Arc::new(
            Charsmap::from_bytes(b).map_err(|e| corrupt(format!("normalizer_spec: {e}")))?,
        )),
        None => None,
    };
    let suffix = t.treat_whitespace_as_suffix();
    let normalizer = spm_normalizer(
        charsmap,
        n.add_dummy_prefix(),
        n.remove_extra_whitespaces(),
        n.escape_whitespaces(),
        suffix,
    );
    let interior_space = m.pieces.iter().any(|p| {
        matches!(p.kind(), PieceType::Normal | PieceType::Unused)
            && p.piece.char_indices().any(|(i, c)| i > 0 && c == SPACE)
    });
    let pre_tokenizer = if n.escape_whitespaces() && !suffix && !interior_space {
        metaspace_split()
    } else {
        PreTokenizer::new(Vec::new())?
    };
    Ok(SpmPipeline {
        normalizer,
        pre_tokenizer,
        added_tokens,
        decoder: spm_decoder(
            n.add_dummy_prefix(),
            suffix,
            &m.pieces[unk_id as usize].piece,
            t.unk_surface.as_deref().unwrap_or(UNK_SURFACE),
        ),
        unk_id,
        byte_fallback: t.byte_fallback(),
    })
}

/// SentencePiece BPE as a [`BpeModel`] (module docs).
pub fn bpe_model(m: &ModelProto, p: &SpmPipeline, source: &str) -> Result<BpeModel> {
    let vocab: Vec<String> = m.pieces.iter().map(|x| x.piece.clone()).collect();
    let normal: FxHashMap<&str, u32> = m
        .pieces
        .iter()
        .enumerate()
        .filter(|(_, x)| x.kind() == PieceType::Normal)
        .map(|(i, x)| (x.piece.as_str(), i as u32))
        .collect();
    // NORMAL pieces by score, highest first; equal scores by id.
    let mut order: Vec<u32> = normal.values().copied().collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (m.pieces[a as usize].score(), m.pieces[b as usize].score());
        sb.total_cmp(&sa).then(a.cmp(&b))
    });
    let mut merges = Vec::new();
    for id in order {
        let piece = m.pieces[id as usize].piece.as_str();
        for (k, _) in piece.char_indices().skip(1) {
            if let (Some(&l), Some(&r)) = (normal.get(&piece[..k]), normal.get(&piece[k..])) {
                merges.push((l, r));
            }
        }
    }
    let settings = BpeSettings {
        unk_token: Some(vocab[p.unk_id as usize].clone()),
        byte_fallback: p.byte_fallback,
        fuse_unk: true,
        merges_by_result: true,
        ..BpeSettings::default()
    };
    BpeModel::from_parts(vocab, merges, settings, source)
}

/// SentencePiece Unigram as a [`UnigramModel`] summing scores in single precision as
/// SentencePiece does: every piece with its score, the lattice made of
/// `NORMAL` pieces (user-defined ones are added tokens; control, byte and unused pieces are
/// reserved: never matched in text, and out of the lowest score that prices an unknown char, as
/// `unigram_model.cc` does).
pub fn unigram_model(m: &ModelProto, p: &SpmPipeline, _source: &str) -> Result<UnigramModel> {
    let pieces: Vec<(String, f64)> = m
        .pieces
        .iter()
        .map(|x| (x.piece.clone(), f64::from(x.score())))
        .collect();
    let reserved: Vec<u32> = m
        .pieces
        .iter()
        .enumerate()
        .filter(|(_, x)| {
            matches!(
                x.kind(),
                PieceType::Control | PieceType::Byte | PieceType::Unused
            )
        })
        .map(|(i, _)| i as u32)
        .collect();
    Ok(UnigramModel::new(pieces, Some(p.unk_id), p.byte_fallback)?
        .with_reserved(&reserved)
        .with_float32_sums(true))
}

/// A tokenizer of a `.model` file's bytes.
pub fn tokenizer_from_bytes(bytes: &[u8], source: &str) -> Result<Tokenizer> {
    tokenizer_from_model(&ModelProto::parse(bytes, source)?, source)
}

/// A tokenizer of a parsed `.model` (module docs). The one place each model type is built.
pub fn tokenizer_from_model(m: &ModelProto, source: &str) -> Result<Tokenizer> {
    let mut p = spm_pipeline(m, source)?;
    if m.trainer().model_type() == Ok(ModelType::Unigram) {
        // SentencePiece runs one Viterbi over the whole sentence, summing in single precision:
        // the rounding of a path's score depends on everything before it, so splitting at `▁`
        // (exact in real arithmetic) could break its ties differently.
        p.pre_tokenizer = PreTokenizer::new(Vec::new())?;
    }
    let model = match m.trainer().model_type() {
        Ok(ModelType::Bpe) => Model::Bpe(bpe_model(m, &p, source)?),
        Ok(ModelType::Unigram) => Model::Unigram(unigram_model(m, &p, source)?),
        Ok(t) => {
            return Err(Error::corrupt(
                source,
                format!(
                    "SentencePiece {} models are not supported (Unigram and BPE are)",
                    t.name()
                ),
            ))
        }
        Err(v) => return Err(Error::corrupt(source, format!("unknown model_type {v}"))),
    };
    Tokenizer::from_parts(TokenizerParts {
        normalizer: p.normalizer,
        pre_tokenizer: p.pre_tokenizer,
        model,
        added_tokens: p.added_tokens,
        post_processor: None,
        decoder: Some(p.decoder),
        truncation: None,
        padding: None,
        added_tokens_as_written: true,
    })
    .map_err(|e| match e {
        Error::InvalidArgument(r) => Error::corrupt(source, r),
        e => e,
    })
}

/// `tok` with its BPE model's `merges_by_result` set (the subwordx format's key of that name).
pub(crate) fn with_merges_by_result(tok: &Tokenizer, source: &str) -> Result<Tokenizer> {
    let mut parts = tok.to_parts();
    let Some(m) = parts.model.as_bpe() else {
        return Err(Error::corrupt(
            source,
            "merges_by_result on a non-BPE model",
        ));
    };
    let settings = BpeSettings {
        merges_by_result: true,
        ..m.settings().clone()
    };
    parts.model = Model::Bpe(
        BpeModel::from_parts(m.vocab().to_vec(), m.merges().to_vec(), settings, source)?
            .with_dropout(m.dropout())?,
    );
    Tokenizer::from_parts(parts)
}

/// The flags of a SentencePiece-shaped normalizer: `(charsmap, add_dummy_prefix,
/// remove_extra_whitespaces, escape_whitespaces, treat_whitespace_as_suffix)`.
type SpmFlags = (Option<Arc<Charsmap>>, bool, bool, bool, bool);

/// The SentencePiece settings that build `n` ([`spm_normalizer`]), if it is one of them.
pub fn spm_flags_of(n: &Normalizer) -> Option<SpmFlags> {
    let charsmap = match n.steps().first() {
        Some(NormalizerStep::Precompiled(m)) => Some(m.clone()),
        _ => None,
    };
    for bits in 0..16u8 {
        let f = |k: u8| bits & (1 << k) != 0;
        let built = spm_normalizer(charsmap.clone(), f(0), f(1), f(2), f(3));
        if built == *n {
            return Some((charsmap, f(0), f(1), f(2), f(3)));
        }
    }
    None
}

fn not_spm(why: &str) -> Error {
    Error::invalid(format!(
        "this tokenizer cannot be saved as a SentencePiece .model: {why}"
    ))
}

/// Whether `t` spells one byte as SentencePiece's byte pieces do: `<0xXX>`, upper-case hex.
fn is_byte_piece(t: &str) -> bool {
    t.len() == 6
        && t.starts_with("<0x")
        && t.ends_with('>')
        && t[3..5]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
}

/// The added tokens of `tok` by id, each a `.model` piece type: a special token is a `CONTROL`
/// piece, a non-special one matched on normalized text a `USER_DEFINED` one; any other kind has
/// no SentencePiece equivalent. `special_ok`: whether special tokens may be saved at all (BPE
/// files keep them out).
fn added_piece_types(tok: &Tokenizer, special_ok: bool) -> Result<FxHashMap<u32, PieceType>> {
    let mut added = FxHashMap::default();
    for a in tok.added_tokens() {
        let kind = if a.special && special_ok && !a.single_word && !a.lstrip && !a.rstrip {
            PieceType::Control
        } else if !a.special && a.normalized && !a.single_word && !a.lstrip && !a.rstrip {
            PieceType::UserDefined
        } else {
            return Err(not_spm(&format!(
                "added token {:?} is not a user-defined symbol (non-special, normalized)",
                a.content
            )));
        };
        added.insert(a.id, kind);
    }
    Ok(added)
}

/// The pieces of a SentencePiece-shaped BPE model (see [`to_model_proto`]).
fn bpe_pieces(tok: &Tokenizer, bpe: &BpeModel) -> Result<(Vec<SpmPiece>, String, bool)> {
    let s = bpe.settings();
    if s.byte_level || s.continuing_subword_prefix.is_some() || s.end_of_word_suffix.is_some() {
        return Err(not_spm(
            "a byte-level model or one with a prefix or suffix has no SentencePiece equivalent",
        ));
    }
    let pre = tok.pre_tokenizer();
    if !(pre.steps().is_empty() || *pre == metaspace_split()) {
        return Err(not_spm("its pre-tokenizer splits other than at ▁"));
    }
    let Some(unk) = s.unk_token.as_deref() else {
        return Err(not_spm("SentencePiece needs an unk token"));
    };
    let vocab = bpe.vocab();
    // Merge rank of each token the merges make (first merge making it).
    let mut result_rank: FxHashMap<u32, usize> = FxHashMap::default();
    let mut results_per_token: FxHashMap<u32, usize> = FxHashMap::default();
    for (rank, &(l, r)) in bpe.merges().iter().enumerate() {
        if let Some((_, new)) = bpe.merge_of(l, r) {
            result_rank.entry(new).or_insert(rank);
            *results_per_token.entry(new).or_insert(0) += 1;
        }
    }
    if !s.merges_by_result && results_per_token.values().any(|&n| n > 1) {
        return Err(not_spm(
            "several merges make the same token with different ranks",
        ));
    }
    let added = added_piece_types(tok, false)?;
    let n_results = result_rank.len();
    let mut pieces = Vec::with_capacity(vocab.len());
    for (i, t) in vocab.iter().enumerate() {
        let id = i as u32;
        let single = t.chars().nth(1).is_none();
        let (score, kind) = if t == unk {
            (0.0, PieceType::Unknown)
        } else if let Some(&kind) = added.get(&id) {
            (0.0, kind)
        } else if s.byte_fallback && is_byte_piece(t) {
            (0.0, PieceType::Byte)
        } else if let Some(&r) = result_rank.get(&id) {
            (-(r as f32), PieceType::Normal)
        } else if single {
            (-((n_results + i) as f32), PieceType::Normal)
        } else {
            (0.0, PieceType::Control)
        };
        pieces.push(SpmPiece::new(t.clone(), score, kind));
    }
    Ok((pieces, unk.to_owned(), s.byte_fallback))
}

/// The pieces of a SentencePiece-shaped Unigram model (see [`to_model_proto`]).
fn unigram_pieces(tok: &Tokenizer, m: &UnigramModel) -> Result<(Vec<SpmPiece>, String, bool)> {
    if !tok.pre_tokenizer().steps().is_empty() || !m.float32_sums() {
        return Err(not_spm(
            "SentencePiece runs one Viterbi over the whole text, summing scores in single \
             precision; this tokenizer splits the text first or sums in double precision (a \
             tokenizer trained with prepend_scheme=\"always\", the default, or loaded from a \
             .model saves)",
        ));
    }
    let Some(unk) = m.unk_id() else {
        return Err(not_spm("SentencePiece needs an unk token"));
    };
    let added = added_piece_types(tok, true)?;
    let reserved = m.reserved();
    let mut pieces = Vec::with_capacity(m.vocab_size());
    for (i, (t, &score)) in m.vocab().iter().zip(m.scores()).enumerate() {
        let id = i as u32;
        let kind = if id == unk {
            PieceType::Unknown
        } else if let Some(&kind) = added.get(&id) {
            kind
        } else if reserved.binary_search(&id).is_ok() {
            if is_byte_piece(t) {
                PieceType::Byte
            } else {
                PieceType::Control
            }
        } else {
            PieceType::Normal
        };
        // The model's scores are `f32` values already (loaded, or rounded when trained).
        #[allow(clippy::cast_possible_truncation)]
        pieces.push(SpmPiece::new(t.clone(), score as f32, kind));
    }
    Ok((pieces, m.vocab()[unk as usize].clone(), m.byte_fallback()))
}

/// The `.model` of a SentencePiece-shaped tokenizer (`docs/sentencepiece.md`): the normalizer of
/// [`spm_normalizer`], no post-processor, an unk token, and
///
/// * a BPE model whose merges rank by the token they make (loaded from a `.model`, or with one
///   merge per token), no pre-tokenizer or `Metaspace` splitting, user-defined symbols as
///   non-special added tokens matched on normalized text. Types are derived: the unk token is
///   `UNKNOWN`, `<0xXX>` under `byte_fallback` `BYTE`, added tokens `USER_DEFINED`, single chars
///   and merge results `NORMAL` (scored by merge rank), every other token `CONTROL`;
/// * or a Unigram model with one whole-text Viterbi in single precision (trained with the
///   `always` prepend scheme, or loaded from a `.model`): pieces with their scores, the unk
///   token `UNKNOWN`, special added tokens `CONTROL` (SentencePiece never matches those in
///   text), non-special ones `USER_DEFINED`, reserved pieces `BYTE` (`<0xXX>`) or `CONTROL`,
///   the rest `NORMAL`.
pub fn to_model_proto(tok: &Tokenizer) -> Result<ModelProto> {
    let (charsmap, add_dummy_prefix, remove_extra, escape, suffix) = spm_flags_of(tok.normalizer())
        .ok_or_else(|| not_spm("its normalizer is not SentencePiece's (docs/sentencepiece.md)"))?;
    if tok.post_processor().is_some() {
        return Err(not_spm("SentencePiece has no post-processor"));
    }
    let (model_type, (pieces, unk, byte_fallback)) = match tok.model() {
        Model::Bpe(bpe) => (ModelType::Bpe, bpe_pieces(tok, bpe)?),
        Model::Unigram(m) => (ModelType::Unigram, unigram_pieces(tok, m)?),
        other @ Model::WordPiece(_) => {
            return Err(not_spm(&format!(
                "its model is {} (Unigram and BPE are)",
                other.kind()
            )))
        }
    };
    let id_of = |name: &str, kind: PieceType| -> i32 {
        pieces
            .iter()
            .position(|p| p.piece == name && p.kind == Some(kind))
            .map_or(-1, |i| i as i32)
    };
    let unk_id = id_of(&unk, PieceType::Unknown);
    let bos_id = id_of("<s>", PieceType::Control);
    let eos_id = id_of("</s>", PieceType::Control);
    let pad_id = id_of("<pad>", PieceType::Control);
    let trainer = TrainerSpec {
        model_type: Some(model_type.to_i32()),
        vocab_size: Some(i32::try_from(pieces.len()).unwrap_or(i32::MAX)),
        treat_whitespace_as_suffix: Some(suffix),
        user_defined_symbols: Vec::new(),
        control_symbols: Vec::new(),
        byte_fallback: Some(byte_fallback),
        unk_id: Some(unk_id),
        bos_id: Some(bos_id),
        eos_id: Some(eos_id),
        pad_id: Some(pad_id),
        unk_piece: Some(unk.clone()),
        bos_piece: (bos_id >= 0).then(|| "<s>".to_owned()),
        eos_piece: (eos_id >= 0).then(|| "</s>".to_owned()),
        pad_piece: (pad_id >= 0).then(|| "<pad>".to_owned()),
        ..TrainerSpec::default()
    };
    let normalizer = NormalizerSpec {
        name: Some(if charsmap.is_some() {
            "user_defined".to_owned()
        } else {
            "identity".to_owned()
        }),
        precompiled_charsmap: Some(
            charsmap
                .as_ref()
                .map_or_else(Vec::new, |m| m.as_bytes().to_vec()),
        ),
        add_dummy_prefix: Some(add_dummy_prefix),
        remove_extra_whitespaces: Some(remove_extra),
        escape_whitespaces: Some(escape),
        ..NormalizerSpec::default()
    };
    Ok(ModelProto {
        pieces,
        trainer_spec: Some(trainer),
        normalizer_spec: Some(normalizer),
        ..ModelProto::default()
    })
}

/// The `.model` bytes of `tok` ([`to_model_proto`]).
pub fn to_bytes(tok: &Tokenizer) -> Result<Vec<u8>> {
    Ok(to_model_proto(tok)?.to_bytes())
}

/// Builds the identity or NFKC normalizer of SentencePiece's defaults (dummy prefix, extra
/// whitespace removed, spaces escaped), for tokenizers meant to be saved as `.model`.
pub fn default_normalizer(nfkc: bool) -> Normalizer {
    spm_normalizer(nfkc.then(Charsmap::nfkc), true, true, true, false)
}

/// A charsmap of `rules` (source → replacement), for a custom normalization.
pub fn charsmap_of(rules: &BTreeMap<String, String>) -> Result<Charsmap> {
    Charsmap::build(rules).map_err(Error::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(p: &str, score: f32, kind: PieceType) -> SpmPiece {
        SpmPiece::new(p, score, kind)
    }

    /// A small BPE model by hand: `▁ab` is reachable two ways with one rank.
    fn toy(byte_fallback: bool) -> ModelProto {
        let mut pieces = vec![
            piece("<unk>", 0.0, PieceType::Unknown),
            piece("<s>", 0.0, PieceType::Control),
            piece("</s>", 0.0, PieceType::Control),
            piece("<sep>", 0.0, PieceType::UserDefined),
            piece("▁a", -1.0, PieceType::Normal),
            piece("ab", -2.0, PieceType::Normal),
            piece("▁ab", -3.0, PieceType::Normal),
            piece("aa", -4.0, PieceType::Normal),
            piece("▁", -5.0, PieceType::Normal),
            piece("a", -6.0, PieceType::Normal),
            piece("b", -7.0, PieceType::Normal),
        ];
        if byte_fallback {
            for b in 0..=255u8 {
                pieces.push(piece(&format!("<0x{b:02X}>"), 0.0, PieceType::Byte));
            }
        }
        ModelProto {
            pieces,
            trainer_spec: Some(TrainerSpec {
                model_type: Some(2),
                byte_fallback: Some(byte_fallback),
                ..TrainerSpec::default()
            }),
            normalizer_spec: Some(NormalizerSpec {
                name: Some("identity".into()),
                precompiled_charsmap: Some(Vec::new()),
                ..NormalizerSpec::default()
            }),
            ..ModelProto::default()
        }
    }

    fn ids<'a>(tok: &'a Tokenizer, text: &str) -> Vec<&'a str> {
        tok.encode_ids(text, false)
            .into_iter()
            .map(|i| tok.id_to_token(i).unwrap())
            .collect()
    }

    #[test]
    fn bytes_round_trip_and_bpe_encodes_like_spm() {
        let m = toy(false);
        let bytes = m.to_bytes();
        let back = ModelProto::parse(&bytes, "t").unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_bytes(), bytes);
        let tok = tokenizer_from_model(&m, "t").unwrap();
        // ▁a (rank 0) merges first, then ▁a+b → ▁ab.
        assert_eq!(ids(&tok, "ab"), ["▁ab"]);
        // Leftmost of equal-rank pairs (both make `aa`).
        assert_eq!(ids(&tok, "  xaaa  "), ["▁", "<unk>", "aa", "a"]);
        // Unknowns fused; control symbols never come from text; user-defined whole.
        assert_eq!(ids(&tok, "xyz<s>"), ["▁", "<unk>"]);
        assert_eq!(ids(&tok, "a<sep>b  a"), ["▁a", "<sep>", "b", "▁a"]);
        // Saving gives an equivalent model.
        let saved = to_model_proto(&tok).unwrap();
        let tok2 = tokenizer_from_model(&saved, "t").unwrap();
        for s in ["ab", "  xaaa  ", "a<sep>b  a", "aab ba"] {
            assert_eq!(ids(&tok2, s), ids(&tok, s));
        }
        assert_eq!(saved.pieces[1].kind(), PieceType::Control);
        assert_eq!(saved.pieces[3].kind(), PieceType::UserDefined);
    }

    #[test]
    fn byte_fallback_and_whitespace() {
        let tok = tokenizer_from_model(&toy(true), "t").unwrap();
        assert_eq!(ids(&tok, "é"), ["▁", "<0xC3>", "<0xA9>"]);
        assert_eq!(
            tok.decode(&tok.encode_ids(" a é b", false), false).unwrap(),
            "a é b"
        );
        let n = spm_normalizer(None, true, true, true, false);
        assert_eq!(n.normalize_str("  a   b  "), "▁a▁b");
        assert_eq!(n.normalize_str("   "), "");
        assert_eq!(n.normalize_str("▁"), "");
        let n = spm_normalizer(None, true, true, true, true);
        assert_eq!(n.normalize_str(" a  b "), "a▁b▁");
        let n = spm_normalizer(None, false, false, false, false);
        assert_eq!(n.normalize_str(" a  b "), " a  b ");
        for bits in 0..16u8 {
            let f = |k: u8| bits & (1 << k) != 0;
            let n = spm_normalizer(Some(Charsmap::nfkc()), f(0), f(1), f(2), f(3));
            let got = spm_flags_of(&n).unwrap();
            let again = spm_normalizer(got.0, got.1, got.2, got.3, got.4);
            assert_eq!(again, n);
        }
    }

    /// A Unigram `.model`: the best-scoring segmentation, control pieces never matched in text.
    #[test]
    fn unigram_models_load() {
        let mut m = toy(false);
        m.trainer_spec.as_mut().unwrap().model_type = Some(1);
        let tok = tokenizer_from_model(&m, "t").unwrap();
        assert_eq!(tok.model().kind(), "unigram");
        // "▁ab" (-3) beats "▁a" + "b" (-8) and "▁" + "ab" (-7).
        assert_eq!(tok.encode_ids("ab", false), vec![6]);
        // "<s>" is a control piece: spelled in text, it is unknown chars, never id 1.
        assert!(!tok.encode_ids("<s>", false).contains(&1));
    }

    #[test]
    fn corrupt_files_are_errors() {
        let bytes = toy(false).to_bytes();
        for n in 0..bytes.len() {
            let _ = ModelProto::parse(&bytes[..n], "t").and_then(|m| tokenizer_from_model(&m, "t"));
        }
        assert!(ModelProto::parse(b"", "t").is_err());
        assert!(ModelProto::parse(b"\x0a\x02\x10\x01", "t").is_err());
        let mut m = toy(false);
        m.trainer_spec.as_mut().unwrap().model_type = Some(3);
        let err = tokenizer_from_model(&m, "t").unwrap_err().to_string();
        assert!(err.contains("models are not supported"), "{err}");
        let mut m = toy(false);
        m.pieces[0].kind = Some(PieceType::Normal);
        assert!(tokenizer_from_model(&m, "t").is_err());
    }
}
