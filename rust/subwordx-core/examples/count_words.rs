//! Times word counting of a file: `cargo run --release --example count_words -- FILE [PRETOKENIZER]
//! [THREADS]` with PRETOKENIZER one of gpt2 (default), cl100k, o200k, bert, whitespace.

use std::path::PathBuf;
use std::time::Instant;

use subwordx_core::corpus::{count_words_in_files, CountOptions, Utf8Errors};
use subwordx_core::normalize::Normalizer;
use subwordx_core::pretokenize::{PreTokenizer, SplitPattern};
use subwordx_core::Progress;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = PathBuf::from(
        args.first()
            .ok_or("usage: count_words FILE [PRETOKENIZER] [THREADS]")?,
    );
    let pt = match args.get(1).map_or("gpt2", String::as_str) {
        "gpt2" => PreTokenizer::byte_level(SplitPattern::Gpt2),
        "cl100k" => PreTokenizer::byte_level(SplitPattern::Cl100k),
        "o200k" => PreTokenizer::byte_level(SplitPattern::O200k),
        "bert" => PreTokenizer::bert(),
        "whitespace" => PreTokenizer::whitespace(),
        other => return Err(format!("unknown pre-tokenizer {other}").into()),
    };
    let threads: usize = args.get(2).map_or(Ok(0), |t| t.parse())?;
    let bytes = std::fs::metadata(&path)?.len() as f64;
    let options = CountOptions {
        threads,
        errors: Utf8Errors::Replace,
    };
    for _ in 0..3 {
        let t = Instant::now();
        let wc = count_words_in_files(
            std::slice::from_ref(&path),
            &Normalizer::default(),
            &pt,
            &options,
            &Progress::new(),
        )?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "{pt:?} threads={threads}: {} distinct, {} total, {s:.3} s, {:.1} MB/s",
            wc.len(),
            wc.total(),
            bytes / s / 1e6
        );
    }
    Ok(())
}
