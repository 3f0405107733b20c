//! Hand-written splitters for the byte-level split regexes of GPT-2, `cl100k_base`, `o200k_base`
//! and Qwen2: the same pieces as the regex, with no regex engine.
//!
//! Each `for_each_*_piece` function calls `f(start, end)` with the byte range of every piece of a
//! text, left to right; the pieces tile the text exactly as the matches of the pattern's
//! `find_iter` in a backtracking engine with Perl semantics: fancy-regex, which tiktoken uses, and
//! Oniguruma, which HF `tokenizers` uses. `tests/pretokenize_fast.rs` checks every function
//! against fancy-regex running its pattern (on random strings, all short strings of the chars
//! that matter, and English, Japanese and Chinese corpora) and against the pieces HF `tokenizers`
//! gives on the golden cases of `tests/fixtures/pretokenize_cases.json`.
//!
//! * [`for_each_gpt2_piece`]: [`GPT2_PATTERN`] (GPT-2, HF `ByteLevel`), and tiktoken's rewrite
//!   of it, [`R50K_TIKTOKEN_PATTERN`] (`gpt2`, `r50k_base`, `p50k_base`, `p50k_edit`): the same
//!   pieces.
//! * [`for_each_cl100k_piece`]: [`CL100K_PATTERN`], the original `cl100k_base` pattern, in the HF
//!   `tokenizer.json` files of GPT-4 and Llama 3 models.
//! * [`for_each_cl100k_tiktoken_piece`]: [`CL100K_TIKTOKEN_PATTERN`], tiktoken's `cl100k_base`.
//! * [`for_each_qwen_piece`]: [`QWEN_PATTERN`], Qwen2 (and Qwen2.5, Qwen3).
//! * [`for_each_o200k_piece`]: [`O200K_PATTERN`], tiktoken's `o200k_base` and `o200k_harmony`.
//!
//! ## How a regex alternation becomes a few branches
//!
//! A backtracking engine tries the alternatives of `a|b|c` in order at the current position and
//! takes the first that matches (leftmost-first, not leftmost-longest); within an alternative,
//! a greedy quantifier first tries its longest repetition and gives chars back only when what
//! follows fails. In these patterns almost nothing can fail after a quantifier: `\p{L}+` is followed
//! by the end of the alternative, `[^\s\p{L}\p{N}]+` by `[\r\n]*`, which matches the empty string.
//! So each alternative is decided by looking at one or two chars, and its match is a maximal run
//! of one char class. The splitters below test the alternatives in the pattern's order, each by
//! the exact condition under which it matches at the current position, and return its end. The
//! places where backtracking does matter are spelled out where they are implemented:
//!
//! * an optional prefix (`[^\r\n\p{L}\p{N}]?`, ` ?`) is tried with the char first, then without;
//! * `\s*[\r\n]+` ends just after the last `\r`/`\n` of the whitespace run;
//! * `\s+(?!\S)` leaves the last char of a whitespace run to the next piece when a non-space
//!   follows the run (so `"a   b"` splits as `a`, `  `, ` b`);
//! * o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+`: the two classes overlap,
//!   so the greedy first run may give back chars to the second (see `o200k_lower_word_end`).
//!
//! ## Char classes
//!
//! A char is in exactly one of eight classes (bits of a `u8`, so a set of classes is a mask): the
//! general categories `Lu`+`Lt`, `Ll`, `Lm`+`Lo`, `M`, `N`, the `White_Space` chars other than
//! `\r` and `\n`, `\r`/`\n`, and everything else. Every class of the patterns is a union of these
//! (`White_Space` chars are all `Zs`, `Zl`, `Zp` or `Cc`, so the categories and whitespace never
//! overlap). ASCII bytes are classified by a 256-entry table without decoding; other chars are
//! decoded here and looked up in a static two-level table (`cp >> 7` picks one of about 230
//! distinct blocks of 128 classes; 31 KB, no initialization), generated from the `regex` crate's
//! Unicode tables (Unicode 16.0) into `pretokenize/fast/classes.rs`. The generator is a test: it
//! fails when the file differs from what the `regex` crate in use gives, and rewrites the file
//! when run with `SUBWORDX_REGENERATE=1`. (Oniguruma may follow an older Unicode version, and
//! then differ on chars assigned since.)
//!
//! ## Pattern subtleties
//!
//! * `(?i:'s|...)` is case-insensitive under Unicode simple case folding: `'S`, `'LL`, and also
//!   `'ſ` (U+017F LONG S folds to `s`) are contractions. No other non-ASCII char folds to one of
//!   `s t r e v m l d` (the Kelvin sign folds to `k`, which is not among them). GPT-2's and r50k's
//!   contractions are case-sensitive.
//! * Contractions come first in cl100k, so `'sx` splits as `'s`, `x`, while `'x` is one piece (the
//!   apostrophe is an optional prefix of the letters). o200k has no contraction alternative of its
//!   own: contractions only follow a word, and `'s` at the start of a text is a prefixed word.
//! * In o200k, marks (`\p{M}`) are word chars but are not `\p{L}`: a mark can be the optional prefix
//!   of a word and is part of a punctuation run; `"\u{301}A."` splits as `\u{301}`, `A`, `.`, since
//!   the first alternative matches the mark alone before the second one is tried.
//! * tiktoken's cl100k pattern (possessive quantifiers, `\s++$|\s*[\r\n]|\s+(?!\S)|\s`) differs
//!   from the original only on a whitespace run that reaches the end of the text and holds a
//!   `\r` or `\n`: tiktoken keeps the run whole (`"a\n  "` is `a`, `\n  `), the original ends the
//!   piece after the last newline (`a`, `\n`, `  `). `$` is the end of the text: fancy-regex has
//!   no multi-line flag on, and Oniguruma's end-of-line `$` cannot match before a `\n` there, as
//!   `\s++` has taken it.
//!   The possessive quantifiers change nothing else: each is followed by a class disjoint from its
//!   own, so giving back chars could never have helped.
//! * tiktoken's r50k pattern (`\s++$|\s+(?!\S)|\s` tail, `'(?:[sdmt]|ll|ve|re)`) gives exactly the
//!   GPT-2 pieces, and tiktoken's `o200k_base` pattern is [`O200K_PATTERN`].
//!
//! ## Cost
//!
//! One forward pass; each char is classified once or twice (a piece's end is found by the next
//! char's class). No allocation. On one thread (`examples/split_speed.rs`, a busy 2-core
//! machine) that is 340-430 MB/s on English, 430-590 MB/s on Japanese and 350-450 MB/s on
//! Chinese: 7-9 times the `regex` crate with the lookahead emulated (`pretokenize.rs`), 7-50
//! times fancy-regex.
// Generated; `class_table_source` in the tests writes it (module docs).
#[rustfmt::skip]
mod classes;

