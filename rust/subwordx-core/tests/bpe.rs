//! BPE trainer, encoder and tokenizer tests: golden cases (`tests/fixtures/bpe_cases.json`), a
//! brute-force reference trainer compared on random corpora, round-trips and edge cases.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;
use subwordx_core::corpus::WordCounts;
use subwordx_core::models::bpe::{train, BpeTrainerConfig};
use subwordx_core::normalize::Normalizer;
use subwordx_core::pretokenize::{bytes_to_unicode, PreTokenizer, SplitPattern};
use subwordx_core::tokenizer::{Tokenizer, TokenizerConfig};
use subwordx_core::{Error, Progress};

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn counts(words: &[(&str, u64)]) -> WordCounts {
    let mut wc = WordCounts::new();
    for (w, c) in words {
        wc.add(w, *c);
    }
    wc
}

/// The reference: docs/bpe.md §2–3 read literally, recounting all pairs at every step.
fn reference(wc: &WordCounts, cfg: &BpeTrainerConfig) -> (Vec<String>, Vec<(String, String)>) {
    let suffix = cfg
        .end_of_word_suffix
        .clone()
        .filter(|s| !s.is_empty() && !cfg.byte_level);
    let prefix = cfg
        .continuing_subword_prefix
        .clone()
        .filter(|s| !s.is_empty() && !cfg.byte_level);
    let mut entries: Vec<(&String, &u64)> = wc.counts.iter().collect();
    entries.sort();
    let kept: Option<Vec<char>> = cfg.limit_alphabet.filter(|_| !cfg.byte_level).map(|k| {
        let mut f: BTreeMap<char, u64> = BTreeMap::new();
        for (w, c) in &entries {
            for ch in w.chars() {
                *f.entry(ch).or_default() += **c;
            }
        }
        let mut v: Vec<(char, u64)> = f.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(k).map(|x| x.0).collect()
    });
    let table = bytes_to_unicode();
    let mut words: Vec<(Vec<String>, u64)> = Vec::new();
    for (w, c) in &entries {
        let syms: Vec<String> = if cfg.byte_level {
            w.bytes().map(|b| table[b as usize].to_string()).collect()
        } else {
            let chars: Vec<char> = w
                .chars()
                .filter(|c| kept.as_ref().is_none_or(|k| k.contains(c)))
                .collect();
            let n = chars.len();
            chars
                .iter()
                .enumerate()
                .map(|(i, ch)| {
                    let mut s = String::new();
                    if i > 0 {
                        s += prefix.as_deref().unwrap_or("");
                    }
                    s.push(*ch);
                    if i + 1 == n {
                        s += suffix.as_deref().unwrap_or("");
                    }
                    s
                })
                .collect()
        };
        if !syms.is_empty() {
            words.push((syms, **c));
        }
    }
    let mut vocab: Vec<String> = Vec::new();
    for s in &cfg.special_tokens {
        if !vocab.contains(s) {
            vocab.push(s.clone());
        }
    }
    let mut alphabet: Vec<String> = if cfg.byte_level {
        table.iter().map(char::to_string).collect()
    } else {
        words.iter().flat_map(|w| w.0.clone()).collect()
    };
    alphabet.sort();
    alphabet.dedup();
    for s in alphabet {
        if !vocab.contains(&s) {
            vocab.push(s);
        }
    }
    let mut merges = Vec::new();
    while vocab.len() < cfg.vocab_size {
        let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
        for (syms, c) in &words {
            for p in syms.windows(2) {
                *pairs.entry((p[0].clone(), p[1].clone())).or_default() += c;
            }
        }
        let merged_of = |l: &str, r: &str| -> String {
            let r = prefix
                .as_deref()
                .and_then(|p| r.strip_prefix(p))
                .unwrap_or(r);
            format!("{l}{r}")
        };
        // BTreeMap iterates in (left, right) order, so the first max is the tie-break winner.
        let mut best: Option<(&(String, String), u64)> = None;
        for (p, &c) in &pairs {
            if cfg
                .max_token_length
                .is_some_and(|m| merged_of(&p.0, &p.1).chars().count() > m)
            {
                continue;
            }
            if best.is_none_or(|(_, bc)| c > bc) {
                best = Some((p, c));
            }
        }
        let Some((p, c)) = best else { break };
        if c < cfg.min_frequency.max(1) {
            break;
        }
        let (l, r) = p.clone();
        let m = merged_of(&l, &r);
        for (syms, _) in &mut words {
            let mut out = Vec::new();
            let mut i = 0;
            while i < syms.len() {
                if i + 1 < syms.len() && syms[i] == l && syms[i + 1] == r {
                    out.push(m.clone());
                    i += 2;
                } else {
                    out.push(syms[i].clone());
                    i += 1;
                }
            }
            *syms = out;
        }
        if !vocab.contains(&m) {
            vocab.push(m);
        }
        merges.push((l, r));
    }
    (vocab, merges)
}

