//! The splitters that need no regex: whitespace, BERT's, punctuation, digits, and HF `Whitespace`
//! (`\w+|[^\w\s]+`) as a hand-written scan.

/// Maximal runs of non-whitespace chars. ASCII bytes are classified without decoding.
pub(super) fn for_each_whitespace_piece(text: &str, mut f: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (is_ws, len) = if b < 0x80 {
            // ASCII White_Space: \t \n \v \f \r and space.
            (matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or('\0');
            (c.is_whitespace(), c.len_utf8())
        };
        match (is_ws, start) {
            (true, Some(s)) => {
                f(s, i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        f(s, text.len());
    }
}

/// BERT punctuation: ASCII punctuation or Unicode general category P* (HF `is_bert_punc`).
pub(super) fn is_bert_punctuation(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    c.is_ascii_punctuation()
        || (!c.is_ascii()
            && matches!(
                get_general_category(c),
                G::ConnectorPunctuation
                    | G::DashPunctuation
                    | G::OpenPunctuation
                    | G::ClosePunctuation
                    | G::InitialPunctuation
                    | G::FinalPunctuation
                    | G::OtherPunctuation
            ))
}

/// Whitespace splits (and is dropped); each punctuation char is its own piece.
pub(super) fn for_each_bert_piece(text: &str, mut f: impl FnMut(usize, usize)) {
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                f(s, i);
            }
        } else if is_bert_punctuation(c) {
            if let Some(s) = start.take() {
                f(s, i);
            }
            f(i, i + c.len_utf8());
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        f(s, text.len());
    }
}

/// HF `Whitespace`: the matches of `\w+|[^\w\s]+` (word-char runs and runs of other non-spaces).
pub(super) fn for_each_word_or_symbol_run(text: &str, mut f: impl FnMut(usize, usize)) {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if is_word_char(c) {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut start = 0;
    let mut current = Class::Space;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if k != current {
            if current != Class::Space {
                f(start, i);
            }
            start = i;
            current = k;
        }
    }
    if current != Class::Space {
        f(start, text.len());
    }
}

/// `\w` as the `regex` crate and Oniguruma define it for Unicode text: alphabetic, marks,
/// decimal digits, connector punctuation, and join controls.
pub(super) fn is_word_char(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphabetic()
        || matches!(
            get_general_category(c),
            G::NonspacingMark
                | G::SpacingMark
                | G::EnclosingMark
                | G::DecimalNumber
                | G::ConnectorPunctuation
        )
        || c == '\u{200c}'
        || c == '\u{200d}'
}
