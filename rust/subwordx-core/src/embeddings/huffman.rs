//! The Huffman tree of hierarchical softmax, built exactly like word2vec.c's `CreateBinaryTree`.
//!
//! The counts are taken in vocabulary order (count descending). Leaves are `0..V`, inner nodes
//! `V..2V-1` in creation order; two pointers walk the (sorted) leaves from the rarest upwards and the
//! inner nodes in creation order, always taking the smaller count. On a tie word2vec.c takes the
//! *inner node* (`if (count[pos1] < count[pos2])` is strict); we copy that comparison verbatim. The
//! second of the two nodes merged gets code bit 1. `points` are inner-node indices `0..V-1`
//! (node `V + a` is point `a`; the root is `V - 2`) and, like `codes`, run from the root down.
//! O(V) time after the vocabulary sort.

/// Codes and points of every word, flattened (word `i` owns `offsets[i]..offsets[i + 1]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Huffman {
    pub codes: Vec<u8>,
    pub points: Vec<u32>,
    pub offsets: Vec<usize>,
}

impl Huffman {
    /// Builds the tree over `counts` (vocabulary order). A vocabulary of one word has empty paths.
    ///
    /// Any counts give a valid prefix code. Counts in vocabulary order (non-increasing) give the
    /// Huffman tree, whose depth is below 140 for counts >= 1 (a leaf at depth d needs a total of
    /// at least Fibonacci(d) times its count, and the total is below 2^96); [`super::vocab::Vocab`]
    /// checks that order and that no count is 0 before a model is trained, so the codes take
    /// O(V) memory.
    pub fn new(counts: &[u64]) -> Self {
        let v = counts.len();
        let mut offsets = Vec::with_capacity(v + 1);
        offsets.push(0);
        if v < 2 {
            offsets.extend(std::iter::repeat_n(0, v));
            return Self {
                codes: Vec::new(),
                points: Vec::new(),
                offsets,
            };
        }
        // count[0..v] leaves, count[v..2v] inner nodes in creation order. word2vec.c marks the
        // inner nodes not yet created with a count of 1e15 and lets the comparison skip them; that
        // breaks once a real count reaches 1e15 (a leaf then loses to a node that does not exist).
        // Here an inner node is a candidate only once created (`pos2 < v + a`), and counts are
        // summed in u128: V < 2^32 counts below 2^64 cannot overflow it, so the tree is the exact
        // Huffman tree of any u64 counts (and the same as word2vec.c's below 1e15).
        let mut count: Vec<u128> = Vec::with_capacity(2 * v);
        count.extend(counts.iter().map(|&c| u128::from(c)));
        count.resize(2 * v, 0);
        let mut parent = vec![0usize; 2 * v];
        let mut binary = vec![0u8; 2 * v];
        let mut pos1 = v as isize - 1;
        let mut pos2 = v;
        // `created`: inner nodes made so far end before v + created. Before each pick at least one
        // node is available (a pass consumes two of the v - a nodes left and adds one), so when no
        // leaf is left, an inner node is.
        let pick = |count: &[u128], pos1: &mut isize, pos2: &mut usize, created: usize| -> usize {
            let leaf_left = *pos1 >= 0;
            let inner_left = *pos2 < v + created;
            if leaf_left && (!inner_left || count[*pos1 as usize] < count[*pos2]) {
                *pos1 -= 1;
                (*pos1 + 1) as usize
            } else {
                *pos2 += 1;
                *pos2 - 1
            }
        };
        for a in 0..v - 1 {
            let min1 = pick(&count, &mut pos1, &mut pos2, a);
            let min2 = pick(&count, &mut pos1, &mut pos2, a);
            count[v + a] = count[min1] + count[min2];
            parent[min1] = v + a;
            parent[min2] = v + a;
            binary[min2] = 1;
        }
        let root = 2 * v - 2;
        let mut codes = Vec::new();
        let mut points = Vec::new();
        let mut path_codes = Vec::new();
        let mut path_points = Vec::new();
        for leaf in 0..v {
            path_codes.clear();
            path_points.clear();
            let mut b = leaf;
            while b != root {
                path_codes.push(binary[b]);
                b = parent[b];
                path_points.push((b - v) as u32);
            }
            codes.extend(path_codes.iter().rev());
            points.extend(path_points.iter().rev());
            offsets.push(codes.len());
        }
        Self {
            codes,
            points,
            offsets,
        }
    }

