//! Normalizers: NFC/NFKC, lowercase, strip accents, with the alignment back to the input.
//! (Interface; implementation pending.)
use serde::{Deserialize, Serialize};

/// Unicode normalization form applied first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnicodeForm {
    Nfc,
    Nfkc,
}

/// What to do to a line before pre-tokenization. The default changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalizer {
    pub unicode: Option<UnicodeForm>,
    pub lowercase: bool,
    pub strip_accents: bool,
}

/// A normalized text and, for each of its bytes, the byte offset in the input of the char it came
/// from (`origin.len() == text.len()`), plus the input's length so spans can close at its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub origin: Vec<u32>,
}

impl Normalizer {
    /// True when `normalize` returns its input unchanged.
    pub fn is_identity(&self) -> bool {
        self.unicode.is_none() && !self.lowercase && !self.strip_accents
    }

    /// The normalized text without alignment (for counting).
    pub fn normalize_str<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let _ = self;
        std::borrow::Cow::Borrowed(text)
    }

    /// The normalized text with its alignment to `text` (for offsets).
    pub fn normalize(&self, text: &str) -> Normalized {
        let _ = self;
        let origin = (0..text.len() as u32).collect();
        Normalized {
            text: text.to_owned(),
            origin,
        }
    }
}
