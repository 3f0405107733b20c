//! The hand-written splitters of `pretokenize::fast` against fancy-regex (the engine of tiktoken)
//! running each original pattern: on random strings built from the chars the patterns tell apart,
//! and on every line and the whole text of English, Japanese and Chinese corpora.

use std::path::Path;

use subwordx_core::pretokenize::fast::{
    for_each_cl100k_piece, for_each_cl100k_tiktoken_piece, for_each_gpt2_piece,
    for_each_o200k_piece, for_each_qwen_piece, CL100K_PATTERN, CL100K_TIKTOKEN_PATTERN,
    GPT2_PATTERN, O200K_PATTERN, QWEN_PATTERN, R50K_TIKTOKEN_PATTERN,
};

type Split = fn(&str, &mut dyn FnMut(usize, usize));

/// Each splitter with the patterns it must reproduce exactly.
const SPLITTERS: [(&str, Split, &str); 6] = [
    ("cl100k", |t, f| for_each_cl100k_piece(t, f), CL100K_PATTERN),
    ("qwen", |t, f| for_each_qwen_piece(t, f), QWEN_PATTERN),
    ("o200k", |t, f| for_each_o200k_piece(t, f), O200K_PATTERN),
    ("gpt2", |t, f| for_each_gpt2_piece(t, f), GPT2_PATTERN),
    (
        "r50k (tiktoken)",
        |t, f| for_each_gpt2_piece(t, f),
        R50K_TIKTOKEN_PATTERN,
    ),
    (
        "cl100k (tiktoken)",
        |t, f| for_each_cl100k_tiktoken_piece(t, f),
        CL100K_TIKTOKEN_PATTERN,
    ),
];

struct Checker {
    name: &'static str,
    split: Split,
    regex: fancy_regex::Regex,
    fast: Vec<(usize, usize)>,
    slow: Vec<(usize, usize)>,
}

impl Checker {
    fn all() -> Vec<Checker> {
        SPLITTERS
            .iter()
            .map(|&(name, split, pattern)| Checker {
                name,
                split,
                regex: fancy_regex::Regex::new(pattern).expect("pattern compiles"),
                fast: Vec::new(),
                slow: Vec::new(),
            })
            .collect()
    }

    /// Panics, showing the first differing pieces, unless the splitter gives the regex's matches.
    fn check(&mut self, text: &str) {
        self.fast.clear();
        (self.split)(text, &mut |s, e| self.fast.push((s, e)));
        self.slow.clear();
        for m in self.regex.find_iter(text) {
            let m = m.expect("within the backtrack limit");
            self.slow.push((m.start(), m.end()));
        }
        if self.fast != self.slow {
            let k = self
                .fast
                .iter()
                .zip(&self.slow)
                .take_while(|(a, b)| a == b)
                .count();
            let show = |v: &[(usize, usize)]| -> Vec<&str> {
                v.iter()
                    .skip(k)
                    .take(3)
                    .map(|&(s, e)| &text[s..e])
                    .collect()
            };
            let from = self.slow.get(k.saturating_sub(2)).map_or(0, |m| m.0);
            let context: String = text[from..].chars().take(40).collect();
            panic!(
                "{}: piece {k} differs, near {context:?}\n  fast  {:?}\n  regex {:?}",
                self.name,
                show(&self.fast),
                show(&self.slow)
            );
        }
    }
}

/// xorshift64*: a deterministic generator with no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The building blocks of the random strings: single chars of every class the patterns tell apart,
/// and the contractions in mixed case, so that they occur often.
const ATOMS: &[&str] = &[
    // ASCII letters, digits, punctuation; the contraction letters in both cases.
    "a", "Z", "x", "s", "S", "t", "T", "r", "R", "e", "E", "v", "V", "m", "M", "l", "L", "d", "D",
    "0", "7", "!", ".", ",", "-", "_", "\"", "/", "'", "'", "'", "'s", "'T", "'re", "'VE", "'m",
    "'Ll", "'d", "'S", "'lL", "'rE",
    // Whitespace: ASCII, no-break space, em space, ideographic space, NEL, line separator.
    " ", " ", " ", "\t", "\r", "\n", "\r\n", "\u{b}", "\u{a0}", "\u{2003}", "\u{3000}", "\u{85}",
    "\u{2028}", // Marks (nonspacing, spacing, enclosing), accented letters.
    "\u{301}", "\u{903}", "\u{20dd}", "é", "É",
    // CJK, kana, Hangul; modifier letters (Lm); titlecase (Lt).
    "中", "文", "ア", "の", "한", "ー", "ʰ", "ǅ", "ᾈ",
    // Digits and numbers of other scripts: Arabic-Indic, Lao, superscript, Roman numeral.
    "٣", "໓", "²", "Ⅻ", // Emoji, ZWJ, variation selector, symbols.
    "😀", "\u{200d}", "\u{fe0f}", "¥", "€", "→",
    // Case-folding specials: long s (folds to s), Kelvin sign (folds to k), dotted I.
    "\u{17f}", "\u{212a}", "\u{130}", // Controls that are not White_Space.
    "\u{0}", "\u{1c}",
];

