//! Pre-tokenizer parity: golden cases from HF `tokenizers` (`tests/fixtures/pretokenize_cases.json`,
//! made by `tests/fixtures/make_pretokenize_cases.py`), and a differential test of the lookahead
//! emulation against `fancy-regex` running the original patterns on random strings.

use std::path::PathBuf;

use subwordx_core::pretokenize::{PreTokenizer, SplitPattern};

fn fixture() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/pretokenize_cases.json");
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn all() -> [(&'static str, PreTokenizer); 6] {
    [
        ("gpt2", PreTokenizer::byte_level(SplitPattern::Gpt2)),
        ("cl100k", PreTokenizer::byte_level(SplitPattern::Cl100k)),
        ("o200k", PreTokenizer::byte_level(SplitPattern::O200k)),
        ("qwen", PreTokenizer::byte_level(SplitPattern::Qwen)),
        ("bert", PreTokenizer::bert()),
        ("whitespace", PreTokenizer::whitespace()),
    ]
}

#[test]
fn golden_cases_match_hf_tokenizers() {
    let fx = fixture();
    let cases = fx["cases"].as_array().expect("cases");
    assert!(cases.len() > 300);
    let mut failures = Vec::new();
    for case in cases {
        let input = case["input"].as_str().expect("input");
        for (name, pt) in all() {
            let expected: Vec<&str> = case["expected"][name]
                .as_array()
                .expect("expected pieces")
                .iter()
                .map(|v| v.as_str().expect("piece"))
                .collect();
            let got = pt.piece_strs(input);
            if got != expected {
                failures.push(format!(
                    "{name} {input:?}\n  got      {got:?}\n  expected {expected:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn exported_patterns_are_the_fixture_patterns() {
    let fx = fixture();
    for (name, pt) in &all()[..4] {
        assert_eq!(pt.regex_pattern(), fx["patterns"][name].as_str(), "{name}");
    }
}

/// A tiny deterministic generator (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn lookahead_emulation_matches_fancy_regex() {
    // An alphabet rich in the chars the patterns distinguish: all kinds of whitespace (with \r \n),
    // letters of every case class, marks, digits, apostrophes and contraction letters, slashes.
    let alphabet: Vec<char> = " \t\r\n\u{a0}\u{3000}\u{2028}\u{85}\u{b}aAsSlLdDtTmMrReEvVxǅ\u{17f}é\u{301}\u{903}中ア1٣²'/.,!-😀"
        .chars()
        .collect();
    let mut rng = Lcg(42);
    for (name, pt) in &all()[..4] {
        let re = fancy_regex::Regex::new(pt.regex_pattern().expect("pattern")).expect("compiles");
        for _ in 0..20_000 {
            let len = (rng.next() % 12) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                .collect();
            let expected: Vec<&str> = re
                .find_iter(&s)
                .map(|m| m.expect("no backtrack limit").as_str())
                .collect();
            assert_eq!(pt.piece_strs(&s), expected, "{name} {s:?}");
        }
    }
}
