//! Save/load round-trips for the three formats, and corrupt files.

use subwordx_core::corpus::WordCounts;
use subwordx_core::models::bpe::BpeTrainerConfig;
use subwordx_core::normalize::{Normalizer, UnicodeForm};
use subwordx_core::pretokenize::{PreTokenizer, SplitPattern};
use subwordx_core::tokenizer::{Tokenizer, TokenizerConfig};
use subwordx_core::{Error, Progress};

const TEXT: &str =
    "The quick brown fox jumps over the lazy dog. Ça va? naïve café 日本語 🎉 don't 12345\n";

fn trained(pre: PreTokenizer, prefix: Option<&str>) -> Tokenizer {
    let mut wc = WordCounts::new();
    let norm = Normalizer::from_flags(Some(UnicodeForm::Nfc), false, false);
    for _ in 0..4 {
        pre.for_each_piece(TEXT, |s, e| wc.add(&TEXT[s..e], 1));
    }
    let byte = pre.is_byte_level();
    let mut trainer = if byte {
        BpeTrainerConfig::byte_level(330)
    } else {
        BpeTrainerConfig::classic(120)
    };
    trainer.special_tokens = vec!["<unk>".into(), "<s>".into(), "</s>".into()];
    if let Some(p) = prefix {
        trainer.continuing_subword_prefix = Some(p.into());
        trainer.end_of_word_suffix = None;
    }
    let config = TokenizerConfig {
        trainer,
        normalizer: norm,
        pre_tokenizer: pre,
        unk_token: (!byte).then(|| "<unk>".into()),
        template: Some(vec!["<s>".to_owned(), "$A".to_owned(), "</s>".to_owned()]),
    };
    Tokenizer::train(&wc, &config, &Progress::new()).unwrap()
}

fn all() -> Vec<Tokenizer> {
    vec![
        trained(PreTokenizer::whitespace(), None),
        trained(PreTokenizer::bert(), Some("##")),
        trained(PreTokenizer::byte_level(SplitPattern::Gpt2), None),
        trained(PreTokenizer::byte_level(SplitPattern::Cl100k), None),
        trained(PreTokenizer::byte_level(SplitPattern::O200k), None),
    ]
}

