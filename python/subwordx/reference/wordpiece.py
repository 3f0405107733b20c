"""WordPiece, trained by the likelihood score and applied greedily (docs/wordpiece.md), written to
be read.

WordPiece (Schuster & Nakajima 2012; the model of BERT) grows a vocabulary as BPE does, by merging
adjacent symbols, but it does not merge the most *frequent* pair. It merges the pair whose parts
occur together most often *relative to how often they occur at all*::

    score(x, y) = count(x, y) / (count(x) · count(y))

A frequent pair of very frequent symbols (``##e`` ``##s``) scores low: its parts are everywhere
anyway. A pair whose parts are rarely seen apart scores high. With the corpus of HF's course::

    corpus words        hug ×10   pug ×5   pun ×12   bun ×4   hugs ×5
    initial symbols     h ##u ##g   p ##u ##g   p ##u ##n   b ##u ##n   h ##u ##g ##s
    counts              ##u 36, ##g 20, ##s 5, (##g, ##s) 5, (##u, ##g) 20, ...
    best pair           (##g, ##s): 5 / (20 · 5) = 1/20     → new piece "##gs"
                        ((##u, ##g) scores 20 / (36 · 20) = 1/36: frequent, but unsurprising)

Training (:func:`train`, §3), step by step:

1. With ``limit_alphabet``, only the most frequent chars are kept (§3.1).
2. A word ``c0 c1 ... cn`` becomes the symbols ``c0, ##c1, ..., ##cn`` (§3.2): the prefix ``##``
   marks a symbol that continues a word.
3. Ids: the special tokens, then the alphabet (every distinct initial symbol) in code point order,
   then each new piece as it is added (§3.3).
4. Count symbols and adjacent pairs, each word weighted by its count (§3.4).
5. Pick the best pair (§3.5): the highest score among pairs seen at least ``min_frequency`` times,
   compared *exactly* by cross-multiplying integers, never as rounded floats; ties go to the higher
   pair count, then the smaller left string, then the smaller right string. Merge it everywhere
   (``##un`` + ``##able`` = ``##unable``: the right part loses its prefix) and add the new piece to
   the vocabulary unless that string is already in it. Repeat until the vocabulary is full or no
   pair qualifies (§3.6).

Counts are kept up to date incrementally: a merge touches only the words that hold the pair (an
index from pair to words tells which); each such word's symbols and pairs are subtracted, the word
is merged, and its new symbols and pairs are added back. The best pair is then found by a scan over
all current pairs, O(pairs) per step: slow next to the Rust core's heap, simple to check.

Encoding a word (:func:`encode_word`, §2) is BERT's greedy longest-match-first: from the start of
the word take the longest vocabulary token (``##``-prefixed after the first), and go on after it;
a word that cannot be covered, or that is too long, is the unknown token as a whole.

The last section builds what the Python backend needs around the model: word counts made by BERT's
normalizer and pre-tokenizer (:func:`count_words`), and the HF ``tokenizer.json`` of BERT's pipeline
around a vocabulary (:func:`bert_document`, :func:`train_to_hf_json`, §4–5).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Any

from subwordx.errors import ConfigError, CorpusError, EmptyCorpusError, VocabSizeTooSmallError

# Shared with BPE, whose docs/bpe.md defines them in the same words: the alphabet limit (§3.1 here),
# the initial symbols with a continuing prefix and no suffix (§3.2), the string a merge makes and
# the left-to-right replacement of a pair in a word (§3.5).
from subwordx.reference.bpe import _limit_alphabet, _merge_word, initial_symbols, merge_string
from subwordx.reference.pipeline.normalizers import BertNormalizer, Normalizer
from subwordx.reference.pipeline.pre_tokenizers import (
    BertPreTokenizer,
    PreTokenizer,
    WhitespaceSplit,
    pre_tokenize_str,
)

__all__ = [
    "DEFAULT_SPECIAL_TOKENS",
    "Pair",
    "bert_document",
    "bert_normalizer",
    "count_words",
    "count_words_in_files",
    "count_words_in_texts",
    "encode_word",
    "piece_length",
    "settings_pre_tokenizer",
    "train",
    "train_to_hf_json",
    "word_symbols",
]

Pair = tuple[str, str]

DEFAULT_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


# --------------------------------------------------------------------------------------------------
# §2: encoding one word
# --------------------------------------------------------------------------------------------------


def encode_word(
    word: str,
    vocab_index: Container[str],
    unk_token: str = "[UNK]",
    prefix: str = "##",
    max_input_chars_per_word: int = 100,
) -> list[tuple[str, int, int]]:
    """Split one word into tokens, greedy longest-match-first, exactly as BERT and HF do (§2).

    Returns ``(token, start, end)`` per token, with ``word[start:end]`` the chars it covers.

    1. A word of more than ``max_input_chars_per_word`` chars is one ``unk_token`` covering it.
    2. From ``start = 0``, try every ``end`` from the right: the first ``word[start:end]`` (written
       ``prefix + word[start:end]`` after the first token) that is in the vocabulary is the token;
       go on from ``end``.
    3. If no ``end`` works at some ``start``, the whole word is one ``unk_token`` (the tokens found
       so far are dropped).

    This is the textbook loop, quadratic in the word's length; the Rust core walks a trie for the
    same answer in linear time.

    Example:
        >>> vocab = {"un", "##aff", "##able", "[UNK]"}
        >>> encode_word("unaffable", vocab)
        [('un', 0, 2), ('##aff', 2, 5), ('##able', 5, 9)]
        >>> encode_word("unaffablex", vocab)  # no token covers the final "x"
        [('[UNK]', 0, 10)]
    """
    if len(word) > max_input_chars_per_word:
        return [(unk_token, 0, len(word))]
    tokens: list[tuple[str, int, int]] = []
    start = 0
    while start < len(word):
        end = len(word)
        found: str | None = None
        while start < end:  # the longest candidate first
            candidate = word[start:end] if start == 0 else prefix + word[start:end]
            if candidate in vocab_index:
                found = candidate
                break
            end -= 1
        if found is None:
            return [(unk_token, 0, len(word))]
        tokens.append((found, start, end))
        start = end
    return tokens


# --------------------------------------------------------------------------------------------------
# §3: training
# --------------------------------------------------------------------------------------------------


def word_symbols(word: str, prefix: str = "##") -> list[str]:
    """The symbols a word starts as (§3.2): the first char as it is, every later one prefixed.

    Example:
        >>> word_symbols("hugs")
        ['h', '##u', '##g', '##s']
    """
    return initial_symbols(word, end_of_word_suffix=None, continuing_subword_prefix=prefix)


def piece_length(piece: str, prefix: str = "##") -> int:
    """A piece's length in chars, not counting a leading ``prefix`` (the ``max_piece_length``
    rule, §3.5).

    Example:
        >>> piece_length("##able"), piece_length("unable")
        (4, 6)
    """
    return len(piece) - len(prefix) if piece.startswith(prefix) else len(piece)


def _check_config(
    vocab_size: int,
    min_frequency: int,
    special_tokens: Sequence[str],
    limit_alphabet: int | None,
    max_piece_length: int | None,
    prefix: str,
) -> None:
    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not is_int(vocab_size) or vocab_size < 0:
        raise ConfigError(f"vocab_size must be a non-negative int, got {vocab_size!r}")
    if not is_int(min_frequency) or min_frequency < 0:
        raise ConfigError(f"min_frequency must be a non-negative int, got {min_frequency!r}")
    if limit_alphabet is not None and (not is_int(limit_alphabet) or limit_alphabet < 0):
        raise ConfigError(f"limit_alphabet must be None or an int >= 0, got {limit_alphabet!r}")
    if max_piece_length is not None and (not is_int(max_piece_length) or max_piece_length < 1):
        raise ConfigError(f"max_piece_length must be None or an int >= 1, got {max_piece_length!r}")
    if isinstance(special_tokens, str) or any(
        not isinstance(token, str) or token == "" for token in special_tokens
    ):
        raise ConfigError(f"special tokens must be non-empty strings, got {special_tokens!r}")
    if not isinstance(prefix, str):
        raise ConfigError(f"prefix must be a string, got {prefix!r}")


def _best_pair(
    pair_counts: Mapping[Pair, int],
    symbol_counts: Mapping[str, int],
    floor: int,
    max_piece_length: int | None,
    prefix: str,
) -> Pair | None:
    """The pair to merge next (§3.5), or None when no pair qualifies.

    A pair qualifies when it is seen at least ``floor`` times and its merged piece is not longer
    than ``max_piece_length``. Among those, ``p`` beats the best so far ``b`` when

    1. its score is higher: ``count(p) / (count(px) · count(py)) > count(b) / (count(bx) ·
       count(by))``, decided exactly as ``count(p) · count(bx) · count(by) > count(b) · count(px) ·
       count(py)`` (Python ints do not overflow; the Rust core uses 256-bit integers);
    2. on equal scores, its pair count is higher;
    3. then its left string is smaller, then its right string (code point order).
    """
    best: Pair | None = None
    best_count = best_x = best_y = 0  # count(b), count(bx), count(by)
    for pair, count in pair_counts.items():
        if count < floor:
            continue
        if max_piece_length is not None:
            merged = merge_string(pair[0], pair[1], prefix)
            if piece_length(merged, prefix) > max_piece_length:
                continue
        x_count, y_count = symbol_counts[pair[0]], symbol_counts[pair[1]]
        if best is not None:
            ours = count * best_x * best_y  # score(p) against score(b), cross-multiplied
            theirs = best_count * x_count * y_count
            if ours < theirs:
                continue
            if ours == theirs and (count, best) < (best_count, pair):
                # Equal scores: the higher pair count wins, then the smaller (x, y). Written as one
                # comparison: (count(p), b) < (count(b), p) means p has the lower count, or the same
                # count and the larger strings.
                continue
        best, best_count, best_x, best_y = pair, count, x_count, y_count
    return best


def train(
    word_counts: Mapping[str, int],
    *,
    vocab_size: int,
    min_frequency: int,
    special_tokens: Sequence[str],
    limit_alphabet: int | None = None,
    max_piece_length: int | None = None,
    prefix: str = "##",
) -> list[str]:
    """Learn a WordPiece vocabulary from word counts, exactly as docs/wordpiece.md §3 says.

    Args:
        word_counts: each distinct word (as the normalizer and pre-tokenizer made it) and how often
            it occurs. Empty words and zero counts are ignored.
        vocab_size: the size to grow the vocabulary to (special tokens included).
        min_frequency: pairs seen fewer times are never merged (0 means 1).
        special_tokens: tokens given the first ids, in this order (duplicates dropped).
        limit_alphabet: keep only this many most frequent chars (ties: smaller code point).
        max_piece_length: never make a piece longer than this many chars (prefix not counted).
        prefix: the continuing prefix, written before every symbol but a word's first.

    Returns:
        The vocabulary in id order: special tokens, alphabet (code point order), new pieces in the
        order training added them.

    Raises:
        ConfigError: a parameter outside its domain.
        VocabSizeTooSmallError: ``vocab_size`` cannot hold the special tokens and the alphabet.
        CorpusError: a negative count. EmptyCorpusError: no word with a positive count.

    Example:
        >>> corpus = {"hug": 10, "pug": 5, "pun": 12, "bun": 4, "hugs": 5}
        >>> vocab = train(corpus, vocab_size=14, min_frequency=1, special_tokens=["[UNK]"])
        >>> vocab[:8]  # special tokens, then the alphabet in code point order
        ['[UNK]', '##g', '##n', '##s', '##u', 'b', 'h', 'p']
        >>> vocab[8:]  # the new pieces in the order training added them
        ['##gs', 'pu', 'hu', 'bu', 'hugs', 'hug']

        The second step is a tie: after ``##gs``, all six pairs score 1/36, and ``(p, ##u)``, seen
        17 times, has the highest count.
    """
    _check_config(
        vocab_size, min_frequency, special_tokens, limit_alphabet, max_piece_length, prefix
    )
    for word, count in word_counts.items():
        if count < 0:
            raise CorpusError(f"word {word!r} has a negative count {count}")
    counts = {word: count for word, count in word_counts.items() if count > 0 and word}
    if not counts:
        raise EmptyCorpusError("empty corpus: no word to learn from")

    # §3.1 Alphabet: with limit_alphabet, rare chars are removed from the words first.
    if limit_alphabet is not None:
        counts = _limit_alphabet(counts, limit_alphabet)

    # §3.2 Initial segmentation. words[i] is the current segmentation of a word, freq[i] its count.
    words = [word_symbols(word, prefix) for word in counts]
    freq = list(counts.values())

    # §3.3 Vocabulary: special tokens, then the alphabet in code point order ("##a" < "a"), each
    # string once (a symbol equal to a special token keeps the special token's id).
    vocab: list[str] = []
    known: set[str] = set()

    def add(token: str) -> None:
        if token not in known:
            known.add(token)
            vocab.append(token)

    for token in special_tokens:
        add(token)
    for symbol in sorted({symbol for symbols in words for symbol in symbols}):
        add(symbol)
    if vocab_size < len(vocab):
        raise VocabSizeTooSmallError(
            f"vocabulary size {vocab_size} is too small: the special tokens and the alphabet "
            f"already take {len(vocab)} entries (at least {len(vocab)} needed)"
        )

    # §3.4 Counts: symbols, adjacent pairs, and for each pair the words it occurs in. The index may
    # keep a word after the pair left it (a stale entry, skipped when met).
    symbol_counts: Counter[str] = Counter()
    pair_counts: Counter[Pair] = Counter()
    words_with: defaultdict[Pair, set[int]] = defaultdict(set)

    def count_word(index: int, sign: int) -> None:
        """Add (sign 1) or subtract (sign -1) word ``index``'s symbols and pairs."""
        symbols, weight = words[index], sign * freq[index]
        for symbol in symbols:
            symbol_counts[symbol] += weight
            if symbol_counts[symbol] == 0:
                del symbol_counts[symbol]
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += weight
            if pair_counts[pair] == 0:
                del pair_counts[pair]
            elif sign > 0:
                words_with[pair].add(index)

    for index in range(len(words)):
        count_word(index, 1)

    # §3.5–3.6 Merge the best pair until the vocabulary is full or no pair qualifies.
    floor = max(min_frequency, 1)
    while len(vocab) < vocab_size:
        best = _best_pair(pair_counts, symbol_counts, floor, max_piece_length, prefix)
        if best is None:
            break
        merged = merge_string(best[0], best[1], prefix)  # "un" + "##able" -> "unable"
        for index in sorted(words_with.pop(best)):
            new = _merge_word(words[index], best, merged)  # left to right: a a a -> aa a
            if len(new) == len(words[index]):
                continue  # a stale entry: the pair left this word in an earlier merge
            count_word(index, -1)
            words[index] = new
            count_word(index, 1)
        add(merged)  # a string already in the vocabulary keeps its id; the vocabulary stays
    return vocab


