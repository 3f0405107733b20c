//! Unigram: the golden cases of `tests/fixtures/unigram_cases.json` (shared with pytest), the
//! trainer's determinism, the pipeline, n-best and sampling, and HF `tokenizer.json`.

use std::path::PathBuf;

use serde_json::Value;
use subwordx_core::corpus::WordCounts;
use subwordx_core::models::unigram::{self, UnigramModel, UnigramTrainerConfig};
use subwordx_core::pretokenize::PrependScheme;
use subwordx_core::tokenizer::sampling::SampleOptions;
use subwordx_core::tokenizer::Tokenizer;
use subwordx_core::{io, Progress};

fn cases() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/unigram_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn model_of(case: &Value) -> UnigramModel {
    let mut pieces: Vec<(String, f64)> = case["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_f64().unwrap()))
        .collect();
    let bytes = case["byte_pieces"].as_bool().unwrap_or(false);
    if bytes {
        for b in 0..=255u8 {
            pieces.push((format!("<0x{b:02X}>"), -20.0));
        }
    }
    let unk = case["unk_id"].as_u64().map(|u| u as u32);
    UnigramModel::new(pieces, unk, bytes).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn golden_encoding_cases() {
    for case in cases()["encode"].as_array().unwrap() {
        let m = model_of(case);
        for (word, want) in case["words"].as_object().unwrap() {
            assert_eq!(m.segment(word).0, strings(want), "{}: {word}", case["name"]);
        }
    }
}

#[test]
fn golden_nbest_cases() {
    for case in cases()["nbest"].as_array().unwrap() {
        let m = model_of(case);
        let tok = Tokenizer::unigram(m, false, PrependScheme::Never, &[]).unwrap();
        let word = case["word"].as_str().unwrap();
        let n = case["n"].as_u64().unwrap() as usize;
        let got = tok.encode_nbest(word, n, false).unwrap();
        let want = case["expect"].as_array().unwrap();
        assert_eq!(got.len(), want.len());
        for ((enc, score), w) in got.iter().zip(want) {
            let tokens: Vec<&str> = tok.tokens(&enc.ids).unwrap();
            assert_eq!(tokens, strings(&w[0]));
            assert!((score - w[1].as_f64().unwrap()).abs() < 1e-12);
        }
    }
}

fn counts(case: &Value) -> WordCounts {
    let mut wc = WordCounts::new();
    for (w, c) in case["words"].as_object().unwrap() {
        wc.add(w, c.as_u64().unwrap());
    }
    wc
}

#[test]
fn golden_training_cases() {
    for case in cases()["train"].as_array().unwrap() {
        let config = UnigramTrainerConfig {
            vocab_size: case["vocab_size"].as_u64().unwrap() as usize,
            ..UnigramTrainerConfig::default()
        };
        let m = unigram::train(&counts(case), &config, &Progress::new()).unwrap();
        assert_eq!(m.vocab(), strings(&case["vocab"]), "{}", case["name"]);
        for (got, want) in m.scores().iter().zip(case["scores"].as_array().unwrap()) {
            let want = want.as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{got} {want}"
            );
        }
    }
}

fn corpus_counts() -> WordCounts {
    let text = "the quick brown fox jumps over the lazy dog\nthe dog sleeps; the fox runs away\n\
                quick thinking makes quicker foxes\n";
    let pre =
        subwordx_core::tokenizer::unigram::counting_pre_tokenizer(PrependScheme::Always).unwrap();
    let normalizer =
        subwordx_core::tokenizer::unigram::unigram_normalizer(PrependScheme::Always, false);
    let mut wc = WordCounts::new();
    for _ in 0..5 {
        wc.add_text(text, &normalizer, &pre);
    }
    wc
}

fn trained(threads: usize) -> Tokenizer {
    let config = UnigramTrainerConfig {
        vocab_size: 60,
        threads,
        ..UnigramTrainerConfig::default()
    };
    Tokenizer::train_unigram(
        &corpus_counts(),
        &config,
        false,
        PrependScheme::Always,
        &Progress::new(),
    )
    .unwrap()
}

#[test]
fn words_are_counted_as_encoding_cuts_them() {
    let wc = corpus_counts();
    assert_eq!(wc.counts.get("▁the"), Some(&20));
    assert!(wc
        .counts
        .keys()
        .all(|w| w.starts_with('▁') && !w.contains(' ')));
}

#[test]
fn training_is_the_same_on_any_thread_count() {
    let a = trained(1);
    let b = trained(2);
    assert_eq!(io::hf_json::to_string(&a), io::hf_json::to_string(&b));
}

#[test]
fn pipeline_round_trips_and_offsets_cover_the_text() {
    let tok = trained(0);
    let text = "the quick fox sleeps";
    let enc = tok.encode(text, true);
    assert_eq!(tok.decode(&enc.ids, true).unwrap(), text);
    assert_eq!(enc.offsets.first().map(|o| o.0), Some(0));
    assert_eq!(enc.offsets.last().map(|o| o.1), Some(text.chars().count()));
    // Unknown chars: one token per run, decoded as the unknown token.
    let enc = tok.encode("the ZZZ", true);
    assert_eq!(tok.tokens(&enc.ids).unwrap().last(), Some(&"<unk>"));
}

#[test]
fn hf_json_round_trip_keeps_every_id() {
    let tok = trained(0);
    let json = io::hf_json::to_string(&tok);
    let back = io::hf_json::from_str(&json, "t").unwrap();
    for text in ["the lazy dog", "quicker foxes run", "héllo wörld"] {
        assert_eq!(tok.encode(text, true).ids, back.encode(text, true).ids);
    }
    let native = io::native::to_string(&tok);
    let back = io::native::from_slice(native.as_bytes(), "t").unwrap();
    assert_eq!(
        tok.encode("the dog", true).ids,
        back.encode("the dog", true).ids
    );
}

#[test]
fn nbest_is_sorted_and_starts_with_viterbi() {
    let tok = trained(0);
    let text = "the quick thinking fox";
    let list = tok.encode_nbest(text, 8, true).unwrap();
    assert_eq!(list[0].0.ids, tok.encode(text, true).ids);
    for w in list.windows(2) {
        assert!(w[0].1 >= w[1].1);
        assert_ne!(w[0].0.ids, w[1].0.ids);
    }
    for (enc, _) in &list {
        assert_eq!(tok.decode(&enc.ids, true).unwrap(), text);
    }
}

#[test]
fn sampling_is_seeded_and_decodes_to_the_text() {
    let tok = trained(0);
    let text = "the quick thinking fox";
    let opts = |seed| SampleOptions {
        alpha: 0.1,
        nbest_size: -1,
        dropout: None,
        seed,
    };
    let a = tok.encode_sample(text, &opts(7), true).unwrap();
    let b = tok.encode_sample(text, &opts(7), true).unwrap();
    assert_eq!(a.ids, b.ids);
    let mut seen = std::collections::HashSet::new();
    for seed in 0..50 {
        let e = tok.encode_sample(text, &opts(seed), true).unwrap();
        assert_eq!(tok.decode(&e.ids, true).unwrap(), text);
        seen.insert(e.ids);
    }
    assert!(seen.len() > 1, "sampling never varied");
    let mut bad = opts(1);
    bad.dropout = Some(0.1);
    assert!(tok.encode_sample(text, &bad, true).is_err());
}

#[test]
fn bad_training_input_is_an_error() {
    let config = UnigramTrainerConfig {
        vocab_size: 3,
        ..UnigramTrainerConfig::default()
    };
    assert!(matches!(
        unigram::train(&corpus_counts(), &config, &Progress::new()),
        Err(subwordx_core::Error::VocabTooSmall { .. })
    ));
    assert!(matches!(
        unigram::train(
            &WordCounts::new(),
            &UnigramTrainerConfig::default(),
            &Progress::new()
        ),
        Err(subwordx_core::Error::EmptyCorpus(_))
    ));
}

#[test]
fn trained_tokenizer_saves_as_a_sentencepiece_model_with_the_same_ids() {
    let tok = trained(0);
    let bytes = io::sentencepiece::to_bytes(&tok).unwrap();
    let back = io::sentencepiece::tokenizer_from_bytes(&bytes, "t.model").unwrap();
    for text in [
        "the lazy dog",
        "  quicker   foxes run ",
        "héllo ZZZ wörld",
        "",
    ] {
        assert_eq!(
            tok.encode(text, true).ids,
            back.encode(text, true).ids,
            "{text:?}"
        );
    }
    // Saving the loaded copy gives the same bytes.
    assert_eq!(io::sentencepiece::to_bytes(&back).unwrap(), bytes);
    // HF's Metaspace pipeline has no `.model` equivalent.
    let config = UnigramTrainerConfig {
        vocab_size: 60,
        ..UnigramTrainerConfig::default()
    };
    let first = Tokenizer::train_unigram(
        &corpus_counts(),
        &config,
        false,
        PrependScheme::First,
        &Progress::new(),
    )
    .unwrap();
    let err = io::sentencepiece::to_bytes(&first).unwrap_err().to_string();
    assert!(err.contains("whole text"), "{err}");
}
