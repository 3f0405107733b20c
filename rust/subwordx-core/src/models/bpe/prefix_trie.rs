//! The longest token that starts a byte string: a byte trie over a vocabulary.
//!
//! The backtracking encoder ([`super::backtrack`]) asks this once per token it emits, and a walk
//! is a chain of dependent memory reads, so the layout is built for few and small reads:
//!
//! * **A char per step.** Where the text has a multi-byte UTF-8 char, one probe of a table of
//!   char edges crosses all its bytes (a kanji is one probe, not three); the edge holds the
//!   longest token ending inside the char, since tokens may end between its bytes. Single bytes
//!   (ASCII, or the rest of a char a token split) step through a table of byte edges.
//! * **Stop early.** Each edge says whether any token lies deeper than its child; when none
//!   does the walk is over, without the probe that would fail.
//! * **Tokens are nodes.** A node that ends a token is numbered by that token's id (the other
//!   nodes after the vocabulary), so an edge also says which token ends at its child.
//! * Both tables are open addressing, at most half full, with slots of 8 and 16 bytes: a probe
//!   is one cache line.

const NONE: u32 = u32::MAX;
/// Bits of a node id in an edge: ids stay below `2^27 - 1`.
const NODE_BITS: u32 = 27;
const NODE_MASK: u64 = (1 << NODE_BITS) - 1;
/// The flag beside a child's id: some token lies deeper than the child.
const DEEPER: u64 = 1 << NODE_BITS;
/// The flag beside a child's id: some token below the child ends inside a multi-byte char (a
/// byte-level vocabulary may split a char between tokens). Without it, a char the child has
/// no char edge for ends the walk, without probing its bytes one by one.
const PARTIAL: u64 = 1 << (NODE_BITS + 1);
/// The field of a byte-edge slot below its key: the child id, [`DEEPER`] and [`PARTIAL`].
const CHILD_BITS: u32 = NODE_BITS + 2;
/// An empty slot in either table: its parent would be `2^27 - 1`, which no node is.
const EMPTY: u64 = u64::MAX;

/// Bytes of the UTF-8 char that starts with `lead` (1 for ASCII and continuation bytes).
#[inline]
fn char_len(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xFF => 4,
        _ => 1,
    }
}

/// A byte trie of tokens, answering "longest token that is a prefix of this text".
#[derive(Clone, Debug)]
pub(crate) struct PrefixTrie {
    /// Byte edges: `(parent << 8 | byte) << 29 | partial | deeper | child`.
    bytes: Box<[u64]>,
    byte_shift: u32,
    /// Char edges (multi-byte chars): key `parent << 32 | the char's bytes`, value
    /// `longest token inside the step << 32 | partial | deeper | child`.
    chars: Box<[(u64, u64)]>,
    char_shift: u32,
    /// The root's id.
    root: u32,
    /// [`PARTIAL`] of the root.
    root_partial: bool,
    /// Node ids below this are tokens (the vocabulary size).
    tokens: u32,
}

