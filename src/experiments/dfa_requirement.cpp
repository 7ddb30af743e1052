// SPDX-License-Identifier: MIT
#include "mhla/experiments/dfa_requirement.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "mhla/features/features.hpp"
#include "mhla/linalg/echelon_mod_p.hpp"
#include "mhla/linalg/rank_certified.hpp"
#include "mhla/modp/prime_stream.hpp"
#include "mhla/support/error.hpp"

namespace mhla::experiments {
namespace {

using SparseGram = std::vector<std::pair<std::size_t, std::int64_t>>;

void add_token(std::map<std::size_t, std::int64_t>& G, std::size_t d, std::vector<std::size_t> token) {
  std::sort(token.begin(), token.end());
  for (std::size_t i = 0; i < token.size(); ++i)
    for (std::size_t j = i; j < token.size(); ++j) G[pair_index(d, token[i], token[j])] += 1;
}

// One block l: its columns (the pairs (j, k) with G[j][k] != 0 on some domain row), the
// distinct domain rows, the exact domain rank, and the training rows seen so far (mod p).
struct Block {
  std::map<std::size_t, std::size_t> column_of_pair;
  std::set<SparseGram> domain_rows;
  std::size_t domain_rank = 0;
  std::unique_ptr<EchelonModP> train;
  std::size_t train_rank = 0;
  std::vector<const TraceRow*> train_rows;  // in the order given to `train`

