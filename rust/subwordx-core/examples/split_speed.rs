//! Split throughput of the hand-written splitters (`pretokenize::fast`) against the regex engines,
//! on English, Japanese and Chinese text, one thread:
//! `cargo run --release -p subwordx-core --example split_speed [-- SHARED_DIR]`.
//!
//! Sides: `fast` (the hand-written splitter); `regex` (the `regex` crate running the pattern
//! without its `\s+(?!\S)` lookahead, which it cannot run: a speed reference only; GPT-2, cl100k
//! and o200k); `fancy` (fancy-regex running the original pattern with `find_iter`, as tiktoken
//! does). Each text is split whole, the sides interleaved, best of five runs; `agree` says whether
//! `fast` and `fancy` gave the same number of pieces.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use subwordx_core::pretokenize::fast;
use subwordx_core::pretokenize::SplitPattern;

/// Splits a text, counting its pieces (the count inlined, as a consumer's code would be).
type Split = fn(&str) -> usize;

struct Pattern {
    name: &'static str,
    fast: Split,
    original: &'static str,
    regex: Option<SplitPattern>,
}

const PATTERNS: [Pattern; 6] = [
    Pattern {
        name: "gpt2",
        fast: |t| {
            let mut n = 0;
            fast::for_each_gpt2_piece(t, |_, _| n += 1);
            n
        },
        original: fast::GPT2_PATTERN,
        regex: Some(SplitPattern::Gpt2),
    },
    Pattern {
        name: "r50k-tiktoken",
        fast: |t| {
            let mut n = 0;
            fast::for_each_gpt2_piece(t, |_, _| n += 1);
            n
        },
        original: fast::R50K_TIKTOKEN_PATTERN,
        regex: None,
    },
    Pattern {
        name: "cl100k",
        fast: |t| {
            let mut n = 0;
            fast::for_each_cl100k_piece(t, |_, _| n += 1);
            n
        },
        original: fast::CL100K_PATTERN,
        regex: Some(SplitPattern::Cl100k),
    },
    Pattern {
        name: "cl100k-tiktoken",
        fast: |t| {
            let mut n = 0;
            fast::for_each_cl100k_tiktoken_piece(t, |_, _| n += 1);
            n
        },
        original: fast::CL100K_TIKTOKEN_PATTERN,
        regex: None,
    },
    Pattern {
        name: "qwen",
        fast: |t| {
            let mut n = 0;
            fast::for_each_qwen_piece(t, |_, _| n += 1);
            n
        },
        original: fast::QWEN_PATTERN,
        regex: None,
    },
    Pattern {
        name: "o200k",
        fast: |t| {
            let mut n = 0;
            fast::for_each_o200k_piece(t, |_, _| n += 1);
            n
        },
        original: fast::O200K_PATTERN,
        regex: Some(SplitPattern::O200k),
    },
];

/// Times one run of `split` into `runs[k]`: the best time so far and the piece count.
fn time_run(runs: &mut [(Duration, usize)], k: usize, split: &dyn Fn() -> usize) {
    let t = Instant::now();
    let pieces = split();
    let elapsed = t.elapsed();
    runs[k].0 = runs[k].0.min(elapsed);
    runs[k].1 = pieces;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shared = std::env::args().nth(1).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")),
        PathBuf::from,
    );
    let corpora = shared.join("data/corpora");
    let mut english = std::fs::read_to_string(corpora.join("gcide.txt"))?;
    // 8 MB keep fancy-regex's runs short; the fast splitter's speed does not depend on the size.
    let cut = english[..8 << 20].rfind('\n').map_or(0, |i| i + 1);
    english.truncate(cut);
    let texts = [
        ("English (gcide, 8 MB)", english),
        (
            "Japanese (wagahaiwa)",
            std::fs::read_to_string(corpora.join("wagahaiwa_nekodearu.txt"))?,
        ),
        (
            "Chinese (zh/chinese)",
            std::fs::read_to_string(corpora.join("zh/chinese"))?,
        ),
    ];
    println!(
        "{:<22} {:<16} {:>10} {:>10} {:>10} {:>8} agree",
        "text", "pattern", "fast MB/s", "regex MB/s", "fancy MB/s", "speedup"
    );
    for (label, text) in &texts {
        for pattern in &PATTERNS {
            let fancy = fancy_regex::Regex::new(pattern.original)?;
            // The `regex` crate cannot run the lookahead: it runs the pattern without `\s+(?!\S)`, a
            // speed reference only (its pieces differ around whitespace).
            let regex = pattern
                .regex
                .and_then(|_| regex::Regex::new(&pattern.original.replace(r"|\s+(?!\S)", "")).ok());
            let mut runs = [(Duration::MAX, 0usize); 3];
            for _ in 0..5 {
                time_run(&mut runs, 0, &|| (pattern.fast)(text));
                if let Some(pt) = &regex {
                    time_run(&mut runs, 1, &|| pt.find_iter(text).count());
                }
                time_run(&mut runs, 2, &|| fancy.find_iter(text).count());
            }
            let mb_s = |d: Duration| text.len() as f64 / 1e6 / d.as_secs_f64();
            let regex_cell = if regex.is_some() {
                format!("{:>10.1}", mb_s(runs[1].0))
            } else {
                format!("{:>10}", "-")
            };
            let agree = runs[0].1 == runs[2].1;
            let fastest_engine = if regex.is_some() {
                runs[1].0.min(runs[2].0)
            } else {
                runs[2].0
            };
            println!(
                "{label:<22} {:<16} {:>10.1} {regex_cell} {:>10.1} {:>7.1}x {agree}",
                pattern.name,
                mb_s(runs[0].0),
                mb_s(runs[2].0),
                fastest_engine.as_secs_f64() / runs[0].0.as_secs_f64(),
            );
        }
    }
    Ok(())
}