/// GPT-2's pattern (HF `ByteLevel`; also the pattern of the original GPT-2 release).
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// tiktoken's rewrite of [`GPT2_PATTERN`] for `gpt2`, `r50k_base`, `p50k_base`, `p50k_edit`; the
/// same pieces ([`for_each_gpt2_piece`]).
pub const R50K_TIKTOKEN_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";

/// `cl100k_base`'s original pattern, used by HF `tokenizer.json` files of GPT-4 and Llama 3 models.
pub const CL100K_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// tiktoken's current `cl100k_base` pattern (`tiktoken_ext/openai_public.py`, tiktoken 0.14).
pub const CL100K_TIKTOKEN_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// Qwen2's pattern: [`CL100K_PATTERN`] with single digits.
pub const QWEN_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// `o200k_base`'s pattern, as in tiktoken (`o200k_base` and `o200k_harmony`).
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"|\p{N}{1,3}",
    r"| ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"|\s*[\r\n]+",
    r"|\s+(?!\S)",
    r"|\s+"
);

/// Calls `f(start, end)` for each piece of [`CL100K_PATTERN`] (HF GPT-4 / Llama 3), left to right.
///
/// ```
/// use subwordx_core::pretokenize::fast::for_each_cl100k_piece;
/// let text = "I'LL pay 12345 ¥\n\n  now";
/// let mut pieces = Vec::new();
/// for_each_cl100k_piece(text, |s, e| pieces.push(&text[s..e]));
/// assert_eq!(pieces, ["I", "'LL", " pay", " ", "123", "45", " ¥\n\n", " ", " now"]);
/// ```
pub fn for_each_cl100k_piece(text: &str, f: impl FnMut(usize, usize)) {
    for_each_piece(text.as_bytes(), f, cl100k_piece_end::<3, false>);
}

/// Calls `f(start, end)` for each piece of [`QWEN_PATTERN`] (one digit per piece), left to right.
pub fn for_each_qwen_piece(text: &str, f: impl FnMut(usize, usize)) {
    for_each_piece(text.as_bytes(), f, cl100k_piece_end::<1, false>);
}

/// Calls `f(start, end)` for each piece of [`CL100K_TIKTOKEN_PATTERN`] (tiktoken's `cl100k_base`),
/// left to right.
pub fn for_each_cl100k_tiktoken_piece(text: &str, f: impl FnMut(usize, usize)) {
    for_each_piece(text.as_bytes(), f, cl100k_piece_end::<3, true>);
}

/// Calls `f(start, end)` for each piece of [`O200K_PATTERN`] (tiktoken's `o200k_base`), left to
/// right.
pub fn for_each_o200k_piece(text: &str, f: impl FnMut(usize, usize)) {
    for_each_piece(text.as_bytes(), f, o200k_piece_end);
}

