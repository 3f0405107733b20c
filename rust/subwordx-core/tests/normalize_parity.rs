//! Normalizer parity with Python (`unicodedata`, `str.lower()`): golden cases from
//! `tests/fixtures/normalize_cases.json`, made by `tests/fixtures/make_normalize_cases.py`.

use std::path::PathBuf;

use subwordx_core::normalize::{Normalizer, UnicodeForm};

#[test]
fn golden_cases_match_python() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/normalize_cases.json");
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fx["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input");
        for (key, expected) in case["expected"].as_object().expect("expected") {
            let parts: Vec<&str> = key.split('|').collect();
            let n = Normalizer {
                unicode: match parts[0] {
                    "nfc" => Some(UnicodeForm::Nfc),
                    "nfkc" => Some(UnicodeForm::Nfkc),
                    _ => None,
                },
                lowercase: parts[1] == "lower",
                strip_accents: parts[2] == "strip",
            };
            let expected = expected.as_str().expect("text");
            let plain = n.normalize_str(input);
            let aligned = n.normalize(input);
            if plain != expected || aligned.text != expected {
                failures.push(format!(
                    "{key} {input:?}: got {plain:?} / {:?}, expected {expected:?}",
                    aligned.text
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 400);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
