//! A BPE model with `dropout` encodes with BPE-dropout, call by call from the tokenizer's seed
//! stream (`tokenizer/dropout_stream.rs`).

use serde_json::json;
use subwordx_core::io::hf_json;
use subwordx_core::tokenizer::dropout_stream::seed_of;
use subwordx_core::tokenizer::sampling::SampleOptions;
use subwordx_core::tokenizer::{SpecialPolicy, Tokenizer};
use subwordx_core::Error;

fn tokenizer(dropout: &serde_json::Value) -> subwordx_core::Result<Tokenizer> {
    let doc = json!({
        "version": "1.0",
        "added_tokens": [],
        "normalizer": null,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": null,
        "decoder": null,
        "model": {
            "type": "BPE",
            "dropout": dropout,
            "unk_token": null,
            "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 5, "hell": 6, "hello": 7,
                      "w": 8, "r": 9, "d": 10, "wo": 11, "or": 12, "wor": 13, "ld": 14,
                      "world": 15},
            "merges": [["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o"], ["w", "o"],
                       ["wo", "r"], ["l", "d"], ["wor", "ld"], ["o", "r"]]
        }
    });
    hf_json::from_str(&doc.to_string(), "test.json")
}

const TEXT: &str = "hello world hello hello world";

fn sample(tok: &Tokenizer, p: f64, seed: u64) -> Vec<u32> {
    let opts = SampleOptions {
        alpha: 0.0,
        nbest_size: 0,
        dropout: Some(p),
        seed,
    };
    tok.encode_sample(TEXT, &opts, true).unwrap().ids
}

#[test]
fn dropout_is_read_validated_and_written_back() {
    let tok = tokenizer(&json!(0.25)).unwrap();
    assert_eq!(tok.dropout(), Some(0.25));
    let doc = hf_json::to_value(&tok);
    assert_eq!(doc["model"]["dropout"], json!(0.25));
    assert_eq!(
        hf_json::from_value(&doc, "again").unwrap().dropout(),
        Some(0.25)
    );
    // Zero is plain BPE, as in HF.
    assert_eq!(tokenizer(&json!(0.0)).unwrap().dropout(), None);
    assert_eq!(tokenizer(&json!(null)).unwrap().dropout(), None);
    for bad in [json!(1.5), json!(-0.1), json!("0.1"), json!(true)] {
        match tokenizer(&bad) {
            Err(Error::CorruptModel { reason, .. }) => {
                assert!(reason.contains("dropout"), "{reason}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn one_keeps_every_char_and_plain_bpe_merges_all() {
    let chars = tokenizer(&json!(1.0)).unwrap();
    assert_eq!(
        chars.encode(TEXT, true).ids.len(),
        TEXT.replace(' ', "").len()
    );
    let plain = tokenizer(&json!(null)).unwrap();
    assert_eq!(plain.encode(TEXT, true).ids, vec![7, 15, 7, 7, 15]);
}

#[test]
fn call_k_is_encode_sample_with_the_kth_seed() {
    let tok = tokenizer(&json!(0.5))
        .unwrap()
        .with_dropout(Some(0.5), 11)
        .unwrap();
    let calls: Vec<Vec<u32>> = (0..6).map(|_| tok.encode(TEXT, true).ids).collect();
    for (k, ids) in calls.iter().enumerate() {
        assert_eq!(*ids, sample(&tok, 0.5, seed_of(11, k as u64)), "call {k}");
    }
    let distinct: std::collections::HashSet<_> = calls.iter().collect();
    assert!(
        distinct.len() > 1,
        "dropout 0.5 gave one encoding six times"
    );
    // Every path draws from the same stream: ids only, batches (any threads), pairs.
    let again = tok.with_dropout(Some(0.5), 11).unwrap();
    assert_eq!(again.encode_ids(TEXT, true), calls[0]);
    let batch = again.encode_batch_ids(&[TEXT, TEXT], true, 2).unwrap();
    assert_eq!(batch, calls[1..3].to_vec());
    let batch = again.encode_batch(&[TEXT, TEXT, TEXT], true, 1).unwrap();
    let ids: Vec<Vec<u32>> = batch.into_iter().map(|e| e.ids).collect();
    assert_eq!(ids, calls[3..6].to_vec());
    // A pair's second text continues the first one's draws: different from a fresh call.
    let pair = tok
        .with_dropout(Some(0.5), 11)
        .unwrap()
        .encode_full(TEXT, Some(TEXT), true, SpecialPolicy::All, false)
        .unwrap();
    assert_eq!(pair.ids[..calls[0].len()], calls[0][..]);
    // Another seed, another stream; no dropout, no randomness.
    let other = tok.with_dropout(Some(0.5), 12).unwrap();
    let other_calls: Vec<Vec<u32>> = (0..6).map(|_| other.encode(TEXT, true).ids).collect();
    assert_ne!(other_calls, calls);
    let off = tok.with_dropout(None, 0).unwrap();
    assert_eq!(off.dropout(), None);
    assert_eq!(off.encode(TEXT, true).ids, vec![7, 15, 7, 7, 15]);
}

#[test]
fn merges_are_dropped_at_about_the_rate_asked() {
    // With p = 0.5, "hello" stays whole only when none of its four merges' last pops is
    // dropped; over many calls the share of whole words must sit well between 0 and 1.
    let tok = tokenizer(&json!(0.5)).unwrap();
    let mut whole = 0u32;
    let n = 2000u32;
    for _ in 0..n {
        whole += u32::from(tok.encode("hello", true).ids == [7]);
    }
    let share = f64::from(whole) / f64::from(n);
    assert!((0.02..0.5).contains(&share), "{share}");
}

#[test]
fn dropout_needs_a_bpe_model() {
    let tok = tokenizer(&json!(null)).unwrap();
    assert!(tok.with_dropout(Some(2.0), 0).is_err());
    assert!(tok.with_dropout(Some(f64::NAN), 0).is_err());
}
