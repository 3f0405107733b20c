"""Structured fuzzing of the tokenizer loaders and the pipeline: tokenizer.json documents with
components, added-token flags, BPE options, truncation and padding swapped at random, loaded and
run through every encode/decode path. Anything but a subwordx.errors exception is a bug.

Usage: python fuzz/fuzz_tokenizer_files.py SEED SECONDS   (make fuzz)
"""
import json, random, sys, time, copy
import subwordx
from subwordx import Tokenizer
from subwordx.errors import SubwordxError
rng = random.Random(int(sys.argv[1]))
base = [json.loads(subwordx.train_bpe(texts=["hello world 123 ünïcode 東京 <s>"]*20, vocab_size=300, byte_level=bl, template=["<s>","$A","</s>"], special_tokens=["<s>","</s>"]).to_str("hf")) for bl in (True, False)]
comps = {
 "normalizer": [None, {"type":"NFKC"}, {"type":"Replace","pattern":{"Regex":"(?<=a)b"},"content":"x"}, {"type":"Prepend","prepend":"▁"}, {"type":"Strip","strip_left":True,"strip_right":True}, {"type":"BertNormalizer","clean_text":True,"handle_chinese_chars":True,"strip_accents":None,"lowercase":True}],
 "pre_tokenizer": [None, {"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":True}, {"type":"Split","pattern":{"Regex":"(?=x)|\\s"},"behavior":"MergedWithNext","invert":True}, {"type":"Digits","individual_digits":True}, {"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Punctuation","behavior":"Removed"}]}, {"type":"ByteLevel","add_prefix_space":True,"use_regex":True}],
 "post_processor": [None, {"type":"BertProcessing","sep":["</s>",1],"cls":["<s>",0]}, {"type":"RobertaProcessing","sep":["</s>",1],"cls":["<s>",0],"trim_offsets":True,"add_prefix_space":True}, {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":3}},{"Sequence":{"id":"B","type_id":1}}],"pair":[{"Sequence":{"id":"B","type_id":0}}],"special_tokens":{"<s>":{"id":"<s>","ids":[0,99999],"tokens":["<s>"]}}}],
 "decoder": [None, {"type":"Strip","content":" ","start":9,"stop":9}, {"type":"ByteFallback"}, {"type":"Replace","pattern":{"Regex":"["},"content":""}, {"type":"Metaspace"}],
 "truncation": [None, {"max_length":0,"stride":0,"strategy":"LongestFirst","direction":"Left"}, {"max_length":3,"stride":2,"strategy":"OnlySecond","direction":"Right"}, {"max_length":2,"stride":5}],
 "padding": [None, {"strategy":{"Fixed":1},"direction":"Left","pad_to_multiple_of":0,"pad_id":0,"pad_type_id":7,"pad_token":"<s>"}, {"strategy":"BatchLongest","pad_id":4294967295}],
}
added_opts = ["lstrip","rstrip","single_word","normalized","special"]
n = bad = 0; t = time.time(); ok_count = [0]
texts = ["hello <s> world", "東京 123  ", "", " x  y </s>", "a"*300, "é\u0301"*50]
while time.time() - t < float(sys.argv[2]):
    d = copy.deepcopy(rng.choice(base)); n += 1
    for k, opts in comps.items():
        if rng.random() < 0.5: d[k] = rng.choice(opts)
    for a in d["added_tokens"]:
        for o in added_opts:
            if rng.random() < 0.3: a[o] = not a.get(o)
    if rng.random() < 0.3: d["model"]["ignore_merges"] = True
    if rng.random() < 0.3: d["model"]["byte_fallback"] = True; d["model"]["fuse_unk"] = True
    if rng.random() < 0.2: d["model"]["unk_token"] = "<s>"
    if rng.random() < 0.2: d["model"]["dropout"] = rng.choice([0.0, 0.3, 1.0, 1.5, -1, "x", None])
    for backend in ("rust",):
        try:
            T = Tokenizer.from_str(json.dumps(d), backend=backend)
            for s in rng.sample(texts, 3):
                e = T.encode(s, rng.choice([None, "pair <s> x"])); e.offsets; e.word_ids; e.overflowing; T.decode(e.ids, skip_special_tokens=rng.random()<.5)
                st = T.decode_stream(); [st.step(i) for i in e.ids]
            T.encode_batch(texts, texts); T.encode_batch_lists(texts, threads=2)
            Tokenizer.from_str(T.to_str("subwordx")); T.to_str("hf"); ok_count[0] += 1
        except SubwordxError:
            pass
        except Exception as ex:
            bad += 1; print("BAD", type(ex).__name__, str(ex)[:300]); json.dump(d, open(f"/tmp/fz2_bad_{bad}.json","w"))
            if bad > 5: break
    if bad > 5: break
print("cases", n, "bad", bad, "fully ok", ok_count[0])
