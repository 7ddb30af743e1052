// SPDX-License-Identifier: MIT
// Matrix<T>: a dense rows x cols matrix over a scalar type T (Rational, Integer, double, Mpfr,
// or a prime-field residue), stored row-major. A(i, j) is row i, column j; indices start at 0.
// Vectors are std::vector<T>. The free functions compute the textbook formulas
//   (A B)[i][j] = sum_k A[i][k] B[k][j],  (A x)[i] = sum_k A[i][k] x[k],  <x, y> = sum_k x[k] y[k]
// with the sums taken left to right (k = 0, 1, ...), so that a float evaluation's rounding
// count is known (proofs-notes/02-model.md, Lemma F1). Preconditions on shapes are checked
// and throw Error(internal): a mismatch is a bug in the caller, not bad input.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "mhla/support/error.hpp"

namespace mhla {

template <class T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, T(0)) {}
  Matrix(std::size_t rows, std::size_t cols, std::vector<T> row_major)
      : rows_(rows), cols_(cols), data_(std::move(row_major)) {
    if (data_.size() != rows * cols) fail(ErrorKind::internal, "Matrix: data size does not match shape");
  }

  static Matrix identity(std::size_t n) {
    Matrix m(n, n);
    for (std::size_t i = 0; i < n; ++i) m(i, i) = T(1);
    return m;
  }

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  T& operator()(std::size_t i, std::size_t j) noexcept { return data_[i * cols_ + j]; }
  const T& operator()(std::size_t i, std::size_t j) const noexcept { return data_[i * cols_ + j]; }
  T* row(std::size_t i) noexcept { return data_.data() + i * cols_; }
  const T* row(std::size_t i) const noexcept { return data_.data() + i * cols_; }
  const std::vector<T>& data() const noexcept { return data_; }
  std::vector<T>& data() noexcept { return data_; }

  std::vector<T> row_vector(std::size_t i) const { return std::vector<T>(row(i), row(i) + cols_); }

  std::vector<T> column(std::size_t j) const {
    std::vector<T> c(rows_);
    for (std::size_t i = 0; i < rows_; ++i) c[i] = (*this)(i, j);
    return c;
  }

  friend bool operator==(const Matrix& a, const Matrix& b) {
    return a.rows_ == b.rows_ && a.cols_ == b.cols_ && a.data_ == b.data_;
  }

 private:
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<T> data_;
};

template <class T>
Matrix<T> transpose(const Matrix<T>& a) {
  Matrix<T> t(a.cols(), a.rows());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j) t(j, i) = a(i, j);
  return t;
}

template <class T>
Matrix<T> multiply(const Matrix<T>& a, const Matrix<T>& b) {
  if (a.cols() != b.rows()) fail(ErrorKind::internal, "multiply: inner dimensions differ");
  Matrix<T> c(a.rows(), b.cols());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < b.cols(); ++j) {
      T s(0);
      for (std::size_t k = 0; k < a.cols(); ++k) s += a(i, k) * b(k, j);
      c(i, j) = s;
    }
  return c;
}

template <class T>
std::vector<T> multiply(const Matrix<T>& a, const std::vector<T>& x) {
  if (a.cols() != x.size()) fail(ErrorKind::internal, "multiply: matrix columns differ from vector length");
  std::vector<T> y(a.rows());
  for (std::size_t i = 0; i < a.rows(); ++i) {
    T s(0);
    for (std::size_t k = 0; k < a.cols(); ++k) s += a(i, k) * x[k];
    y[i] = s;
  }
  return y;
}

template <class T>
Matrix<T> add(const Matrix<T>& a, const Matrix<T>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) fail(ErrorKind::internal, "add: shapes differ");
  Matrix<T> c = a;
  for (std::size_t i = 0; i < c.data().size(); ++i) c.data()[i] += b.data()[i];
  return c;
}

template <class T>
T dot(const std::vector<T>& x, const std::vector<T>& y) {
  if (x.size() != y.size()) fail(ErrorKind::internal, "dot: lengths differ");
  T s(0);
  for (std::size_t k = 0; k < x.size(); ++k) s += x[k] * y[k];
  return s;
}

// Entrywise conversion, e.g. convert<double>(rational_matrix, from_rational<double>).
template <class U, class T, class F>
Matrix<U> convert(const Matrix<T>& a, F&& f) {
  std::vector<U> d;
  d.reserve(a.data().size());
  for (const T& x : a.data()) d.push_back(f(x));
  return Matrix<U>(a.rows(), a.cols(), std::move(d));
}

}  // namespace mhla
