// SPDX-License-Identifier: MIT
// A model written the PyTorch way (per head W_Q, W_K, W_V of shape (d_k, d), optional W_O of
// shape (d, d_k)) as the exact MHLA (proofs-notes/09-crosscheck.md, Lemma X5):
//   head h at position b:  W_O,h sum_m (W_V,h z_m) ((W_K,h z_m)^T (W_Q,h z_b)) * s
//                        = V_h G_b Q_h z_b  with  V_h = W_O,h W_V,h,  Q_h = s W_K,h^T W_Q,h,
// s the product of the scalings asked for (an exact rational, 1/sqrt(d_k), 1/H, 1/n).
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mhla/io/npz.hpp"
#include "mhla/model/model.hpp"

namespace mhla::crosscheck {

struct HeadWeights {
  Matrix<Rational> WQ, WK, WV;     // d_k x d each
  std::optional<Matrix<Rational>> WO;  // d x d_k; absent: the identity (d_k = d required)
};

struct ImportScaling {
  Rational scale = 1;                      // an exact factor (e.g. 1/2 for 1/sqrt(4))
  bool inverse_sqrt_dk = false;            // 1/sqrt(d_k): exact when d_k is a square, else rounded
  bool mean_heads = false;                 // 1/H
  std::optional<std::size_t> mean_tokens;  // 1/n for inputs of exactly n tokens
};

struct ImportedModel {
  Model<Rational> model;
  // (|W_O,h| |W_V,h|, |s| |W_K,h|^T |W_Q,h|): its output on |Z| bounds the rounding of a float
  // evaluation in the factored order (Lemma X5), where the model's own |V_h|, |Q_h| may not.
  Model<Rational> abs_model;
  std::size_t dk = 0;
  Rational scale;                  // s, as folded into every Q_h
  bool approximate = false;        // s rounded (1/sqrt(d_k) irrational)
  std::string note;                // what was rounded, when approximate
};

// The per-head weights in the arrays of an .npz: either W_Q, W_K, W_V of shape (H, d_k, d) and
// optional W_O of shape (H, d, d_k), or a state dict saved with np.savez, keys
// `heads.<h>.W_Q` (d_k, d), ..., `heads.<h>.W_O` (d, d_k) for h = 0..H-1 (a prefix before
// "heads." is allowed, e.g. `attn.heads.0.W_Q`). Bad input (Error(bad_input), naming the file and
// the array, with the shape expected and why) for anything else. Cost O(file size). @proof X5
std::vector<HeadWeights> weights_from_npz(const std::map<std::string, npz::Array>& arrays, const std::string& source);

// The MHLA of the weights (Lemma X5). Preconditions (checked, Error(bad_input)): at least one
// head, every head the same d_k and d, W_O present or d_k = d. Cost O(H d^2 d_k) exact operations.
// @proof X5
ImportedModel import_weights(const std::vector<HeadWeights>& heads, bool causal, const ImportScaling& scaling,
                             const std::string& source);

// True when the bytes are a torch.save archive (a zip with an entry ".../data.pkl").
bool looks_like_torch_save(std::string_view bytes);

}  // namespace mhla::crosscheck