  std::vector<std::int64_t> dense(const SparseGram& g) const {
    std::vector<std::int64_t> row(column_of_pair.size(), 0);
    for (const auto& [pair, value] : g) {
      const auto it = column_of_pair.find(pair);
      if (it == column_of_pair.end()) fail(ErrorKind::internal, "dfa experiment: a training row leaves the domain's columns");
      row[it->second] = value;
    }
    return row;
  }
};

// The exact rational rank of distinct integer rows (rank_certified, certified assurance).
std::size_t exact_rank(const Block& block, const std::set<SparseGram>& rows) {
  if (rows.empty() || block.column_of_pair.empty()) return 0;
  Matrix<std::int64_t> M(rows.size(), block.column_of_pair.size());
  std::size_t r = 0;
  for (const SparseGram& g : rows) {
    const std::vector<std::int64_t> dense = block.dense(g);
    std::copy(dense.begin(), dense.end(), M.row(r++));
  }
  const RankCertified rc = rank_certified(M);
  if (rc.assurance != Assurance::certified) fail(ErrorKind::internal, "dfa experiment: a block rank was not certified");
  return rc.rank;
}

// The exact rank of the rows of the first `traces` training traces, blockwise.
std::size_t exact_training_rank(std::map<std::size_t, Block>& blocks, const std::vector<std::vector<TraceRow>>& rows_of_trace,
                                std::size_t traces) {
  std::map<std::size_t, std::set<SparseGram>> by_block;
  for (std::size_t i = 0; i < traces; ++i)
    for (const TraceRow& row : rows_of_trace[i]) by_block[row.block].insert(row.gram);
  std::size_t rank = 0;
  for (const auto& [l, rows] : by_block) rank += exact_rank(blocks.at(l), rows);
  return rank;
}

// Solves M X = B over Q for nonsingular M (Gauss-Jordan); Error(internal) if singular.
Matrix<Rational> solve_nonsingular(Matrix<Rational> M, Matrix<Rational> B) {
  const std::size_t r = M.rows(), k = B.cols();
  for (std::size_t c = 0; c < r; ++c) {
    std::size_t p = c;
    while (p < r && M(p, c) == 0) ++p;
    if (p == r) fail(ErrorKind::internal, "dfa experiment: the Gram matrix of independent rows is singular");
    if (p != c) {
      for (std::size_t j = 0; j < r; ++j) std::swap(M(p, j), M(c, j));
      for (std::size_t j = 0; j < k; ++j) std::swap(B(p, j), B(c, j));
    }
    const Rational inv = Rational(1) / M(c, c);
    for (std::size_t j = 0; j < r; ++j) M(c, j) *= inv;
    for (std::size_t j = 0; j < k; ++j) B(c, j) *= inv;
    for (std::size_t i = 0; i < r; ++i) {
      if (i == c || M(i, c) == 0) continue;
      const Rational f = M(i, c);
      for (std::size_t j = 0; j < r; ++j) M(i, j) -= f * M(c, j);
      for (std::size_t j = 0; j < k; ++j) B(i, j) -= f * B(c, j);
    }
  }
  return B;
}

// The minimum-norm exact fit of one block (see the header): w = R^T beta, (R R^T) beta = y_R,
// checked to reproduce every training row's next token exactly.
void learn_block(std::size_t l, Block& block, BlockWeights& out) {
  if (block.train_rows.empty()) return;
  const std::vector<std::size_t>& pivots = block.train->pivot_rows();
  const std::size_t r = pivots.size();
  std::vector<std::vector<std::int64_t>> R;
  for (std::size_t i : pivots) R.push_back(block.dense(block.train_rows[i]->gram));
  std::set<std::size_t> coords;
  for (const TraceRow* row : block.train_rows) coords.insert(row->next.begin(), row->next.end());
  const std::vector<std::size_t> coordinate(coords.begin(), coords.end());
  Matrix<Rational> M(r, r), Y(r, coordinate.size());
  for (std::size_t i = 0; i < r; ++i) {
    for (std::size_t j = 0; j < r; ++j) {
      std::int64_t s = 0;
      for (std::size_t c = 0; c < R[i].size(); ++c) s += R[i][c] * R[j][c];
      M(i, j) = s;
    }
    for (std::size_t a : block.train_rows[pivots[i]]->next)
      Y(i, static_cast<std::size_t>(std::lower_bound(coordinate.begin(), coordinate.end(), a) - coordinate.begin())) = 1;
  }
  const Matrix<Rational> beta = solve_nonsingular(std::move(M), std::move(Y));
  std::vector<std::size_t> pair_of_column(block.column_of_pair.size());
  for (const auto& [pair, c] : block.column_of_pair) pair_of_column[c] = pair;
  for (std::size_t q = 0; q < coordinate.size(); ++q) {
    std::map<std::size_t, Rational> w;
    for (std::size_t c = 0; c < pair_of_column.size(); ++c) {
      Rational v = 0;
      for (std::size_t i = 0; i < r; ++i)
        if (R[i][c] != 0) v += beta(i, q) * R[i][c];
      if (v != 0) w[pair_of_column[c]] = v;
    }
    if (!w.empty()) out.w[l][coordinate[q]] = std::move(w);
  }
  for (const TraceRow* row : block.train_rows) {  // exact fit of every training row (Lemma T2: realisable)
    const std::map<std::size_t, Rational> y = out.output(*row);
    std::size_t ones = 0;
    for (const auto& [a, v] : y) ones += (v == 1 && std::find(row->next.begin(), row->next.end(), a) != row->next.end()) ? 1 : 0;
    if (ones != row->next.size() || y.size() != row->next.size())
      fail(ErrorKind::internal, "dfa experiment: the learned weights do not fit a training row exactly");
  }
}

}  // namespace

std::vector<TraceRow> prefix_rows(const std::vector<std::vector<std::size_t>>& tokens, std::size_t d, std::size_t first_n) {
  std::map<std::size_t, std::int64_t> G;
  for (std::size_t t = 0; t < first_n && t < tokens.size(); ++t) add_token(G, d, tokens[t]);
  std::vector<TraceRow> rows;
  for (std::size_t n = first_n; n < tokens.size(); ++n) {
    if (tokens[n - 1].size() != 1) fail(ErrorKind::internal, "dfa experiment: a prefix ends at a token that is not one-hot");
    rows.push_back(TraceRow{tokens[n - 1][0], SparseGram(G.begin(), G.end()), tokens[n]});
    add_token(G, d, tokens[n]);
  }
  return rows;
}

std::vector<TraceRow> trace_rows(const tasks::Dfa& dfa, const tasks::DfaLayout& layout, const std::vector<std::size_t>& word) {
  return prefix_rows(tasks::dfa_trace_tokens(dfa, layout, word), layout.dim(), tasks::dfa_prompt_length(layout, word.size()));
}

std::vector<std::vector<std::size_t>> all_words(std::size_t alphabet, std::size_t length) {
  std::vector<std::vector<std::size_t>> words;
  std::vector<std::size_t> w(length, 0);
  while (true) {
    words.push_back(w);
    std::size_t i = length;
    while (i > 0 && w[i - 1] + 1 == alphabet) w[--i] = 0;
    if (i == 0) return words;
    ++w[i - 1];
  }
}

std::map<std::size_t, Rational> BlockWeights::output(const TraceRow& row) const {
  std::map<std::size_t, Rational> y;
  const auto block = w.find(row.block);
  if (block == w.end()) return y;
  for (const auto& [a, wa] : block->second) {
    Rational s = 0;
    for (const auto& [pair, g] : row.gram)
      if (const auto it = wa.find(pair); it != wa.end()) s += it->second * g;
    if (s != 0) y[a] = s;
  }
  return y;
}

Matrix<Rational> BlockWeights::dense(std::size_t d) const {
  Matrix<Rational> W(d, feature_dim(d));
  std::map<std::size_t, std::pair<std::size_t, std::size_t>> jk;
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t k = j; k < d; ++k) jk[pair_index(d, j, k)] = {j, k};
  for (const auto& [l, coords] : w)
    for (const auto& [a, wa] : coords)
      for (const auto& [pair, v] : wa) W(a, feature_index(d, jk.at(pair).first, jk.at(pair).second, l)) = v;
  return W;
}

