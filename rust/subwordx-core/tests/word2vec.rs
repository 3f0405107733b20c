//! Behaviour of word2vec training: determinism, learning, agreement with a literal transcription
//! of docs/word2vec.md, errors.

use std::fmt::Write;
use std::path::PathBuf;

use subwordx_core::embeddings::sampling::{keep_probability, CumTable, Lcg, SigmoidTable};
use subwordx_core::embeddings::{
    CorpusMode, Utf8Errors, Vocab, VocabConfig, Word2Vec, Word2VecConfig,
};
use subwordx_core::{Error, Progress};

/// A fresh file per call (tests run in parallel threads of one process).
fn tmp_file(name: &str, text: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("subwordx-w2v-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A corpus where "cat"/"dog" share contexts and "car"/"bus" share other contexts.
fn toy_corpus() -> String {
    let mut s = String::new();
    let mut rng = Lcg::new(7);
    let animals = ["cat", "dog"];
    let vehicles = ["car", "bus"];
    let a_ctx = [
        "feed", "pet", "the", "furry", "barks", "sleeps", "food", "vet",
    ];
    let v_ctx = [
        "drive", "park", "the", "road", "engine", "fuel", "wheels", "garage",
    ];
    for _ in 0..3000 {
        let r = rng.advance() >> 16;
        let (w, ctx) = if r % 2 == 0 {
            (animals[(r >> 1) as usize % 2], &a_ctx)
        } else {
            (vehicles[(r >> 1) as usize % 2], &v_ctx)
        };
        let c1 = ctx[(r >> 3) as usize % 8];
        let c2 = ctx[(r >> 7) as usize % 8];
        let _ = writeln!(s, "{c1} {w} {c2}");
    }
    s
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let d: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    d / (na * nb)
}

fn small_config(sg: bool) -> Word2VecConfig {
    let mut c = if sg {
        Word2VecConfig::skipgram()
    } else {
        Word2VecConfig::cbow()
    };
    c.dim = 20;
    c.epochs = 5;
    c.threads = 1;
    c.sample = 1e-2;
    c
}

fn train_toy(config: Word2VecConfig) -> Word2Vec {
    let p = tmp_file("toy.txt", &toy_corpus());
    train_on(&[p], config, CorpusMode::InMemory)
}

fn train_on(files: &[PathBuf], config: Word2VecConfig, mode: CorpusMode) -> Word2Vec {
    let progress = Progress::new();
    let vocab = Vocab::build_from_files(
        files,
        &VocabConfig::default(),
        Utf8Errors::Strict,
        2,
        &progress,
    )
    .unwrap();
    let mut m = Word2Vec::new(vocab, config).unwrap();
    let mut losses = Vec::new();
    m.train_files(
        files,
        None,
        Utf8Errors::Strict,
        mode,
        &progress,
        &mut |e, l| {
            assert_eq!(e as usize, losses.len() + 1);
            losses.push(l);
        },
    )
    .unwrap();
    assert_eq!(losses.len(), m.config.epochs as usize);
    assert!(losses.iter().all(|l| l.is_finite() && *l > 0.0));
    m
}

#[test]
fn streamed_training_equals_in_memory_training_with_one_thread() {
    // Three files of ~9,000 words each: blocks of 10,000 words span file ends, and an epoch has
    // several blocks.
    let files: Vec<PathBuf> = (0..3)
        .map(|i| tmp_file(&format!("part{i}.txt"), &toy_corpus()))
        .collect();
    for (sg, hs) in [(true, false), (false, false), (true, true), (false, true)] {
        let mut c = small_config(sg);
        c.hs = hs;
        c.epochs = 3;
        let memory = train_on(&files, c.clone(), CorpusMode::InMemory);
        let streamed = train_on(&files, c, CorpusMode::Stream);
        assert_eq!(memory.syn0, streamed.syn0, "sg={sg} hs={hs}");
        assert_eq!(memory.syn1neg, streamed.syn1neg);
        assert_eq!(memory.syn1, streamed.syn1);
    }
}

#[test]
fn streamed_training_learns_on_several_threads() {
    let files: Vec<PathBuf> = (0..2)
        .map(|i| tmp_file(&format!("part{i}.txt"), &toy_corpus()))
        .collect();
    let mut c = small_config(false);
    c.threads = 3;
    let m = train_on(&files, c, CorpusMode::Stream);
    let v = |w: &str| m.vector(w).unwrap();
    assert!(cosine(v("cat"), v("dog")) > cosine(v("cat"), v("car")));
}

#[test]
fn a_streamed_file_that_turns_bad_is_an_error_not_a_hang() {
    let p = tmp_file("turns_bad.txt", &toy_corpus().repeat(3));
    let progress = Progress::new();
    let vocab = Vocab::build_from_files(
        std::slice::from_ref(&p),
        &VocabConfig::default(),
        Utf8Errors::Strict,
        1,
        &progress,
    )
    .unwrap();
    let mut c = small_config(true);
    c.threads = 2;
    let mut m = Word2Vec::new(vocab, c).unwrap();
    // Valid for the first ~25,000 words, then a stray byte: the reader fails in the middle of the
    // first epoch while the training threads wait for blocks.
    let mut bytes = toy_corpus().repeat(2).into_bytes();
    bytes.extend_from_slice(b"cat \xff dog\n");
    bytes.extend_from_slice(toy_corpus().as_bytes());
    std::fs::write(&p, bytes).unwrap();
    let mut train_error = |mode| {
        m.train_files(
            std::slice::from_ref(&p),
            None,
            Utf8Errors::Strict,
            mode,
            &progress,
            &mut |_, _| {},
        )
        .unwrap_err()
    };
    let err = train_error(CorpusMode::Stream);
    assert!(matches!(err, Error::InvalidUtf8 { .. }), "{err:?}");
    // No word of the vocabulary: the same error in both modes.
    std::fs::write(&p, "zebra quokka\n").unwrap();
    for mode in [CorpusMode::Stream, CorpusMode::InMemory] {
        let err = train_error(mode);
        assert!(matches!(err, Error::EmptyCorpus(_)), "{mode:?}: {err:?}");
    }
    std::fs::remove_file(&p).unwrap();
    let err = train_error(CorpusMode::Stream);
    assert!(matches!(err, Error::FileNotFound { .. }), "{err:?}");
}

#[test]
fn threads_1_is_bit_reproducible() {
    for (sg, hs) in [(true, false), (false, false), (true, true), (false, true)] {
        let mut c = small_config(sg);
        c.hs = hs;
        let a = train_toy(c.clone());
        let b = train_toy(c);
        assert_eq!(a.syn0, b.syn0);
        assert_eq!(a.syn1neg, b.syn1neg);
        assert_eq!(a.syn1, b.syn1);
    }
}

#[test]
fn words_sharing_contexts_are_closer() {
    for (sg, hs, threads) in [
        (true, false, 1),
        (false, false, 2),
        // With HS and 2 threads the rows near the Huffman root are thread-private copies merged
        // every few hundred predictions (here the toy tree is small enough to be all private).
        (true, true, 2),
        (false, true, 2),
        (false, true, 1),
    ] {
        let mut c = small_config(sg);
        c.hs = hs;
        if hs {
            c.negative = 0;
        }
        c.threads = threads;
        let m = train_toy(c);
        let v = |w| m.vector(w).unwrap();
        let same = cosine(v("cat"), v("dog")).min(cosine(v("car"), v("bus")));
        let cross = cosine(v("cat"), v("car")).max(cosine(v("dog"), v("bus")));
        assert!(
            same > cross + 0.1,
            "sg={sg} hs={hs}: same {same} cross {cross}"
        );
    }
}

/// A literal, slow transcription of docs/word2vec.md (skip-gram / CBOW, negative sampling,
/// threads = 1), to check the fast loop's order of random draws and updates.
fn reference_train(
    sentences: &[Vec<u32>],
    counts: &[u64],
    c: &Word2VecConfig,
) -> (Vec<f32>, Vec<f32>) {
    let v = counts.len();
    let dim = c.dim;
    let mut syn0 = vec![0f32; v * dim];
    let mut init = Lcg::new(c.seed);
    init.advance();
    for x in &mut syn0 {
        *x = ((((init.advance() >> 48) as f32) / 65536.0 - 0.5) * 2.0) / dim as f32;
    }
    let mut syn1neg = vec![0f32; v * dim];
    let sig = SigmoidTable::new();
    let cum = CumTable::new(counts);
    let train_words: u64 = counts.iter().sum();
    let mut rng = Lcg::new(c.seed);
    let mut done = 0u64;
    let mut pending = 0u64;
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let total = f64::from(c.epochs) * train_words as f64;
    for _ in 0..c.epochs {
        let mut alpha = (c.alpha - (c.alpha - c.min_alpha) * done as f64 / total).max(c.min_alpha);
        for s in sentences {
            if pending >= 10_000 {
                done += pending;
                pending = 0;
                alpha = (c.alpha - (c.alpha - c.min_alpha) * done as f64 / total).max(c.min_alpha);
            }
            pending += s.len() as u64;
            let mut sen = Vec::new();
            for &w in s {
                let keep = keep_probability(counts[w as usize], c.sample, train_words);
                let r = (rng.advance() >> 48) as f64 / 65536.0;
                if keep >= r {
                    sen.push(w as usize);
                }
            }
            let a = alpha as f32;
            for i in 0..sen.len() {
                let w = sen[i];
                let b = (rng.advance() % c.window as u64) as usize;
                let reach = c.window - b;
                let ctx: Vec<usize> = (i.saturating_sub(reach)..(i + reach + 1).min(sen.len()))
                    .filter(|&j| j != i)
                    .map(|j| sen[j])
                    .collect();
                let step = |h: &[f32], syn1neg: &mut [f32], rng: &mut Lcg| -> Vec<f32> {
                    let mut e = vec![0f32; dim];
                    for d in 0..=c.negative {
                        let (t, label) = if d == 0 {
                            (w, 1.0f32)
                        } else {
                            let t = cum.draw(rng) as usize;
                            if t == w {
                                continue;
                            }
                            (t, 0.0)
                        };
                        let out = &mut syn1neg[t * dim..(t + 1) * dim];
                        let f = dot(h, out);
                        let g = if f > 6.0 {
                            (label - 1.0) * a
                        } else if f < -6.0 {
                            label * a
                        } else {
                            (label - sig.sigma(f)) * a
                        };
                        for k in 0..dim {
                            e[k] += g * out[k];
                        }
                        for k in 0..dim {
                            out[k] += g * h[k];
                        }
                    }
                    e
                };
                if c.sg {
                    for &cw in &ctx {
                        let h = syn0[cw * dim..(cw + 1) * dim].to_vec();
                        let e = step(&h, &mut syn1neg, &mut rng);
                        for k in 0..dim {
                            syn0[cw * dim + k] += e[k];
                        }
                    }
                } else if !ctx.is_empty() {
                    let mut h = vec![0f32; dim];
                    for &cw in &ctx {
                        for k in 0..dim {
                            h[k] += syn0[cw * dim + k];
                        }
                    }
                    for x in &mut h {
                        *x /= ctx.len() as f32;
                    }
                    let e = step(&h, &mut syn1neg, &mut rng);
                    for &cw in &ctx {
                        for k in 0..dim {
                            syn0[cw * dim + k] += e[k];
                        }
                    }
                }
            }
        }
        done += pending;
        pending = 0;
    }
    (syn0, syn1neg)
}

#[test]
fn matches_literal_transcription_of_the_spec() {
    let mut rng = Lcg::new(3);
    let counts_v = 30usize;
    let mut sentences: Vec<Vec<u32>> = Vec::new();
    for _ in 0..400 {
        let len = 3 + (rng.advance() >> 20) as usize % 40;
        // Zipf-ish ids.
        sentences.push(
            (0..len)
                .map(|_| {
                    let r = (rng.advance() >> 20) % 1000;
                    ((r * r) / 33_334) as u32 % counts_v as u32
                })
                .collect(),
        );
    }
    let mut counts = vec![0u64; counts_v];
    for s in &sentences {
        for &w in s {
            counts[w as usize] += 1;
        }
    }
    // Relabel ids into vocabulary order (count desc, ties by word).
    let words: Vec<String> = (0..counts_v).map(|i| format!("w{i:02}")).collect();
    let vocab = Vocab::from_counts(
        words
            .iter()
            .zip(&counts)
            .filter(|(_, &c)| c > 0)
            .map(|(w, &c)| (w.clone(), c)),
        &VocabConfig {
            min_count: 1,
            ..VocabConfig::default()
        },
    )
    .unwrap();
    let remap: Vec<u32> = words
        .iter()
        .map(|w| vocab.get(w).unwrap_or(u32::MAX))
        .collect();
    let sentences: Vec<Vec<u32>> = sentences
        .iter()
        .map(|s| s.iter().map(|&w| remap[w as usize]).collect())
        .collect();
    let mut ids = Vec::new();
    let mut starts = Vec::new();
    for s in &sentences {
        starts.push(ids.len());
        ids.extend_from_slice(s);
    }
    for sg in [true, false] {
        let mut c = small_config(sg);
        c.dim = 10;
        c.epochs = 3;
        c.sample = 0.01;
        let (ref0, ref1) = reference_train(&sentences, &vocab.counts, &c);
        let mut m = Word2Vec::new(vocab.clone(), c).unwrap();
        m.train_ids(&ids, &starts, None, &Progress::new(), &mut |_, _| {})
            .unwrap();
        let max_diff = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max)
        };
        assert!(
            max_diff(&m.syn0, &ref0) < 1e-4,
            "sg={sg} syn0 {}",
            max_diff(&m.syn0, &ref0)
        );
        assert!(max_diff(&m.syn1neg, &ref1) < 1e-4, "sg={sg} syn1neg");
    }
}

