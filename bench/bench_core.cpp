// SPDX-License-Identifier: MIT
// Speed of the exact core against binary64 on the same inputs: eval (Y of one input) and the
// feature rows of every position, for d in {4, 8, 16}, n in {16, 128}, one-head... four-head
// models with small integer entries (the common case) and with small-denominator rationals.
#include <benchmark/benchmark.h>

#include <random>

#include "mhla/arith/scalar.hpp"
#include "mhla/features/exact_fast.hpp"

using namespace mhla;

namespace {

enum class Entries { integer, rational };

Rational entry(std::mt19937_64& rng, Entries kind) {
  const long num = static_cast<long>(rng() % 19) - 9;
  return kind == Entries::integer ? Rational(num) : Rational(Integer(num), Integer(1 + rng() % 7));
}

Matrix<Rational> random_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c, Entries kind) {
  Matrix<Rational> m(r, c);
  for (auto& x : m.data()) x = entry(rng, kind);
  return m;
}

Model<Rational> random_model(std::mt19937_64& rng, std::size_t d, bool causal, Entries kind) {
  Model<Rational> m{d, causal, {}};
  for (std::size_t h = 0; h < 2; ++h) m.heads.push_back({random_matrix(rng, d, d, kind), random_matrix(rng, d, d, kind)});
  return m;
}

template <class T>
T convert_scalar(const Rational& q) { return from_rational<T>(q); }

template <class T>
void bench_eval(benchmark::State& state, Entries kind, bool causal) {
  const std::size_t d = state.range(0), n = state.range(1);
  std::mt19937_64 rng(d * 1000 + n);
  const Model<Rational> m = random_model(rng, d, causal, kind);
  const Matrix<Rational> Z = random_matrix(rng, d, n, kind);
  const Model<T> mt = convert_model<T>(m, convert_scalar<T>);
  const Matrix<T> Zt = convert<T>(Z, convert_scalar<T>);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(mt, Zt));
  state.SetItemsProcessed(state.iterations() * n);  // output columns
}

template <class T>
void bench_features(benchmark::State& state, Entries kind, bool causal) {
  const std::size_t d = state.range(0), n = state.range(1);
  std::mt19937_64 rng(d * 1000 + n);
  const Matrix<T> Z = convert<T>(random_matrix(rng, d, n, kind), convert_scalar<T>);
  std::vector<std::size_t> positions(n);
  for (std::size_t b = 0; b < n; ++b) positions[b] = b;
  for (auto _ : state) benchmark::DoNotOptimize(feature_rows(Z, positions, causal));
  state.SetItemsProcessed(state.iterations() * n);  // feature rows
}

void bench_eval_fast(benchmark::State& state, Entries kind, bool causal) {
  const std::size_t d = state.range(0), n = state.range(1);
  std::mt19937_64 rng(d * 1000 + n);
  const Model<Rational> m = random_model(rng, d, causal, kind);
  const Matrix<Rational> Z = random_matrix(rng, d, n, kind);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate_exact(m, Z));
  state.SetItemsProcessed(state.iterations() * n);
}

void bench_features_fast(benchmark::State& state, Entries kind, bool causal, bool scaled) {
  const std::size_t d = state.range(0), n = state.range(1);
  std::mt19937_64 rng(d * 1000 + n);
  const Matrix<Rational> Z = random_matrix(rng, d, n, kind);
  std::vector<std::size_t> positions(n);
  for (std::size_t b = 0; b < n; ++b) positions[b] = b;
  for (auto _ : state) {
    if (scaled)
      benchmark::DoNotOptimize(feature_rows_scaled(Z, positions, causal));
    else
      benchmark::DoNotOptimize(feature_rows_exact(Z, positions, causal));
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (long d : {4, 8, 16})
    for (long n : {16, 128}) b->Args({d, n});
  b->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("eval/exact_int", bench_eval<Rational>, Entries::integer, false)->Apply(sizes);
  RegisterBenchmark("eval/exact_rat", bench_eval<Rational>, Entries::rational, false)->Apply(sizes);
  RegisterBenchmark("eval/exact_fast_int", bench_eval_fast, Entries::integer, false)->Apply(sizes);
  RegisterBenchmark("eval/exact_fast_rat", bench_eval_fast, Entries::rational, false)->Apply(sizes);
  RegisterBenchmark("eval/binary64", bench_eval<double>, Entries::integer, false)->Apply(sizes);
  RegisterBenchmark("eval/exact_fast_int_causal", bench_eval_fast, Entries::integer, true)->Apply(sizes);
  RegisterBenchmark("eval/exact_int_causal", bench_eval<Rational>, Entries::integer, true)->Apply(sizes);
  RegisterBenchmark("eval/binary64_causal", bench_eval<double>, Entries::integer, true)->Apply(sizes);
  RegisterBenchmark("features/exact_int", bench_features<Rational>, Entries::integer, false)->Apply(sizes);
  RegisterBenchmark("features/exact_rat", bench_features<Rational>, Entries::rational, false)->Apply(sizes);
  RegisterBenchmark("features/exact_fast_int", bench_features_fast, Entries::integer, false, false)->Apply(sizes);
  RegisterBenchmark("features/exact_fast_rat", bench_features_fast, Entries::rational, false, false)->Apply(sizes);
  RegisterBenchmark("features/exact_scaled_int", bench_features_fast, Entries::integer, false, true)->Apply(sizes);
  RegisterBenchmark("features/binary64", bench_features<double>, Entries::integer, false)->Apply(sizes);
  RegisterBenchmark("features/exact_int_causal", bench_features<Rational>, Entries::integer, true)->Apply(sizes);
  RegisterBenchmark("features/binary64_causal", bench_features<double>, Entries::integer, true)->Apply(sizes);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