fn fast(wc: &WordCounts, cfg: &BpeTrainerConfig) -> (Vec<String>, Vec<(String, String)>) {
    let m = train(wc, cfg, &Progress::new()).unwrap();
    let v = m.vocab().to_vec();
    let merges = m
        .merges()
        .iter()
        .map(|&(l, r)| (v[l as usize].clone(), v[r as usize].clone()))
        .collect();
    (v, merges)
}

fn random_corpus(rng: &mut XorShift, alphabet: &[char]) -> WordCounts {
    let mut wc = WordCounts::new();
    let n_words = 1 + rng.below(40);
    for _ in 0..n_words {
        let len = 1 + rng.below(9);
        let w: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        wc.add(&w, 1 + rng.below(6) as u64);
    }
    wc
}

#[test]
fn fast_trainer_matches_brute_force_on_random_corpora() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let alphabets: [&[char]; 3] = [
        &['a', 'b', 'c'],
        &['a', 'b', 'é', 'e', '\u{301}', '日', '本', '🎉', '#'],
        &['x', 'y', 'z', 'w', 'ß', 'Ω', 'ё'],
    ];
    for case in 0..600 {
        let alphabet = alphabets[case % 3];
        let wc = random_corpus(&mut rng, alphabet);
        let mut cfg = match case % 6 {
            0 => BpeTrainerConfig::classic(60),
            1 => BpeTrainerConfig {
                end_of_word_suffix: None,
                ..BpeTrainerConfig::classic(60)
            },
            2 => BpeTrainerConfig {
                continuing_subword_prefix: Some("##".into()),
                end_of_word_suffix: None,
                ..BpeTrainerConfig::classic(60)
            },
            3 => BpeTrainerConfig::byte_level(300),
            4 => BpeTrainerConfig {
                continuing_subword_prefix: Some("##".into()),
                max_token_length: Some(1 + rng.below(5)),
                ..BpeTrainerConfig::classic(60)
            },
            _ => BpeTrainerConfig {
                limit_alphabet: Some(1 + rng.below(4)),
                min_frequency: 1 + rng.below(3) as u64,
                special_tokens: vec!["<unk>".into(), "a".into()],
                ..BpeTrainerConfig::classic(40)
            },
        };
        if case % 7 == 0 {
            cfg.min_frequency = 1;
        }
        let (rv, rm) = reference(&wc, &cfg);
        if rv.len() > cfg.vocab_size {
            continue; // VocabTooSmall, tested elsewhere
        }
        let (fv, fm) = fast(&wc, &cfg);
        assert_eq!(
            rm, fm,
            "merges differ on case {case}: {:?} {cfg:?}",
            wc.counts
        );
        assert_eq!(rv, fv, "vocab differs on case {case}");
    }
}

fn cfg_from(v: &Value) -> BpeTrainerConfig {
    let mut c = BpeTrainerConfig::classic(1000);
    let get = |k: &str| v.get(k);
    if let Some(x) = get("vocab_size") {
        c.vocab_size = x.as_u64().unwrap() as usize;
    }
    if let Some(x) = get("min_frequency") {
        c.min_frequency = x.as_u64().unwrap();
    }
    if let Some(x) = get("special_tokens") {
        c.special_tokens = x
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
    }
    if let Some(x) = get("limit_alphabet") {
        c.limit_alphabet = x.as_u64().map(|x| x as usize);
    }
    if let Some(x) = get("max_token_length") {
        c.max_token_length = x.as_u64().map(|x| x as usize);
    }
    if let Some(x) = get("end_of_word_suffix") {
        c.end_of_word_suffix = x.as_str().map(str::to_owned);
    }
    if let Some(x) = get("continuing_subword_prefix") {
        c.continuing_subword_prefix = x.as_str().map(str::to_owned);
    }
    if let Some(x) = get("byte_level") {
        c.byte_level = x.as_bool().unwrap();
    }
    c
}