void score(const BlockWeights& w, const std::vector<TraceRow>& rows, AccuracyCount& count) {
  bool trace_exact = true;
  for (const TraceRow& row : rows) {
    const std::map<std::size_t, Rational> y = w.output(row);
    bool exact = y.size() == row.next.size();
    for (std::size_t a : row.next) {
      const auto it = y.find(a);
      exact = exact && it != y.end() && it->second == 1;
    }
    // argmax over all d coordinates (those absent from y are 0); the next token is one-hot.
    bool argmax = row.next.size() == 1;
    if (argmax) {
      const auto it = y.find(row.next[0]);
      const Rational v = it == y.end() ? Rational(0) : it->second;
      for (const auto& [a, value] : y)
        if (a != row.next[0] && value >= v) argmax = false;
      if (v <= 0) argmax = false;  // some coordinate outside y (value 0) would tie or win
    }
    ++count.tokens;
    count.exact += exact ? 1 : 0;
    count.argmax += argmax ? 1 : 0;
    trace_exact = trace_exact && exact;
  }
  ++count.traces;
  count.traces_exact += trace_exact ? 1 : 0;
}

Dataset dfa_dataset(const tasks::Dfa& dfa, std::size_t length, const std::vector<std::vector<std::size_t>>& words) {
  const tasks::DfaLayout layout{dfa.states, dfa.alphabet, length};
  Dataset ds{layout.dim(), false, {}};
  for (const auto& w : words) tasks::append_dfa_samples(ds, dfa, layout, w);
  return ds;
}

