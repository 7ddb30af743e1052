#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the bad-input corpus tests/data/bad/ (run from the repository root with /usr/bin/python3;
# numpy): one small file per kind of bad input. tests/data/bad/manifest.tsv (written by hand)
# says how each file is fed to mhla and what the run must answer; tests/cli/bad_input_corpus_test.cpp
# runs them all. Files too large to commit (a 10^6-digit integer) are made by the test itself.
import io, os, warnings, zipfile
warnings.simplefilter("ignore")  # the duplicate-member archive is made on purpose
import numpy as np

OUT = "tests/data/bad"
os.makedirs(OUT, exist_ok=True)

def w(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)

DS = '{"format": "mhla-dataset", "version": 1, "d": 2, "causal": false, "samples": [%s]}'
S1 = '{"Z": [[1, 2], [0, 1]], "y": [5, null]}'
MD = '{"format": "mhla-model", "version": 1, "d": 2, "causal": false, "heads": [%s]}'
H1 = '{"V": [[1, 0], [0, "1/2"]], "Q": [[0, 1], [1, 0]]}'
DFA = '{"format": "mhla-dfa", "version": 1, "states": %s, "alphabet": %s, "start": %s, "delta": %s}'

# Dataset JSON.
good_ds = DS % S1
w("ds_good.json", good_ds)  # the valid dataset the certificate cases use
w("ds_empty.json", "")
w("ds_truncated.json", good_ds[: len(good_ds) // 2])
w("ds_not_object.json", "[1, 2, 3]")
w("ds_d_string.json", good_ds.replace('"d": 2', '"d": "two"'))
w("ds_d_zero.json", good_ds.replace('"d": 2', '"d": 0'))
w("ds_d_negative.json", good_ds.replace('"d": 2', '"d": -2'))
w("ds_d_fraction.json", good_ds.replace('"d": 2', '"d": 2.5'))
w("ds_duplicate_key.json", good_ds.replace('"d": 2', '"d": 2, "d": 2'))
w("ds_unknown_key_Y.json", DS % '{"Z": [[1, 2], [0, 1]], "Y": [5, null]}')
w("ds_unknown_key_Causal.json", good_ds.replace('"causal": false', '"Causal": true'))
w("ds_wrong_format.json", good_ds.replace("mhla-dataset", "mhla-model"))
w("ds_version_2.json", good_ds.replace('"version": 1', '"version": 2'))
w("ds_empty_Z.json", DS % '{"Z": [], "y": [5, null]}')
w("ds_row_length.json", DS % '{"Z": [[1, 2, 3], [0, 1]], "y": [5, null]}')
w("ds_y_length.json", DS % '{"Z": [[1, 2], [0, 1]], "y": [5]}')
w("ds_huge_exponent.json", DS % '{"Z": [[1, 2], [0, 1]], "y": [3e100001, null]}')
w("ds_huge_neg_exponent.json", DS % '{"Z": [[1, "1e-100001"], [0, 1]], "y": [5, null]}')
w("ds_zero_denominator.json", DS % '{"Z": [[1, "1/0"], [0, 1]], "y": [5, null]}')
w("ds_nan_string.json", DS % '{"Z": [[1, "NaN"], [0, 1]], "y": [5, null]}')
w("ds_nan_literal.json", DS % '{"Z": [[1, NaN], [0, 1]], "y": [5, null]}')
w("ds_deep_nesting.json", "[" * 5000 + "]" * 5000)
w("ds_non_utf8.json", DS.encode() .replace(b"%s", ('{"Z": [[1, 2], [0, 1]], "y": [5, null], "comment": "\xff\xfe"}').encode("latin-1")))
w("ds_trailing_garbage.json", good_ds + " }x")
w("ds_trailing_nul.json", good_ds.encode() + b"\x00\x00")
w("ds_nul_in_string.json", good_ds.replace("mhla-dataset", "mhla-data\u0000set").encode())
w("ds_no_targets.json", DS % '{"Z": [[1, 2], [0, 1]]}')
w("ds_target_position.json", DS % '{"Z": [[1, 2], [0, 1]], "targets": [{"position": 5, "y": [1, 2]}]}')

# Model JSON.
good_md = MD % H1
w("md_truncated.json", good_md[:40])
w("md_heads_object.json", good_md.replace("[%s]" % H1, H1))
w("md_V_wrong_size.json", MD % '{"V": [[1, 0]], "Q": [[0, 1], [1, 0]]}')
w("md_missing_Q.json", MD % '{"V": [[1, 0], [0, 1]]}')
w("md_unknown_key.json", MD % '{"V": [[1, 0], [0, 1]], "Q": [[0, 1], [1, 0]], "W": 1}')
w("md_bool_entry.json", MD % '{"V": [[true, 0], [0, 1]], "Q": [[0, 1], [1, 0]]}')
w("md_d_huge.json", good_md.replace('"d": 2', '"d": 99999999999999999999'))

# DFA JSON.
w("dfa_state_out_of_range.json", DFA % (2, 2, 0, "[[0, 1], [1, 5]]"))
w("dfa_negative_states.json", DFA % (-1, 2, 0, "[]"))
w("dfa_zero_alphabet.json", DFA % (2, 0, 0, "[[], []]"))
w("dfa_start_out_of_range.json", DFA % (2, 2, 7, "[[0, 1], [1, 0]]"))
w("dfa_delta_short.json", DFA % (2, 2, 0, "[[0, 1]]"))

# Certificates for verify (the certificate for ds_good.json is written by the test with certify;
# these are the malformed ones).
w("cert_truncated.json", '{"format": "mhla-certificate", "version": 1, "dataset_sha256": "4baf')
w("cert_wrong_format.json", good_ds)
w("cert_not_json.json", "VALID\n")

# NumPy files.
def npy_bytes(arr):
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=True)
    return b.getvalue()

def member(z, name, data):  # a fixed timestamp, so that rerunning the script changes no file
    z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)

