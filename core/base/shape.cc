#include "core/base/shape.h"

#include <sstream>

#include "core/base/error.h"

namespace mx {
namespace {

void CheckExtents(const std::vector<int64_t>& dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      std::ostringstream os;
      os << "(";
      for (size_t j = 0; j < dims.size(); ++j) os << (j ? "," : "") << dims[j];
      os << ")";
      MX_THROW("shape ", os.str(), ": dimension ", i, " is ", dims[i],
               "; expected an extent >= 0");
    }
  }
}

}  // namespace

Shape::Shape(std::initializer_list<int64_t> dims) : dims_(dims) {
  CheckExtents(dims_);
}

Shape::Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {
  CheckExtents(dims_);
}

int64_t Shape::operator[](int i) const {
  const int n = ndim();
  const int k = i < 0 ? i + n : i;
  MX_CHECK(k >= 0 && k < n, "dimension ", i, " is out of range for shape ",
           ToString(), " (ndim ", n, ")");
  return dims_[k];
}

bool CheckedShapeSize(const int64_t* dims, int ndim, int64_t* size) {
  int64_t n = 1;
  for (int i = 0; i < ndim; ++i) {
    if (__builtin_mul_overflow(n, dims[i], &n)) return false;
  }
  *size = n;
  return true;
}

int64_t Shape::Size() const {
  int64_t n;
  MX_CHECK(CheckedShapeSize(dims_.data(), ndim(), &n), "shape ", ToString(),
           " has more elements than fit in int64");
  return n;
}

int64_t Shape::ProdRange(int begin, int end) const {
  MX_INTERNAL_CHECK(0 <= begin && begin <= end && end <= ndim(), "range [",
                    begin, ",", end, ") of shape ", ToString());
  int64_t n = 1;
  for (int i = begin; i < end; ++i) n *= dims_[i];
  return n;
}

std::string Shape::ToString() const {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < dims_.size(); ++i) os << (i ? "," : "") << dims_[i];
  if (dims_.size() == 1) os << ",";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << s.ToString();
}

}  // namespace mx