#[test]
fn native_round_trip() {
    let dir = tempdir();
    for (i, tok) in all().into_iter().enumerate() {
        let p = dir.join(format!("t{i}.json"));
        tok.save(&p).unwrap();
        let back = Tokenizer::load(&p).unwrap();
        assert!(back == tok, "native round trip {i}");
        assert_eq!(back.encode(TEXT, true), tok.encode(TEXT, true));
        assert!(Tokenizer::from_bytes(&tok.to_bytes()).unwrap() == tok);
        let text = String::from_utf8(tok.to_bytes()).unwrap();
        assert!(
            text.starts_with(r#"{"format":"subwordx","merges_from_ranks":false,"model":"bpe","#),
            "{}",
            &text[..80]
        );
        assert!(text.contains(r#""version":2"#));
    }
}

#[test]
fn hf_round_trip() {
    let dir = tempdir();
    for (i, tok) in all().into_iter().enumerate() {
        let p = dir.join(format!("hf{i}.json"));
        tok.save_hf(&p).unwrap();
        let back = Tokenizer::load(&p).unwrap();
        assert!(back == tok, "hf round trip {i}");
    }
}

#[test]
fn vocab_merges_round_trip() {
    let dir = tempdir();
    for tok in [
        trained(PreTokenizer::byte_level(SplitPattern::Gpt2), None),
        trained(PreTokenizer::whitespace(), None),
    ] {
        let v = dir.join("vocab.json");
        let m = dir.join("merges.txt");
        tok.save_vocab_merges(&v, &m).unwrap();
        assert!(std::fs::read_to_string(&m)
            .unwrap()
            .starts_with("#version: 0.2\n"));
        let back = Tokenizer::load(&v).unwrap();
        assert_eq!(back.vocab(), tok.vocab());
        assert_eq!(back.merges(), tok.merges());
        assert_eq!(
            back.encode("jumps over", false).ids,
            tok.encode("jumps over", false).ids
        );
    }
    // No temporary files are left behind.
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains(".tmp-")));
}

#[test]
fn corrupt_files_are_corrupt_model() {
    let tok = trained(PreTokenizer::byte_level(SplitPattern::Gpt2), None);
    let native = String::from_utf8(tok.to_bytes()).unwrap();
    let hf = subwordx_core::io::hf_json::to_string(&tok);
    let mut cases: Vec<(String, &str)> = vec![
        (native[..native.len() / 2].to_owned(), "truncated native"),
        (hf[..hf.len() / 3].to_owned(), "truncated hf"),
        (
            native.replacen("\"version\":2", "\"version\":7", 1),
            "version",
        ),
        (
            native.replacen("\"model\":\"bpe\"", "\"model\":\"unigram\"", 1),
            "model type",
        ),
        (
            native.replacen("\"vocab\":{", "\"vocab\":{\"not a token\":\"y\",", 1),
            "wrong type",
        ),
        (
            native.replacen("\"merges\":[[", "\"merges\":[[\"nope\",\"x\"],[", 1),
            "unknown merge token",
        ),
        (
            native.replacen("\"<s>\":1", "\"<s>\":0", 1),
            "duplicate token",
        ),
        (
            hf.replacen("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", 1),
            "hf model type",
        ),
        (
            hf.replacen("\"<s>\": 1", "\"<s>\": 0", 1),
            "hf duplicate id",
        ),
        (
            hf.replacen("\"<s>\": 1", "\"<s>\": 99999999999", 1),
            "hf huge id",
        ),
        ("[1,2,3]".to_owned(), "not an object"),
        (String::new(), "empty"),
    ];
    cases.push((
        native.replacen("\"content\":\"<unk>\"", "\"content\":\"<nope>\"", 1),
        "special",
    ));
    for (text, what) in cases {
        let r = Tokenizer::from_bytes(text.as_bytes());
        let dir = tempdir();
        let p = dir.join("x.json");
        std::fs::write(&p, &text).unwrap();
        let r2 = Tokenizer::load(&p);
        for r in [r, r2] {
            match r {
                Err(Error::CorruptModel { reason, .. }) => assert!(!reason.is_empty()),
                Err(e) if what.starts_with("hf") || what == "not an object" => {
                    panic!("{what}: {e:?}")
                }
                Err(_) => {}
                Ok(_) if what.starts_with("hf") => {} // from_bytes reads native only
                Ok(_) => panic!("{what}: accepted"),
            }
        }
    }
    let e = subwordx_core::io::vocab_merges::from_strs(
        r#"{"a":0,"b":1}"#,
        "#version: 0.2\na c\n",
        None,
        "m",
    )
    .unwrap_err();
    assert!(matches!(e, Error::CorruptModel { .. }), "{e:?}");
    let e =
        subwordx_core::io::vocab_merges::from_strs(r#"{"a":0,"b":5}"#, "", None, "m").unwrap_err();
    assert!(matches!(e, Error::CorruptModel { .. }), "{e:?}");
    assert!(matches!(
        Tokenizer::load("/nonexistent/x.json"),
        Err(Error::FileNotFound { .. })
    ));
}

/// Files written by earlier versions (format version 1) still load, with the same encoding.
#[test]
fn version_1_files_load() {
    let v1 = r#"{"format":"subwordx","version":1,"model":"bpe","byte_level":false,
        "normalizer":{"unicode":"nfc","lowercase":true,"strip_accents":false},
        "pre_tokenizer":"whitespace","end_of_word_suffix":"</w>","continuing_subword_prefix":null,
        "unk_token":"<unk>","special_tokens":["<unk>","<s>"],"template":["<s>","$A"],
        "vocab":["<unk>","<s>","a","b","a</w>","b</w>","ab</w>"],"merges":[["a","b</w>"]]}"#;
    let tok = Tokenizer::from_bytes(v1.as_bytes()).unwrap();
    let enc = tok.encode("AB a c", true);
    assert_eq!(
        tok.tokens(&enc.ids).unwrap(),
        ["<s>", "ab</w>", "a</w>", "<unk>"]
    );
    assert_eq!(enc.offsets, [(0, 0), (0, 2), (3, 4), (5, 6)]);
    let again = Tokenizer::from_bytes(&tok.to_bytes()).unwrap();
    assert!(again == tok);
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "subwordx-io-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
