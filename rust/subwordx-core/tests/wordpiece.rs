//! WordPiece: the golden cases of `tests/fixtures/wordpiece_cases.json` (shared with pytest), the
//! formats, and the BERT pipeline.

use std::path::PathBuf;

use serde_json::Value;
use subwordx_core::corpus::WordCounts;
use subwordx_core::models::wordpiece::{
    self, WordPieceModel, WordPieceSettings, WordPieceTrainerConfig,
};
use subwordx_core::pretokenize::PreTokenizer;
use subwordx_core::tokenizer::bert::bert_normalizer;
use subwordx_core::tokenizer::Tokenizer;
use subwordx_core::{io, Progress};

fn cases() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/wordpiece_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn golden_training_cases() {
    for case in cases()["train"].as_array().unwrap() {
        let mut wc = WordCounts::new();
        for (w, c) in case["words"].as_object().unwrap() {
            wc.add(w, c.as_u64().unwrap());
        }
        let config = WordPieceTrainerConfig {
            vocab_size: case["vocab_size"].as_u64().unwrap() as usize,
            min_frequency: case["min_frequency"].as_u64().unwrap(),
            special_tokens: strings(&case["special_tokens"]),
            ..WordPieceTrainerConfig::default()
        };
        let model = wordpiece::train(&wc, &config, &Progress::new()).unwrap();
        assert_eq!(model.vocab(), strings(&case["vocab"]), "{}", case["name"]);
    }
}

#[test]
fn golden_encoding_cases() {
    for case in cases()["encode"].as_array().unwrap() {
        let model =
            WordPieceModel::from_parts(strings(&case["vocab"]), WordPieceSettings::default(), "t")
                .unwrap();
        for (word, want) in case["words"].as_object().unwrap() {
            assert_eq!(model.tokenize(word), strings(want), "{word}");
        }
    }
}

fn trained() -> Tokenizer {
    let text = "The quick brown fox jumps over the lazy dog. Ça va? naïve café 日本語 don't 12345";
    let normalizer = bert_normalizer(true, None);
    let pre = PreTokenizer::bert();
    let mut wc = WordCounts::new();
    for _ in 0..3 {
        wc.add_text(text, &normalizer, &pre);
    }
    let config = WordPieceTrainerConfig {
        vocab_size: 90,
        min_frequency: 1,
        ..WordPieceTrainerConfig::default()
    };
    Tokenizer::train_wordpiece(&wc, &config, normalizer, pre, true, &Progress::new()).unwrap()
}

#[test]
fn trained_tokenizers_survive_every_format() {
    let tok = trained();
    let text = "the lazy café, 日本 don't!";
    let want = tok.encode(text, true);
    assert_eq!(want.ids.first(), tok.token_to_id("[CLS]").as_ref());
    let hf = io::hf_json::from_str(&io::hf_json::to_string(&tok), "hf").unwrap();
    let native = Tokenizer::from_bytes(&tok.to_bytes()).unwrap();
    let txt = io::vocab_txt::from_str(&io::vocab_txt::to_string(&tok).unwrap(), None, "v").unwrap();
    for other in [hf, native, txt] {
        assert_eq!(other.encode(text, true).ids, want.ids);
        assert_eq!(other.model().kind(), "wordpiece");
    }
    // "," and "!" are not in the training text: [UNK], dropped with the special tokens. HF's
    // cleanup works token by token, so "don ' t" stays apart (as HF decodes it).
    assert_eq!(
        tok.decode(&want.ids, true).unwrap(),
        "the lazy cafe 日 本 don ' t"
    );
}

#[test]
fn bert_pipeline_offsets_and_pairs() {
    let tok = trained();
    let enc = tok.encode_full(
        "Café!",
        Some("dog"),
        true,
        subwordx_core::tokenizer::SpecialPolicy::All,
        true,
    );
    let enc = enc.unwrap();
    assert_eq!(enc.type_ids.iter().filter(|&&t| t == 1).count(), 2);
    assert_eq!(enc.offsets[1].0, 0);
}

#[test]
fn vocab_txt_files_are_read_with_their_config() {
    let dir = std::env::temp_dir().join(format!("swx-vocab-txt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vocab = dir.join("vocab.txt");
    std::fs::write(&vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nHello\n").unwrap();
    // Guessed cased (an uppercase token); a tokenizer_config.json beside it says otherwise.
    let guessed = Tokenizer::load(&vocab).unwrap();
    assert_eq!(guessed.encode_ids("Hello", false), [5]);
    std::fs::write(
        dir.join("tokenizer_config.json"),
        r#"{"do_lower_case": true}"#,
    )
    .unwrap();
    let told = Tokenizer::load(&vocab).unwrap();
    assert_eq!(told.encode_ids("Hello", false), [4]);
    let out = dir.join("out.txt");
    told.save_vocab_txt(&out).unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&vocab).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn corrupt_wordpiece_files_are_errors() {
    let doc = r#"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"a": 0}}}"#;
    let err = io::hf_json::from_str(doc, "x.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.json") && err.contains("[UNK]"), "{err}");
    let doc = r#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 5}}}"#;
    assert!(io::hf_json::from_str(doc, "x.json").is_err());
    let doc = r#"{"model": {"type": "WordPiece", "max_input_chars_per_word": -1, "vocab": {"[UNK]": 0}}}"#;
    assert!(io::hf_json::from_str(doc, "x.json").is_err());
}