/// The golden cases made with HF `tokenizers` (Oniguruma) for the pre-tokenizers of
/// `pretokenize.rs`, whose GPT-2, cl100k and o200k patterns are the ones here.
#[test]
fn golden_cases_match_hf_tokenizers() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/pretokenize_cases.json"
    );
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture readable"))
            .expect("fixture is JSON");
    for (name, pattern) in [
        ("gpt2", GPT2_PATTERN),
        ("cl100k", CL100K_PATTERN),
        ("o200k", O200K_PATTERN),
    ] {
        assert_eq!(fixture["patterns"][name].as_str(), Some(pattern));
    }
    let splitters: [(&str, Split); 3] = [
        ("gpt2", |t, f| for_each_gpt2_piece(t, f)),
        ("cl100k", |t, f| for_each_cl100k_piece(t, f)),
        ("o200k", |t, f| for_each_o200k_piece(t, f)),
    ];
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() > 300);
    for case in cases {
        let input = case["input"].as_str().expect("input");
        for (name, split) in splitters {
            let expected: Vec<&str> = case["expected"][name]
                .as_array()
                .expect("expected pieces")
                .iter()
                .map(|v| v.as_str().expect("piece"))
                .collect();
            let mut got = Vec::new();
            split(input, &mut |s, e| got.push(&input[s..e]));
            assert_eq!(got, expected, "{name} {input:?}");
        }
    }
}

#[test]
fn random_strings_match_fancy_regex() {
    let mut checkers = Checker::all();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut text = String::new();
    for round in 0..30_000 {
        text.clear();
        // Mostly short strings (every boundary case is near an end), some longer ones.
        let len = if round % 10 == 0 {
            rng.below(60)
        } else {
            rng.below(12)
        };
        for _ in 0..len {
            text.push_str(ATOMS[rng.below(ATOMS.len())]);
        }
        for checker in &mut checkers {
            checker.check(&text);
        }
    }
}

/// All strings of up to four chars of those around which the patterns' backtracking happens,
/// and all strings of five of the commonest ones.
#[test]
fn all_short_strings_match_fancy_regex() {
    let mut checkers = Checker::all();
    let mut text = String::new();
    let mut check_all = |alphabet: &[&str], len: u32| {
        for mut code in 0..alphabet.len().pow(len) {
            text.clear();
            for _ in 0..len {
                text.push_str(alphabet[code % alphabet.len()]);
                code /= alphabet.len();
            }
            for checker in &mut checkers {
                checker.check(&text);
            }
        }
    };
    let alphabet = [
        " ", "\n", "\t", "a", "A", "'", "s", "\u{301}", "ʰ", "1", "!", "/",
    ];
    for len in 0..=4 {
        check_all(&alphabet, len);
    }
    check_all(&[" ", "\n", "a", "A", "'", "s", "\u{301}", "!"], 5);
}

fn read_corpus(relative: &str, max_bytes: usize) -> String {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/corpora"
    ))
    .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("corpus {} must be readable: {e}", path.display()));
    if text.len() <= max_bytes {
        return text;
    }
    // Cut after a line, so that the last line is a real one.
    let cut = text[..max_bytes].rfind('\n').map_or(0, |i| i + 1);
    text[..cut].to_string()
}

/// Every line (with its newline, as read from a file) and the whole text.
fn check_corpus(text: &str) {
    let mut checkers = Checker::all();
    for checker in &mut checkers {
        for line in text.split_inclusive('\n') {
            checker.check(line);
        }
        checker.check(text);
    }
}

#[test]
fn english_corpus_matches_fancy_regex() {
    check_corpus(&read_corpus("gcide.txt", 2 << 20));
}

#[test]
fn japanese_corpus_matches_fancy_regex() {
    // Has \r\n line ends.
    check_corpus(&read_corpus("wagahaiwa_nekodearu.txt", usize::MAX));
}

#[test]
fn chinese_corpus_matches_fancy_regex() {
    check_corpus(&read_corpus("zh/chinese", usize::MAX));
}