/// Calls `f(start, end)` for each piece of [`GPT2_PATTERN`], equivalently of
/// [`R50K_TIKTOKEN_PATTERN`] (GPT-2, tiktoken's `r50k_base` and `p50k_base`), left to right.
pub fn for_each_gpt2_piece(text: &str, f: impl FnMut(usize, usize)) {
    for_each_piece(text.as_bytes(), f, gpt2_piece_end);
}

/// The driver shared by all patterns: `piece_end(bytes, p)` is the end of the match at `p`.
#[inline]
fn for_each_piece(
    b: &[u8],
    mut f: impl FnMut(usize, usize),
    piece_end: impl Fn(&[u8], usize) -> usize,
) {
    let mut p = 0;
    while p < b.len() {
        let end = piece_end(b, p);
        // Every char is matched by some alternative, and no alternative matches the empty string.
        debug_assert!(end > p && end <= b.len());
        f(p, end);
        p = end;
    }
}

// The char classes (module docs): one bit each, so that a set of classes is a mask.
/// `\p{Lu}`, `\p{Lt}`.
const UPPER: u8 = 1;
/// `\p{Ll}`.
const LOWER: u8 = 1 << 1;
/// `\p{Lm}`, `\p{Lo}`: in both of o200k's case classes.
const OTHER_LETTER: u8 = 1 << 2;
/// `\p{M}`.
const MARK: u8 = 1 << 3;
/// `\p{N}`.
const NUMBER: u8 = 1 << 4;
/// `\s` other than `\r` and `\n`.
const SPACE: u8 = 1 << 5;
/// `\r`, `\n`.
const NEWLINE: u8 = 1 << 6;
/// Everything else: punctuation, symbols, controls, format chars, unassigned code points.
const OTHER: u8 = 1 << 7;

/// `\p{L}`.
const LETTER: u8 = UPPER | LOWER | OTHER_LETTER;
/// `\s` (Unicode `White_Space`).
const WHITESPACE: u8 = SPACE | NEWLINE;
/// `[^\r\n\p{L}\p{N}]`: the optional prefix of a word.
const PREFIX: u8 = SPACE | MARK | OTHER;
/// `[^\s\p{L}\p{N}]`: punctuation and symbols (marks included).
const SYMBOL: u8 = MARK | OTHER;
/// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
const CASED_UPPER: u8 = UPPER | OTHER_LETTER | MARK;
/// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
const CASED_LOWER: u8 = LOWER | OTHER_LETTER | MARK;

/// The class of each ASCII byte; 0 (no class) for bytes 0x80 and up, which start or continue a
/// multi-byte char, so that one lookup tells "ASCII in the mask" from everything else.
static BYTE_CLASS: [u8; 256] = build_byte_class();

const fn build_byte_class() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            b'0'..=b'9' => NUMBER,
            // White_Space in ASCII: \t \v \f, space (and \n \r).
            b'\t' | 0x0b | 0x0c | b' ' => SPACE,
            b'\n' | b'\r' => NEWLINE,
            // U+001C..U+001F are Python whitespace but not Unicode White_Space.
            _ => OTHER,
        };
        b += 1;
    }
    t
}

/// The class letters of `classes.rs`, a readable stand-in for the bits.
const fn class_of_letter(letter: u8) -> u8 {
    match letter {
        b'U' => UPPER,
        b'l' => LOWER,
        b'o' => OTHER_LETTER,
        b'm' => MARK,
        b'n' => NUMBER,
        b's' => SPACE,
        b'r' => NEWLINE,
        b'.' => OTHER,
        _ => panic!("not a class letter"),
    }
}

const BLOCK_LEN: usize = 1 << classes::BLOCK_SHIFT;

/// The blocks of `classes.rs` as class bits, decoded at compile time.
static BLOCKS: [u8; classes::BLOCKS.len()] = {
    let letters = classes::BLOCKS.as_bytes();
    let mut bits = [0; classes::BLOCKS.len()];
    let mut i = 0;
    while i < letters.len() {
        bits[i] = class_of_letter(letters[i]);
        i += 1;
    }
    bits
};

/// The class of code point `code` (any, ASCII included).
#[inline]
fn class_of_code(code: u32) -> u8 {
    if code < classes::INDEX_END {
        let block = classes::BLOCK_INDEX[(code >> classes::BLOCK_SHIFT) as usize] as usize;
        BLOCKS[block * BLOCK_LEN + (code as usize & (BLOCK_LEN - 1))]
    } else {
        class_of_high_code(code)
    }
}