# --------------------------------------------------------------------------------------------------
# §4–5: the BERT pipeline around the model (the Python backend's training)
# --------------------------------------------------------------------------------------------------
#
# Settings, as `subwordx.train_wordpiece` passes them (defaults in brackets): vocab_size,
# min_frequency, special_tokens [BERT's five], unk_token ["[UNK]"], continuing_subword_prefix
# ["##"; "prefix" is read too], limit_alphabet [None], max_piece_length [None],
# max_input_chars_per_word [100], lowercase [true], strip_accents [None: follow lowercase],
# clean_text [true], handle_chinese_chars [true], pre_tokenizer ["bert" or "whitespace"],
# post_processor [true: BERT's `[CLS] A [SEP]` when both are special tokens; false: none; "template"
# is read too, and may also be a list such as ["[CLS]", "$A", "[SEP]"]].


def bert_normalizer(settings: Mapping[str, Any]) -> BertNormalizer:
    """BERT's normalizer from training settings: ``lowercase``, ``strip_accents``, ``clean_text``
    and ``handle_chinese_chars``."""
    return BertNormalizer(
        clean_text=bool(settings.get("clean_text", True)),
        handle_chinese_chars=bool(settings.get("handle_chinese_chars", True)),
        strip_accents=settings.get("strip_accents"),
        lowercase=bool(settings.get("lowercase", True)),
    )


