//! Trains word2vec on a text file and writes the vectors in word2vec's binary format, printing
//! the time per epoch and words/s.
//!
//! `cargo run --release -p subwordx-core --example word2vec_bench -- CORPUS [sg|cbow] [THREADS] [EPOCHS] [OUT.bin] [hs] [stream]`

use std::path::PathBuf;
use std::time::Instant;

use subwordx_core::embeddings::{
    CorpusMode, Utf8Errors, Vocab, VocabConfig, Word2Vec, Word2VecConfig,
};
use subwordx_core::Progress;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = PathBuf::from(
        args.get(1)
            .ok_or("usage: CORPUS [sg|cbow] [THREADS] [EPOCHS] [OUT]")?,
    );
    let sg = args.get(2).is_none_or(|m| m != "cbow");
    let threads: usize = args.get(3).map_or(Ok(2), |s| s.parse())?;
    let epochs: u32 = args.get(4).map_or(Ok(3), |s| s.parse())?;
    let out = args.get(5).map(PathBuf::from);
    let flags = args.get(6..).unwrap_or_default();
    let hs = flags.iter().any(|s| s == "hs");
    let mode = if flags.iter().any(|s| s == "stream") {
        CorpusMode::Stream
    } else {
        CorpusMode::InMemory
    };
    let progress = Progress::new();
    let t0 = Instant::now();
    let vocab = Vocab::build_from_files(
        std::slice::from_ref(&corpus),
        &VocabConfig::default(),
        Utf8Errors::Strict,
        threads,
        &progress,
    )?;
    let t_vocab = t0.elapsed().as_secs_f64();
    let mut config = if sg {
        Word2VecConfig::skipgram()
    } else {
        Word2VecConfig::cbow()
    };
    config.threads = threads;
    config.epochs = epochs;
    if hs {
        config.hs = true;
        config.negative = 0;
    }
    let train_words = vocab.train_words();
    let n_words = vocab.len();
    let mut model = Word2Vec::new(vocab, config)?;
    let t1 = Instant::now();
    let mut last = Instant::now();
    let stats = model.train_files(
        &[corpus],
        None,
        Utf8Errors::Strict,
        mode,
        &progress,
        &mut |e, loss| {
            eprintln!(
                "epoch {e}: loss {loss:.4} ({:.2}s)",
                last.elapsed().as_secs_f64()
            );
            last = Instant::now();
        },
    )?;
    let t_train = t1.elapsed().as_secs_f64();
    println!(
        "{} threads={threads} vocab={n_words} train_words={train_words}: vocab {t_vocab:.2}s, train {t_train:.2}s \
         ({:.2} s/epoch, {:.2}M words/s), total {:.2}s",
        if sg { "skip-gram" } else { "cbow" },
        t_train / f64::from(epochs),
        stats.words as f64 / t_train / 1e6,
        t0.elapsed().as_secs_f64()
    );
    if let Some(out) = out {
        model.save_word2vec_format(&out, true)?;
    }
    Ok(())
}