/// The class of a code point past the two-level table: a few ranges in plane 14, else other.
#[cold]
fn class_of_high_code(code: u32) -> u8 {
    classes::HIGH_RANGES
        .iter()
        .find(|&&(first, last, _)| (first..=last).contains(&code))
        .map_or(OTHER, |&(_, _, letter)| class_of_letter(letter))
}

/// The class and byte length of the char starting at byte `i` (a char boundary before the end).
#[inline]
fn class_at(b: &[u8], i: usize) -> (u8, usize) {
    let b0 = b[i];
    if b0 < 0x80 {
        (BYTE_CLASS[b0 as usize], 1)
    } else {
        non_ascii_class_at(b, i)
    }
}

/// [`class_at`] for a char of two to four bytes, decoded by hand: `b` is valid UTF-8 (it comes
/// from a `&str`) and `i` a char boundary, so the continuation bytes are there.
#[inline]
fn non_ascii_class_at(b: &[u8], i: usize) -> (u8, usize) {
    let b0 = u32::from(b[i]);
    let cont = |k: usize| u32::from(b[i + k]) & 0x3f;
    let (code, len) = if b0 < 0xe0 {
        (((b0 & 0x1f) << 6) | cont(1), 2)
    } else if b0 < 0xf0 {
        (((b0 & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    };
    (class_of_code(code), len)
}

/// The class of the char at `i`, or 0 (no class) at the end of the text.
#[inline]
fn class_or_end(b: &[u8], i: usize) -> (u8, usize) {
    if i < b.len() {
        class_at(b, i)
    } else {
        (0, 0)
    }
}

/// The end of the longest run of chars in the classes `MASK` starting at byte `i`.
///
/// Word-length runs end at a hard-to-predict place, so a byte-by-byte loop pays a mispredicted
/// branch per run. For the classes whose ASCII part is a byte range (letters, lower or upper
/// case, digits), eight ASCII bytes are tested at once instead ([`ascii_members`]) and the end is
/// found with `trailing_zeros`, so a run shorter than eight bytes costs one predictable branch.
#[inline]
fn run<const MASK: u8>(b: &[u8], mut i: usize) -> usize {
    while let Some(&byte) = b.get(i) {
        if byte >= 0x80 {
            let (class, len) = non_ascii_class_at(b, i);
            if class & MASK == 0 {
                break;
            }
            i += len;
            continue;
        }
        if let Some(word) = b.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            if let Some(members) = ascii_members::<MASK>(word) {
                let stop = !members & splat(0x80);
                if stop == 0 {
                    i += 8;
                    continue;
                }
                i += (stop.trailing_zeros() / 8) as usize;
                if b[i] < 0x80 {
                    break;
                }
                continue;
            }
        }
        if BYTE_CLASS[byte as usize] & MASK == 0 {
            break;
        }
        i += 1;
    }
    i
}

/// `x` in every byte of a `u64`.
const fn splat(x: u8) -> u64 {
    x as u64 * 0x0101_0101_0101_0101
}

/// The bytes of `word` (eight bytes of text, little-endian) that are ASCII chars of the classes
/// `MASK`, as the high bit of each such byte; `None` when `MASK`'s ASCII part is not one of the
/// ranges handled here.
///
/// SWAR ("SIMD within a register"): with `x` a byte below 0x80, `x + (0x80 - lo)` has its high
/// bit set iff `x >= lo`, and `x + (0x7f - hi)` iff `x > hi`; neither sum carries into the next
/// byte. Letters are the range `a..=z` after setting bit 5, which maps `A..=Z` onto it and no
/// other byte.
#[inline]
fn ascii_members<const MASK: u8>(word: u64) -> Option<u64> {
    let (fold, lo, hi) = match MASK {
        LETTER => (0x20, b'a', b'z'),
        LOWER | CASED_LOWER => (0, b'a', b'z'),
        UPPER | CASED_UPPER => (0, b'A', b'Z'),
        NUMBER => (0, b'0', b'9'),
        _ => return None,
    };
    let x = (word | splat(fold)) & splat(0x7f);
    let at_least_lo = x + splat(0x80 - lo);
    let above_hi = x + splat(0x7f - hi);
    // `!word`: bytes from 0x80 up are never members (their chars are classified one by one).
    Some(at_least_lo & !above_hi & !word & splat(0x80))
}

/// The end of `[\r\n]*` from `i`.
#[inline]
fn newline_run(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// The end of `[\r\n/]*` from `i`.
#[inline]
fn newline_slash_run(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b'\r' | b'\n' | b'/')) {
        i += 1;
    }
    i
}

/// The end of up to `max` chars of `\p{N}` from `i`.
#[inline]
fn digits(b: &[u8], mut i: usize, max: usize) -> usize {
    for _ in 0..max {
        let (class, len) = class_or_end(b, i);
        if class & NUMBER == 0 {
            break;
        }
        i += len;
    }
    i
}

/// The byte length of `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`, 0 if it does not match.
///
/// Case-insensitive under Unicode simple case folding, as in the `regex` crate (and so in
/// fancy-regex): besides ASCII upper case, `ſ` (U+017F, bytes C5 BF) matches `s`. The alternatives
/// share no prefix, so their order does not matter.
#[inline]
fn contraction_ci(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&b'\'') {
        return 0;
    }
    let second = |lower: u8| {
        b.get(i + 2)
            .is_some_and(|c| c.to_ascii_lowercase() == lower)
    };
    match b.get(i + 1).map(u8::to_ascii_lowercase) {
        Some(b's' | b't' | b'm' | b'd') => 2,
        Some(b'r' | b'v') if second(b'e') => 3,
        Some(b'l') if second(b'l') => 3,
        Some(0xc5) if b.get(i + 2) == Some(&0xbf) => 3,
        _ => 0,
    }
}