def settings_pre_tokenizer(settings: Mapping[str, Any]) -> PreTokenizer:
    """``pre_tokenizer``: ``"bert"`` (whitespace, then each punctuation char alone; the default)
    or ``"whitespace"`` (runs of non-whitespace)."""
    name = settings.get("pre_tokenizer") or "bert"
    if name == "bert":
        return BertPreTokenizer()
    if name == "whitespace":
        return WhitespaceSplit()
    raise ConfigError(f"pre_tokenizer must be 'bert' or 'whitespace', got {name!r}")


def count_words(
    lines: Iterable[str], normalizer: Normalizer | None, pre_tokenizer: PreTokenizer
) -> Counter[str]:
    """Count the words of a corpus: normalize each line, pre-tokenize it, count the pieces.

    A string holding ``\\n`` is several lines, as for BPE (docs/bpe.md §1).

    Example:
        >>> count_words(["Hugs, hugs!"], BertNormalizer(), BertPreTokenizer())
        Counter({'hugs': 2, ',': 1, '!': 1})
    """
    counts: Counter[str] = Counter()
    for chunk in lines:
        for line in chunk.split("\n"):
            if normalizer is not None:
                line = normalizer.normalize_str(line)
            for piece, _ in pre_tokenize_str(pre_tokenizer, line):
                counts[piece] += 1
    return counts


