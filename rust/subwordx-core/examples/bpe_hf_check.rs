//! Trains BPE variants on a corpus, writes each as HF `tokenizer.json` and our ids for sample lines,
//! and times training and single-thread encoding. Used to check compatibility with HF `tokenizers`
//! (see the Python one-liner in the report) and to measure.
//!
//! `cargo run --release --example bpe_hf_check -- CORPUS OUT_DIR [MAX_BYTES] [VOCAB]`

use std::time::Instant;

use subwordx_core::corpus::count_words_in_texts;
use subwordx_core::models::bpe::BpeTrainerConfig;
use subwordx_core::normalize::{Normalizer, UnicodeForm};
use subwordx_core::pretokenize::{PreTokenizer, SplitPattern};
use subwordx_core::tokenizer::{Tokenizer, TokenizerConfig};
use subwordx_core::Progress;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = std::fs::read_to_string(&args[1])?;
    let out = std::path::PathBuf::from(&args[2]);
    let max: usize = args.get(3).map_or(Ok(usize::MAX), |s| s.parse())?;
    let vocab: usize = args.get(4).map_or(Ok(32_000), |s| s.parse())?;
    let mut end = max.min(corpus.len());
    while !corpus.is_char_boundary(end) {
        end -= 1;
    }
    let text = &corpus[..end];
    std::fs::create_dir_all(&out)?;
    let variants: Vec<(&str, PreTokenizer, Normalizer, bool, Option<&str>)> = vec![
        (
            "gpt2",
            PreTokenizer::byte_level(SplitPattern::Gpt2),
            Normalizer::default(),
            true,
            None,
        ),
        (
            "cl100k",
            PreTokenizer::byte_level(SplitPattern::Cl100k),
            Normalizer::default(),
            true,
            None,
        ),
        (
            "o200k",
            PreTokenizer::byte_level(SplitPattern::O200k),
            Normalizer::default(),
            true,
            None,
        ),
        (
            "classic",
            PreTokenizer::whitespace(),
            Normalizer::default(),
            false,
            None,
        ),
        (
            "bert_prefix_lower",
            PreTokenizer::bert(),
            Normalizer::from_flags(Some(UnicodeForm::Nfkc), true, true),
            false,
            Some("##"),
        ),
    ];
    let only = std::env::var("VARIANTS").unwrap_or_default();
    let sample: Vec<&str> = text.lines().filter(|l| !l.is_empty()).take(3000).collect();
    for (name, pre, norm, byte, prefix) in variants {
        if !only.is_empty() && !only.split(',').any(|v| v == name) {
            continue;
        }
        let t0 = Instant::now();
        let counts = count_words_in_texts(&[text.to_owned()], &norm, &pre, 0);
        let t_count = t0.elapsed();
        let mut trainer = if byte {
            BpeTrainerConfig::byte_level(vocab)
        } else {
            BpeTrainerConfig::classic(vocab)
        };
        trainer.special_tokens = vec!["<unk>".into(), "<s>".into(), "</s>".into()];
        if let Some(p) = prefix {
            trainer.continuing_subword_prefix = Some(p.into());
            trainer.end_of_word_suffix = None;
        }
        let config = TokenizerConfig {
            trainer,
            normalizer: norm,
            pre_tokenizer: pre,
            unk_token: (!byte).then(|| "<unk>".into()),
            template: (!byte).then(|| vec!["<s>".to_owned(), "$A".to_owned(), "</s>".to_owned()]),
        };
        let t1 = Instant::now();
        let tok = Tokenizer::train(&counts, &config, &Progress::new())?;
        let t_train = t1.elapsed();
        tok.save_hf(out.join(format!("{name}.json")))?;
        let ids: Vec<Vec<u32>> = sample.iter().map(|l| tok.encode(l, true).ids).collect();
        std::fs::write(
            out.join(format!("{name}.ids.json")),
            serde_json::to_string(&serde_json::json!({"lines": sample, "ids": ids}))?,
        )?;
        // Single-thread encode throughput over the whole text (ids only, then with offsets).
        let t2 = Instant::now();
        let n: usize = text.lines().map(|l| tok.encode_ids(l, false).len()).sum();
        let t_enc = t2.elapsed();
        let t3 = Instant::now();
        let n2: usize = text.lines().map(|l| tok.encode(l, false).ids.len()).sum();
        let t_enc_off = t3.elapsed();
        assert_eq!(n, n2);
        let mb = text.len() as f64 / 1e6;
        println!(
            "{name}: {:.1} MB, {} words; count {:.2}s, train {:.2}s ({} tokens, {} merges); encode ids {:.1} MB/s, with offsets {:.1} MB/s ({n} tokens)",
            mb,
            counts.len(),
            t_count.as_secs_f64(),
            t_train.as_secs_f64(),
            tok.vocab_size(),
            tok.merges().len(),
            mb / t_enc.as_secs_f64(),
            mb / t_enc_off.as_secs_f64(),
        );
    }
    Ok(())
}
