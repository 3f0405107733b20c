"""A model-agnostic tokenizer pipeline in pure Python, following HF ``tokenizers`` exactly.

It loads HF ``tokenizer.json`` documents and tiktoken ``.tiktoken`` rank files and encodes and
decodes as HF ``tokenizers`` and ``tiktoken`` do: same ids, tokens, char offsets, type ids,
special-token masks, word ids, truncation and padding. It is the oracle the Rust core is tested
against, and the ``SUBWORDX_BACKEND=python`` fallback, so it is written to be read. One idea per
module, in pipeline order:

* :mod:`.alignment` - normalized text that remembers, per char, where it came from.
* :mod:`.added_tokens` - special and other added tokens, cut out of the text first.
* :mod:`.normalizers` - NFC/NFD/NFKC/NFKD, lowercase, strip accents, replace, BERT's, ...
* :mod:`.pre_tokenizers` - byte-level, regex split, whitespace, punctuation, digits, metaspace.
* :mod:`.bpe_model` - HF's BPE (merges, byte fallback, dropout, ...) and tiktoken's ranked BPE.
* :mod:`.encoding` - the Encoding record, truncation and padding.
* :mod:`.post_processors` - templates, BERT/RoBERTa special tokens, byte-level offset trimming.
* :mod:`.decoders` - token strings back to text, and a streaming decoder.
* :mod:`.tokenizer` - :class:`PipelineTokenizer`, the whole pipeline and its file formats.

Example:
    >>> from subwordx.reference.pipeline import load_hf  # doctest: +SKIP
    >>> tok = load_hf("tokenizer.json")  # doctest: +SKIP
    >>> tok.encode("Hello world").tokens  # doctest: +SKIP
    ['Hello', 'Ġworld']
"""

from subwordx.reference.pipeline.tokenizer import PipelineTokenizer, load_hf, load_tiktoken

__all__ = ["PipelineTokenizer", "load_hf", "load_tiktoken"]