def npz(name, arrays, raw=None):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        for k, v in arrays.items():
            member(z, k + ".npy", npy_bytes(v))
        for k, v in (raw or {}).items():
            member(z, k, v)
    w(name, b.getvalue())

Z = np.arange(12, dtype=np.float64).reshape(2, 3, 2)
Y = np.arange(4, dtype=np.float64).reshape(2, 2)
npz("npz_nan_Z.npz", {"Z": np.where(Z == 3, np.nan, Z), "Y": Y})
npz("npz_inf_Y.npz", {"Z": Z, "Y": np.where(Y == 1, np.inf, Y)})
npz("npz_object_Z.npz", {"Z": np.array([[[1, "a"]]], dtype=object), "Y": Y[:1]})
npz("npz_missing_Z.npz", {"Y": Y})
npz("npz_Y_shape.npz", {"Z": Z, "Y": np.zeros((3, 2))})
npz("npz_zero_tokens.npz", {"Z": np.zeros((2, 0, 2)), "Y": Y})
npz("npz_complex_Z.npz", {"Z": Z.astype(np.complex128), "Y": Y})
hdr = npy_bytes(Z)
npz("npz_lying_header.npz", {"Y": Y}, {"Z.npy": hdr.replace(b"(2, 3, 2)", b"(9, 3, 2)")})
npz("npz_truncated_data.npz", {"Y": Y}, {"Z.npy": hdr[:-20]})
npz("npz_bad_magic.npz", {"Y": Y}, {"Z.npy": b"\x93NUMPX" + hdr[6:]})
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
    member(z, "Z.npy", npy_bytes(Z)); member(z, "Y.npy", npy_bytes(Y))
full = b.getvalue()
w("npz_truncated.npz", full[: len(full) // 2])
w("npz_not_zip.npz", b"PK\x03\x04 this is not really a zip archive")
npz("md_npz_nan.npz", {"V": np.array([[[np.nan, 0], [0, 1]]]), "Q": np.eye(2)[None]})
npz("md_npz_shape.npz", {"V": np.zeros((1, 2, 3)), "Q": np.eye(2)[None]})
w("npy_dataset.npy", npy_bytes(Z))  # a bare .npy where an .npz is expected

# More dataset, model, DFA and certificate files.
w("ds_semantics_unknown.json", good_ds.replace('"causal": false', '"causal": false, "number_semantics": "binary32"'))
w("ds_causal_string.json", good_ds.replace('"causal": false', '"causal": "yes"'))
w("ds_null_in_Z.json", DS % '{"Z": [[1, null], [0, 1]], "y": [5, null]}')
w("ds_bad_scalar.json", DS % '{"Z": [[1, "1.5.3"], [0, 1]], "y": [5, null]}')
w("ds_samples_object.json", good_ds.replace("[%s]" % S1, S1))
w("ds_y_string.json", DS % '{"Z": [[1, 2], [0, 1]], "y": "five"}')
w("md_huge_exponent.json", MD % '{"V": [[1, 0], [0, "1e200000"]], "Q": [[0, 1], [1, 0]]}')
w("md_nul.json", good_md.encode() + b"\x00")
w("dfa_unknown_key.json", (DFA % (2, 2, 0, "[[0, 1], [1, 0]]")).replace('"delta"', '"Delta"'))
w("dfa_not_object.json", "[[0, 1], [1, 0]]")
w("cert_duplicate_key.json", '{"format": "mhla-certificate", "format": "mhla-certificate", "version": 1}')
npz("md_npz_missing_Q.npz", {"V": np.eye(2)[None]})
npz("md_npz_object.npz", {"V": np.array([[[None, 0], [0, 1]]], dtype=object), "Q": np.eye(2)[None]})
npz("npz_Z_4d.npz", {"Z": Z[None], "Y": Y})
npz("npz_nan_f16_Y.npz", {"Z": Z, "Y": np.array([[0, np.nan], [1, 2]], dtype=np.float16)})
npz("npz_bad_header_dict.npz", {"Y": Y}, {"Z.npy": hdr.replace(b"'descr'", b"'dexcr'")})
npz("npz_duplicate_member.npz", {"Z": Z, "Y": Y}, {"Z.npy": npy_bytes(Z)})

# Weights for import.
npz("w_torch.npz", {}, {"archive/data.pkl": b"\x80\x02}q\x00."})
npz("w_missing_WK.npz", {"W_Q": np.zeros((1, 2, 2)), "W_V": np.zeros((1, 2, 2))})
npz("w_shape_mismatch.npz", {"W_Q": np.zeros((1, 2, 2)), "W_K": np.zeros((1, 3, 2)), "W_V": np.zeros((1, 2, 2))})