#[test]
fn golden_cases() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/bpe_cases.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut wc = WordCounts::new();
        for (w, c) in case["words"].as_object().unwrap() {
            wc.add(w, c.as_u64().unwrap());
        }
        let cfg = cfg_from(&case["config"]);
        let model = train(&wc, &cfg, &Progress::new()).unwrap();
        let v = model.vocab();
        if let Some(init) = case.get("initial_vocab") {
            let init: Vec<&str> = init
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(&v[..init.len()], init.as_slice(), "{name}: initial vocab");
        }
        let merges: Vec<[&str; 2]> = model
            .merges()
            .iter()
            .map(|&(l, r)| [v[l as usize].as_str(), v[r as usize].as_str()])
            .collect();
        let expected: Vec<[&str; 2]> = case["merges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| [m[0].as_str().unwrap(), m[1].as_str().unwrap()])
            .collect();
        assert_eq!(merges, expected, "{name}: merges");
        assert_eq!(
            reference(&wc, &cfg).1.len(),
            expected.len(),
            "{name}: reference"
        );
        for e in case["encodings"].as_array().unwrap() {
            let word = e[0].as_str().unwrap();
            let want: Vec<&str> = e[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            let got: Vec<&str> = model
                .encode_word(word)
                .iter()
                .map(|&i| v[i as usize].as_str())
                .collect();
            assert_eq!(got, want, "{name}: encoding of {word:?}");
        }
    }
}

#[test]
fn encoding_a_training_word_reproduces_its_training_segmentation() {
    let mut rng = XorShift(12345);
    for case in 0..100 {
        let wc = random_corpus(&mut rng, &['a', 'b', 'c', 'd', 'ä']);
        let cfg = if case % 2 == 0 {
            BpeTrainerConfig::classic(30)
        } else {
            BpeTrainerConfig::byte_level(270)
        };
        let model = train(&wc, &cfg, &Progress::new()).unwrap();
        // Replay merges by rank on the training words = the training segmentation.
        let v = model.vocab();
        for w in wc.counts.keys() {
            let mut syms: Vec<u32> = model.encode_word(w);
            let joined: String = syms.iter().map(|&i| v[i as usize].as_str()).collect();
            let mut replay: Vec<String> = if cfg.byte_level {
                w.bytes()
                    .map(|b| bytes_to_unicode()[b as usize].to_string())
                    .collect()
            } else {
                let n = w.chars().count();
                w.chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i + 1 == n {
                            format!("{c}</w>")
                        } else {
                            c.to_string()
                        }
                    })
                    .collect()
            };
            for &(l, r) in model.merges() {
                let (l, r) = (&v[l as usize], &v[r as usize]);
                let mut out = Vec::new();
                let mut i = 0;
                while i < replay.len() {
                    if i + 1 < replay.len() && &replay[i] == l && &replay[i + 1] == r {
                        out.push(format!("{l}{r}"));
                        i += 2;
                    } else {
                        out.push(replay[i].clone());
                        i += 1;
                    }
                }
                replay = out;
            }
            let got: Vec<&str> = syms.drain(..).map(|i| v[i as usize].as_str()).collect();
            assert_eq!(got, replay, "word {w:?}");
            assert_eq!(joined, replay.concat());
        }
    }
}