def count_words_in_texts(texts: Iterable[str], settings: Mapping[str, Any]) -> Counter[str]:
    """Word counts of texts through the normalizer and pre-tokenizer the settings name."""
    return count_words(texts, bert_normalizer(settings), settings_pre_tokenizer(settings))


def count_words_in_files(
    paths: Sequence[str],
    settings: Mapping[str, Any],
    errors: str = "strict",
    progress: Callable[[str, int, int, str], None] | None = None,
) -> Counter[str]:
    """Word counts of UTF-8 files, as :func:`count_words_in_texts`; ``errors="strict"`` raises
    InvalidUtf8Error at the first bad byte, ``"replace"`` substitutes U+FFFD (as BPE's)."""
    from subwordx.reference.tokenizer import _read_corpus_file  # the one corpus-file reader

    counts: Counter[str] = Counter()
    normalizer, pre_tokenizer = bert_normalizer(settings), settings_pre_tokenizer(settings)
    for done, path in enumerate(paths):
        counts += count_words([_read_corpus_file(path, errors)], normalizer, pre_tokenizer)
        if progress is not None:
            progress("read", done + 1, len(paths), path)
    return counts


def _post_processor(template: Any, specials: Sequence[str], ids: Mapping[str, int]) -> Any:
    """The post-processor's JSON. ``template`` None or True: BERT's ``[CLS] A [SEP]`` (pairs
    ``[CLS] A [SEP] B [SEP]``) when both tokens are special tokens, else none; False: none; a
    list such as ``["[CLS]", "$A", "[SEP]"]``: that template (pairs: the template again for B)."""
    if template is None or isinstance(template, bool):
        if template is False or "[CLS]" not in specials or "[SEP]" not in specials:
            return None
        return {
            "type": "BertProcessing",
            "sep": ["[SEP]", ids["[SEP]"]],
            "cls": ["[CLS]", ids["[CLS]"]],
        }
    pieces = list(template)
    if pieces.count("$A") != 1 or any(p != "$A" and p not in specials for p in pieces):
        raise ConfigError(
            f"template must hold '$A' once and otherwise special tokens, got {pieces!r}"
        )

    def items(sequence: str, type_id: int) -> list[dict[str, Any]]:
        return [
            {"Sequence": {"id": sequence, "type_id": type_id}}
            if p == "$A"
            else {"SpecialToken": {"id": p, "type_id": type_id}}
            for p in pieces
        ]

    return {
        "type": "TemplateProcessing",
        "single": items("A", 0),
        "pair": items("A", 0) + items("B", 1),
        "special_tokens": {
            p: {"id": p, "ids": [ids[p]], "tokens": [p]} for p in dict.fromkeys(pieces) if p != "$A"
        },
    }