/// The byte length of GPT-2's case-sensitive `'s|'t|'re|'ve|'m|'ll|'d` at `i`, 0 if none.
#[inline]
fn contraction_cs(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&b'\'') {
        return 0;
    }
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b's' | b't' | b'm' | b'd'), _) => 2,
        (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => 3,
        _ => 0,
    }
}

/// The whitespace alternatives at `p`, where a `\s` char starts: `\s*[\r\n]+|\s+(?!\S)|\s+` when
/// `NEWLINES` (cl100k, o200k, Qwen), `\s+(?!\S)|\s+` when not (GPT-2), preceded by `\s++$` when
/// `END_RUN` (tiktoken's cl100k: `\s++$|\s*[\r\n]|\s+(?!\S)|\s`).
///
/// Let `p..q` be the maximal whitespace run. `\s++$` matches it whole iff `q` is the end of the
/// text. `\s*[\r\n]+`: `\s*` backs off from `q` to the last `\r`/`\n` of the run, and `[\r\n]+`
/// then matches it and stops (the next char is no newline), so the piece ends just after the last
/// newline; tiktoken's `\s*[\r\n]` gives the same end. `\s+(?!\S)` matches `p..q` if `q` is the end
/// of the text; otherwise a non-space follows and it backs off one char, which needs a run of two
/// chars or more. Else `\s+` (or `\s`) is the one-char run.
#[inline]
fn whitespace_piece_end<const NEWLINES: bool, const END_RUN: bool>(b: &[u8], p: usize) -> usize {
    let mut i = p;
    let mut last_start = p;
    let mut after_newline = None;
    while i < b.len() {
        let (class, len) = class_at(b, i);
        if class & WHITESPACE == 0 {
            break;
        }
        if NEWLINES && class == NEWLINE {
            after_newline = Some(i + len);
        }
        last_start = i;
        i += len;
    }
    let q = i;
    if q == b.len() && (END_RUN || after_newline.is_none()) {
        return q;
    }
    if let Some(end) = after_newline {
        return end;
    }
    if last_start > p {
        last_start
    } else {
        q
    }
}

/// The end of the piece at `p` for the cl100k family: [`CL100K_PATTERN`] (`MAX_DIGITS` 3),
/// [`QWEN_PATTERN`] (1), [`CL100K_TIKTOKEN_PATTERN`] (3, `TIKTOKEN`).
#[inline]
fn cl100k_piece_end<const MAX_DIGITS: usize, const TIKTOKEN: bool>(b: &[u8], p: usize) -> usize {
    let (class, len) = class_at(b, p);
    // [^\r\n\p{L}\p{N}]?\p{L}+ without its prefix, tested before the contractions (which start
    // with an apostrophe, not a letter) since it is the most frequent piece.
    if class & LETTER != 0 {
        return run::<LETTER>(b, p + len);
    }
    // (?i:'s|'t|'re|'ve|'m|'ll|'d), or tiktoken's '(?i:[sdmt]|ll|ve|re): the same strings.
    let n = contraction_ci(b, p);
    if n > 0 {
        return p + n;
    }
    // The prefix char then letters. Prefix and letters are disjoint classes, so the letters are
    // one maximal run, with or without tiktoken's possessive `?+`.
    let (next, next_len) = class_or_end(b, p + len);
    if class & PREFIX != 0 && next & LETTER != 0 {
        return run::<LETTER>(b, p + len + next_len);
    }
    // \p{N}{1,3}, or Qwen's \p{N}.
    if class & NUMBER != 0 {
        return digits(b, p + len, MAX_DIGITS - 1);
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n]*: the space first, then without it (a space is not a symbol).
    if b[p] == b' ' && next & SYMBOL != 0 {
        return newline_run(b, run::<SYMBOL>(b, p + 1 + next_len));
    }
    if class & SYMBOL != 0 {
        return newline_run(b, run::<SYMBOL>(b, p + len));
    }
    // Only whitespace is left.
    whitespace_piece_end::<true, TIKTOKEN>(b, p)
}

