//! Normalizer parity with Hugging Face `tokenizers` (text and alignment) and with Python's
//! `unicodedata` (text): golden cases from `tests/fixtures/normalize_cases.json`, made by
//! `tests/fixtures/make_normalize_cases.py`.

use std::path::PathBuf;

use serde_json::Value;
use subwordx_core::normalize::{Normalizer, NormalizerStep, UnicodeForm};

fn fixture() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/normalize_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

fn ints(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_u64().expect("offset") as usize)
        .collect()
}

/// `nfkc|lower|strip` -> the flags.
fn flags(key: &str) -> (Option<UnicodeForm>, bool, bool) {
    let parts: Vec<&str> = key.split('|').collect();
    let unicode = match parts[0] {
        "nfc" => Some(UnicodeForm::Nfc),
        "nfkc" => Some(UnicodeForm::Nfkc),
        _ => None,
    };
    (unicode, parts[1] == "lower", parts[2] == "strip")
}

/// Every HF case: the text of both entry points, the alignment of every char, and the span of every
/// whitespace-separated word.
#[test]
fn golden_cases_match_hf() {
    let fx = fixture();
    let specs = fx["hf_normalizers"].as_object().expect("hf_normalizers");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fx["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input");
        for (name, want) in case["hf"].as_object().expect("hf") {
            let n = Normalizer::from_hf_json(&specs[name], name).expect("supported normalizer");
            let text = want["text"].as_str().expect("text");
            let got = n.normalize(input);
            let plain = n.normalize_str(input);
            if got.text != text || plain != text {
                failures.push(format!(
                    "{name} {input:?}: text {:?} / {plain:?}, HF {text:?}",
                    got.text
                ));
                continue;
            }
            let offsets = ints(&want["offsets"]);
            let mine: Vec<usize> = got
                .text
                .char_indices()
                .flat_map(|(i, c)| {
                    let (s, e) = got.source_range(i, i + c.len_utf8(), input.len());
                    [s, e]
                })
                .collect();
            if mine != offsets {
                failures.push(format!(
                    "{name} {input:?} -> {text:?}: char offsets {mine:?}, HF {offsets:?}"
                ));
            }
            for w in ints(&want["words"]).chunks(4) {
                let span = got.source_range(w[0], w[1], input.len());
                if span != (w[2], w[3]) {
                    failures.push(format!(
                        "{name} {input:?}: word {:?} maps to {span:?}, HF {:?}",
                        &text[w[0]..w[1]],
                        (w[2], w[3])
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The HF JSON of every golden normalizer reads back to itself, and the `flags:` ones are what
/// `Normalizer::from_flags` builds.
#[test]
fn hf_json_round_trips() {
    let fx = fixture();
    for (name, spec) in fx["hf_normalizers"].as_object().expect("hf_normalizers") {
        let n = Normalizer::from_hf_json(spec, name).expect("supported normalizer");
        let again = n.to_hf_json();
        assert_eq!(Normalizer::from_hf_json(&again, name).unwrap(), n, "{name}");
        if let Some(key) = name.strip_prefix("flags:") {
            let (u, l, s) = flags(key);
            assert_eq!(n, Normalizer::from_flags(u, l, s), "{name}");
            // HF writes a one-step Sequence; ours is the step itself, an equivalent document.
            if n.steps().len() != 1 {
                assert_eq!(&again, spec, "{name}");
            }
        }
    }
}

/// The older Python reference (`unicodedata`, `str.lower()`): the same text as the HF components
/// except where HF differs by design. `str.lower()` lowers a word-final `Σ` to `ς`, HF's
/// char-by-char Lowercase to `σ`; HF's `StripAccents` also drops spacing and enclosing marks (Mc,
/// Me), the reference only Mn.
#[test]
fn golden_cases_match_unicodedata_but_for_hf_rules() {
    let fx = fixture();
    let mut sigma_only = 0;
    let mut failures = Vec::new();
    for case in fx["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input");
        for (key, expected) in case["expected"].as_object().expect("expected") {
            let (u, l, s) = flags(key);
            let n = Normalizer::from_flags(u, l, s);
            let expected = expected.as_str().expect("text");
            let got = n.normalize_str(input);
            if got == expected {
                continue;
            }
            let fold = |t: &str| t.replace('ς', "σ");
            let marks_removed_by_hf = s
                && input.chars().any(|c| {
                    use unicode_general_category::{get_general_category, GeneralCategory as G};
                    matches!(get_general_category(c), G::SpacingMark | G::EnclosingMark)
                });
            if fold(&got) == fold(expected) {
                sigma_only += 1;
            } else if !marks_removed_by_hf {
                failures.push(format!(
                    "{key} {input:?}: {got:?}, unicodedata {expected:?}"
                ));
            }
        }
    }
    assert!(sigma_only > 0, "the final-sigma cases are in the fixture");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A line of 200k combining marks normalizes in linear time (a quadratic alignment would not
/// finish): composition, canonical reordering of marks of two classes, and their alignment.
#[test]
fn long_runs_of_combining_marks_are_linear() {
    const N: usize = 200_000;
    let same: String = std::iter::once('e')
        .chain(std::iter::repeat_n('\u{301}', N))
        .collect();
    let mixed: String = std::iter::once('a')
        .chain((0..N).map(|i| if i % 2 == 0 { '\u{301}' } else { '\u{316}' }))
        .collect();
    // One composing and one decomposing form (NFKC and NFD share their code with these).
    for step in [NormalizerStep::Nfc, NormalizerStep::Nfkd] {
        let n = Normalizer::new(vec![step.clone()]);
        for s in [&same, &mixed] {
            let out = n.normalize(s);
            assert_eq!(out.text, n.normalize_str(s), "{step:?}");
            assert_eq!(out.source_range(0, out.text.len(), s.len()), (0, s.len()));
        }
        // e + U+0301 compose into é; the first mark's place is taken, the rest stay.
        let out = n.normalize(&same);
        let composes = matches!(step, NormalizerStep::Nfc | NormalizerStep::Nfkc);
        let chars = out.text.chars().count();
        assert_eq!(chars, if composes { N } else { N + 1 }, "{step:?}");
        // Canonical order puts the class-220 marks first.
        let out = n.normalize(&mixed);
        let marks: Vec<char> = out.text.chars().skip(1).collect();
        let first_230 = marks.iter().position(|&c| c == '\u{301}').unwrap();
        assert!(
            marks[..first_230].iter().all(|&c| c == '\u{316}'),
            "{step:?}"
        );
        assert_eq!(first_230, N / 2, "{step:?}");
    }
    let bert =
        Normalizer::from_hf_json(&serde_json::json!({"type": "BertNormalizer"}), "t").unwrap();
    assert_eq!(bert.normalize(&mixed).text, "a");
}