#[test]
fn errors() {
    let wc = counts(&[("abc", 3)]);
    let e = train(&wc, &BpeTrainerConfig::classic(2), &Progress::new()).unwrap_err();
    match &e {
        Error::VocabTooSmall {
            requested, minimum, ..
        } => {
            assert_eq!((*requested, *minimum), (2, 3));
            let msg = e.to_string();
            assert!(msg.contains('2') && msg.contains('3'), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    let e = train(&wc, &BpeTrainerConfig::byte_level(100), &Progress::new()).unwrap_err();
    assert!(matches!(e, Error::VocabTooSmall { minimum: 256, .. }));
    assert!(matches!(
        train(
            &WordCounts::new(),
            &BpeTrainerConfig::classic(10),
            &Progress::new()
        ),
        Err(Error::EmptyCorpus(_))
    ));
    assert!(matches!(
        train(&wc, &BpeTrainerConfig::classic(0), &Progress::new()),
        Err(Error::InvalidArgument(_))
    ));
    // Empty suffix = no suffix.
    let cfg = BpeTrainerConfig {
        end_of_word_suffix: Some(String::new()),
        ..BpeTrainerConfig::classic(10)
    };
    let m = train(&wc, &cfg, &Progress::new()).unwrap();
    assert_eq!(&m.vocab()[..3], ["a", "b", "c"]);
    // Cancelled before the start: Interrupted.
    let p = Progress::new();
    p.cancel();
    assert!(matches!(
        train(&wc, &BpeTrainerConfig::classic(10), &p),
        Err(Error::Interrupted)
    ));
}

#[test]
fn max_token_length_and_limit_alphabet() {
    let wc = counts(&[("aaaa", 10), ("ab", 1)]);
    let cfg = BpeTrainerConfig {
        max_token_length: Some(2),
        end_of_word_suffix: None,
        min_frequency: 1,
        ..BpeTrainerConfig::classic(100)
    };
    let m = train(&wc, &cfg, &Progress::new()).unwrap();
    assert!(
        m.vocab().iter().all(|t| t.chars().count() <= 2),
        "{:?}",
        m.vocab()
    );
    let cfg = BpeTrainerConfig {
        limit_alphabet: Some(1),
        end_of_word_suffix: None,
        ..BpeTrainerConfig::classic(100)
    };
    let m = train(&wc, &cfg, &Progress::new()).unwrap();
    assert_eq!(m.vocab()[0], "a");
    assert!(m.token_to_id("b").is_none());
}

fn byte_tokenizer(pattern: SplitPattern) -> Tokenizer {
    let text = "Hello world! Ça va? 日本語のテキスト 🎉🎉 naïve café e\u{301} 123 4567 don't\n\n  tabs\tend";
    let mut wc = WordCounts::new();
    let pre = PreTokenizer::byte_level(pattern);
    for _ in 0..3 {
        pre.for_each_piece(text, |s, e| wc.add(&text[s..e], 1));
    }
    let config = TokenizerConfig {
        trainer: BpeTrainerConfig {
            special_tokens: vec!["<|endoftext|>".into()],
            ..BpeTrainerConfig::byte_level(400)
        },
        normalizer: Normalizer::default(),
        pre_tokenizer: pre,
        unk_token: None,
        template: None,
    };
    Tokenizer::train(&wc, &config, &Progress::new()).unwrap()
}

#[test]
fn byte_level_round_trip_on_random_strings() {
    let pool: Vec<char> = "ab c\n\t 日本🎉👍🏽e\u{301}\u{308}ß'!?0123 \u{200d}\u{feff}Ωя\r"
        .chars()
        .collect();
    let mut rng = XorShift(777);
    for pattern in [
        SplitPattern::Gpt2,
        SplitPattern::Cl100k,
        SplitPattern::O200k,
    ] {
        let tok = byte_tokenizer(pattern);
        for _ in 0..300 {
            let n = rng.below(40);
            let s: String = (0..n).map(|_| pool[rng.below(pool.len())]).collect();
            let enc = tok.encode(&s, true);
            assert_eq!(tok.decode(&enc.ids, false).unwrap(), s);
            assert_eq!(tok.encode_ids(&s, true), enc.ids);
            let nchars = s.chars().count();
            for w in enc.offsets.windows(2) {
                assert!(w[0].0 <= w[1].0);
            }
            assert!(enc.offsets.iter().all(|&(a, b)| a <= b && b <= nchars));
        }
        // Special tokens are matched in the input and skipped on request.
        let enc = tok.encode("hi<|endoftext|>there", false);
        assert!(enc.ids.contains(&0));
        assert_eq!(tok.decode(&enc.ids, true).unwrap(), "hithere");
        assert_eq!(tok.decode(&enc.ids, false).unwrap(), "hi<|endoftext|>there");
        let split = tok.encode_with_options("hi<|endoftext|>there", false, true);
        assert!(!split.ids.contains(&0));
        assert!(tok.decode(&[99_999], false).is_err());
    }
}

#[test]
fn offsets_are_char_offsets() {
    let tok = byte_tokenizer(SplitPattern::Gpt2);
    let s = "日本 🎉x";
    let enc = tok.encode(s, false);
    let chars: Vec<char> = s.chars().collect();
    let covered: String = enc
        .offsets
        .iter()
        .map(|&(a, b)| chars[a..b].iter().collect::<String>())
        .collect::<Vec<_>>()
        .concat();
    assert!(covered.contains("日本"));
    assert_eq!(enc.offsets.last().copied(), Some((4, 5)));
}

#[test]
fn classic_pipeline_template_unk_and_decode() {
    let wc = counts(&[("low", 5), ("lower", 2), ("newest", 6), ("widest", 3)]);
    let config = TokenizerConfig {
        trainer: BpeTrainerConfig {
            special_tokens: vec!["<unk>".into(), "<s>".into(), "</s>".into()],
            ..BpeTrainerConfig::classic(100)
        },
        normalizer: Normalizer::default(),
        pre_tokenizer: PreTokenizer::whitespace(),
        unk_token: Some("<unk>".into()),
        template: Some(vec!["<s>".to_owned(), "$A".to_owned(), "</s>".to_owned()]),
    };
    let tok = Tokenizer::train(&wc, &config, &Progress::new()).unwrap();
    let enc = tok.encode("lowest  newer", true);
    let toks = tok.tokens(&enc.ids).unwrap();
    assert_eq!(toks, ["<s>", "low", "est</w>", "n", "ew", "er</w>", "</s>"]);
    assert_eq!(
        enc.offsets,
        [(0, 0), (0, 3), (3, 6), (8, 9), (9, 11), (11, 13), (0, 0)]
    );
    assert_eq!(tok.decode(&enc.ids, true).unwrap(), "lowest newer");
    let enc = tok.encode("lowz", false);
    assert_eq!(tok.tokens(&enc.ids).unwrap(), ["low", "<unk>"]);
    let batch = tok.encode_batch(&["low", "newest"], false, 2).unwrap();
    assert_eq!(tok.tokens(&batch[1].ids).unwrap(), ["newest</w>"]);
}

#[test]
fn one_megabyte_without_whitespace_encodes_fast() {
    // Not a speed test (benches/ measure speed): a quadratic merge would take hours on a
    // megabyte, so a limit this loose only catches that, even on a loaded 2-core machine.
    const LIMIT: f64 = 120.0;
    let tok = byte_tokenizer(SplitPattern::Gpt2);
    let mut rng = XorShift(5);
    let s: String = (0..1_000_000)
        .map(|_| ['a', 'b', 'c', 'd', 'e', 'l', 'o'][rng.below(7)])
        .collect();
    let t = Instant::now();
    let ids = tok.model().as_bpe().unwrap().encode_word(&s);
    let dt = t.elapsed();
    assert!(dt.as_secs_f64() < LIMIT, "{dt:?}");
    assert_eq!(tok.decode(&ids, false).unwrap(), s);
    let wc = counts(&[(&s[..200_000], 2)]);
    let m = train(&wc, &BpeTrainerConfig::classic(300), &Progress::new()).unwrap();
    let t = Instant::now();
    let ids = m.encode_word(&s);
    let dt = t.elapsed();
    assert!(dt.as_secs_f64() < LIMIT, "{dt:?}");
    assert!(ids.len() < s.len());
}

/// The ids-only path (stack merge, packed-key caches) and the path with spans (the general merge)
/// give the same ids on every piece, cached or not, short or long.
#[test]
fn fast_and_spanned_piece_encoding_agree() {
    let tok = byte_tokenizer(SplitPattern::Gpt2);
    let bpe = tok.model().as_bpe().unwrap();
    let alphabet = [
        'a', 'b', 'c', 'l', 'o', 'w', 'e', 'r', ' ', 'é', '日', '本', '😀',
    ];
    let mut rng = XorShift(11);
    for round in 0..3 {
        for len in 0..40 {
            let piece: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let mut fast = Vec::new();
            bpe.encode_piece(&piece, &mut fast);
            let (mut ids, mut spans) = (Vec::new(), Vec::new());
            bpe.encode_piece_with_spans(&piece, &mut ids, &mut spans);
            assert_eq!(fast, ids, "round {round}: {piece:?}");
        }
    }
}

/// Counts near 2^63 used to wrap negative in the trainer's signed pair counts: now refused.
#[test]
fn counts_beyond_signed_64_bits_are_refused_not_wrapped() {
    let mut wc = WordCounts::new();
    wc.add("ab", 1 << 62);
    wc.add("abc", 1 << 62);
    let err = train(&wc, &BpeTrainerConfig::classic(100), &Progress::new()).unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
    let mut small = WordCounts::new();
    small.add("ab", 1 << 40);
    assert!(train(&small, &BpeTrainerConfig::classic(100), &Progress::new()).is_ok());
}