#[test]
fn continued_training_from_parts() {
    let m = train_toy(small_config(true));
    let mut m2 = Word2Vec::from_parts(
        m.vocab.clone(),
        m.config.clone(),
        m.syn0.clone(),
        m.syn1neg.clone(),
        Vec::new(),
    )
    .unwrap();
    let ids: Vec<u32> = (0..200).map(|i| i % m.vocab.len() as u32).collect();
    m2.train_ids(
        &ids,
        &[0, 50, 100],
        Some(1),
        &Progress::new(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_ne!(m2.syn0, m.syn0);
    assert!(Word2Vec::from_parts(
        m.vocab.clone(),
        m.config.clone(),
        vec![0.0; 3],
        vec![],
        vec![]
    )
    .is_err());
}

#[test]
fn errors_not_panics() {
    let progress = Progress::new();
    let empty = tmp_file("empty.txt", "  \n\n");
    let e = Vocab::build_from_files(
        &[empty],
        &VocabConfig::default(),
        Utf8Errors::Strict,
        2,
        &progress,
    )
    .unwrap_err();
    assert!(matches!(e, Error::EmptyCorpus(_)), "{e}");
    let rare = tmp_file("rare.txt", "a b c\n");
    let e = Vocab::build_from_files(
        &[rare],
        &VocabConfig::default(),
        Utf8Errors::Strict,
        1,
        &progress,
    )
    .unwrap_err();
    assert!(e.to_string().contains("min_count=5"), "{e}");
    let missing = Vocab::build_from_files(
        &[PathBuf::from("/nonexistent/subwordx.txt")],
        &VocabConfig::default(),
        Utf8Errors::Strict,
        1,
        &progress,
    )
    .unwrap_err();
    assert!(matches!(missing, Error::FileNotFound { .. }));
    let bad = tmp_file("bad.txt", "fine\nstill fine \u{e9}\n");
    let mut bytes = std::fs::read(&bad).unwrap();
    bytes.extend_from_slice(b"x \xc3( y\n");
    std::fs::write(&bad, bytes).unwrap();
    let e = Vocab::build_from_files(
        &[bad],
        &VocabConfig::default(),
        Utf8Errors::Strict,
        1,
        &progress,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidUtf8 {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{e}"
    );

    let vocab = Vocab::from_counts([("a", 10), ("b", 5)], &VocabConfig::default()).unwrap();
    for (f, msg) in [
        (
            Word2VecConfig {
                dim: 0,
                ..Word2VecConfig::default()
            },
            "dim",
        ),
        (
            Word2VecConfig {
                window: 0,
                ..Word2VecConfig::default()
            },
            "window",
        ),
        (
            Word2VecConfig {
                negative: 0,
                hs: false,
                ..Word2VecConfig::default()
            },
            "negative",
        ),
        (
            Word2VecConfig {
                threads: 0,
                ..Word2VecConfig::default()
            },
            "threads",
        ),
    ] {
        let e = Word2Vec::new(vocab.clone(), f).unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument(_)) && e.to_string().contains(msg),
            "{e}"
        );
    }
    let mut m = Word2Vec::new(vocab, Word2VecConfig::default()).unwrap();
    let e = m
        .train_ids(&[0, 7], &[0], None, &progress, &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));
    let e = m
        .train_ids(&[u32::MAX], &[0], None, &progress, &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(e, Error::EmptyCorpus(_)));
    let cancelled = Progress::new();
    cancelled.cancel();
    let e = m
        .train_ids(&[0, 1, 0, 1], &[0], None, &cancelled, &mut |_, _| {})
        .unwrap_err();
    assert!(matches!(e, Error::Interrupted));
}

#[test]
fn binary_format_roundtrip_header() {
    let m = train_toy(small_config(false));
    let p = tmp_file("v.bin", "");
    m.save_word2vec_format(&p, true).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    let header = format!("{} {}\n", m.vocab.len(), m.config.dim);
    assert!(bytes.starts_with(header.as_bytes()));
    let first = header.len() + m.vocab.words[0].len() + 1;
    let x = f32::from_le_bytes(bytes[first..first + 4].try_into().unwrap());
    assert_eq!(x.to_bits(), m.syn0[0].to_bits());
    assert_eq!(
        bytes.len(),
        header.len()
            + m.vocab
                .words
                .iter()
                .map(|w| w.len() + 2 + 4 * m.config.dim)
                .sum::<usize>()
    );
}
