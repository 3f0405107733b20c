//! Byte-pair encoding (BPE), exactly as `docs/bpe.md` defines it.
//!
//! BPE (Sennrich et al. 2016, after Gage 1994) starts from single symbols (chars, or the 256 bytes
//! in the byte-level variant of GPT-2) and repeatedly merges the most frequent adjacent pair of
//! symbols into a new symbol. The sequence of merges *is* the model: encoding a word replays them,
//! lowest rank first.
//!
//! * [`trainer`]: learns merges from [`crate::corpus::WordCounts`] with the classic incremental
//!   algorithm (pair counts + per-pair word lists + a lazily invalidated max-heap), as in HF
//!   `tokenizers`' `BpeTrainer`, sentencepiece's BPE trainer and rustbpe.
//! * [`model`]: the trained model and the O(n log n) encoder of one piece.
//!
//! ## Decisions where `docs/bpe.md` leaves room
//!
//! * **Stopping on size.** Training stops once the vocabulary has `vocab_size` entries; a merge whose
//!   string already exists adds no entry, so the number of merges may exceed
//!   `vocab_size - initial size`.
//! * **`max_token_length`** counts chars of the merged string *including* a continuing-subword
//!   prefix or end-of-word suffix it carries (what HF `tokenizers` does). Pairs that are too long
//!   are never chosen, but stay in the counts (so they do not change other pairs' counts).
//! * **`limit_alphabet`** ranks chars by the summed counts of the words they occur in, each
//!   occurrence counted (a char twice in a word counts twice). A word whose every char is dropped
//!   disappears.
//! * **Classic encoding of unknown symbols**: a symbol not in the vocabulary becomes `unk_token`
//!   (if set) *before* merging, so it never merges; without `unk_token` it is dropped before
//!   merging, and its neighbours may then merge with each other (as HF `tokenizers` does).

pub mod model;
pub mod trainer;

pub use model::{BpeModel, BpeSettings};
pub use trainer::{train, BpeTrainerConfig};

/// The GPT-2 `bytes_to_unicode` table: the char that stands for each byte in byte-level BPE.
///
/// Printable bytes `!`..`~`, `¡`..`¬`, `®`..`ÿ` stand for themselves; the other 68 bytes get
/// U+0100 onward, in byte order (openai/gpt-2 `encoder.py`).
pub(crate) fn byte_chars() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 0x100u32;
    for b in 0..=255u8 {
        let printable = (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
        table[b as usize] = if printable {
            char::from(b)
        } else {
            let c = char::from_u32(next).unwrap_or('\u{FFFD}');
            next += 1;
            c
        };
    }
    table
}

/// The inverse of [`byte_chars`]: the byte a byte-level char stands for, if it is one of the 256.
pub(crate) fn char_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        let b = u as u8;
        let printable = (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
        return printable.then_some(b);
    }
    // Non-printable bytes, in order, map to U+0100 + their index among the 68.
    let idx = u.checked_sub(0x100)?;
    if idx >= 68 {
        return None;
    }
    let mut k = 0;
    for b in 0..=255u8 {
        let printable = (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
        if !printable {
            if k == idx {
                return Some(b);
            }
            k += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_is_a_bijection() {
        let t = byte_chars();
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[b'a' as usize], 'a');
        for b in 0..=255u8 {
            assert_eq!(char_byte(t[b as usize]), Some(b));
        }
        let mut s: Vec<char> = t.to_vec();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 256);
    }
}
