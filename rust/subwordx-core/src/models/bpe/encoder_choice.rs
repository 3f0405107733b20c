//! Which of two exact encoders takes a short byte-level piece: chosen by measuring them.
//!
//! A piece the piece cache does not hold can be encoded by replaying the merges (the array
//! scan) or by the search ([`super::backtrack`]). Both give the same ids, always; they differ in
//! speed, and which is faster depends on the text and the vocabulary, not on anything cheap to
//! see in the piece. Measured on first passes over the benchmark texts (`benches/RESULTS.md`,
//! "A filter in front of the merge table; search or replay, chosen by measurement"), search ÷
//! replay speed: Japanese 1.37x with `cl100k_base` and 1.14x with `o200k_base`; Chinese 0.88x
//! and 0.77x, with pieces of the same lengths. (The search's cost is a pair check per token, and pairs of hanzi rarely repeat; a
//! kana run's pairs do, and replay makes two or three merges per kana.)
//!
//! So each thread measures, in cycles of pieces: [`RUN`] pieces by replay, [`RUN`] by the
//! search, then a stretch by whichever cost less per byte in its run. Only the last pieces of
//! a run are timed: each encoder has its own tables, cold in the CPU caches while the other one
//! works, and a piece timed alone pays for that (timed one piece in sixteen, the search
//! measured three times dearer than replay on Japanese, where it is faster). The stretch starts
//! at [`FOLLOW_MIN`] pieces and doubles, up to [`FOLLOW_MAX`], while the measurements agree; a
//! change of mind starts it over. The price of following the text when it changes: at the
//! start of a text one piece in thirty goes to the dearer encoder, and once the measurements
//! have agreed for a while, one in five hundred. (Runs of 128 pieces after stretches of 1,024
//! cost Chinese with `o200k_base` 12-16% of its speed: the dearer encoder's tables evict the
//! cheaper one's from the CPU caches, so a run costs more than its share of pieces.)
//!
//! The choice changes speed only: the ids never depend on it.

use std::time::Instant;

/// Pieces per measuring run of one encoder.
const RUN: u32 = 64;
/// The first pieces of a run warm the encoder's tables up, untimed.
const WARM_UP: u32 = 16;
/// Pieces that follow a measurement: at first, and at most.
const FOLLOW_MIN: u32 = 2048;
const FOLLOW_MAX: u32 = 32 * 1024;

/// The two exact encoders of a short byte-level piece.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Encoder {
    #[default]
    Replay = 0,
    Search = 1,
}

/// One thread's measurements (kept with its piece cache, so they belong to one model).
#[derive(Clone, Debug, Default)]
pub(crate) struct EncoderChoice {
    /// Position of the next piece in the cycle.
    at: u32,
    /// Timed nanoseconds and bytes of the current cycle's runs, by [`Encoder`].
    nanos: [u64; 2],
    bytes: [u64; 2],
    /// The encoder the last measurement chose.
    follow: Encoder,
    /// Pieces in the current cycle's stretch (0 before the first measurement).
    stretch: u32,
}

/// What to do with one piece: which encoder, and whether to time it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) encoder: Encoder,
    pub(crate) timed: bool,
}

impl EncoderChoice {
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// The plan for the next piece.
    #[inline]
    pub(crate) fn plan(&mut self) -> Plan {
        let at = self.at;
        self.at = if at + 1 >= 2 * RUN + self.stretch.max(FOLLOW_MIN) {
            0
        } else {
            at + 1
        };
        if at < RUN {
            return Plan {
                encoder: Encoder::Replay,
                timed: at >= WARM_UP,
            };
        }
        if at < 2 * RUN {
            return Plan {
                encoder: Encoder::Search,
                timed: at - RUN >= WARM_UP,
            };
        }
        if at == 2 * RUN {
            self.decide();
        }
        Plan {
            encoder: self.follow,
            timed: false,
        }
    }

    /// Chooses the encoder that cost less per byte in this cycle's runs.
    fn decide(&mut self) {
        let per_byte =
            |e: Encoder| self.nanos[e as usize] as f64 / self.bytes[e as usize].max(1) as f64;
        let cheaper = if per_byte(Encoder::Search) < per_byte(Encoder::Replay) {
            Encoder::Search
        } else {
            Encoder::Replay
        };
        self.stretch = if self.stretch > 0 && cheaper == self.follow {
            (self.stretch * 2).min(FOLLOW_MAX)
        } else {
            FOLLOW_MIN
        };
        self.follow = cheaper;
        self.nanos = [0; 2];
        self.bytes = [0; 2];
    }

    /// Records a timed piece: `len` bytes by `encoder` in `nanos`.
    pub(crate) fn record(&mut self, len: usize, encoder: Encoder, nanos: u64) {
        self.nanos[encoder as usize] += nanos;
        self.bytes[encoder as usize] += len as u64;
    }
}

/// Runs `encode` for a piece of `len` bytes under `plan`, timing it when the plan says so.
#[inline]
pub(crate) fn run_planned<R>(
    choice: &mut EncoderChoice,
    plan: Plan,
    len: usize,
    encode: impl FnOnce() -> R,
) -> R {
    if !plan.timed {
        return encode();
    }
    let start = Instant::now();
    let result = encode();
    let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    choice.record(len, plan.encoder, nanos);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `pieces` pieces with the given costs per byte; returns the plans.
    fn drive(choice: &mut EncoderChoice, pieces: u32, replay: u64, search: u64) -> Vec<Plan> {
        (0..pieces)
            .map(|_| {
                let plan = choice.plan();
                if plan.timed {
                    let cost = match plan.encoder {
                        Encoder::Replay => replay,
                        Encoder::Search => search,
                    };
                    choice.record(10, plan.encoder, 10 * cost);
                }
                plan
            })
            .collect()
    }

    #[test]
    fn measures_both_then_follows_the_cheaper() {
        let mut choice = EncoderChoice::default();
        let plans = drive(&mut choice, 2 * RUN + FOLLOW_MIN, 40, 20);
        let (runs, follow) = plans.split_at(2 * RUN as usize);
        let (replay, search) = runs.split_at(RUN as usize);
        assert!(replay.iter().all(|p| p.encoder == Encoder::Replay));
        assert!(search.iter().all(|p| p.encoder == Encoder::Search));
        let timed = |run: &[Plan]| run.iter().filter(|p| p.timed).count() as u32;
        assert_eq!(timed(replay), RUN - WARM_UP);
        assert_eq!(timed(search), RUN - WARM_UP);
        assert!(!replay[..WARM_UP as usize].iter().any(|p| p.timed));
        assert!(follow
            .iter()
            .all(|p| p.encoder == Encoder::Search && !p.timed));
        // The same answer again: the next stretch is twice as long.
        let plans = drive(&mut choice, 2 * RUN + 2 * FOLLOW_MIN, 40, 20);
        assert!(plans[2 * RUN as usize..]
            .iter()
            .all(|p| p.encoder == Encoder::Search && !p.timed));
        assert_eq!(choice.at, 0);
        // The text changes: the search becomes dearer, and the next cycle follows replay, for
        // the shortest stretch again.
        let plans = drive(&mut choice, 2 * RUN + FOLLOW_MIN, 30, 90);
        assert!(plans[2 * RUN as usize..]
            .iter()
            .all(|p| p.encoder == Encoder::Replay));
        assert_eq!(choice.at, 0);
    }
}