/// The end of o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` matched at `s`,
/// or `None`.
///
/// The two classes share `Lm`, `Lo` and `M`, so the greedy first run may have to give chars back.
/// It first takes the maximal run of [`CASED_UPPER`] chars, `s..e`. If the char at `e` is in
/// [`CASED_LOWER`] (then it is `Ll`), the second run starts there and is maximal. Otherwise the first
/// run backs off to the last `Lm`/`Lo`/`M` char in `s..e`, which starts the second run; that run is
/// that single char, since what follows it is `Lu`/`Lt` or the char at `e`. With no such char the
/// alternative fails.
// Left to itself the compiler calls it out of line from its three call sites, which costs 15%
// more instructions on English text.
#[allow(clippy::inline_always)]
#[inline(always)]
fn o200k_lower_word_end(b: &[u8], s: usize, (class, len): (u8, usize)) -> Option<usize> {
    // `(class, len)` is the char at `s`, already classified by the caller. Words most often start
    // with an `Ll`: then the first run is empty.
    if class & CASED_UPPER == 0 {
        return (class & CASED_LOWER != 0).then(|| run::<CASED_LOWER>(b, s + len));
    }
    let e = run::<CASED_UPPER>(b, s + len);
    let (class, len) = class_or_end(b, e);
    if class & CASED_LOWER != 0 {
        return Some(run::<CASED_LOWER>(b, e + len));
    }
    // Most often the run's last char is the one (a run of CJK or kana before punctuation).
    let mut last = e - 1;
    while b[last] & 0xc0 == 0x80 {
        last -= 1;
    }
    if class_at(b, last).0 & CASED_LOWER != 0 {
        return Some(e);
    }
    let mut i = s;
    let mut after_last_shared = None;
    while i < last {
        let (class, len) = class_at(b, i);
        i += len;
        if class & CASED_LOWER != 0 {
            after_last_shared = Some(i);
        }
    }
    after_last_shared
}

/// The end of the piece at `p` for [`O200K_PATTERN`].
#[inline]
fn o200k_piece_end(b: &[u8], p: usize) -> usize {
    let (class, len) = class_at(b, p);
    // The two word alternatives,
    //   1. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
    //   2. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
    // each tried with the prefix char first, then without it. In 2 both runs are maximal, since
    // nothing after them can fail; the contraction is optional and greedy in both: taken when
    // it is there.
    if class & LETTER != 0 {
        // A letter is no prefix char: both start here. 1 fails only on a run of Lu/Lt that no
        // Ll follows, which 2 takes whole.
        let end = o200k_lower_word_end(b, p, (class, len))
            .unwrap_or_else(|| run::<CASED_LOWER>(b, run::<CASED_UPPER>(b, p + len)));
        return end + contraction_ci(b, end);
    }
    let (next, next_len) = class_or_end(b, p + len);
    if class & PREFIX != 0 {
        if next & (CASED_UPPER | CASED_LOWER) != 0 {
            if let Some(end) = o200k_lower_word_end(b, p + len, (next, next_len)) {
                return end + contraction_ci(b, end);
            }
        }
        // A mark is both a prefix char and a word char: 1 without the prefix then matches (the
        // mark itself is in the second class), before 2 is tried.
        if class == MARK {
            let end = o200k_lower_word_end(b, p, (class, len)).unwrap_or(p + len);
            return end + contraction_ci(b, end);
        }
        if next & CASED_UPPER != 0 {
            let end = run::<CASED_LOWER>(b, run::<CASED_UPPER>(b, p + len + next_len));
            return end + contraction_ci(b, end);
        }
    }
    // \p{N}{1,3}
    if class & NUMBER != 0 {
        return digits(b, p + len, 2);
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n/]*
    if b[p] == b' ' && next & SYMBOL != 0 {
        return newline_slash_run(b, run::<SYMBOL>(b, p + 1 + next_len));
    }
    if class & SYMBOL != 0 {
        return newline_slash_run(b, run::<SYMBOL>(b, p + len));
    }
    whitespace_piece_end::<true, false>(b, p)
}