def bert_document(
    vocab: Mapping[str, int],
    *,
    special_tokens: Sequence[str],
    unk_token: str = "[UNK]",
    prefix: str = "##",
    max_input_chars_per_word: int = 100,
    lowercase: bool = True,
    strip_accents: bool | None = None,
    clean_text: bool = True,
    handle_chinese_chars: bool = True,
    pre_tokenizer: PreTokenizer | None = None,
    template: Any = None,
) -> dict[str, Any]:
    """The HF ``tokenizer.json`` document of BERT's pipeline around a WordPiece vocabulary (§4).

    ``BertNormalizer`` → ``BertPreTokenizer`` (or the ``pre_tokenizer`` given) → WordPiece →
    ``BertProcessing`` (see :func:`_post_processor` for ``template``) → the ``WordPiece`` decoder.
    Each special token is an added token (special, not normalized) with its vocabulary id.

    Raises:
        ConfigError: a special token or the unknown token is not in ``vocab``.
    """
    missing = [t for t in [*special_tokens, unk_token] if t not in vocab]
    if missing:
        raise ConfigError(f"{missing[0]!r} is not in the vocabulary")
    specials = list(dict.fromkeys(special_tokens))
    normalizer = BertNormalizer(clean_text, handle_chinese_chars, strip_accents, lowercase)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": vocab[token],
                "content": token,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for token in sorted(specials, key=lambda t: vocab[t])
        ],
        "normalizer": normalizer.to_json(),
        "pre_tokenizer": (pre_tokenizer or BertPreTokenizer()).to_json(),
        "post_processor": _post_processor(template, specials, vocab),
        "decoder": {"type": "WordPiece", "prefix": prefix, "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": unk_token,
            "continuing_subword_prefix": prefix,
            "max_input_chars_per_word": max_input_chars_per_word,
            "vocab": dict(sorted(vocab.items(), key=lambda item: item[1])),
        },
    }


