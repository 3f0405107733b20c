//! Where encoding time goes, one thread: the split alone, then the whole `encode_ids`, on a
//! tiktoken vocabulary and English, Japanese and Chinese text. For profiling, not comparison
//! (`benches/bench_encode.py` compares with the anchors):
//! `cargo run --release -p subwordx-core --example encode_profile -- RANKS.tiktoken TEXT...`

use std::time::Instant;

use subwordx_core::tokenizer::Tokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ranks, texts) = args
        .split_first()
        .ok_or("usage: encode_profile RANKS TEXT...")?;
    let tok = Tokenizer::load(ranks)?;
    for path in texts {
        let text = std::fs::read_to_string(path)?;
        let docs: Vec<&str> = text
            .split_inclusive('\n')
            .collect::<Vec<_>>()
            .chunks(100)
            .map(|c| {
                let start = c[0].as_ptr() as usize - text.as_ptr() as usize;
                let len: usize = c.iter().map(|l| l.len()).sum();
                &text[start..start + len]
            })
            .collect();
        let mb = text.len() as f64 / 1e6;
        let (mut split, mut full) = (f64::MAX, f64::MAX);
        let mut n = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut pieces = 0usize;
            for d in &docs {
                tok.pre_tokenizer().for_each_piece(d, |_, _| pieces += 1);
            }
            split = split.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            n = 0;
            for d in &docs {
                n += tok.encode_ids(d, false).len();
            }
            full = full.min(t.elapsed().as_secs_f64());
            std::hint::black_box(pieces);
            let bpe = tok.model().as_bpe().unwrap();
            let t = Instant::now();
            let mut out = Vec::new();
            for d in &docs {
                tok.pre_tokenizer()
                    .for_each_piece(d, |a, b| bpe.encode_piece(&d[a..b], &mut out));
            }
            eprintln!(
                "  split+bpe direct {:.1} MB/s",
                mb / t.elapsed().as_secs_f64()
            );
        }
        println!(
            "{path}: {mb:.1} MB, {n} tokens: split {:.0} MB/s, encode_ids {:.1} MB/s",
            mb / split,
            mb / full
        );
    }
    Ok(())
}