/// The end of the piece at `p` for [`GPT2_PATTERN`] and [`R50K_TIKTOKEN_PATTERN`].
///
/// The two patterns agree: `'(?:[sdmt]|ll|ve|re)` are the same strings, a possessive run of one
/// class is followed by nothing that could take chars back, and `\s++$|\s+(?!\S)|\s` ends a
/// whitespace run where `\s+(?!\S)|\s+` does (see [`whitespace_piece_end`]).
#[inline]
fn gpt2_piece_end(b: &[u8], p: usize) -> usize {
    let n = contraction_cs(b, p);
    if n > 0 {
        return p + n;
    }
    //  ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+ : a space, then a run of one class; the space first,
    // then without it (a space is in none of the three classes, which cover all but whitespace).
    let (mut start, mut class) = (p, class_at(b, p).0);
    if b[p] == b' ' {
        let next = class_or_end(b, p + 1).0;
        if next & !WHITESPACE != 0 {
            (start, class) = (p + 1, next);
        }
    }
    if class & LETTER != 0 {
        return run::<LETTER>(b, start);
    }
    if class & NUMBER != 0 {
        return run::<NUMBER>(b, start);
    }
    if class & SYMBOL != 0 {
        return run::<SYMBOL>(b, start);
    }
    whitespace_piece_end::<false, false>(b, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Split = fn(&str, &mut dyn FnMut(usize, usize));

    fn pieces(split: Split, text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split(text, &mut |s, e| out.push(&text[s..e]));
        out
    }

    #[test]
    fn examples() {
        let cl100k: Split = |t, f| for_each_cl100k_piece(t, f);
        let tiktoken: Split = |t, f| for_each_cl100k_tiktoken_piece(t, f);
        let qwen: Split = |t, f| for_each_qwen_piece(t, f);
        let o200k: Split = |t, f| for_each_o200k_piece(t, f);
        let gpt2: Split = |t, f| for_each_gpt2_piece(t, f);
        assert_eq!(pieces(cl100k, "a \n\n b"), ["a", " \n\n", " b"]);
        assert_eq!(pieces(cl100k, "a\n  "), ["a", "\n", "  "]);
        assert_eq!(pieces(tiktoken, "a\n  "), ["a", "\n  "]);
        assert_eq!(
            pieces(cl100k, "'sx'x x'\u{17f}"),
            ["'s", "x", "'x", " x", "'\u{17f}"]
        );
        assert_eq!(pieces(qwen, "x1234"), ["x", "1", "2", "3", "4"]);
        assert_eq!(pieces(o200k, "\u{301}A."), ["\u{301}", "A", "."]);
        assert_eq!(
            pieces(o200k, "HELLO's World!\n/"),
            ["HELLO's", " World", "!\n/"]
        );
        assert_eq!(
            pieces(gpt2, "a   b 's'S"),
            ["a", "  ", " b", " '", "s", "'", "S"]
        );
        assert_eq!(pieces(gpt2, ""), Vec::<&str>::new());
    }

    /// Every char, in code point order.
    fn all_chars() -> String {
        (0..=0x10_ffff).filter_map(char::from_u32).collect()
    }

    /// The class letter of every code point (surrogates included, as other), from the `regex`
    /// crate's Unicode tables: the tables of fancy-regex, which the splitters must agree with.
    fn class_letters_from_regex_crate() -> Vec<u8> {
        let text = all_chars();
        let mut letters = vec![b'.'; 0x11_0000];
        for (pattern, letter) in [
            (r"[\p{Lu}\p{Lt}]+", b'U'),
            (r"\p{Ll}+", b'l'),
            (r"[\p{Lm}\p{Lo}]+", b'o'),
            (r"\p{M}+", b'm'),
            (r"\p{N}+", b'n'),
            (r"[\s&&[^\r\n]]+", b's'),
            (r"[\r\n]+", b'r'),
        ] {
            let re = regex::Regex::new(pattern).unwrap();
            for c in re.find_iter(&text).flat_map(|m| m.as_str().chars()) {
                assert_eq!(
                    letters[c as usize], b'.',
                    "U+{:04X} in two classes",
                    c as u32
                );
                letters[c as usize] = letter;
            }
        }
        letters
    }

    /// The text of `classes.rs` for the class letters of all code points.
    fn class_table_source(letters: &[u8]) -> String {
        use std::fmt::Write;
        const SHIFT: u32 = 7;
        let block_len = 1 << SHIFT;
        // The table ends after the last block, below plane 14, that is not all "other"; the few
        // ranges in plane 14 (tags are other, variation selectors marks) are listed apart.
        let last = (0..0xe_0000).rev().find(|&c| letters[c] != b'.').unwrap();
        let index_end = (last / block_len + 1) * block_len;
        let mut blocks: Vec<&[u8]> = Vec::new();
        let mut index = Vec::new();
        for block in letters[..index_end].chunks(block_len) {
            let id = blocks.iter().position(|&b| b == block).unwrap_or_else(|| {
                blocks.push(block);
                blocks.len() - 1
            });
            index.push(u8::try_from(id).expect("at most 256 distinct blocks"));
        }
        let mut high = Vec::new();
        let mut c = index_end;
        while c < letters.len() {
            let start = c;
            while c < letters.len() && letters[c] == letters[start] {
                c += 1;
            }
            if letters[start] != b'.' {
                high.push((start, c - 1, letters[start]));
            }
        }
        let mut out = String::new();
        out.push_str(
            "// @generated by `SUBWORDX_REGENERATE=1 cargo test -p subwordx-core --lib \
             pretokenize::fast::tests::class_table`\n\
             // from the `regex` crate's Unicode tables. Do not edit.\n\
             //\n\
             // The class of each code point as a letter (see `class_of_letter`): U = Lu/Lt,\n\
             // l = Ll, o = Lm/Lo, m = M, n = N, s = White_Space but \\r \\n, r = \\r \\n, . = other.\n\
             // The class of code point `c < INDEX_END` is letter `c % 128` of block\n\
             // `BLOCK_INDEX[c >> 7]` in `BLOCKS`; past `INDEX_END`, it is that of the range of\n\
             // `HIGH_RANGES` holding `c`, or other.\n\n",
        );
        writeln!(out, "pub(super) const BLOCK_SHIFT: u32 = {SHIFT};").unwrap();
        writeln!(out, "pub(super) const INDEX_END: u32 = 0x{index_end:X};\n").unwrap();
        writeln!(
            out,
            "pub(super) static BLOCK_INDEX: [u8; {}] = [",
            index.len()
        )
        .unwrap();
        for line in index.chunks(24) {
            let items: Vec<String> = line.iter().map(u8::to_string).collect();
            writeln!(out, "    {},", items.join(", ")).unwrap();
        }
        writeln!(out, "];\n").unwrap();
        writeln!(
            out,
            "/// {} blocks of {block_len} class letters.",
            blocks.len()
        )
        .unwrap();
        writeln!(out, "pub(super) const BLOCKS: &str = concat!(").unwrap();
        for (id, block) in blocks.iter().enumerate() {
            for (half, line) in block.chunks(64).enumerate() {
                let text = std::str::from_utf8(line).unwrap();
                let comment = if half == 0 {
                    format!(" // {id}")
                } else {
                    String::new()
                };
                writeln!(out, "    \"{text}\",{comment}").unwrap();
            }
        }
        writeln!(out, ");\n").unwrap();
        writeln!(
            out,
            "pub(super) const HIGH_RANGES: [(u32, u32, u8); {}] = [",
            high.len()
        )
        .unwrap();
        for (first, last, letter) in high {
            writeln!(out, "    (0x{first:X}, 0x{last:X}, b'{}'),", letter as char).unwrap();
        }
        writeln!(out, "];").unwrap();
        out
    }

    /// `classes.rs` is what the `regex` crate's tables give (run with `SUBWORDX_REGENERATE=1` to
    /// rewrite it), and [`class_at`] decodes every char and finds its class.
    #[test]
    fn class_table() {
        let letters = class_letters_from_regex_crate();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/pretokenize/fast/classes.rs"
        );
        let source = class_table_source(&letters);
        if std::env::var_os("SUBWORDX_REGENERATE").is_some() {
            std::fs::write(path, &source).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == source,
            "{path} is stale: rerun with SUBWORDX_REGENERATE=1"
        );
        let text = all_chars();
        let b = text.as_bytes();
        for (i, c) in text.char_indices() {
            let (class, len) = class_at(b, i);
            assert_eq!(len, c.len_utf8());
            let expected = class_of_letter(letters[c as usize]);
            assert_eq!(class, expected, "U+{:04X}", c as u32);
            assert_eq!(
                class & WHITESPACE != 0,
                c.is_whitespace(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    /// Each char that `(?i:x)` matches (in the `regex` crate) for a letter `x` of the
    /// contractions is accepted by [`contraction_ci`] in that letter's place, and these are ASCII
    /// upper and lower case plus `ſ` for `s`.
    #[test]
    fn case_folding_of_contraction_letters() {
        let text = all_chars();
        for contraction in ["s", "t", "re", "ve", "m", "ll", "d"] {
            for (k, letter) in contraction.char_indices() {
                let re = regex::Regex::new(&format!("(?i:{letter})")).unwrap();
                let folded: Vec<char> = re
                    .find_iter(&text)
                    .flat_map(|m| m.as_str().chars())
                    .collect();
                let mut expected = vec![letter.to_ascii_uppercase(), letter];
                if letter == 's' {
                    expected.push('\u{17f}');
                }
                assert_eq!(folded, expected);
                for c in folded {
                    let text = format!("'{}{c}{}", &contraction[..k], &contraction[k + 1..]);
                    assert_eq!(contraction_ci(text.as_bytes(), 0), text.len(), "{text:?}");
                }
            }
        }
    }
}