def train_to_hf_json(word_counts: Mapping[str, int], settings: Mapping[str, Any]) -> str:
    """Train on word counts and write the HF ``tokenizer.json`` of the BERT pipeline around the
    vocabulary (what the Python backend of ``train_wordpiece`` loads). The settings are listed
    at the top of this section; the unknown token is put first among the special tokens when
    it is not one of them.

    Example:
        >>> doc = json.loads(train_to_hf_json({"hug": 3}, {"vocab_size": 9, "min_frequency": 1}))
        >>> list(doc["model"]["vocab"])  # (##u, ##g) beats (h, ##u) on a tie: "#" < "h"
        ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '##g', '##u', 'h', '##ug']
    """
    specials = list(dict.fromkeys(settings.get("special_tokens", DEFAULT_SPECIAL_TOKENS) or ()))
    unk_token = settings.get("unk_token", "[UNK]")
    if not isinstance(unk_token, str) or not unk_token:
        raise ConfigError(f"unk_token must be a non-empty string, got {unk_token!r}")
    if unk_token not in specials:
        specials.insert(0, unk_token)
    prefix = settings.get("continuing_subword_prefix", settings.get("prefix", "##"))
    max_chars = settings.get("max_input_chars_per_word", 100)
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 0:
        raise ConfigError(f"max_input_chars_per_word must be an int >= 0, got {max_chars!r}")
    vocab = train(
        word_counts,
        vocab_size=settings["vocab_size"],
        min_frequency=settings["min_frequency"],
        special_tokens=specials,
        limit_alphabet=settings.get("limit_alphabet"),
        max_piece_length=settings.get("max_piece_length"),
        prefix=prefix,
    )
    doc = bert_document(
        {token: id for id, token in enumerate(vocab)},
        special_tokens=specials,
        unk_token=unk_token,
        prefix=prefix,
        max_input_chars_per_word=max_chars,
        lowercase=bool(settings.get("lowercase", True)),
        strip_accents=settings.get("strip_accents"),
        clean_text=bool(settings.get("clean_text", True)),
        handle_chinese_chars=bool(settings.get("handle_chinese_chars", True)),
        pre_tokenizer=settings_pre_tokenizer(settings),
        template=settings.get("template", settings.get("post_processor")),
    )
    return json.dumps(doc, ensure_ascii=False, indent=2)