    /// The code bits of word `i`, root first.
    pub fn code(&self, i: usize) -> &[u8] {
        &self.codes[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The inner nodes on word `i`'s path, root first.
    pub fn point(&self, i: usize) -> &[u32] {
        &self.points[self.offsets[i]..self.offsets[i + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_example_with_ties() {
        // counts 4, 2, 1, 1 (V = 4). word2vec.c:
        // a=0: pos1=3 (1) vs pos2=4 (1e15) -> 3; then 2 (1) -> node4 = 2, binary[2]=1.
        // a=1: pos1=1 (2) vs node4 (2): tie -> inner node 4; then leaf 1 (2) vs node5(1e15) -> 1.
        //      node5 = 4, parent[4]=parent[1]=5, binary[1]=1.
        // a=2: leaf 0 (4) vs node5 (4): tie -> node 5; then leaf 0 -> node6 = 8 (root), binary[0]=1.
        let h = Huffman::new(&[4, 2, 1, 1]);
        // points are node - V: node6 -> 2 (root), node5 -> 1, node4 -> 0.
        assert_eq!(h.code(0), &[1]);
        assert_eq!(h.point(0), &[2]);
        assert_eq!(h.code(1), &[0, 1]);
        assert_eq!(h.point(1), &[2, 1]);
        assert_eq!(h.code(2), &[0, 0, 1]);
        assert_eq!(h.point(2), &[2, 1, 0]);
        assert_eq!(h.code(3), &[0, 0, 0]);
        assert_eq!(h.point(3), &[2, 1, 0]);
    }

    #[test]
    fn prefix_code() {
        let counts: Vec<u64> = (1..=50u64).rev().map(|c| c * c % 97 + 1).collect();
        let mut sorted = counts.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let h = Huffman::new(&sorted);
        let v = sorted.len();
        for i in 0..v {
            assert!(!h.code(i).is_empty());
            assert_eq!(h.point(i)[0] as usize, v - 2);
            for j in 0..v {
                if i != j {
                    assert!(!h.code(j).starts_with(h.code(i)), "{i} prefixes {j}");
                }
            }
        }
        // Frequent words get codes no longer than rare ones.
        assert!(h.code(0).len() <= h.code(v - 1).len());
        assert_eq!(Huffman::new(&[7]).code(0), &[] as &[u8]);
    }

    /// word2vec.c's 1e15 sentinel made counts >= 1e15 pick inner nodes that did not exist yet
    /// (an index out of bounds at V = 3, an endless loop at V = 2). Any u64 counts now work.
    #[test]
    fn huge_counts() {
        for v in 1..6 {
            for &c in &[1_000_000_000_000_000u64, u64::MAX / 2, u64::MAX] {
                let counts = vec![c; v];
                let h = Huffman::new(&counts);
                assert_eq!(h.offsets.len(), v + 1);
                for i in 0..v {
                    assert!(h.code(i).len() < v.max(2));
                    for j in 0..v {
                        if i != j {
                            assert!(!h.code(j).starts_with(h.code(i)));
                        }
                    }
                }
            }
        }
        // Huge counts keep the shape small counts give.
        let small = Huffman::new(&[8, 4, 2, 1, 1]);
        let big = Huffman::new(&[8 << 60, 4 << 60, 2 << 60, 1 << 60, 1 << 60]);
        assert_eq!(small, big);
        assert_eq!(Huffman::new(&[u64::MAX, u64::MAX, 1]).code(2).len(), 2);
    }
}