DfaRequirementResult run_dfa_requirement(const DfaRequirementOptions& o) {
  if (o.S == 0 || o.A == 0 || o.L == 0) fail(ErrorKind::usage, "experiment dfa: S, A and L must be at least 1");
  DfaRequirementResult res;
  res.S = o.S, res.A = o.A, res.L = o.L;
  const tasks::DfaLayout layout{o.S, o.A, o.L};
  res.d = layout.dim();
  res.D = feature_dim(res.d);
  tasks::Rng rng(o.seed), side(o.seed + 1);
  res.dfa = tasks::random_dfa(rng, o.S, o.A);

  // The domain: all A^L words, or a uniform sample of domain_cap of them plus the training pool.
  double count = 1;
  for (std::size_t i = 0; i < o.L; ++i) count *= static_cast<double>(o.A);
  res.domain_complete = count <= static_cast<double>(o.domain_cap);
  std::vector<std::vector<std::size_t>> domain_words;
  if (res.domain_complete) {
    domain_words = all_words(o.A, o.L);
  } else {
    std::set<std::vector<std::size_t>> sample;
    for (const auto& w : tasks::random_words(side, o.A, o.L, o.domain_cap)) sample.insert(w);
    domain_words.assign(sample.begin(), sample.end());
  }
  res.domain_words = domain_words.size();

  // Training traces, drawn one word at a time as the generator draws them (so the first N are
  // `mhla generate dfa --samples N`'s words); in the sampled case the pool of all max_traces
  // words joins the domain, so T_N stays a subset of it.
  std::vector<std::vector<std::size_t>> pool;
  if (!res.domain_complete) pool = tasks::random_words(rng, o.A, o.L, o.max_traces);
  auto pool_word = [&](std::size_t i) -> const std::vector<std::size_t>& {
    while (pool.size() <= i) pool.push_back(tasks::random_words(rng, o.A, o.L, 1)[0]);
    return pool[i];
  };
  std::vector<std::vector<TraceRow>> rows_of_trace;
  rows_of_trace.reserve(o.max_traces);  // row pointers into the inner vectors stay valid

  std::map<std::size_t, Block> blocks;
  std::vector<TraceRow> domain_rows;
  auto add_domain_row = [&](const TraceRow& row) {
    Block& b = blocks[row.block];
    for (const auto& entry : row.gram) b.column_of_pair.emplace(entry.first, 0);
    b.domain_rows.insert(row.gram);
  };
  for (const auto& w : domain_words)
    for (TraceRow& row : trace_rows(res.dfa, layout, w)) {
      add_domain_row(row);
      domain_rows.push_back(std::move(row));
    }
  res.domain_rows = domain_rows.size();
  if (!res.domain_complete)
    for (const auto& w : pool)
      for (const TraceRow& row : trace_rows(res.dfa, layout, w)) add_domain_row(row);

  PrimeStream primes = PrimeStream::standard();
  const PrimeField F(primes.next());
  res.prime = F.p;
  std::size_t deficit = 0;
  for (auto& [l, b] : blocks) {
    std::size_t c = 0;
    for (auto& entry : b.column_of_pair) entry.second = c++;
    res.active_features += c;
    b.domain_rank = exact_rank(b, b.domain_rows);
    res.domain_rank += b.domain_rank;
    deficit += b.domain_rank;
    b.train = std::make_unique<EchelonModP>(F, c);
  }
  res.blocks = blocks.size();

  // Traces one at a time: rank_p(T_N) <= rank_Q(T_N) <= rank_Q(S) per block (@proof T5).
  for (std::size_t i = 0; i < o.max_traces && deficit > 0; ++i) {
    rows_of_trace.push_back(trace_rows(res.dfa, layout, pool_word(i)));
    for (const TraceRow& row : rows_of_trace[i]) {
      Block& b = blocks.at(row.block);
      b.train->add_row(b.dense(row.gram));
      b.train_rows.push_back(&row);
      const std::size_t now = b.train->rank();
      deficit -= now - b.train_rank;
      b.train_rank = now;
    }
    res.N = i + 1;
  }
  res.reached = deficit == 0;
  if (!res.reached) {
    res.training_words.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(rows_of_trace.size()));
    res.global_rank = exact_training_rank(blocks, rows_of_trace, rows_of_trace.size());
    return res;
  }
  // Minimality, exactly: rank_Q(T_{N-1}) < rank(S). A mod-p rank can only be low, so step back
  // while the exact rank of one trace fewer already equals rank(S).
  res.rank_before = exact_training_rank(blocks, rows_of_trace, res.N - 1);
  while (res.rank_before == res.domain_rank) {
    --res.N;
    res.rank_before = exact_training_rank(blocks, rows_of_trace, res.N - 1);
  }
  res.global_rank = exact_training_rank(blocks, rows_of_trace, res.N);
  if (res.global_rank != res.domain_rank) fail(ErrorKind::internal, "dfa experiment: the exact rank disagrees with the mod-p rank");
  res.training_words.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(res.N));
  res.training_rows = 0;
  res.distinct_words = std::set<std::vector<std::size_t>>(res.training_words.begin(), res.training_words.end()).size();
  for (std::size_t i = 0; i < res.N; ++i) res.training_rows += rows_of_trace[i].size();

  // Learn from the first N traces (rebuild the blocks' echelons on exactly those rows).
  for (auto& [l, b] : blocks) {
    b.train = std::make_unique<EchelonModP>(F, b.column_of_pair.size());
    b.train_rows.clear();
  }
  for (std::size_t i = 0; i < res.N; ++i)
    for (const TraceRow& row : rows_of_trace[i]) {
      Block& b = blocks.at(row.block);
      b.train->add_row(b.dense(row.gram));
      b.train_rows.push_back(&row);
    }
  for (auto& [l, b] : blocks) {
    if (b.train_rows.empty()) continue;
    if (b.train->rank() != b.domain_rank) fail(ErrorKind::internal, "dfa experiment: a block lost its rank");
    learn_block(l, b, res.weights);
  }

  // Accuracy: the whole domain (must be exact: Lemma C4 part 2 with realisable data), fresh
  // words of length L, shorter words (outside the training distribution) and other DFAs.
  for (std::size_t i = 0; i < domain_words.size(); ++i) score(res.weights, trace_rows(res.dfa, layout, domain_words[i]), res.domain);
  if (res.domain.traces_exact != res.domain.traces)
    fail(ErrorKind::internal, "dfa experiment: identifiable on the domain but a domain trace is not reproduced exactly");
  for (const auto& w : tasks::random_words(side, o.A, o.L, o.test_traces)) score(res.weights, trace_rows(res.dfa, layout, w), res.heldout);
  if (o.L > 1)
    for (std::size_t i = 0; i < o.test_traces; ++i) {
      const std::size_t l = 1 + side.below(o.L - 1);
      score(res.weights, trace_rows(res.dfa, layout, tasks::random_words(side, o.A, l, 1)[0]), res.shorter);
    }
  for (std::size_t i = 0; i < o.test_traces; ++i) {
    const tasks::Dfa other = tasks::random_dfa(side, o.S, o.A);
    score(res.weights, trace_rows(other, layout, tasks::random_words(side, o.A, o.L, 1)[0]), res.other_dfa);
  }
  return res;
}

}  // namespace mhla::experiments