#[inline]
fn slot_of(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// The bits of a table of `count` entries at most half full: `(slots, shift)`.
fn table_size(count: usize) -> (usize, u32) {
    let slots = (count.max(1) * 2).next_power_of_two();
    (slots, 64 - slots.trailing_zeros())
}

/// The key of a char edge: the parent and up to 4 bytes.
#[inline]
fn char_key(parent: u32, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(u64::from(parent), |k, &b| (k << 8) | u64::from(b))
        << (8 * (4 - bytes.len()))
}

/// Whether a token lies at `m` or fewer than `left` bytes below it, in a trie
/// whose children of node `n` are `kids[first[n]..first[n + 1]]`.
fn token_within(
    m: usize,
    left: usize,
    node_token: &[u32],
    kids: &[(u8, u32)],
    first: &[usize],
) -> bool {
    left > 0
        && (node_token[m] != NONE
            || kids[first[m]..first[m + 1]]
                .iter()
                .any(|&(_, k)| token_within(k as usize, left - 1, node_token, kids, first)))
}

impl PrefixTrie {
    /// A trie of `tokens`, each `(bytes, id)` with ids below `vocab_size` and distinct byte
    /// strings (empty ones are ignored); and, by id, the longest of them that is a proper prefix
    /// of each (`NONE` if none, or not a token). `None` if the trie would need more node ids
    /// than an edge holds (a vocabulary of a hundred million bytes).
    pub(crate) fn new<'a>(
        vocab_size: usize,
        tokens: impl Iterator<Item = (&'a [u8], u32)>,
    ) -> Option<(Self, Box<[u32]>)> {
        // Built from the tokens in byte order, so nodes are made depth-first: a node's number
        // (provisional; the root is 0) is below its descendants', and the path from the root to
        // the previous token is all a new token can share.
        let mut sorted: Vec<(&[u8], u32)> = tokens.filter(|(b, _)| !b.is_empty()).collect();
        sorted.sort_unstable();
        let mut node_token: Vec<u32> = vec![NONE];
        let mut parent_of: Vec<(u32, u8)> = vec![(0, 0)];
        let mut path: Vec<u32> = vec![0];
        // The longest token at or above each node of the path.
        let mut above: Vec<u32> = vec![NONE];
        let mut shorter = vec![NONE; vocab_size].into_boxed_slice();
        let mut previous: &[u8] = &[];
        for &(bytes, id) in &sorted {
            let shared = bytes
                .iter()
                .zip(previous)
                .take_while(|(a, b)| a == b)
                .count();
            path.truncate(shared + 1);
            above.truncate(shared + 1);
            for &b in &bytes[shared..] {
                let node = node_token.len() as u32;
                node_token.push(NONE);
                parent_of.push((path[path.len() - 1], b));
                path.push(node);
                above.push(above[above.len() - 1]);
            }
            node_token[path[path.len() - 1] as usize] = id;
            shorter[id as usize] = above[above.len() - 2];
            *above.last_mut()? = id;
            previous = bytes;
        }
        let nodes = node_token.len();
        if (vocab_size + nodes) as u64 >= NODE_MASK {
            return None;
        }
        // Children of each node, in byte order: `kids[first[n]..first[n + 1]]`.
        let mut first = vec![0usize; nodes + 1];
        for &(p, _) in &parent_of[1..] {
            first[p as usize + 1] += 1;
        }
        for n in 0..nodes {
            first[n + 1] += first[n];
        }
        let mut kids = vec![(0u8, 0u32); nodes - 1];
        let mut fill = first.clone();
        for (c, &(p, b)) in parent_of.iter().enumerate().skip(1) {
            kids[fill[p as usize]] = (b, c as u32);
            fill[p as usize] += 1;
        }
        let children = |n: usize| &kids[first[n]..first[n + 1]];
        let mut deeper = vec![false; nodes];
        for n in (0..nodes).rev() {
            deeper[n] = children(n)
                .iter()
                .any(|&(_, c)| node_token[c as usize] != NONE || deeper[c as usize]);
        }
        // Whether a token below a node ends inside a multi-byte char that starts at the node.
        let ends_inside_char = |n: usize| {
            children(n).iter().any(|&(lead, c)| {
                char_len(lead) > 1
                    && token_within(c as usize, char_len(lead) - 1, &node_token, &kids, &first)
            })
        };
        let partial: Vec<bool> = (0..nodes).map(ends_inside_char).collect();
        let mut others = vocab_size as u32;
        let id_of: Vec<u32> = node_token
            .iter()
            .map(|&t| {
                if t == NONE {
                    others += 1;
                    others - 1
                } else {
                    t
                }
            })
            .collect();
        let child_field = |c: u32| {
            let c = c as usize;
            u64::from(id_of[c])
                | if deeper[c] { DEEPER } else { 0 }
                | if partial[c] { PARTIAL } else { 0 }
        };

        let (slots, byte_shift) = table_size(nodes - 1);
        let mut byte_table = vec![EMPTY; slots].into_boxed_slice();
        for (c, &(p, b)) in parent_of.iter().enumerate().skip(1) {
            let key = (u64::from(id_of[p as usize]) << 8) | u64::from(b);
            let mut s = slot_of(key, byte_shift);
            while byte_table[s] != EMPTY {
                s = (s + 1) & (slots - 1);
            }
            byte_table[s] = (key << CHILD_BITS) | child_field(c as u32);
        }

        // Every path from a node that spells one multi-byte char becomes a char edge.
        let mut char_edges: Vec<(u64, u64)> = Vec::new();
        let mut stack: Vec<(u32, [u8; 4], usize, u32)> = Vec::new();
        for (n, &parent) in id_of.iter().enumerate() {
            for &(lead, c) in children(n) {
                let len = char_len(lead);
                if len == 1 {
                    continue;
                }
                // Depth-first over the rest of the char: (node, bytes, count, longest token).
                stack.push((c, [lead, 0, 0, 0], 1, node_token[c as usize]));
                while let Some((m, spelled, count, best)) = stack.pop() {
                    if count == len {
                        let key = char_key(parent, &spelled[..len]);
                        char_edges.push((key, (u64::from(best) << 32) | child_field(m)));
                        continue;
                    }
                    for &(b, k) in children(m as usize) {
                        let t = node_token[k as usize];
                        let mut next = spelled;
                        next[count] = b;
                        stack.push((k, next, count + 1, if t == NONE { best } else { t }));
                    }
                }
            }
        }
        let (slots, char_shift) = table_size(char_edges.len());
        let mut char_table = vec![(EMPTY, 0); slots].into_boxed_slice();
        for (key, value) in char_edges {
            let mut s = slot_of(key, char_shift);
            while char_table[s].0 != EMPTY {
                s = (s + 1) & (slots - 1);
            }
            char_table[s] = (key, value);
        }
        let trie = Self {
            bytes: byte_table,
            byte_shift,
            chars: char_table,
            char_shift,
            root: id_of[0],
            root_partial: partial[0],
            tokens: vocab_size as u32,
        };
        Some((trie, shorter))
    }

    /// The child field (`deeper | child`) of `node`'s edge by byte `b`.
    #[inline]
    fn byte_step(&self, node: u32, b: u8) -> Option<u64> {
        let key = (u64::from(node) << 8) | u64::from(b);
        let mask = self.bytes.len() - 1;
        let mut s = slot_of(key, self.byte_shift);
        loop {
            let e = self.bytes[s];
            if e >> CHILD_BITS == key {
                return Some(e & ((1 << CHILD_BITS) - 1));
            }
            if e == EMPTY {
                return None;
            }
            s = (s + 1) & mask;
        }
    }

    /// The value (`longest token << 32 | deeper | child`) of `node`'s edge by a whole char.
    #[inline]
    fn char_step(&self, node: u32, char_bytes: &[u8]) -> Option<u64> {
        let key = char_key(node, char_bytes);
        let mask = self.chars.len() - 1;
        let mut s = slot_of(key, self.char_shift);
        loop {
            let (k, v) = self.chars[s];
            if k == key {
                return Some(v);
            }
            if k == EMPTY {
                return None;
            }
            s = (s + 1) & mask;
        }
    }

    /// The longest token that is a prefix of `text` (`NONE` if none, or `text` is empty).
    #[inline]
    pub(crate) fn longest(&self, text: &[u8]) -> u32 {
        let mut node = self.root;
        let mut partial = self.root_partial;
        let mut best = NONE;
        let mut pos = 0;
        while pos < text.len() {
            let len = char_len(text[pos]);
            if len > 1 && pos + len <= text.len() {
                if let Some(v) = self.char_step(node, &text[pos..pos + len]) {
                    let inside = (v >> 32) as u32;
                    if inside != NONE {
                        best = inside;
                    }
                    if v & DEEPER == 0 {
                        return best;
                    }
                    node = (v & NODE_MASK) as u32;
                    partial = v & PARTIAL != 0;
                    pos += len;
                    continue;
                }
                // No token spells the whole char here; one may still end inside it.
                if !partial {
                    return best;
                }
                for &b in &text[pos..pos + len - 1] {
                    let Some(f) = self.byte_step(node, b) else {
                        break;
                    };
                    node = (f & NODE_MASK) as u32;
                    if node < self.tokens {
                        best = node;
                    }
                }
                return best;
            }
            let Some(f) = self.byte_step(node, text[pos]) else {
                return best;
            };
            node = (f & NODE_MASK) as u32;
            partial = f & PARTIAL != 0;
            if node < self.tokens {
                best = node;
            }
            if f & DEEPER == 0 {
                return best;
            }
            pos += 1;
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest prefix token, the slow way.
    fn longest_by_scan(tokens: &[(&[u8], u32)], text: &[u8]) -> u32 {
        tokens
            .iter()
            .filter(|(b, _)| !b.is_empty() && text.starts_with(b))
            .max_by_key(|(b, _)| b.len())
            .map_or(NONE, |&(_, id)| id)
    }

    #[test]
    fn finds_the_longest_prefix_token() {
        let toks: Vec<(&[u8], u32)> = vec![
            (b"a", 0),
            (b"ab", 1),
            (b"abcd", 2),
            (b"b", 3),
            (b"bcdef", 4),
            (b"c", 5),
        ];
        let (t, shorter) = PrefixTrie::new(6, toks.iter().copied()).unwrap();
        assert_eq!(t.longest(b""), NONE);
        assert_eq!(t.longest(b"a"), 0);
        assert_eq!(t.longest(b"ab"), 1);
        assert_eq!(t.longest(b"abc"), 1, "abc is a node but not a token");
        assert_eq!(t.longest(b"abcdx"), 2);
        assert_eq!(t.longest(b"bcde"), 3);
        assert_eq!(t.longest(b"bcdefg"), 4);
        assert_eq!(t.longest(b"ca"), 5);
        assert_eq!(t.longest(b"x"), NONE);
        assert_eq!(t.longest(b"xa"), NONE);
        assert_eq!(shorter[..], [NONE, 0, 1, NONE, 3, NONE]);
    }

    /// Tokens that end inside a multi-byte char, or start inside one, are found as the byte
    /// walk would find them.
    #[test]
    fn tokens_inside_multibyte_chars() {
        let kan = "漢".as_bytes(); // E6 BC A2
        let ji = "字".as_bytes(); // E5 AD 97
        let two: Vec<u8> = [kan, ji].concat();
        let mut owned: Vec<Vec<u8>> = vec![
            kan[..1].to_vec(),
            kan[..2].to_vec(),
            kan.to_vec(),
            two.clone(),
            [kan, &ji[..1]].concat(),
            kan[1..].to_vec(),
            [&kan[2..], ji].concat(),
            ji[..1].to_vec(),
            "é".as_bytes().to_vec(),
            "éa".as_bytes().to_vec(),
            b"a".to_vec(),
            "😀".as_bytes().to_vec(),
            "😀😀".as_bytes()[..5].to_vec(),
        ];
        for b in 0..=255u8 {
            if !owned.contains(&vec![b]) {
                owned.push(vec![b]);
            }
        }
        let toks: Vec<(&[u8], u32)> = owned
            .iter()
            .enumerate()
            .map(|(i, b)| (b.as_slice(), i as u32))
            .collect();
        let (t, shorter) = PrefixTrie::new(toks.len(), toks.iter().copied()).unwrap();
        let text = "漢字漢é字éa😀😀a漢".as_bytes();
        for start in 0..text.len() {
            for end in start..=text.len() {
                let s = &text[start..end];
                assert_eq!(t.longest(s), longest_by_scan(&toks, s), "{s:?}");
            }
        }
        for &(b, id) in &toks {
            assert_eq!(
                shorter[id as usize],
                longest_by_scan(&toks, &b[..b.len() - 1])
            );
        }
    }
}
